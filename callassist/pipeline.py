"""Audio into the coach: the loop a speech source runs for one call (audio blocks -> speech
engine -> CallSession -> events). The call runner (callassist.app.runner) is what front ends use;
this loop is its audio half, used by app.sources.SpeechSource and practice.call.PracticeCall.

    engine = load_engine(None, model=None, playbook=pb)       # callassist.speech.engine; once
    audio = open_source(input_file=None, device=None)         # callassist.audio.sources
    stats = run_call(session, engine, audio, emit, stop, on_status=show)  # blocks

- `run_call(session, engine, source, emit, stop, on_status=None) -> CallStats`: blocks until
  the source ends, the device is lost or `stop` (a threading.Event) is set. Calls
  `emit(events)` with every batch of events the session produces (levels ~10 per second per
  speaker, partial and final transcripts, steps, warnings, reminders), from the calling
  thread. Feeds levels for every block, partial results as they come (a step can tick before
  the sentence ends), final results with word timings, and advances the session's clock after
  every block (~0.1 s) so silence timers fire. Does not end the session.
- `on_status(Status(kind, message))`: "lost" (the device went away mid-call; what was
  recognised is kept) or "overflow" (audio blocks dropped).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from callassist.audio.echo import CustomerEcho
from callassist.audio.levels import VoiceActivity, dbfs
from callassist.audio.sources import AudioSource
from callassist.coach.events import Event
from callassist.coach.session import CallSession
from callassist.speech.engine import Engine, Recognizer, Result, Status, StatusCallback

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
    echo = CustomerEcho()  # the agent's voice coming back on the customer's channel (W2)
    emit(session.start(0.0))
    try:
        for block in source.blocks(stop):
            sp = block.speaker
            if sp not in recognizers:
                recognizers[sp] = engine.recognizer(sp)
                vad[sp] = VoiceActivity()
            samples = block.samples
            if sp == "agent":
                echo.agent(block.at, samples)
            elif sp == "customer":
                samples = echo.filter(block.at, samples)
            level = dbfs(samples)
            out = session.feed_level(sp, block.at, level, vad[sp](level))
            for r in recognizers[sp].accept(samples):
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
