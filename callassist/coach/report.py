"""The per-call report: the checklist, the warnings and reminders, a summary and the transcript.

Its "steps" and "warnings" keys are the shape ../shared/corpus/README.md specifies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypedDict

from callassist.coach.events import Event, ReminderEvent, StepEvent, WarningEvent
from callassist.coach.kinds import STEP_IDS
from callassist.coach.playbook import Playbook
from callassist.coach.utterance import Monitor


class ReportSource(Protocol):
    """What a report is built from: a CallSession (session.py), seen from here."""

    playbook: Playbook
    events: list[Event]
    turns: list[dict]
    monitors: Sequence[Monitor]
    started_at: float | None
    ended_at: float | None
    now: float

    @property
    def covered(self) -> Mapping[str, StepEvent]: ...


class StepEntry(TypedDict):
    label: str
    covered: bool
    at: float | None
    evidence: str | None
    manual: bool
    reason: str | None  # "rule: <pattern>", "example: like ...", "ticked by hand"


class WarningEntry(TypedDict):
    kind: str
    at: float | None
    evidence: str
    advice: str
    reason: str  # "rule: <pattern>", "example: like ...", or the timing that fired it


class ReminderEntry(TypedDict):
    kind: str
    at: float | None
    text: str


class Summary(TypedDict):
    steps_covered: list[str]
    steps_missed: list[str]
    warnings_by_kind: dict[str, int]
    time_to_first_apology: float | None
    tone: dict[str, Any]  # each monitor's own figures (pace, loudness, talk, customer)


class Report(TypedDict):
    """A call's report: JSON as it is (`analyze --json`, the store, exports). Front ends add a
    header ("id", "title", "engine", "model") and practice a "practice" scorecard."""

    duration: float | None
    ended: bool
    steps: dict[str, StepEntry]
    warnings: list[WarningEntry]
    reminders: list[ReminderEntry]
    summary: Summary
    transcript: list[dict[str, Any]]


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def build_report(session: ReportSource) -> Report:
    covered = session.covered
    steps: dict[str, StepEntry] = {}
    for sid in STEP_IDS:
        e = covered.get(sid)
        steps[sid] = {
            "label": session.playbook.steps[sid].label,
            "covered": e is not None,
            "at": _r(e.at) if e else None,
            "evidence": e.evidence if e else None,
            "manual": e.manual if e else False,
            "reason": (e.reason or ("ticked by hand" if e.manual else "")) if e else None,
        }
    # In time order: blame is raised when the agent's next words are heard, after warnings
    # said later than it.
    warnings: list[WarningEntry] = sorted((
        {"kind": w.kind, "at": _r(w.at), "evidence": w.evidence, "advice": w.advice,
         "reason": w.reason}
        for w in session.events
        if isinstance(w, WarningEvent)
    ), key=lambda w: w["at"] or 0.0)
    reminders: list[ReminderEntry] = [
        {"kind": r.kind, "at": _r(r.at), "text": r.text}
        for r in session.events
        if isinstance(r, ReminderEvent)
    ]
    start = session.started_at or 0.0
    end = session.ended_at if session.ended_at is not None else session.now
    apology = covered.get("apologize")
    tone: dict[str, Any] = {}
    for m in session.monitors:
        tone.update(m.summary())
    summary: Summary = {
        "steps_covered": [s for s in STEP_IDS if steps[s]["covered"]],
        "steps_missed": [s for s in STEP_IDS if not steps[s]["covered"]],
        "warnings_by_kind": dict(Counter(w["kind"] for w in warnings)),
        "time_to_first_apology": _r(apology.at - start) if apology else None,
        "tone": tone,
    }
    return {
        "duration": _r(max(0.0, end - start)),
        "ended": session.ended_at is not None,
        "steps": steps,
        "warnings": warnings,
        "reminders": reminders,
        "summary": summary,
        "transcript": list(session.turns),
    }
