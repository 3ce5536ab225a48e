"""What the coach's watchers see: one heard utterance (words, times, tokens) and the Monitor
protocol that tone, pace and customer watchers implement. Below the session, so monitors and the
session import it without importing each other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from callassist.coach.events import Event, Word
from callassist.coach.text import Tokens


@dataclass(frozen=True)
class Utterance:
    speaker: str
    text: str
    start: float
    end: float
    words: tuple[Word, ...]
    tokens: Tokens
    final: bool

    def time_of_token(self, index: int) -> float:
        """When the input word behind token `index` started."""
        if not self.tokens.origin:
            return self.start
        return self.words[self.tokens.origin[min(index, len(self.tokens.origin) - 1)]].start


class Monitor(Protocol):
    """Something beside the phrase rules that watches the call (tone, pace, the customer)."""

    def on_utterance(self, utt: Utterance, covered: frozenset[str]) -> Sequence[Event]: ...

    def on_level(
        self, speaker: str, at: float, dbfs: float, voiced: bool, covered: frozenset[str]
    ) -> Sequence[Event]: ...

    def on_time(self, now: float) -> Sequence[Event]: ...

    def summary(self) -> dict[str, Any]: ...
