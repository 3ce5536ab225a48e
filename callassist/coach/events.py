"""The events the coach emits: the contract between the coach and everything else. The event
log is a call's single truth: the report is a fold over it (report.py), live, on crash recovery
and for a stored call alike. `event_to_dict`/`event_from_dict` are the stored and exported form
(the store decodes what it reads with `event_from_dict`); see docs/developer-call-record.md."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    conf: float = 1.0


@dataclass(frozen=True)
class StepEvent:
    """A step ticked (covered=True) or unticked (covered=False)."""

    step: str
    at: float
    evidence: str
    manual: bool = False
    covered: bool = True
    reason: str = ""  # why it counts: "rule: <pattern>" or "example: like ..." (meaning.py)
    # the trained head's calibrated probability of the step in that line (None: not judged by
    # it, as a partial result or a manual tick)
    confidence: float | None = None
    type: str = field(default="step", init=False)


@dataclass(frozen=True)
class WarningEvent:
    kind: str
    at: float
    evidence: str
    advice: str
    reason: str = ""  # why it fired: "rule: <pattern>", "example: like ...", or the timing
    confidence: float | None = None  # the trained head's probability, as on StepEvent
    type: str = field(default="warning", init=False)


@dataclass(frozen=True)
class ConfirmedEvent:
    """The warning of `kind` raised at `raised_at` from a partial result stands once the whole
    sentence is heard; `evidence` is that whole sentence (the report's evidence for it)."""

    kind: str
    at: float
    raised_at: float
    evidence: str
    type: str = field(default="confirmed", init=False)


@dataclass(frozen=True)
class WithdrawnEvent:
    """The warning of `kind` raised at `raised_at` is taken back at `at`: the agent owned the
    fault right after ("owned"), or the whole sentence, once heard, did not raise it after all
    ("heard"). `note` says so in the agent's words."""

    kind: str
    at: float
    raised_at: float
    why: str
    note: str
    type: str = field(default="withdrawn", init=False)


@dataclass(frozen=True)
class ReminderEvent:
    kind: str
    at: float
    text: str
    type: str = field(default="reminder", init=False)


@dataclass(frozen=True)
class TranscriptEvent:
    speaker: str
    final: bool
    text: str
    start: float
    end: float
    words: tuple[Word, ...] = ()
    type: str = field(default="transcript", init=False)


@dataclass(frozen=True)
class LevelEvent:
    speaker: str
    at: float
    dbfs: float
    voiced: bool
    type: str = field(default="level", init=False)


@dataclass(frozen=True)
class MoodEvent:
    """The customer showed frustration: `cue` is "complaint", "words" (anger in their words) or
    "voice" (their voice raised); `strength` 1 (a complaint) or 2 (anger)."""

    at: float
    cue: str
    evidence: str
    strength: int
    type: str = field(default="mood", init=False)


@dataclass(frozen=True)
class ToneEvent:
    """The tone monitors' figures at the end of the call (pace, loudness, monologue, customer):
    the report's `summary.tone`."""

    at: float
    figures: Mapping[str, Any]
    type: str = field(default="tone", init=False)


@dataclass(frozen=True)
class SpeechEvent:
    """A stretch of one speaker's speech, folded by the recorder from level events (or taken
    from a saved report's transcript, `dbfs` None): the review timeline draws these."""

    speaker: str
    start: float
    end: float
    dbfs: float | None = None
    type: str = field(default="speech", init=False)


@dataclass(frozen=True)
class EndedEvent:
    """The call ended at `at`: the report's duration, and `ended` true."""

    at: float
    type: str = field(default="ended", init=False)


Event = (
    StepEvent | WarningEvent | ConfirmedEvent | WithdrawnEvent | ReminderEvent | TranscriptEvent
    | LevelEvent | MoodEvent | ToneEvent | SpeechEvent | EndedEvent
)

# Each stored "type" and its class: the one table event_from_dict decodes with.
EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (StepEvent, WarningEvent, ConfirmedEvent, WithdrawnEvent, ReminderEvent,
                TranscriptEvent, LevelEvent, MoodEvent, ToneEvent, SpeechEvent, EndedEvent)
}

# Optional fields left out of the stored form while unset, so older readers see no new keys.
_OMIT_WHEN_NONE = ("confidence",)


def event_to_dict(event: Event) -> dict[str, Any]:
    """The stored and exported form: the dataclass's fields, `type` included."""
    data = asdict(event)
    for key in _OMIT_WHEN_NONE:
        if key in data and data[key] is None:
            del data[key]
    if isinstance(event, ToneEvent):
        data["figures"] = dict(event.figures)
    return data


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """The inverse of event_to_dict, for stored and exported events. Keys this version does not
    know are ignored (a newer version wrote them); an unknown type is a KeyError."""
    cls = EVENT_TYPES[str(data["type"])]
    names = {f for f in cls.__dataclass_fields__ if f != "type"}
    fields = {k: v for k, v in data.items() if k in names}
    if cls is TranscriptEvent:
        fields["words"] = tuple(
            Word(**{k: v for k, v in w.items() if k in ("text", "start", "end", "conf")})
            for w in fields.get("words", ()) or ())
    return cls(**fields)
