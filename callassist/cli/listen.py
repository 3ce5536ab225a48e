"""`callassist listen`: headless live mode. Microphone (or a WAV played in real time) in,
events printed as they happen; Ctrl+C ends the call and prints the checklist."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time

from callassist.cli._common import add_playbook_option, playbook_from
from callassist.cli._speech import add_channel_option, add_engine_options
from callassist.coach.events import (
    Event,
    MoodEvent,
    ReminderEvent,
    StepEvent,
    TranscriptEvent,
    WarningEvent,
    event_to_dict,
)
from callassist.coach.session import CallSession
from callassist.coach.tone import monitors_for
from callassist.pipeline import Status, load_engine, open_source, run_call, stderr_status
from callassist.report_text import format_report


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
    p.add_argument("--save", action="store_true", help="store the call when it ends")
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


def loading_status(status: Status) -> None:
    """Model loading takes seconds before anything is heard: say so, then the usual notes."""
    if status.kind == "loading":
        print(status.message, file=sys.stderr, flush=True)
    else:
        stderr_status(status)


def remembered_voice_level(args: argparse.Namespace) -> float | None:
    """With --save, the agent's usual level from their last stored call (see coach.tone)."""
    if not args.save:
        return None
    from callassist.store import open_store

    store = open_store()
    try:
        return store.remembered_voice_level()
    finally:
        store.close()


def run(args: argparse.Namespace) -> int:
    playbook = playbook_from(args)
    source = open_source(
        args.input, args.device, args.customer_device, args.customer_channel, realtime=True
    )
    engine = load_engine(args.engine, args.model, playbook, on_status=loading_status,
                         bias=not args.no_bias)
    session = CallSession(playbook, monitors_for(playbook, remembered_voice_level(args)))
    stop = threading.Event()
    failure: list[BaseException] = []

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

    def work() -> None:
        try:
            run_call(session, engine, source, emit, stop, on_status=stderr_status)
        except BaseException as e:  # re-raised on the main thread
            failure.append(e)

    print(f"listening on {source.description} with {engine.name} ({engine.model}); "
          "Ctrl+C ends the call", file=sys.stderr)
    started = time.strftime("live-%Y%m%d-%H%M%S")
    worker = threading.Thread(target=work, name="callassist-pipeline", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    except KeyboardInterrupt:
        stop.set()
        worker.join()
    if failure:
        raise failure[0]
    emit(session.end())
    report = {"id": started, "title": source.description, **session.report(),
              "engine": engine.name, "model": engine.model}
    if args.save:
        from callassist.store import save_report

        report["call_id"] = save_report(report, source=args.input or "microphone")
    print()
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0
