"""The live pipeline: audio source -> speech engine -> call session -> events.

Used by `callassist listen`, `callassist analyze FILE.wav` and the overlay's worker thread.

    from callassist.pipeline import load_engine, open_source, run_call

    engine = load_engine(None, model=None, playbook=pb, on_status=show)   # once; slow (seconds),
                                                                          # may run on any thread
    source = open_source(input_file=None, device=None, customer_device=None)  # the microphone
    session = CallSession(pb)
    stats = run_call(session, engine, source, emit, stop, on_status=show)     # blocks
    session.end()                                                             # the caller ends it

- `load_engine(engine, model, playbook, on_status, bias=True) -> Engine`: "vosk",
  "pocketsphinx" or None/"auto" (Vosk with `model` or the installed default model, else the
  pocketsphinx fallback with a `fallback` status). Reuse the engine for every call.
- `open_source(input_file=None, device=None, customer_device=None, customer_channel=None,
  realtime=True) -> AudioSource`: a WAV file played in place of the microphone (paced in real
  time), or the microphone (`device`: index or name, None for the default), plus an optional
  customer input. Raises CallAssistError("no microphone found: plug in a headset or pass
  --input FILE") when there is no input.
- `run_call(session, engine, source, emit, stop, on_status=None) -> CallStats`: blocks until
  the source ends, the device is lost or `stop` (a threading.Event) is set. Calls
  `emit(events)` with every batch of events the session produces (levels ~10 per second per
  speaker, partial and final transcripts, steps, warnings, reminders), from the calling
  thread. Feeds levels for every block, partial results as they come (a step can tick before
  the sentence ends), final results with word timings, and advances the session's clock after
  every block (~0.1 s) so silence timers fire. Does not end the session.
- `on_status(Status(kind, message))`: kind is "loading", "ready", "fallback" (pocketsphinx in
  use: "fallback engine in use, accuracy is lower: run `callassist models download` ..."),
  "lost" (the device went away mid-call; what was recognised is kept) or "overflow".
- `analyse_recording(path, playbook, args) -> dict`: a WAV file through engine and coach,
  headless, for `callassist analyze`; the session report plus "id", "title", "engine",
  "model" (and "transcript", the turns it heard).
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from callassist.audio.levels import VoiceActivity, dbfs
from callassist.audio.sources import AudioSource, FileSource, open_source
from callassist.coach.events import Event
from callassist.coach.playbook import Playbook
from callassist.coach.session import CallSession
from callassist.speech.engine import (
    Engine,
    Recognizer,
    Result,
    Status,
    StatusCallback,
    load_engine,
)

__all__ = [
    "CallStats",
    "Status",
    "analyse_recording",
    "load_engine",
    "open_source",
    "run_call",
]

Emit = Callable[[Sequence[Event]], None]


@dataclass
class CallStats:
    audio_s: float = 0.0  # seconds of audio heard (the longest track)
    blocks: int = 0
    finals: int = 0
    partials: int = 0
    overflows: int = 0
    lost: str | None = None


def _feed(session: CallSession, speaker: str, r: Result, stats: CallStats) -> list[Event]:
    if r.final:
        stats.finals += 1
        return session.feed_utterance(speaker, r.text, r.start, r.end, r.words or None)
    stats.partials += 1
    return session.feed_partial(speaker, r.text, r.start, r.end, r.words or None)


def run_call(
    session: CallSession, engine: Engine, source: AudioSource, emit: Emit,
    stop: threading.Event, on_status: StatusCallback | None = None,
) -> CallStats:
    """Listens until the source ends, the device is lost or stop is set (see the module doc)."""
    stats = CallStats()
    recognizers: dict[str, Recognizer] = {}
    vad: dict[str, VoiceActivity] = {}
    overflows_seen = 0
    emit(session.start(0.0))
    try:
        for block in source.blocks(stop):
            sp = block.speaker
            if sp not in recognizers:
                recognizers[sp] = engine.recognizer(sp)
                vad[sp] = VoiceActivity()
            level = dbfs(block.samples)
            out = session.feed_level(sp, block.at, level, vad[sp](level))
            for r in recognizers[sp].accept(block.samples):
                out += _feed(session, sp, r, stats)
            stats.blocks += 1
            stats.audio_s = max(stats.audio_s, block.end)
            out += session.advance(stats.audio_s)
            emit(out)
            if source.overflows > overflows_seen and on_status is not None:
                overflows_seen = source.overflows
                on_status(Status("overflow", f"the computer fell behind: {overflows_seen} "
                                             "audio block(s) dropped"))
    finally:
        for sp, rec in recognizers.items():
            out = []
            for r in rec.finish():
                out += _feed(session, sp, r, stats)
            emit(out)
    stats.overflows = source.overflows
    stats.lost = source.lost
    if source.lost and on_status is not None:
        on_status(Status("lost", f"{source.lost}: the call so far is kept"))
    return stats


def stderr_status(status: Status) -> None:
    """Status lines for the terminal commands: notes a user must see, not progress chatter."""
    if status.kind in ("fallback", "note", "lost", "overflow", "error"):
        print(f"callassist: note: {status.message}", file=sys.stderr)


class _Progress:
    """A one-line progress bar on stderr for long analyses (only on a terminal)."""

    def __init__(self, total_s: float):
        self.total = max(total_s, 1e-6)
        self.shown = -1
        self.enabled = sys.stderr.isatty() and total_s > 20

    def __call__(self, at: float) -> None:
        pct = int(100 * min(at / self.total, 1.0))
        if self.enabled and pct != self.shown:
            self.shown = pct
            bar = "#" * (pct // 4)
            print(f"\ranalysing [{bar:<25}] {pct:3d}%", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.enabled:
            print("\r" + " " * 40 + "\r", end="", file=sys.stderr, flush=True)


def analyse_recording(
    path: str | Path, playbook: Playbook, args: argparse.Namespace, engine: Engine | None = None,
) -> dict:
    """A WAV recording through the engine and the coach (see the module doc). Reads from args:
    engine, model, customer_channel, realtime, no_bias (all optional). An already loaded
    `engine` is reused (benchmarks and tests analyse many recordings)."""
    source = FileSource(
        path, getattr(args, "customer_channel", None), realtime=getattr(args, "realtime", False)
    )
    engine = engine or load_engine(
        getattr(args, "engine", None), getattr(args, "model", None), playbook,
        on_status=stderr_status, bias=not getattr(args, "no_bias", False),
    )
    session = CallSession(playbook)
    progress = _Progress(source.duration)
    run_call(session, engine, source, lambda events: progress(session.now), threading.Event(),
             on_status=stderr_status)
    progress.done()
    session.end(source.duration)
    return {
        "id": Path(path).stem, "title": "", **session.report(),
        "engine": engine.name, "model": engine.model,
    }
