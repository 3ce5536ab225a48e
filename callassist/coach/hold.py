"""Hold without handoff: a hold or transfer with no colleague brought onto the call, or a
long silence after a hold or pause phrase."""

from __future__ import annotations

from dataclasses import dataclass

from callassist.coach.events import WarningEvent
from callassist.coach.playbook import HOLD_WARNING, HoldRule


@dataclass
class _Pending:
    at: float
    end: float
    evidence: str
    is_hold: bool
    handed_off: bool
    silence_open: bool = True
    fired: bool = False


class HoldTracker:
    def __init__(self, rule: HoldRule):
        self.rule = rule
        self._pending: list[_Pending] = []
        self._last_handoff: float | None = None
        # The end of a hold or pause phrase nobody has spoken after: the silence is a hold.
        self._quiet_after: float | None = None

    @property
    def holding(self) -> bool:
        """The agent put the caller on hold (or asked for a moment) and nobody has spoken
        since: a silence now is a hold, not the end of the call."""
        return self._quiet_after is not None

    def _fire(self, p: _Pending) -> WarningEvent:
        p.fired = True
        return WarningEvent(HOLD_WARNING, p.at, p.evidence, self.rule.advice,
                            reason="rule: a hold or transfer, no colleague brought in while "
                                   "the customer was on the line, or a long silence after it")

    def on_speech(self, start: float) -> list[WarningEvent]:
        """Anyone speaking ends the silence after a hold; a long gap before it still counts."""
        out = []
        if self._quiet_after is not None and start >= self._quiet_after:
            self._quiet_after = None
        for p in self._pending:
            if p.silence_open and start >= p.end:
                p.silence_open = False
                if not p.fired and start - p.end >= self.rule.silence_s:
                    out.append(self._fire(p))
        return out

    def on_agent_utterance(
        self,
        start: float,
        end: float,
        at: float,
        evidence: str,
        hold: bool,
        pause: bool,
        handoff: bool,
    ) -> None:
        """Opens a hold or pause to watch, and marks holds a handoff now covers; warnings
        come from on_speech, on_time and on_end."""
        grace = self.rule.handoff_grace_s
        if handoff:
            self._last_handoff = end
            for p in self._pending:
                if p.is_hold and not p.fired and start - p.end <= grace:
                    p.handed_off = True
        if hold or pause:
            self._quiet_after = end
            recent_handoff = (
                self._last_handoff is not None
                and start - self._last_handoff <= self.rule.handoff_lookback_s
            )
            self._pending.append(
                _Pending(at, end, evidence, is_hold=hold, handed_off=handoff or recent_handoff)
            )

    def on_time(self, now: float) -> list[WarningEvent]:
        out = []
        for p in self._pending:
            if p.fired:
                continue
            overdue = p.is_hold and not p.handed_off and now - p.end >= self.rule.handoff_grace_s
            silent = p.silence_open and now - p.end >= self.rule.silence_s
            if overdue or silent:
                out.append(self._fire(p))
        self._pending = [
            p
            for p in self._pending
            if not p.fired and (p.silence_open or (p.is_hold and not p.handed_off))
        ]
        return out

    def on_end(self, now: float) -> list[WarningEvent]:
        out = self.on_time(now)
        for p in self._pending:
            if p.is_hold and not p.handed_off and not p.fired:
                out.append(self._fire(p))
        self._pending = []
        return out
