"""What the agent needs to see next, ordered by urgency: warnings first, then the prompt to
apologise now, then the next step, then gentle reminders. Plain Python (no Qt): the message
line shows `current()` and the window asks again at `next_change()`.

Nothing is lost: a warning waits behind the one on screen (the line shows "+1"), a reminder
waits behind a warning, and an item pushed aside by a more urgent one comes back after it.
A withdrawn warning is replaced by its note ("Blame withdrawn: owned it: fine") where it
stands, so the agent sees it go."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import IntEnum
from itertools import count


class Urgency(IntEnum):
    WARNING = 0      # what the agent just said wrong, and the sentence to say instead
    NOTE = 1         # a warning withdrawn, a step taken back: why
    ACT_NOW = 2      # the caller is angry: apologise and sympathise now
    NEXT_STEP = 3    # the next ASAP step, at the start of a call
    REMINDER = 4     # smile, keep calm


HOLD_S = {Urgency.WARNING: 15.0, Urgency.NOTE: 6.0, Urgency.ACT_NOW: 12.0,
          Urgency.NEXT_STEP: 12.0, Urgency.REMINDER: 7.0}
# An item pushed aside by a more urgent one comes back unless it was on screen this long.
SEEN_S = 3.0

_seq = count()


@dataclass
class Item:
    urgency: Urgency
    kind: str            # a warning kind, a reminder kind, "next", "withdrawn", "taken_back"
    title: str
    text: str
    hold_s: float
    key: tuple | None = None  # (kind, at) of a warning, so its withdrawal finds it
    tooltip: str = ""         # the whole advice, where the line shows the sentence to say
    seq: int = field(default_factory=lambda: next(_seq))
    shown_at: float | None = None

    @property
    def is_warning(self) -> bool:
        return self.urgency == Urgency.WARNING


class AttentionQueue:
    def __init__(self) -> None:
        self.shown: Item | None = None
        self.waiting: list[Item] = []

    # -- changes ------------------------------------------------------------------------------

    def push(self, item: Item, now: float) -> None:
        if item.urgency == Urgency.REMINDER and any(
            i.kind == item.kind for i in self._all()
        ):
            return  # the same reminder already waits or shows
        self.waiting.append(item)
        self._settle(now, preempt=True)

    def withdraw(self, key: tuple, title: str, note: str, now: float) -> Item:
        """The warning `key` is taken back: its note shows where it stands (or next)."""
        replacement = Item(Urgency.NOTE, "withdrawn", title, note, HOLD_S[Urgency.NOTE])
        if self.shown is not None and self.shown.key == key:
            replacement.shown_at = now
            self.shown = replacement
        else:
            self.waiting = [i for i in self.waiting if i.key != key]
            self.waiting.append(replacement)
        self._settle(now)
        return replacement

    def dismiss(self, now: float) -> None:
        self.shown = None
        self._settle(now)

    def clear(self) -> None:
        self.shown = None
        self.waiting.clear()

    def drop(self, kind: str, now: float) -> None:
        """Forget items of `kind` (the next step once it is covered)."""
        self.waiting = [i for i in self.waiting if i.kind != kind]
        if self.shown is not None and self.shown.kind == kind:
            self.shown = None
        self._settle(now)

    # -- what shows ---------------------------------------------------------------------------

    def current(self, now: float) -> Item | None:
        self._settle(now)
        return self.shown

    def more_warnings(self) -> int:
        """Warnings waiting behind the one on screen (the "+1")."""
        return sum(i.is_warning for i in self.waiting)

    def next_change(self) -> float | None:
        """When the item on screen runs out (the window asks again then)."""
        if self.shown is None or self.shown.shown_at is None:
            return None
        return self.shown.shown_at + self.shown.hold_s

    # -- internals ----------------------------------------------------------------------------

    def _all(self) -> list[Item]:
        return self.waiting + ([self.shown] if self.shown is not None else [])

    def _settle(self, now: float, preempt: bool = False) -> None:
        """Drops the item on screen once its time is up, and shows the most urgent waiting
        one in its place; a new arrival (`preempt`) more urgent than it takes its place."""
        if self.shown is not None and now - (self.shown.shown_at or now) >= self.shown.hold_s:
            self.shown = None
        if not self.waiting:
            return
        best = min(self.waiting, key=lambda i: (i.urgency, i.seq))
        if self.shown is not None and (not preempt or best.urgency >= self.shown.urgency):
            return
        if self.shown is not None and now - (self.shown.shown_at or now) < SEEN_S:
            self.shown.shown_at = None
            self.waiting.append(self.shown)  # pushed aside: it comes back after
        self.waiting.remove(best)
        best.shown_at = now
        self.shown = best


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
