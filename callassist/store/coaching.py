"""The supervisor's coaching workflow in the store: notes pinned to a moment of a call, a
"coach this" flag with a status, and an agent's trend week by week."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from callassist.coach.kinds import STEP_IDS
from callassist.store.db import Connection, StoreError
from callassist.store.privacy import redact
from callassist.store.summary import STEP_BITS

FLAG_STATUSES = ("to do", "discussed", "done")
MAX_NOTE = 4000


@dataclass(frozen=True)
class Note:
    id: int
    call_id: int
    at: float | None  # seconds into the call it is pinned to, or None for the whole call
    author: str
    text: str
    created: float


@dataclass(frozen=True)
class Flag:
    call_id: int
    status: str
    author: str
    reason: str
    updated: float


class Coaching:
    """Notes and flags of one store (`store.coaching`)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def _call_exists(self, call_id: int) -> None:
        if not self.conn.execute("SELECT 1 FROM calls WHERE id = ?", (int(call_id),)):
            raise StoreError(f"no call {call_id} in the store")

    def add_note(self, call_id: int, text: str, author: str, at: float | None = None) -> Note:
        text = " ".join(str(text).split())
        if not text:
            raise StoreError("a note needs some text")
        if len(text) > MAX_NOTE:
            raise StoreError(f"a note is at most {MAX_NOTE} characters (this one has {len(text)})")
        if at is not None and not (0 <= float(at) < 1e7):
            raise StoreError(f"note time {at} is not a moment of the call")
        self._call_exists(call_id)
        now = time.time()
        rows = self.conn.execute(
            "INSERT INTO notes (call_id, at, author, text, created) VALUES (?, ?, ?, ?, ?) "
            "RETURNING id, author",  # the author as stored: a team store puts its own (S1)
            (int(call_id), None if at is None else float(at), redact(author), redact(text), now),
        )
        return Note(int(rows[0][0]), int(call_id), at, rows[0][1], redact(text), now)

    def notes(self, call_id: int | None = None, agent: str | None = None) -> list[Note]:
        """A call's notes in time order, or every note on an agent's calls, newest first."""
        if call_id is not None:
            rows = self.conn.execute(
                "SELECT id, call_id, at, author, text, created FROM notes WHERE call_id = ? "
                "ORDER BY CASE WHEN at IS NULL THEN 0 ELSE 1 END, at, id", (int(call_id),))
        else:
            rows = self.conn.execute(
                "SELECT n.id, n.call_id, n.at, n.author, n.text, n.created FROM notes n "
                "JOIN calls c ON c.id = n.call_id WHERE c.agent = ? ORDER BY n.created DESC",
                (agent,))
        return [Note(int(r[0]), int(r[1]), None if r[2] is None else float(r[2]), r[3], r[4],
                     float(r[5])) for r in rows]

    def set_flag(self, call_id: int, status: str, author: str, reason: str = "") -> Flag:
        if status not in FLAG_STATUSES:
            raise StoreError(f"unknown flag status '{status}' (one of {', '.join(FLAG_STATUSES)})")
        self._call_exists(call_id)
        reason = redact(" ".join(str(reason).split())[:MAX_NOTE])
        now = time.time()
        with self.conn.transaction():
            self.conn.execute("DELETE FROM flags WHERE call_id = ?", (int(call_id),))
            self.conn.execute(
                "INSERT INTO flags (call_id, status, author, reason, updated) "
                "VALUES (?, ?, ?, ?, ?)", (int(call_id), status, redact(author), reason, now))
        return Flag(int(call_id), status, redact(author), reason, now)

    def clear_flag(self, call_id: int) -> None:
        self.conn.execute("DELETE FROM flags WHERE call_id = ?", (int(call_id),))

    def flag(self, call_id: int) -> Flag | None:
        rows = self.conn.execute(
            "SELECT call_id, status, author, reason, updated FROM flags WHERE call_id = ?",
            (int(call_id),))
        return Flag(int(rows[0][0]), rows[0][1], rows[0][2], rows[0][3], float(rows[0][4])) \
            if rows else None

    def trend(self, agent: str, bucket_days: int = 7) -> list[dict[str, Any]]:
        """The agent's weeks: calls, upset calls, each step's coverage on the upset calls (the
        only ones that needed it), warnings per call by kind, average score and time to first
        apology. Rows: {day, calls, upset, score, first_apology, <step>: share or None,
        warnings: {kind: per call}}."""
        shift = 3 if bucket_days == 7 else 0  # weeks start on Mondays (day 0 was a Thursday)
        bucket = f"(day + {shift}) / {int(bucket_days)}"
        steps = ", ".join(
            f"SUM(CASE WHEN needs_asap = 1 AND (steps_mask & {STEP_BITS[s]}) <> 0 "
            "THEN 1 ELSE 0 END)" for s in STEP_IDS)
        rows = self.conn.execute(
            f"SELECT {bucket}, COUNT(*), SUM(needs_asap), AVG(score), "
            f"AVG(CASE WHEN needs_asap = 1 THEN first_apology END), {steps} "
            f"FROM calls WHERE agent = ? AND status <> 'no speech' "
            f"GROUP BY {bucket} ORDER BY {bucket}", (agent,))
        kinds = self.conn.execute(
            f"SELECT {bucket}, w.kind, SUM(w.n) FROM calls JOIN call_warnings w "
            f"ON w.call_id = calls.id WHERE agent = ? GROUP BY {bucket}, w.kind", (agent,))
        by_week: dict[int, dict[str, int]] = {}
        for week, kind, n in kinds:
            by_week.setdefault(int(week), {})[kind] = int(n)
        out = []
        for r in rows:
            week, calls, upset = int(r[0]), int(r[1]), int(r[2] or 0)
            row = {"day": week * bucket_days - shift, "calls": calls, "upset": upset,
                   "score": None if r[3] is None else round(float(r[3]), 1),
                   "first_apology": None if r[4] is None else round(float(r[4]), 1),
                   "warnings": {k: round(n / calls, 2)
                                for k, n in sorted(by_week.get(week, {}).items())}}
            for sid, n in zip(STEP_IDS, r[5:], strict=True):
                row[sid] = round(int(n) / upset, 3) if upset else None
            out.append(row)
        return out
