"""Monologue: the agent talking on without a pause long enough to let the customer in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from callassist.coach.episodes import CueGate
from callassist.coach.events import Event, WarningEvent
from callassist.coach.kinds import WarningKind
from callassist.coach.tone_rules import MonologueRule
from callassist.coach.utterance import Utterance

KIND = WarningKind.MONOLOGUE


class MonologueMonitor:
    """A stretch of agent talk starts at their first voice after a pause of pause_s (or after
    the customer spoke for customer_s) and grows with every voiced block or utterance."""

    def __init__(self, rule: MonologueRule):
        self.rule = rule
        self.gate = CueGate(rule.cooldown_s)
        self.longest_s = 0.0
        self._stretch_start: float | None = None
        self._last_voice: float | None = None
        self._stretches = 0
        self._customer_from: float | None = None
        self._customer_last: float | None = None
        # When the customer last got in: agent speech before it (a final result arriving
        # late) belongs to the stretch that ended there.
        self._let_in: float | None = None

    def on_utterance(self, utt: Utterance, covered: frozenset[str]) -> Sequence[Event]:
        if utt.speaker == "agent":
            return self._agent_voice(utt.start, utt.end)
        if self._stretch_start is not None and utt.end - max(utt.start, self._stretch_start) >= (
            self.rule.customer_s
        ):
            self._customer_got_in(utt.end)
        return []

    def on_level(
        self, speaker: str, at: float, dbfs: float, voiced: bool, covered: frozenset[str]
    ) -> Sequence[Event]:
        if not voiced:
            return []
        if speaker == "agent":
            return self._agent_voice(at, at)
        # The customer's voice counts once it lasts customer_s: a cough or a click does not.
        if self._customer_last is None or at - self._customer_last > self.rule.pause_s / 2:
            self._customer_from = at
        self._customer_last = at
        if self._customer_from is not None and at - self._customer_from >= self.rule.customer_s:
            self._customer_got_in(at)
        return []

    def _customer_got_in(self, at: float) -> None:
        self._stretch_start = None
        self._let_in = at if self._let_in is None else max(self._let_in, at)

    def _agent_voice(self, start: float, end: float) -> list[Event]:
        if self._let_in is not None:
            if end <= self._let_in:
                return []
            start = max(start, self._let_in)
        last = self._last_voice
        if self._stretch_start is None or last is None or start - last >= self.rule.pause_s:
            self._stretch_start = start
            self._stretches += 1
        self._last_voice = end if last is None else max(last, end)
        length = self._last_voice - self._stretch_start
        self.longest_s = max(self.longest_s, length)
        if length < self.rule.max_s or not self.gate.fire(end, self._stretches):
            return []
        evidence = self.rule.evidence.format(seconds=round(length))
        return [WarningEvent(KIND, end, evidence, self.rule.advice)]

    def on_time(self, now: float) -> Sequence[Event]:
        return []

    def summary(self) -> dict[str, Any]:
        return {"monologue": {"longest_s": round(self.longest_s, 1), KIND: self.gate.count}}
