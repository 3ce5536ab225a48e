"""The per-call report: the checklist, the warnings and reminders, a summary and the transcript.

The report is a pure fold over the call's events (`build_report`): the live session, crash
recovery and a stored call without a report get it from the one builder here, so a call closed
by recovery reads as the same call finished normally; renderers read the report it builds.
`Report` is a frozen dataclass whose JSON form (`to_json`/`from_json`) keeps the keys stored
calls and exports have always had; the "steps" and "warnings" keys are the shape the labelled
corpus specifies. See docs/developer-call-record.md."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from callassist.coach.events import (
    ConfirmedEvent,
    EndedEvent,
    Event,
    MoodEvent,
    ReminderEvent,
    SpeechEvent,
    StepEvent,
    ToneEvent,
    TranscriptEvent,
    WarningEvent,
    WithdrawnEvent,
)
from callassist.coach.kinds import STEP_IDS


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def _f(x: object) -> float | None:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else None


@dataclass(frozen=True)
class StepEntry:
    label: str
    covered: bool
    at: float | None
    evidence: str | None
    manual: bool
    reason: str | None  # "rule: <pattern>", "example: like ...", "ticked by hand"

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "covered": self.covered, "at": self.at,
                "evidence": self.evidence, "manual": self.manual, "reason": self.reason}

    @staticmethod
    def from_json(d: Mapping[str, Any], label: str = "") -> StepEntry:
        ev, why = d.get("evidence"), d.get("reason")
        return StepEntry(label=str(d.get("label") or label), covered=bool(d.get("covered")),
                         at=_f(d.get("at")), evidence=None if ev is None else str(ev),
                         manual=bool(d.get("manual")), reason=None if why is None else str(why))


@dataclass(frozen=True)
class WarningEntry:
    kind: str
    at: float | None
    evidence: str
    advice: str
    reason: str  # "rule: <pattern>", "example: like ...", or the timing that fired it

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "at": self.at, "evidence": self.evidence,
                "advice": self.advice, "reason": self.reason}

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> WarningEntry:
        return WarningEntry(kind=str(d.get("kind") or ""), at=_f(d.get("at")),
                            evidence=str(d.get("evidence") or ""),
                            advice=str(d.get("advice") or ""), reason=str(d.get("reason") or ""))


@dataclass(frozen=True)
class ReminderEntry:
    kind: str
    at: float | None
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "at": self.at, "text": self.text}

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> ReminderEntry:
        return ReminderEntry(str(d.get("kind") or ""), _f(d.get("at")), str(d.get("text") or ""))


@dataclass(frozen=True)
class Turn:
    """One final utterance of the transcript."""

    speaker: str
    start: float
    end: float
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"speaker": self.speaker, "start": self.start, "end": self.end, "text": self.text}

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> Turn:
        return Turn(str(d.get("speaker") or ""), _f(d.get("start")) or 0.0,
                    _f(d.get("end")) or 0.0, str(d.get("text") or ""))


@dataclass(frozen=True)
class Summary:
    steps_covered: tuple[str, ...]
    steps_missed: tuple[str, ...]
    warnings_by_kind: Mapping[str, int]
    time_to_first_apology: float | None
    tone: Mapping[str, Any]  # each monitor's own figures (pace, loudness, monologue, customer)

    def to_json(self) -> dict[str, Any]:
        return {"steps_covered": list(self.steps_covered),
                "steps_missed": list(self.steps_missed),
                "warnings_by_kind": dict(self.warnings_by_kind),
                "time_to_first_apology": self.time_to_first_apology,
                "tone": dict(self.tone)}

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> Summary:
        tone = d.get("tone")
        return Summary(tuple(d.get("steps_covered") or ()), tuple(d.get("steps_missed") or ()),
                       dict(d.get("warnings_by_kind") or {}), _f(d.get("time_to_first_apology")),
                       dict(tone) if isinstance(tone, Mapping) else {})


# The report's own keys; others a stored report holds are kept in `extra`, untouched.
_BODY = ("duration", "ended", "steps", "warnings", "reminders", "summary", "transcript")
_HEAD = ("id", "title")
_TAIL = ("engine", "model")


@dataclass(frozen=True)
class Report(Mapping[str, Any]):
    """A call's report. Front ends fill the header (`with_header`: id, title, engine, model)
    and practice adds its scorecard (`practice`); each is left out of the JSON while None.

    It reads as its JSON form too (`report["steps"]["apologize"]["covered"]`), so code that
    still takes the JSON dict keeps working while it moves to the typed fields."""

    duration: float | None
    ended: bool
    steps: Mapping[str, StepEntry]
    warnings: tuple[WarningEntry, ...]
    reminders: tuple[ReminderEntry, ...]
    summary: Summary
    transcript: tuple[Turn, ...]
    id: int | str | None = None
    title: str | None = None
    engine: str | None = None
    model: str | None = None
    practice: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def with_header(self, id: int | str | None, title: str, engine: str, model: str) -> Report:
        return replace(self, id=id, title=title, engine=engine, model=model)

    def to_json(self) -> dict[str, Any]:
        """The stored and exported form, keys as they have always been."""
        out: dict[str, Any] = {k: getattr(self, k) for k in _HEAD if getattr(self, k) is not None}
        out.update({
            "duration": self.duration,
            "ended": self.ended,
            "steps": {sid: s.to_json() for sid, s in self.steps.items()},
            "warnings": [w.to_json() for w in self.warnings],
            "reminders": [r.to_json() for r in self.reminders],
            "summary": self.summary.to_json(),
            "transcript": [t.to_json() for t in self.transcript],
        })
        out.update({k: getattr(self, k) for k in _TAIL if getattr(self, k) is not None})
        if self.practice is not None:
            out["practice"] = dict(self.practice)
        out.update(self.extra)
        return out

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> Report:
        """A stored or exported report, typed. Missing keys read as empty (old calls)."""
        if isinstance(d, Report):
            return d
        steps = d.get("steps") or {}
        summary = d.get("summary")
        practice = d.get("practice")
        known = {*_BODY, *_HEAD, *_TAIL, "practice"}
        return Report(
            duration=_f(d.get("duration")),
            ended=bool(d.get("ended")),
            steps={str(sid): StepEntry.from_json(s) for sid, s in steps.items()
                   if isinstance(s, Mapping)},
            warnings=tuple(WarningEntry.from_json(w) for w in d.get("warnings") or ()
                           if isinstance(w, Mapping)),
            reminders=tuple(ReminderEntry.from_json(r) for r in d.get("reminders") or ()
                            if isinstance(r, Mapping)),
            summary=Summary.from_json(summary if isinstance(summary, Mapping) else {}),
            transcript=tuple(Turn.from_json(t) for t in d.get("transcript") or ()
                             if isinstance(t, Mapping)),
            id=d.get("id"),
            title=None if d.get("title") is None else str(d["title"]),
            engine=None if d.get("engine") is None else str(d["engine"]),
            model=None if d.get("model") is None else str(d["model"]),
            practice=dict(practice) if isinstance(practice, Mapping) else None,
            extra={k: v for k, v in d.items() if k not in known},
        )

    # -- read as the JSON form (Mapping) ------------------------------------------------------

    @cached_property
    def _json(self) -> dict[str, Any]:
        return self.to_json()

    def __getitem__(self, key: str) -> Any:
        return self._json[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._json)

    def __len__(self) -> int:
        return len(self._json)


class ReportBuilder:
    """The fold: feed a call's events in order, then `report()`. Nothing else builds a report."""

    def __init__(self, labels: Mapping[str, str], start: float = 0.0):
        self.labels = labels
        self.start = start
        self.covered: dict[str, StepEvent] = {}
        self.warnings: list[WarningEvent] = []
        self.evidence: dict[tuple[str, float], str] = {}  # confirmed by the whole sentence
        self.reminders: list[ReminderEvent] = []
        self.moods: list[MoodEvent] = []
        self.turns: list[Turn] = []
        self.tone: Mapping[str, Any] | None = None
        self.ended_at: float | None = None
        self.last = start

    def feed(self, e: Event) -> None:
        self.last = max(self.last, _time_of(e))
        if isinstance(e, StepEvent):
            if e.covered:
                self.covered[e.step] = e
            else:
                self.covered.pop(e.step, None)
        elif isinstance(e, WarningEvent):
            self.warnings.append(e)
        elif isinstance(e, ConfirmedEvent):
            self.evidence[(e.kind, e.raised_at)] = e.evidence
        elif isinstance(e, WithdrawnEvent):  # the warning it names does not stand
            self.warnings = [w for w in self.warnings if (w.kind, w.at) != (e.kind, e.raised_at)]
        elif isinstance(e, ReminderEvent):
            self.reminders.append(e)
        elif isinstance(e, MoodEvent):
            self.moods.append(e)
        elif isinstance(e, TranscriptEvent):
            if e.final:
                self.turns.append(Turn(e.speaker, e.start, e.end, e.text))
        elif isinstance(e, ToneEvent):
            self.tone = e.figures
        elif isinstance(e, EndedEvent):
            self.ended_at = e.at
        # level and speech events feed the tone monitors and the timeline, not the report

    def report(self, least: float = 0.0) -> Report:
        """The report so far; a call not ended lasts until its last event, or `least`."""
        steps: dict[str, StepEntry] = {}
        for sid in STEP_IDS:
            e = self.covered.get(sid)
            steps[sid] = StepEntry(
                label=self.labels[sid],
                covered=e is not None,
                at=_r(e.at) if e else None,
                evidence=e.evidence if e else None,
                manual=e.manual if e else False,
                reason=(e.reason or ("ticked by hand" if e.manual else "")) if e else None,
            )
        warnings = tuple(sorted(
            (WarningEntry(w.kind, _r(w.at), self.evidence.get((w.kind, w.at), w.evidence),
                          w.advice, w.reason) for w in self.warnings),
            key=lambda w: w.at or 0.0))
        if self.tone is not None:
            tone = dict(self.tone)
        else:  # a call that died before its end: the customer's moments are still events
            moods = [{"at": m.at, "cue": m.cue, "evidence": m.evidence, "strength": m.strength}
                     for m in self.moods]
            tone = {"customer": {"moments": moods}} if moods else {}
        end = self.ended_at if self.ended_at is not None else max(self.last, least)
        apology = self.covered.get("apologize")
        return Report(
            duration=_r(max(0.0, end - self.start)),
            ended=self.ended_at is not None,
            steps=steps,
            warnings=warnings,
            reminders=tuple(ReminderEntry(r.kind, _r(r.at), r.text) for r in self.reminders),
            summary=Summary(
                steps_covered=tuple(s for s in STEP_IDS if steps[s].covered),
                steps_missed=tuple(s for s in STEP_IDS if not steps[s].covered),
                warnings_by_kind=dict(Counter(w.kind for w in warnings)),
                time_to_first_apology=_r(apology.at - self.start) if apology else None,
                tone=tone,
            ),
            transcript=tuple(self.turns),
        )


