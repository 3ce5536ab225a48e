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


def playbook_from(args: argparse.Namespace) -> Playbook:
    playbook = load_playbook(getattr(args, "playbook", None))
    # The [tone] table is read when a call starts; a mistake in it is reported now instead.
    tone_rules(playbook)
    return playbook
