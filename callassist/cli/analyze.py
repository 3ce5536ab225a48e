"""`callassist analyze FILE`: a recording or a transcript through the coach, headless."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from callassist.cli._common import add_playbook_option, playbook_from
from callassist.cli._speech import add_channel_option, add_engine_options
from callassist.coach.session import CallSession
from callassist.errors import CallAssistError, open_input
from callassist.replay import analyse_transcript
from callassist.report_text import format_report
from callassist.transcript import load_transcript


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "analyze",
        help="run a WAV recording or JSON transcript through the coach and print the checklist",
        description="Runs a WAV recording or a JSON transcript (the corpus format) through the "
        "same pipeline as a live call and prints the per-call checklist.",
    )
    p.add_argument("file", type=Path, help="a .wav recording or a .json transcript")
    p.add_argument("--json", action="store_true", help="print the JSON report")
    p.add_argument("--save", action="store_true", help="store the result as a call")
    add_playbook_option(p)
    add_engine_options(p)
    add_channel_option(p)
    p.add_argument("--realtime", action="store_true", help="pace a recording like a live call")
    p.set_defaults(func=run)


def file_kind(path: Path) -> str:
    """'transcript' or 'audio', by content rather than by name."""
    with open_input(path, "a recording or transcript") as f:
        head = f.read(16)
    if head.lstrip()[:1] in (b"{", b"["):
        return "transcript"
    if head[:4] == b"RIFF" or path.suffix.lower() == ".wav":
        return "audio"
    if path.suffix.lower() == ".json":
        return "transcript"
    raise CallAssistError(f"{path}: not a WAV recording or a JSON transcript")


def run(args: argparse.Namespace) -> int:
    playbook = playbook_from(args)
    kind = file_kind(args.file)
    if kind == "transcript":
        transcript = load_transcript(args.file)
        session = analyse_transcript(transcript, CallSession(playbook))
        report = {"id": transcript.id, "title": transcript.title, **session.report()}
    else:
        from callassist.pipeline import analyse_recording

        report = analyse_recording(args.file, playbook, args)
    if args.save:
        from callassist.store import save_report

        report["call_id"] = save_report(report, source=str(args.file))
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    if args.save and not args.json:
        call_id = report["call_id"]
        print(f"\nSaved as call {call_id} (callassist calls show {call_id})" if call_id
              else "\nNot saved: the retention setting is 'none'")
    return 0
