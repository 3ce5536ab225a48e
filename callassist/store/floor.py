"""The live floor: every call in progress, as its events reach the store, with alerts for a
supervisor when a call goes wrong.

Recorders write each batch of events as it happens (recorder.py). On PostgreSQL (the team
server) they also NOTIFY `callassist_floor` with the call id, so a `FloorFeed` wakes within
milliseconds and reads only that call's new events. On SQLite (this machine's own store) the
feed polls the live calls twice a second. Either way a `LiveCall` folds the stored events into
what the floor shows: the checklist, warnings, the customer's mood and alerts.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from callassist.coach.assessment import FRUSTRATION_LABELS
from callassist.store.db import StoreLocation, connect
from callassist.store.recorder import FLOOR_CHANNEL

# An upset customer still without an apology this long after they got upset is an alert.
NO_APOLOGY_S = 30.0
# Warnings a supervisor is alerted to: they make an upset customer angrier.
ALERT_WARNINGS = {
    "blame": "blamed someone else",
    "defensive": "got defensive",
    "hold_without_handoff": "put the customer on hold without a handoff",
}
# Without notifications (SQLite, or a lost PostgreSQL connection) the feed reads this often.
POLL_S = 0.5
# Even with notifications, look for new and ended calls this often.
RESCAN_S = 2.0


@dataclass(frozen=True)
class Alert:
    call_id: int
    agent: str
    at: float  # seconds into the call
    kind: str  # "no_apology" or a warning kind
    text: str


@dataclass
class LiveCall:
    """One call in progress, folded from its stored events (pure: no I/O)."""

    id: int
    agent: str
    started_at: float
    covered: dict[str, float] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    cues: set[str] = field(default_factory=set)
    first_upset: float | None = None
    last_line: str = ""
    alerts: list[Alert] = field(default_factory=list)
    updated: float = 0.0  # wall-clock time of the last event read

    @property
    def mood(self) -> int:
        strong = self.cues & {"words", "voice"}
        return 3 if len(strong) == 2 else 2 if strong else 1 if self.cues else 0

    @property
    def mood_label(self) -> str:
        return "calm" if self.mood == 0 else FRUSTRATION_LABELS[self.mood]

    def apply(self, event: dict[str, Any]) -> list[Alert]:
        """Takes one stored event; returns the alerts it raises."""
        kind = event.get("type")
        self.updated = time.time()
        if kind == "step":
            if event.get("covered", True):
                self.covered.setdefault(event["step"], float(event.get("at") or 0.0))
            else:
                self.covered.pop(event["step"], None)
        elif kind == "mood":
            self.cues.add(str(event.get("cue")))
            if self.first_upset is None:
                self.first_upset = float(event.get("at") or 0.0)
        elif kind == "transcript" and event.get("speaker") == "agent" and event.get("final"):
            self.last_line = str(event.get("text") or "")
        elif kind == "warning":
            self.warnings.append(event)
            what = ALERT_WARNINGS.get(str(event.get("kind")))
            if what:
                said = event.get("evidence") or ""
                return self._alert(float(event.get("at") or 0.0), str(event["kind"]),
                                   f"{self.agent} {what}" + (f": \u201c{said}\u201d" if said
                                                             else ""))
        return []

    def tick(self, now: float) -> list[Alert]:
        """Time-based alerts at wall-clock `now`."""
        if self.first_upset is None or "apologize" in self.covered:
            return []
        at = now - self.started_at
        if at - self.first_upset < NO_APOLOGY_S or any(
                a.kind == "no_apology" for a in self.alerts):
            return []
        return self._alert(at, "no_apology", f"{self.agent}'s customer is upset and has had no "
                           f"apology for {at - self.first_upset:.0f} s")

    def _alert(self, at: float, kind: str, text: str) -> list[Alert]:
        alert = Alert(self.id, self.agent, round(at, 1), kind, text)
        self.alerts.append(alert)
        return [alert]


@dataclass
class FloorUpdate:
    changed: list[LiveCall]
    ended: list[int]
    alerts: list[Alert]


class FloorFeed:
    """Reads the live calls of a store as they change. Its own connection: a supervisor's
    window runs it on a worker thread."""

    def __init__(self, location: StoreLocation, timeout: float = 5.0):
        self.conn = connect(location, timeout)
        self.push = self.conn.listen(FLOOR_CHANNEL)
        self.calls: dict[int, LiveCall] = {}
        self._seq: dict[int, int] = {}
        self._scanned = 0.0

    def close(self) -> None:
        self.conn.close()

    def poll(self, timeout: float = POLL_S) -> FloorUpdate:
        """Waits up to `timeout` for something to change; returns what did. A notification
        only wakes the feed: its payload is never read, since any database user can send one
        (S3), and it carries nothing a role may not see. The calls and events read are those
        this role may read (row-level security on a team store)."""
        notified = self.conn.wait(timeout)
        now = time.time()
        ended: list[int] = []
        if not self.push or now - self._scanned >= RESCAN_S or notified:
            ended = self._scan()
            self._scanned = now
        changed: dict[int, LiveCall] = {}
        alerts: list[Alert] = []
        if self.calls:
            where = " OR ".join("(call_id = ? AND seq > ?)" for _ in self.calls)
            params = [x for i in self.calls for x in (i, self._seq.get(i, 0))]
            rows = self.conn.execute(
                f"SELECT call_id, seq, data FROM events WHERE {where} ORDER BY call_id, seq",
                params)
            for call_id, seq, data in rows:
                call = self.calls[int(call_id)]
                self._seq[call.id] = int(seq)
                try:
                    event = json.loads(data)
                    alerts += call.apply(event) if isinstance(event, dict) else []
                except (ValueError, TypeError, KeyError, AttributeError):
                    continue  # a row written by hand into an agent's own call: skipped
                changed[call.id] = call
        for call in self.calls.values():
            raised = call.tick(now)
            if raised:
                alerts += raised
                changed[call.id] = call
        return FloorUpdate(list(changed.values()), ended, alerts)

    def _scan(self) -> list[int]:
        """Starts following new live calls; returns the ids of calls that ended."""
        live = {int(r[0]): r for r in self.conn.execute(
            "SELECT id, agent, started_at FROM calls WHERE status = 'live'")}
        ended = [i for i in self.calls if i not in live]
        for i in ended:
            del self.calls[i]
            self._seq.pop(i, None)
        for i, (_, agent, started) in live.items():
            if i not in self.calls:
                self.calls[i] = LiveCall(i, agent, float(started))
        return ended
