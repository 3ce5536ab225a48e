"""The engine interface every speech engine implements (see engine.py for choosing one):
16 kHz int16 blocks in, partial and final results with word timings out. Below the engines and
the chooser, so neither imports the other to know the shapes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from callassist.coach.events import Word


@dataclass(frozen=True)
class Status:
    """Something the user should see while the pipeline runs (model loading, fallback, a lost
    device). `kind` is one of: loading, ready, fallback (pocketsphinx in use), note (worth a
    line, e.g. why Whisper is not in use), lost, overflow, error."""

    kind: str
    message: str


StatusCallback = Callable[[Status], None]


@dataclass(frozen=True)
class Result:
    text: str
    final: bool
    start: float
    end: float
    words: tuple[Word, ...] = ()


class Recognizer(Protocol):
    def accept(self, samples: np.ndarray) -> list[Result]: ...

    def finish(self) -> list[Result]: ...


class Engine(Protocol):
    name: str  # "whisper", "vosk" or "pocketsphinx"
    model: str  # what it recognises with, for reports ("tiny.en", "vosk-model-small-en-us-0.15")

    def recognizer(self, speaker: str = "agent") -> Recognizer: ...
