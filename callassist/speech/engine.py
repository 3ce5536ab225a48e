"""One interface over the speech engines: 16 kHz int16 blocks in, partial and final results
with word timings out.

    engine = load_engine("auto", model=None, playbook=pb, on_status=print)   # slow: seconds
    rec = engine.recognizer()          # cheap; one per speaker per call
    for samples in blocks:
        for r in rec.accept(samples):  # Result(text, final, start, end, words)
            ...
    rec.finish()                       # the last final result, if speech was still going on

Times are seconds from the first sample given to that recognizer. An engine is loaded once
and reused for many calls; recognizers are not shared between threads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from callassist.coach.events import Word
from callassist.coach.playbook import Playbook
from callassist.errors import CallAssistError

ENGINES = ("vosk", "pocketsphinx")
FALLBACK_NOTE = (
    "fallback engine in use, accuracy is lower: run `callassist models download` "
    "to install a Vosk model"
)


@dataclass(frozen=True)
class Status:
    """Something the user should see while the pipeline runs (model loading, fallback, a lost
    device). `kind` is one of: loading, ready, fallback, lost, overflow, error."""

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
    name: str  # "vosk" or "pocketsphinx"
    model: str  # what it recognises with, for reports ("vosk-model-small-en-us-0.15", a path)

    def recognizer(self) -> Recognizer: ...


def _notify(on_status: StatusCallback | None, kind: str, message: str) -> None:
    if on_status is not None:
        on_status(Status(kind, message))


def _default_vosk_model(on_status: StatusCallback | None) -> Path | None:
    """The installed model `callassist models` names as default, if it is English: a Korean
    model would turn an English call into Korean words, so pocketsphinx serves better."""
    from callassist.speech.models import default_model

    info = default_model()
    if info is None:
        return None
    if info.lang not in ("unknown",) and not info.lang.startswith("en"):
        _notify(on_status, "fallback", f"the installed Vosk model {info.name} is for "
                f"'{info.lang}', not English: pass --model to use it anyway")
        return None
    return Path(info.path)


def _named_model(model: str | Path) -> Path:
    """--model takes an installed model's name (see `callassist models list`) or a folder."""
    from callassist.speech.models import find_model

    return Path(find_model(str(model)).path)


def load_engine(
    engine: str | None = None, model: str | Path | None = None, playbook: Playbook | None = None,
    on_status: StatusCallback | None = None, bias: bool = True,
) -> Engine:
    """The engine to recognise with. `engine` None or "auto" picks Vosk with `model` (or the
    installed default model) and falls back to pocketsphinx, with a `fallback` status, when no
    Vosk model is installed. The pocketsphinx engine is biased toward the playbook's phrases
    unless `bias` is False. Slow (loads a model): call once, off the GUI thread, and reuse."""
    name = engine or "auto"
    if name not in (*ENGINES, "auto"):
        raise CallAssistError(f"unknown engine '{name}': choose vosk or pocketsphinx")
    if name == "pocketsphinx" and model is not None:
        raise CallAssistError("--model is a Vosk model folder: use it with --engine vosk")
    path = _named_model(model) if model is not None else None
    if name in ("auto", "vosk") and path is None:
        path = _default_vosk_model(on_status)
        if path is None and name == "vosk":
            raise CallAssistError(
                "no Vosk model installed: run `callassist models download` or pass --model PATH"
            )
    if path is not None:
        from callassist.speech.vosk_engine import VoskEngine

        _notify(on_status, "loading", f"loading speech model {path.name}…")
        eng: Engine = VoskEngine(path)
    else:
        from callassist.speech.sphinx_engine import SphinxEngine

        _notify(on_status, "fallback", FALLBACK_NOTE)
        _notify(on_status, "loading", "loading the pocketsphinx English model…")
        eng = SphinxEngine(playbook if bias else None)
    _notify(on_status, "ready", f"speech engine ready: {eng.name} ({eng.model})")
    return eng
