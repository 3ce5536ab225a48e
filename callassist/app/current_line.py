"""What the overlay's one compact line shows now: a small, pure policy (no Qt, no clock of its
own: every call takes `now`, in call seconds, the same clock as the events' times).

The line shows the newest item that is still true:

- a new warning at once (it is about what the agent just said); the call's other open
  warnings fold into a count ("+2") that the expanded view lists;
- an item leaves the line as soon as it stops being true: a warning once withdrawn, the hold
  warning once the agent is back and talking, the "Now: apologise and sympathise" prompt and
  the next-step prompt once those steps are covered, a note ("taken back", "withdrawn") once
  it is a few seconds old, anything once it is older than its kind's life;
- an item on the line keeps it for `min_show_s` against a newer item that is not a warning,
  so the line does not flicker, and nothing newer waits longer than that;
- a gentle reminder ("smile") shows only when nothing else is true.

When the newest item leaves, the next newest still true item comes back, if any."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum

from callassist.coach.events import (
    Event,
    ReminderEvent,
    StepEvent,
    TranscriptEvent,
    WarningEvent,
    WithdrawnEvent,
)

HOLD_KIND = "hold_without_handoff"


class Urgency(IntEnum):
    """Breaks ties between items that became true at the same moment (lower first)."""
    WARNING = 0      # what the agent just said wrong, and the sentence to say instead
    ACT_NOW = 1      # the caller is angry: apologise and sympathise now
    NOTE = 2         # a warning withdrawn, a step taken back: why
    NEXT_STEP = 3    # the next ASAP step, at the start of a call
    REMINDER = 4     # smile, keep calm: only on an otherwise empty line


@dataclass(frozen=True)
class LineTimes:
    """How long each kind of item may stay true at most (seconds), and the least time an item
    keeps the line against a newer one that is not a warning."""
    warning_s: float = 10.0
    act_now_s: float = 20.0
    note_s: float = 4.0
    next_step_s: float = 12.0
    reminder_s: float = 6.0
    min_show_s: float = 2.0

    def life(self, urgency: Urgency) -> float:
        return {Urgency.WARNING: self.warning_s, Urgency.ACT_NOW: self.act_now_s,
                Urgency.NOTE: self.note_s, Urgency.NEXT_STEP: self.next_step_s,
                Urgency.REMINDER: self.reminder_s}[urgency]


@dataclass
class LineItem:
    urgency: Urgency
    kind: str                 # a warning kind, a reminder kind, "next", "withdrawn", "taken_back"
    title: str
    text: str
    since: float              # when it became true (call seconds)
    until: float              # it is no longer true from then on, whatever happens
    key: tuple[str, float] | None = None   # (kind, at) of a warning: its withdrawal finds it
    tooltip: str = ""
    steps: frozenset[str] = frozenset()    # leaves once these steps are all covered
    agent_back: bool = False               # leaves once the agent speaks after `since`
    done: bool = False                     # stopped being true (withdrawn, covered, dismissed)
    ended_at: float | None = None          # when it stopped being true

    @property
    def is_warning(self) -> bool:
        return self.urgency == Urgency.WARNING

    def true_at(self, now: float) -> bool:
        return not self.done and self.since <= now < self.until

    def stopped_at(self) -> float:
        """When it stopped being true (for a finished item)."""
        return self.ended_at if self.ended_at is not None else self.until


@dataclass(frozen=True)
class Shown:
    item: LineItem
    more: int  # the call's other open warnings, listed in the expanded view


@dataclass
class CurrentLine:
    """The compact line's state for one call. `titles` names warning kinds, `reminders` are the
    playbook's gentle reminder kinds (any other reminder is a prompt to act now, which asks for
    `act_now_steps`), `steps` maps each step id to its label."""

    titles: Mapping[str, str]
    reminders: frozenset[str]
    act_now_steps: frozenset[str]
    times: LineTimes = field(default_factory=LineTimes)
    items: list[LineItem] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)
    _shown: LineItem | None = None
    _shown_from: float = 0.0

    def reset(self) -> None:
        self.items.clear()
        self.covered.clear()
        self._shown = None

    # -- what happens -----------------------------------------------------------------------

    def push(self, urgency: Urgency, kind: str, title: str, text: str, now: float,
             **extra: object) -> LineItem:
        if urgency == Urgency.REMINDER:
            for old in self.items:
                if old.kind == kind and old.true_at(now):
                    return old  # the same reminder is already there
        item = LineItem(urgency, kind, title, text, now, now + self.times.life(urgency),
                        **extra)  # type: ignore[arg-type]
        self.items.append(item)
        return item

    def next_step(self, step: str, label: str, prompt: str, now: float) -> None:
        """The first missing step, at the start of a call: until it is covered."""
        self.push(Urgency.NEXT_STEP, "next", "Next", f"{label}. {prompt}", now,
                  steps=frozenset({step}))

    def apply(self, events: Iterable[Event], now: float) -> None:
        for e in events:
            if isinstance(e, WarningEvent):
                title = self.titles.get(e.kind, e.kind.replace("_", " ").capitalize())
                self.push(Urgency.WARNING, e.kind, title, compact_advice(e.advice), now,
                          key=(e.kind, e.at), tooltip=e.advice,
                          agent_back=e.kind == HOLD_KIND)
            elif isinstance(e, WithdrawnEvent):
                for item in self.items:
                    if item.key == (e.kind, e.raised_at):
                        self._end(item, now)
                title = self.titles.get(e.kind, e.kind.replace("_", " ").capitalize())
                self.push(Urgency.NOTE, "withdrawn", f"{title} withdrawn",
                          _sentence(e.note) + ".", now)
            elif isinstance(e, StepEvent):
                self._on_step(e, now)
            elif isinstance(e, ReminderEvent):
                if e.kind in self.reminders:
                    self.push(Urgency.REMINDER, e.kind, "", e.text, now)
                else:
                    missing = self.act_now_steps - self.covered
                    self.push(Urgency.ACT_NOW, e.kind, "Now", e.text, now, steps=missing)
            elif isinstance(e, TranscriptEvent) and e.speaker == "agent":
                # The agent is back and talking: a hold warning raised before is over.
                for item in self.items:
                    if item.agent_back and not item.done and e.start > item.since:
                        self._end(item, now)

    def _on_step(self, e: StepEvent, now: float) -> None:
        if e.covered:
            self.covered.add(e.step)
            for item in self.items:
                if item.steps and item.steps <= self.covered and not item.done:
                    self._end(item, now)
        else:
            self.covered.discard(e.step)
            if not e.manual and e.evidence:
                # A step lit a moment ago goes dark: say why, so the agent is not left guessing.
                label = self.titles.get(e.step, e.step.capitalize())
                self.push(Urgency.NOTE, "taken_back", f"{label} taken back",
                          _sentence(e.evidence), now)

    def dismiss(self, now: float) -> None:
        """The agent dismissed the item on the line (× or Esc)."""
        if self._shown is not None:
            self._end(self._shown, now)
        self._shown = None

    def _end(self, item: LineItem, now: float) -> None:
        if not item.done:
            item.done = True
            item.ended_at = min(now, item.until)

    # -- what shows -------------------------------------------------------------------------

    def current(self, now: float) -> Shown | None:
        live = [(n, i) for n, i in enumerate(self.items) if i.true_at(now)]
        urgent = [(n, i) for n, i in live if i.urgency != Urgency.REMINDER] or live
        # The newest; at the same moment the more urgent, then the later told.
        best = max(urgent, key=lambda ni: (ni[1].since, -ni[1].urgency, ni[0]),
                   default=(0, None))[1]
        shown = self._shown
        if best is not None and shown is not None and shown.true_at(now) and best is not shown \
                and not best.is_warning and now - self._shown_from < self.times.min_show_s \
                and shown.urgency != Urgency.REMINDER:
            best = shown  # keeps the line a moment: no flicker
        if best is not shown:
            self._shown, self._shown_from = best, now
        if best is None:
            return None
        return Shown(best, sum(1 for i in self.open_warnings() if i is not best))

    def open_warnings(self) -> list[LineItem]:
        """The call's warnings not withdrawn or over (the hold once the agent is back)."""
        return [i for i in self.items if i.is_warning and not i.done]

    def next_change(self, now: float) -> float | None:
        """The next moment the line may change with no new event (the window asks again)."""
        times = [t for i in self.items if not i.done
                 for t in (i.since, i.until) if t > now]
        if self._shown is not None:
            end_min = self._shown_from + self.times.min_show_s
            if end_min > now:
                times.append(end_min)
        return min(times, default=None)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


_QUOTE = re.compile(r"[\"“]([^\"”]+)[\"”]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def compact_advice(advice: str) -> str:
    """The advice as one whole sentence for the compact line: the sentence it quotes for the
    agent to say (the last full quoted sentence: "with no "but"..." quotes words to avoid
    first), else the advice's last sentence, which says what to do."""
    said = [q.strip() for q in _QUOTE.findall(advice)]
    whole = [q for q in said if q[:1].isupper() and q[-1:] in ".!?"]
    if whole:
        return f"Say: “{whole[-1]}”"
    sentences = [s.strip() for s in _SENTENCE_END.split(advice.strip()) if s.strip()]
    last = sentences[-1] if sentences else advice.strip()
    last = last[:1].upper() + last[1:]
    return last if last[-1:] in ".!?" else last + "."
