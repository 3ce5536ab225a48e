"""Reminders to smile and keep calm: at the start of a call, at a gentle interval, and right
after a warning that calls for one."""

from __future__ import annotations

from callassist.coach.events import ReminderEvent
from callassist.coach.playbook import ReminderRule


class ReminderScheduler:
    def __init__(self, rules: dict[str, ReminderRule]):
        self.rules = rules
        self._last: dict[str, float] = {}

    def _send(self, rule: ReminderRule, at: float) -> ReminderEvent:
        self._last[rule.kind] = at
        return ReminderEvent(rule.kind, at, rule.text)

    def on_start(self, at: float) -> list[ReminderEvent]:
        return [self._send(r, at) for r in self.rules.values() if r.at_start]

    def on_time(self, now: float) -> list[ReminderEvent]:
        out = []
        for r in self.rules.values():
            last = self._last.get(r.kind)
            if r.every_s > 0 and (last is None or now - last >= r.every_s):
                if last is None and not r.at_start and now < r.every_s:
                    continue
                out.append(self._send(r, now))
        return out

    def after_warning(self, kind: str, at: float) -> list[ReminderEvent]:
        out = []
        for r in self.rules.values():
            last = self._last.get(r.kind)
            if kind in r.after and (last is None or at - last >= r.min_gap_s):
                out.append(self._send(r, at))
        return out
