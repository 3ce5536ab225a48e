"""Reading calls: the filter the call list applies, and the rows and records it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from callassist.coach.events import Event, SpeechEvent
from callassist.coach.kinds import STEP_IDS
from callassist.coach.report import Report
from callassist.store.coaching import FLAG_STATUSES
from callassist.store.db import StoreError
from callassist.store.summary import STEP_BITS

CALL_COLUMNS = (
    "id, agent, started_at, ended_at, duration, status, source, title, engine, model, "
    "retention, steps_mask, steps_covered, warnings, first_apology, needs_asap, frustration, "
    "first_upset, score, (SELECT f.status FROM flags f WHERE f.call_id = calls.id)"
)
# How the call list can be ordered: a column name the user picks -> the SQL it sorts by.
SORT_KEYS = {
    "started": "started_at", "agent": "agent", "length": "duration", "steps": "steps_covered",
    "warnings": "warnings", "score": "score", "frustration": "frustration", "status": "status",
}


PRACTICE_SOURCE = "practice:"  # + the scenario id: a practice attempt (callassist practice)


@dataclass(frozen=True)
class CallFilter:
    """What the call list shows. Times are seconds since the epoch; `until` is exclusive."""

    agent: str | None = None
    since: float | None = None
    until: float | None = None
    missed: str | None = None  # a step id, or "any" for calls missing at least one step
    warning: str | None = None  # a warning kind, or "any" for calls with any warning
    status: str | None = None
    needs: str | None = None  # "upset": calls that needed the ASAP steps; "routine": the others
    frustration: int | None = None  # at least this strong (1 complaint, 2 angry, 3 very angry)
    search: str | None = None  # words said in the call (full-text search of the transcript)
    flag: str | None = None  # a coaching flag status, or "any" for every flagged call
    # Practice attempts (source "practice:<scenario>") stay out of real calls' figures:
    # False = real calls only, True = practice attempts only, None = both.
    practice: bool | None = False

    def where(self, dialect: str = "sqlite") -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.practice is not None:
            clauses.append("source LIKE ?" if self.practice else "source NOT LIKE ?")
            params.append(PRACTICE_SOURCE + "%")
        if self.agent:
            clauses.append("agent = ?")
            params.append(self.agent)
        if self.since is not None:
            clauses.append("started_at >= ?")
            params.append(float(self.since))
        if self.until is not None:
            clauses.append("started_at < ?")
            params.append(float(self.until))
        if self.missed == "any":
            clauses.append("steps_covered < ?")
            params.append(len(STEP_IDS))
        elif self.missed:
            if self.missed not in STEP_BITS:
                raise StoreError(f"unknown step '{self.missed}' (one of {', '.join(STEP_IDS)})")
            clauses.append("(steps_mask & ?) = 0")
            params.append(STEP_BITS[self.missed])
        if self.warning == "any":
            clauses.append("warnings > 0")
        elif self.warning:
            clauses.append(
                "EXISTS (SELECT 1 FROM call_warnings w WHERE w.call_id = calls.id AND w.kind = ? "
                "AND w.n > 0)"
            )
            params.append(self.warning)
        if self.status:
            clauses.append("status = ?")
            params.append(self.status)
        if self.needs == "upset":
            clauses.append("needs_asap = 1")
        elif self.needs == "routine":
            clauses.append("needs_asap = 0")
        elif self.needs:
            raise StoreError(f"unknown call kind '{self.needs}' (one of upset, routine)")
        if self.frustration:
            clauses.append("frustration >= ?")
            params.append(int(self.frustration))
        if self.search and self.search.strip():
            clauses.append(_search_clause(dialect))
            params.append(_search_query(self.search, dialect))
        if self.flag == "any":
            clauses.append("EXISTS (SELECT 1 FROM flags f WHERE f.call_id = calls.id)")
        elif self.flag:
            if self.flag not in FLAG_STATUSES:
                raise StoreError(
                    f"unknown flag status '{self.flag}' (one of {', '.join(FLAG_STATUSES)}, any)")
            clauses.append("EXISTS (SELECT 1 FROM flags f WHERE f.call_id = calls.id "
                           "AND f.status = ?)")
            params.append(self.flag)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _search_clause(dialect: str) -> str:
    if dialect == "postgresql":
        return ("EXISTS (SELECT 1 FROM call_text t WHERE t.call_id = calls.id AND "
                "to_tsvector('simple', t.text) @@ phraseto_tsquery('simple', ?))")
    return "calls.id IN (SELECT rowid FROM call_text_fts WHERE call_text_fts MATCH ?)"


def _search_query(text: str, dialect: str) -> str:
    """The user's words as one phrase: FTS5 syntax in them ("policy OR x", quotes, stars)
    is taken as words, never as operators."""
    words = " ".join(text.split())[:200]
    if dialect == "postgresql":
        return words
    return '"' + words.replace('"', '""') + '"'


@dataclass(frozen=True)
class CallRow:
    id: int
    agent: str
    started_at: float
    ended_at: float | None
    duration: float
    status: str
    source: str
    title: str
    engine: str
    model: str
    retention: str
    steps_mask: int
    steps_covered: int
    warnings: int
    first_apology: float | None
    needs_asap: bool = False
    frustration: int = 0
    first_upset: float | None = None
    score: int | None = None
    flag: str | None = None

    def covered(self, step: str) -> bool:
        return bool(self.steps_mask & STEP_BITS[step])


@dataclass
class StoredCall:
    row: CallRow
    report: Report
    events: list[Event] = field(default_factory=list)

    @property
    def speech(self) -> list[SpeechEvent]:
        """Stretches of speech per speaker: from the audio levels, else from the transcript."""
        segs = [e for e in self.events if isinstance(e, SpeechEvent)]
        if segs:
            return segs
        return [SpeechEvent(t.speaker, t.start, t.end) for t in self.report.transcript]


def call_row(r: tuple[Any, ...]) -> CallRow:
    return CallRow(
        id=int(r[0]), agent=r[1], started_at=float(r[2]),
        ended_at=None if r[3] is None else float(r[3]), duration=float(r[4] or 0.0),
        status=r[5], source=r[6], title=r[7], engine=r[8], model=r[9], retention=r[10],
        steps_mask=int(r[11]), steps_covered=int(r[12]), warnings=int(r[13]),
        first_apology=None if r[14] is None else float(r[14]),
        needs_asap=bool(r[15]), frustration=int(r[16] or 0),
        first_upset=None if r[17] is None else float(r[17]),
        score=None if r[18] is None else int(r[18]), flag=r[19],
    )
