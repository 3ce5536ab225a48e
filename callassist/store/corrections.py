"""Corrections of the coach, kept with the words they refer to, so the playbook can learn from
real calls (`callassist playbook suggest`):

- a supervisor's "this line was an apology" (verdict "was") or "false warning" / "not a step"
  (verdict "not"), from the review window or `callassist calls correct`;
- an agent's manual tick in the overlay: a step event with `manual` set whose evidence is the
  agent's last sentence (coach/session.py), read from the call's events."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from callassist.coach.kinds import STEP_IDS, WarningKind
from callassist.store.db import Connection, StoreError
from callassist.store.privacy import redact
from callassist.store.query import PRACTICE_SOURCE

VERDICTS = ("was", "not")
KINDS = (*STEP_IDS, *WarningKind)
MAX_TEXT = 1000
# A manual tick with no sentence before it keeps this evidence (nothing to learn from).
NO_WORDS = ("ticked by hand", "unticked by hand")


@dataclass(frozen=True)
class Correction:
    id: int
    call_id: int
    at: float | None
    kind: str  # a step id or a warning kind
    verdict: str  # "was": the words are this kind; "not": they are not
    text: str
    author: str
    created: float


@dataclass
class Suggestion:
    """One candidate example for the playbook: these words, under this kind and verdict, with
    how often they were corrected and in which calls."""

    kind: str
    verdict: str
    text: str
    count: int = 0
    calls: list[int] = field(default_factory=list)
    by: set[str] = field(default_factory=set)  # "agent" (a manual tick), "supervisor"


def words_key(text: str) -> str:
    """Sentences that differ only in case, spacing or punctuation count as one."""
    kept = "".join(c if c.isalnum() or c in " '" else " " for c in text.lower())
    return " ".join(kept.split())


class Corrections:
    """The corrections of one store (`store.corrections`)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, call_id: int, kind: str, verdict: str, text: str, author: str,
            at: float | None = None) -> Correction:
        if kind not in KINDS:
            raise StoreError(f"unknown step or warning '{kind}' (one of {', '.join(KINDS)})")
        if verdict not in VERDICTS:
            raise StoreError(f"unknown verdict '{verdict}' (one of {', '.join(VERDICTS)})")
        text = " ".join(str(text).split())
        if not text:
            raise StoreError("a correction needs the words it is about")
        if len(text) > MAX_TEXT:
            raise StoreError(f"a correction's words are at most {MAX_TEXT} characters")
        if at is not None and not (0 <= float(at) < 1e7):
            raise StoreError(f"time {at} is not a moment of the call")
        if not self.conn.execute("SELECT 1 FROM calls WHERE id = ?", (int(call_id),)):
            raise StoreError(f"no call {call_id} in the store")
        now = time.time()
        rows = self.conn.execute(
            "INSERT INTO corrections (call_id, at, kind, verdict, text, author, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id, author",
            (int(call_id), None if at is None else float(at), kind, verdict, redact(text),
             redact(author), now),
        )
        return Correction(int(rows[0][0]), int(call_id), at, kind, verdict, redact(text),
                          rows[0][1], now)

    def for_call(self, call_id: int) -> list[Correction]:
        rows = self.conn.execute(
            "SELECT id, call_id, at, kind, verdict, text, author, created FROM corrections "
            "WHERE call_id = ? ORDER BY at, id", (int(call_id),))
        return [Correction(int(r[0]), int(r[1]), None if r[2] is None else float(r[2]), r[3],
                           r[4], r[5], r[6], float(r[7])) for r in rows]

    def suggestions(self, min_count: int = 1) -> list[Suggestion]:
        """Every corrected sentence with its count, most corrected first: the supervisors'
        corrections and the agents' manual ticks (practice calls left out)."""
        found: dict[tuple[str, str, str], Suggestion] = {}

        def count(kind: str, verdict: str, text: str, call_id: int, by: str) -> None:
            key = (kind, verdict, words_key(text))
            if not key[2]:
                return
            s = found.setdefault(key, Suggestion(kind, verdict, text))
            s.count += 1
            s.by.add(by)
            if call_id not in s.calls:
                s.calls.append(call_id)

        for call_id, kind, verdict, text in self.conn.execute(
                "SELECT call_id, kind, verdict, text FROM corrections ORDER BY id"):
            count(kind, verdict, text, int(call_id), "supervisor")
        for call_id, data in self.conn.execute(
                "SELECT e.call_id, e.data FROM events e JOIN calls c ON c.id = e.call_id "
                "WHERE e.type = 'step' AND c.source NOT LIKE ? ORDER BY e.call_id, e.seq",
                (PRACTICE_SOURCE + "%",)):
            step = json.loads(data)
            evidence = str(step.get("evidence") or "")
            if step.get("manual") and step.get("covered", True) and evidence not in NO_WORDS:
                count(str(step["step"]), "was", evidence, int(call_id), "agent")
        out = [s for s in found.values() if s.count >= min_count]
        return sorted(out, key=lambda s: (-s.count, s.kind, s.verdict, s.text))


def grouped(suggestions: list[Suggestion]) -> dict[tuple[str, str], list[Suggestion]]:
    """Suggestions by (kind, verdict), in the playbook's order of kinds."""
    groups: dict[tuple[str, str], list[Suggestion]] = defaultdict(list)
    for s in suggestions:
        groups[(s.kind, s.verdict)].append(s)
    order = {k: i for i, k in enumerate(KINDS)}
    return dict(sorted(groups.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1])))


def words_at(report: dict[str, Any], at: float) -> tuple[str, float] | None:
    """The agent's sentence at a moment of a call (or the last one started before it), with
    its start: what a correction at that moment refers to."""
    best = None
    for t in report.get("transcript", []):
        if t.get("speaker") != "agent" or float(t["start"]) > at + 0.05:
            continue
        best = t
        if at <= float(t["end"]) + 0.05:
            break
    return (str(best["text"]), float(best["start"])) if best else None
