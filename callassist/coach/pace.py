"""Too fast: the agent's words a minute, from the recogniser's word timings, over a sliding
window of the call."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

from callassist.coach.episodes import CueGate
from callassist.coach.events import Event, WarningEvent
from callassist.coach.kinds import WarningKind
from callassist.coach.tone_rules import PaceRule
from callassist.coach.utterance import Utterance

KIND = WarningKind.TOO_FAST


def speaking_time(spans: Iterable[tuple[float, float]], pause_gap_s: float) -> float:
    """Seconds of speech in word spans (in time order): gaps shorter than pause_gap_s are part
    of speaking, longer pauses are not."""
    total = 0.0
    run: tuple[float, float] | None = None
    for start, end in spans:
        if run is not None and start - run[1] < pause_gap_s:
            run = (run[0], max(run[1], end))
            continue
        if run is not None:
            total += run[1] - run[0]
        run = (start, end)
    if run is not None:
        total += run[1] - run[0]
    return total


class SpeechClock:
    """Seconds of speech in the call so far, counted as speaking_time does, span by span."""

    def __init__(self, pause_gap_s: float):
        self.pause_gap_s = pause_gap_s
        self._closed = 0.0
        self._run: tuple[float, float] | None = None

    @property
    def total(self) -> float:
        return self._closed + (self._run[1] - self._run[0] if self._run else 0.0)

    def add(self, start: float, end: float) -> None:
        run = self._run
        if run is not None and start - run[1] < self.pause_gap_s:
            self._run = (run[0], max(run[1], end))
            return
        if run is not None:
            self._closed += run[1] - run[0]
        self._run = (start, end)


class SpeechWindow:
    """The words of a sliding window and their speaking time (as speaking_time counts it), kept
    as runs of words so that adding a word at the end or dropping one at the start costs O(1):
    the pace monitor stays linear in the words of a call however densely they come."""

    def __init__(self, pause_gap_s: float):
        self.pause_gap_s = pause_gap_s
        self._words: deque[tuple[float, float]] = deque()
        self._runs: deque[list[Any]] = deque()  # [start, end, words]; time order
        self._closed = 0.0  # seconds in every run but the last

    def __len__(self) -> int:
        return len(self._words)

    @property
    def first_start(self) -> float:
        return self._words[0][0]

    @property
    def last_end(self) -> float:
        return self._words[-1][1]

    @property
    def speech(self) -> float:
        last = self._runs[-1] if self._runs else None
        return self._closed + (last[1] - last[0] if last else 0.0)

    def clear(self) -> None:
        self._words.clear()
        self._runs.clear()
        self._closed = 0.0

    def append(self, start: float, end: float) -> None:
        self._words.append((start, end))
        runs = self._runs
        if runs and start - runs[-1][1] < self.pause_gap_s:
            runs[-1][1] = max(runs[-1][1], end)
            runs[-1][2] += 1
            return
        if runs:
            self._closed += runs[-1][1] - runs[-1][0]
        runs.append([start, end, 1])

    def popleft(self) -> None:
        self._words.popleft()
        first = self._runs[0]
        only = len(self._runs) == 1
        before = first[1] - first[0]
        first[2] -= 1
        if first[2] == 0:
            self._runs.popleft()
            if not only:
                self._closed -= before
            if len(self._runs) <= 1:
                self._closed = 0.0  # no float drift left behind once one run remains
            return
        # The run now begins at its next word; its end (the latest end in it) stays.
        first[0] = self._words[0][0]
        if not only:
            self._closed += (first[1] - first[0]) - before


class PaceMonitor:
    def __init__(self, rule: PaceRule):
        self.rule = rule
        self.gate = CueGate(rule.cooldown_s)
        self.words = 0
        self.clock = SpeechClock(rule.pause_gap_s)
        self.fast_s = 0.0
        self.peak_wpm: float | None = None
        self._window = SpeechWindow(rule.pause_gap_s)
        self._fast = False
        self._episode = 0

    def on_utterance(self, utt: Utterance, covered: frozenset[str]) -> Sequence[Event]:
        if utt.speaker != "agent" or not utt.words:
            return []
        rule = self.rule
        spans = sorted((w.start, max(w.end, w.start)) for w in utt.words)
        before = self.clock.total
        for start, end in spans:
            self.clock.add(start, end)
        self.words += len(spans)
        if self._window and spans[0][0] - self._window.last_end >= rule.window_s:
            self._window.clear()
            self._fast = False
        cue_at: float | None = None
        cue_wpm = 0.0
        for start, end in spans:
            self._window.append(start, end)
            # A word longer than the window empties it (C2): nothing is left to measure.
            while self._window and self._window.first_start < end - rule.window_s:
                self._window.popleft()
            wpm = self._window_wpm()
            if wpm is None:
                continue
            self.peak_wpm = max(self.peak_wpm or 0.0, wpm)
            if not self._fast and wpm >= rule.max_wpm:
                self._fast = True
                self._episode += 1
            elif self._fast and wpm <= rule.clear_wpm:
                self._fast = False
            if self._fast and cue_at is None and self.gate.fire(end, self._episode):
                cue_at = end
            if self._fast and cue_at is not None:
                # The whole result is known: the cue names the pace it went on to, not the
                # threshold it just crossed.
                cue_wpm = max(cue_wpm, wpm)
        if self._fast:
            self.fast_s += self.clock.total - before
        if cue_at is None:
            return []
        evidence = rule.evidence.format(wpm=round(cue_wpm))
        return [WarningEvent(KIND, cue_at, evidence, rule.advice)]

    def _window_wpm(self) -> float | None:
        speech = self._window.speech
        if len(self._window) < self.rule.min_words or speech < self.rule.min_speech_s:
            return None
        return len(self._window) / speech * 60.0

    def on_level(
        self, speaker: str, at: float, dbfs: float, voiced: bool, covered: frozenset[str]
    ) -> Sequence[Event]:
        return []

    def on_time(self, now: float) -> Sequence[Event]:
        return []

    def summary(self) -> dict[str, Any]:
        speech_s = self.clock.total
        average = self.words / speech_s * 60.0 if speech_s > 0 else None
        return {
            "pace": {
                "average_wpm": None if average is None else round(average),
                "peak_wpm": None if self.peak_wpm is None else round(self.peak_wpm),
                "words": self.words,
                "speech_s": round(speech_s, 1),
                "fast_s": round(self.fast_s, 1),
                KIND: self.gate.count,
            }
        }
