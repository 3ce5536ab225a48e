"""Transcripts through the coach: as fast as possible for `analyze`, or paced like a live call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from callassist.coach.events import Event
from callassist.coach.session import CallSession
from callassist.transcript import Transcript


def feed_transcript(
    transcript: Transcript, session: CallSession,
    emit: Callable[[Sequence[Event]], None] = lambda events: None,
) -> CallSession:
    """Every turn at its own time, as fast as possible, then the call ends where the last turn
    does; `emit` gets each batch of events."""
    emit(session.start(0.0))
    for turn in transcript.turns:
        emit(session.advance(turn.start))
        emit(session.feed_utterance(turn.speaker, turn.text, turn.start, turn.end,
                                    turn.words or None))
    emit(session.end(transcript.duration))
    return session


def replay_transcript(
    transcript: Transcript,
    session: CallSession,
    emit: Callable[[Sequence[Event]], None],
    stop: threading.Event | None = None,
    speed: float = 1.0,
    tick_s: float = 0.1,
) -> CallSession:
    """Plays a transcript in real time: each turn's words appear as partial results while the
    turn is spoken, then the final result; time advances between turns so silences count."""
    stop = stop or threading.Event()
    t0 = time.monotonic()

    def call_time() -> float:
        return (time.monotonic() - t0) * speed

    def wait_until(t: float) -> bool:
        while not stop.is_set():
            now = call_time()
            if now >= t:
                return True
            emit(session.advance(now))
            stop.wait(min(tick_s, (t - now) / speed))
        return False

    emit(session.start(0.0))
    for turn in transcript.turns:
        if not wait_until(turn.start):
            break
        words = turn.text.split()
        shown = 0
        while shown < len(words) and not stop.is_set():
            now = call_time()
            frac = (now - turn.start) / max(turn.end - turn.start, 1e-6)
            target = min(len(words), max(1, int(frac * len(words)) + 1))
            if target > shown:
                shown = target
                if shown < len(words):
                    emit(
                        session.feed_partial(turn.speaker, " ".join(words[:shown]), turn.start, now)
                    )
            if shown < len(words):
                stop.wait(tick_s / speed)
        if not wait_until(turn.end):
            break
        emit(
            session.feed_utterance(
                turn.speaker, turn.text, turn.start, turn.end, turn.words or None
            )
        )
    emit(session.end(call_time() if stop.is_set() else transcript.duration))
    return session