def _time_of(e: Event) -> float:
    """The latest call time an event speaks for (its end, or its moment)."""
    if isinstance(e, TranscriptEvent | SpeechEvent):
        return e.end
    return e.at


def build_report(events: Iterable[Event], labels: Mapping[str, str], *, start: float = 0.0,
                 least: float = 0.0) -> Report:
    """The report of a call from its events in order: live, on recovery and on rescoring.
    `labels` names the steps (the playbook's); a call not ended lasts at least `least`."""
    builder = ReportBuilder(labels, start)
    for e in events:
        builder.feed(e)
    return builder.report(least)


def report_events(report: Report) -> list[Event]:
    """The events a saved report stands for, in time order, so a call saved from its report
    (`analyze --save`) reads like one recorded live."""
    events: list[Event] = []
    for t in report.transcript:
        events.append(TranscriptEvent(t.speaker, True, t.text, t.start, t.end))
        events.append(SpeechEvent(t.speaker, t.start, t.end, None))
    for sid, s in report.steps.items():
        if s.covered:
            events.append(StepEvent(sid, s.at or 0.0, s.evidence or "", manual=s.manual,
                                    reason=s.reason or ""))
    events += [WarningEvent(w.kind, w.at or 0.0, w.evidence, w.advice, reason=w.reason)
               for w in report.warnings]
    events += [ReminderEvent(r.kind, r.at or 0.0, r.text) for r in report.reminders]
    events.sort(key=lambda e: e.start if isinstance(e, TranscriptEvent | SpeechEvent) else e.at)
    return events


__all__ = [
    "ReminderEntry",
    "Report",
    "ReportBuilder",
    "StepEntry",
    "Summary",
    "Turn",
    "WarningEntry",
    "build_report",
    "report_events",
]
