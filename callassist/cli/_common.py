"""Options shared by the subcommands that run the coach."""

from __future__ import annotations

import argparse

from callassist.coach.playbook import Playbook, load_playbook
from callassist.coach.tone_rules import tone_rules


def add_playbook_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--playbook",
        metavar="FILE",
        help="a playbook TOML file of your own (default: the built-in playbook)",
    )
    parser.add_argument(
        "--rules-only",
        action="store_true",
        help="recognise steps and warnings by the playbook's phrases alone, without its "
        "examples and the sentence model",
    )


def playbook_from(args: argparse.Namespace) -> Playbook:
    playbook = load_playbook(getattr(args, "playbook", None))
    # The [tone] table is read when a call starts; a mistake in it is reported now instead.
    tone_rules(playbook)
    if getattr(args, "rules_only", False):
        return playbook
    from callassist.embed.examples import with_meaning

    # A missing or damaged sentence model is an install that is not whole: the command stops
    # with one line naming the fix, rather than coach every call by the phrases alone.
    return with_meaning(playbook)
