"""Options shared by the subcommands that run speech recognition (run, listen, analyze,
practice)."""

from __future__ import annotations

import argparse

from callassist.speech.engine import ENGINES


def add_engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--engine", choices=ENGINES,
        help="speech engine (default: Whisper tiny.en, bundled; Vosk when the model setting "
        "names a Vosk model; pocketsphinx as the last resort)",
    )
    p.add_argument("--model", metavar="PATH", help="an unpacked Vosk model folder")
    p.add_argument(
        "--no-bias", action="store_true",
        help="pocketsphinx: use its stock language model instead of one built from the playbook",
    )


def add_channel_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--customer-channel", choices=("left", "right"),
        help="a stereo recording's channel that carries the customer (the other is the agent)",
    )
