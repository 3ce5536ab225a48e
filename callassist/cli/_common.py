"""Options shared by the subcommands that run the coach."""

from __future__ import annotations

import argparse

from callassist.coach.playbook import Playbook, load_playbook


def add_playbook_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--playbook",
        metavar="FILE",
        help="a playbook TOML file of your own (default: the built-in playbook)",
    )


def playbook_from(args: argparse.Namespace) -> Playbook:
    return load_playbook(getattr(args, "playbook", None))
