"""`callassist analyze FILE`: a recording or a transcript through the coach, headless."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from callassist.app.records import StoreRecords
from callassist.app.runner import CallRunner
from callassist.app.sources import CallSource, SpeechSource, TranscriptSource
from callassist.cli._call import SaveProblem, quiet_status, run_in_terminal
from callassist.cli._common import add_playbook_option, playbook_from
from callassist.cli._speech import add_channel_option, add_engine_options
from callassist.coach.events import Event
from callassist.coach.playbook import Playbook
from callassist.errors import CallAssistError, open_input
from callassist.report_text import format_report
from callassist.settings import load_settings


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


class _Progress:
    """A one-line progress bar on stderr for long analyses (only on a terminal)."""

    def __init__(self, total_s: float):
        self.total = max(total_s, 1e-6)
        self.shown = -1
        self.enabled = sys.stderr.isatty() and total_s > 20

    def __call__(self, events: Sequence[Event]) -> None:
        if not self.enabled or not events:
            return
        at = max(getattr(e, "at", getattr(e, "end", 0.0)) for e in events)
        pct = int(100 * min(at / self.total, 1.0))
        if pct != self.shown:
            self.shown = pct
            bar = "#" * (pct // 4)
            print(f"\ranalysing [{bar:<25}] {pct:3d}%", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.enabled:
            print("\r" + " " * 40 + "\r", end="", file=sys.stderr, flush=True)


def make_source(args: argparse.Namespace, playbook: Playbook) -> CallSource:
    """The file as a call: a transcript read at once, or a recording through the engine (as
    fast as it decodes, or in real time with --realtime)."""
    if file_kind(args.file) == "transcript":
        if args.customer_channel:  # P2.6: it was silently ignored
            raise CallAssistError("--customer-channel is for a stereo recording; a "
                                  "transcript already names each turn's speaker")
        return TranscriptSource(args.file, speed=None)
    return SpeechSource(playbook, args.file, customer_channel=args.customer_channel,
                        engine=args.engine, model=args.model, bias=not args.no_bias,
                        realtime=args.realtime)


def run(args: argparse.Namespace) -> int:
    if args.save:
        load_settings()  # a bad setting is one line now, not after the whole analysis
    playbook = playbook_from(args)
    source = make_source(args, playbook)
    problem = SaveProblem()
    runner = CallRunner(playbook, records=StoreRecords() if args.save else None,
                        status=quiet_status, problem=problem)
    audio = getattr(source, "open_input", None)
    progress = _Progress(audio().duration if audio is not None else 0.0)
    result = run_in_terminal(runner, source, progress)
    progress.done()
    report = result.report.to_json()
    if isinstance(source, TranscriptSource):
        report.pop("engine"), report.pop("model")  # no engine heard it
    if args.save:
        report["call_id"] = result.call_id
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    problem.check()  # P3: a failed save still printed the analysis, then says why
    if args.save and not args.json:
        call_id = report["call_id"]
        print(f"\nSaved as call {call_id} (callassist calls show {call_id})" if call_id
              else "\nNot saved: the retention setting is 'none'")
    return 0
