"""`callassist run`: the overlay, listening to the microphone or playing a file in its place."""

from __future__ import annotations

import argparse
from pathlib import Path

from callassist.cli._common import add_playbook_option, playbook_from
from callassist.cli._speech import add_channel_option, add_engine_options
from callassist.cli.analyze import file_kind
from callassist.errors import CallAssistError


def _screenshot_moment(value: str) -> str | float:
    if value in ("end", "summary"):
        return value
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not 'end', 'summary' or a number of seconds") from None
    if seconds < 0:
        raise argparse.ArgumentTypeError("the moment must be 0 seconds or later")
    return seconds


def _speed(value: str) -> float:
    try:
        speed = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number") from None
    if not 0.1 <= speed <= 100:
        raise argparse.ArgumentTypeError("the speed must be between 0.1 and 100")
    return speed


def make_source(args: argparse.Namespace, playbook):
    """A transcript replay, or the speech pipeline on a WAV recording or the microphone."""
    from callassist.app import sources

    if args.input is not None and file_kind(args.input) == "transcript":
        if args.customer_channel:  # P2.6: it was silently ignored
            raise CallAssistError("--customer-channel is for a stereo recording; a "
                                  "transcript already names each turn's speaker")
        return sources.TranscriptSource(args.input, args.speed)
    if args.speed != 1.0:
        raise CallAssistError("--speed is for transcripts; a recording plays in real time")
    from callassist.settings import load_settings

    # With a customer input, calls start and end by voice (the silence_ends_call setting).
    return sources.SpeechSource(
        playbook, args.input, device=args.device, customer_device=args.customer_device,
        customer_channel=args.customer_channel, engine=args.engine, model=args.model,
        bias=not args.no_bias, silence_ends_call=load_settings().silence_ends_call,
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="open the overlay and coach the call live (the default command)",
        description="Opens the always-on-top overlay and listens to the microphone. With "
        "--input, a WAV recording or JSON transcript is played in real time instead: a "
        "demonstration for new agents, and the way the window is tested.",
    )
    p.add_argument("--input", type=Path, metavar="FILE",
                   help="play this .wav recording or .json transcript in place of the microphone")
    p.add_argument("--device", metavar="DEV",
                   help="microphone: input number or name (see `callassist devices`)")
    p.add_argument("--customer-device", metavar="DEV",
                   help="a second input that carries the customer (e.g. a monitor source)")
    add_channel_option(p)
    add_engine_options(p)
    p.add_argument("--save", action="store_true",
                   help="store calls played from --input too (microphone calls are always "
                   "stored, as the retention setting says)")
    p.add_argument("--speed", type=_speed, default=1.0, metavar="X",
                   help="play --input X times faster than real time (default 1)")
    p.add_argument("--mode", choices=("compact", "expanded"),
                   help="open in this view (default: the one used last)")
    p.add_argument("--screenshot", type=Path, metavar="PATH",
                   help="save a PNG picture of the window (see --screenshot-at)")
    p.add_argument("--screenshot-at", type=_screenshot_moment, default="end", metavar="WHEN",
                   help="'end' (when the input ends, the default), 'summary' (the end-of-call "
                   "summary) or a number of seconds into the call")
    p.add_argument("--exit-after", action="store_true",
                   help="quit once the input has ended (and the screenshot is saved)")
    add_playbook_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.exit_after and args.input is None and args.screenshot is None:
        raise CallAssistError("--exit-after needs --input FILE or --screenshot PATH")
    playbook = playbook_from(args)
    from callassist.app.records import StoreRecords
    from callassist.ui.app import Screenshot, run_overlay

    source = make_source(args, playbook)
    shot = Screenshot(args.screenshot, args.screenshot_at) if args.screenshot else None
    records = StoreRecords() if args.input is None or args.save else None
    from callassist.settings import load_settings

    return run_overlay(source, playbook, mode=args.mode, screenshot=shot,
                       exit_after=args.exit_after, records=records,
                       above_fullscreen=load_settings().above_fullscreen)
