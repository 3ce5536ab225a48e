"""The events the coach emits: the contract between the coach and everything else (DESIGN.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


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


Event = (
    StepEvent | WarningEvent | WithdrawnEvent | ReminderEvent | TranscriptEvent | LevelEvent
    | MoodEvent
)


def event_to_dict(event: Event) -> dict:
    return asdict(event)


def event_from_dict(data: dict) -> Event:
    """The inverse of event_to_dict, for stored and exported events."""
    kinds = {
        "step": StepEvent,
        "warning": WarningEvent,
        "withdrawn": WithdrawnEvent,
        "reminder": ReminderEvent,
        "transcript": TranscriptEvent,
        "level": LevelEvent,
        "mood": MoodEvent,
    }
    fields = {k: v for k, v in data.items() if k != "type"}
    cls = kinds[data["type"]]
    if cls is TranscriptEvent:
        fields["words"] = tuple(Word(**w) for w in fields.get("words", ()))
    return cls(**fields)
