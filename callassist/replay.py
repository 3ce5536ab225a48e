"""Transcripts through the coach: as fast as possible for `analyze`, or paced like a live call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from callassist.coach.events import Event, WarningEvent, WithdrawnEvent
from callassist.coach.kinds import PHRASE_WARNINGS
from callassist.coach.playbook import Playbook
from callassist.coach.rules import analyse
from callassist.coach.session import CallSession, timed_words
from callassist.coach.text import normalize
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
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] | None = None,
) -> CallSession:
    """Plays a transcript in real time: each turn's words appear as partial results while the
    turn is spoken, then the final result; time advances between turns so silences count.
    `clock` and `sleep` (default: the stop event's wait) let a test play it in simulated time."""
    stop = stop or threading.Event()
    pause = sleep or stop.wait
    t0 = clock()

    def call_time() -> float:
        return (clock() - t0) * speed

    def wait_until(t: float) -> bool:
        while not stop.is_set():
            now = call_time()
            if now >= t:
                return True
            emit(session.advance(now))
            pause(min(tick_s, (t - now) / speed))
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
                pause(tick_s / speed)
        if not wait_until(turn.end):
            break
        emit(
            session.feed_utterance(
                turn.speaker, turn.text, turn.start, turn.end, turn.words or None
            )
        )
    emit(session.end(call_time() if stop.is_set() else transcript.duration))
    return session


@dataclass(frozen=True)
class ShownWarning:
    """A phrase warning as the agent saw it in a replayed call: when the words that raise it
    ended, when it left the coach, and whether it was withdrawn later ("owned", "heard")."""

    kind: str
    at: float
    words_end: float | None  # None: the whole sentence does not raise it (withdrawn)
    shown_at: float
    withdrawn: str = ""

    @property
    def delay(self) -> float | None:
        return None if self.words_end is None else self.shown_at - self.words_end


def _words_end(playbook: Playbook, transcript: Transcript, kind: str, at: float) -> float | None:
    for turn in transcript.turns:
        if turn.speaker != "agent" or not turn.start - 0.01 <= at <= turn.end + 0.01:
            continue
        words = timed_words(turn.text, turn.start, turn.end, turn.words or None)
        tokens = normalize(turn.text)
        m = analyse(playbook, tokens).warnings.get(kind)
        if m is not None and tokens.origin:
            return words[tokens.origin[min(m.end, len(tokens.origin)) - 1]].end
    return None


def replay_warnings(
    transcript: Transcript, playbook: Playbook, speed: float = 1.0, simulated: bool = True,
) -> list[ShownWarning]:
    """Replays a call (in simulated time, or in real time) and times every phrase warning
    against the end of its words (tests and benchmarks/warnings.py)."""
    session = CallSession(playbook)
    virtual = [0.0]
    def simulated_clock() -> float:
        return virtual[0]

    def simulated_sleep(s: float) -> None:
        virtual[0] += s

    clock = simulated_clock if simulated else time.monotonic
    sleep = simulated_sleep if simulated else None
    t0 = clock()
    shown: list[tuple[WarningEvent, float]] = []
    withdrawn: dict[tuple[str, float], str] = {}

    def emit(events: Sequence[Event]) -> None:
        now = (clock() - t0) * speed
        for e in events:
            if isinstance(e, WarningEvent) and e.kind in PHRASE_WARNINGS:
                shown.append((e, now))
            elif isinstance(e, WithdrawnEvent):
                withdrawn[(e.kind, e.raised_at)] = e.why

    replay_transcript(transcript, session, emit, speed=speed, clock=clock, sleep=sleep)
    return [
        ShownWarning(e.kind, e.at, _words_end(playbook, transcript, e.kind, e.at), now,
                     withdrawn.get((e.kind, e.at), ""))
        for e, now in shown
    ]
