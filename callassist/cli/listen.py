"""`callassist listen`: headless live mode. Microphone (or a WAV played in real time) in,
events printed as they happen; Ctrl+C ends the call and prints the checklist."""

from __future__ import annotations

import argparse
import json
import sys

from callassist.app.records import StoreRecords
from callassist.app.runner import CallRunner
from callassist.app.sources import SpeechSource
from callassist.cli._call import SaveProblem, loading_status, run_in_terminal
from callassist.cli._common import add_playbook_option, playbook_from
from callassist.cli._speech import add_channel_option, add_engine_options
from callassist.coach.events import (
    Event,
    MoodEvent,
    ReminderEvent,
    StepEvent,
    TranscriptEvent,
    WarningEvent,
    WithdrawnEvent,
    event_to_dict,
)
from callassist.report_text import format_report
from callassist.settings import load_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "listen", help="headless live mode: microphone in, events printed as they happen",
        description="Listens to the microphone (or --input FILE.wav in real time), prints each "
        "step, warning, reminder and sentence as it happens, and prints the checklist when the "
        "call ends (Ctrl+C, or the end of the file).",
    )
    p.add_argument(
        "--device", metavar="DEV", help="input number or name (see `callassist devices`)"
    )
    p.add_argument(
        "--customer-device", metavar="DEV",
        help="a second input that carries the customer (e.g. the speakers' monitor source)",
    )
    p.add_argument(
        "--input", metavar="FILE", help="play a WAV recording in place of the microphone"
    )
    add_channel_option(p)
    add_engine_options(p)
    p.add_argument("--partials", action="store_true", help="also print partial results")
    p.add_argument("--json", action="store_true", help="one JSON event per line, then the report")
    p.add_argument("--save", action="store_true",
                   help="store the call as it happens (kept so far if the program dies)")
    add_playbook_option(p)
    p.set_defaults(func=run)


def describe(event: Event) -> str | None:
    """One readable line for an event worth printing live; None for levels."""
    if isinstance(event, StepEvent):
        what = "covered" if event.covered else "unticked"
        how = " by hand" if event.manual else ""
        return f"{event.at:7.1f} s  step     {event.step} {what}{how}: \"{event.evidence}\""
    if isinstance(event, WarningEvent):
        return (f"{event.at:7.1f} s  WARNING  {event.kind.replace('_', ' ')}: "
                f"\"{event.evidence}\" → {event.advice}")
    if isinstance(event, WithdrawnEvent):
        return (f"{event.at:7.1f} s  withdrawn {event.kind.replace('_', ' ')} "
                f"(raised at {event.raised_at:.1f} s): {event.note}")
    if isinstance(event, ReminderEvent):
        return f"{event.at:7.1f} s  reminder {event.text}"
    if isinstance(event, MoodEvent):
        what = {"complaint": "complains", "words": "is angry", "voice": "raises their voice"}
        said = f": \"{event.evidence}\"" if event.evidence else ""
        return f"{event.at:7.1f} s  customer {what.get(event.cue, event.cue)}{said}"
    if isinstance(event, TranscriptEvent):
        tag = "said" if event.final else "…"
        return f"{event.start:7.1f} s  {event.speaker:<8} {tag} \"{event.text}\""
    return None


def run(args: argparse.Namespace) -> int:
    if args.save:
        load_settings()  # a bad setting is one line now, not after the whole analysis
    playbook = playbook_from(args)
    source = SpeechSource(playbook, args.input, device=args.device,
                          customer_device=args.customer_device,
                          customer_channel=args.customer_channel, engine=args.engine,
                          model=args.model, bias=not args.no_bias)
    audio = source.open_input()  # no microphone: said before the engine spends seconds loading
    problem = SaveProblem(live=True)
    runner = CallRunner(playbook, records=StoreRecords() if args.save else None,
                        status=loading_status, problem=problem)
    runner.prepare(source)

    def emit(events) -> None:
        for e in events:
            if isinstance(e, TranscriptEvent) and not e.final and not args.partials:
                continue
            if args.json:
                if e.type != "level":
                    print(json.dumps(event_to_dict(e)), flush=True)
                continue
            line = describe(e)
            if line:
                print(line, flush=True)

    print(f"listening on {audio.description} with {source.engine_name} ({source.model_name}); "
          "Ctrl+C ends the call", file=sys.stderr)
    result = run_in_terminal(runner, source, emit)
    report = {**result.report.to_json(), "title": result.report.title or audio.description}
    if args.save:
        report["call_id"] = result.call_id
    print()
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    problem.check()
    return 0
