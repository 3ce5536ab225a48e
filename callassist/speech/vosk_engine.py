"""The Vosk engine: `vosk.Model` + `KaldiRecognizer` with word timings on partial and final
results.

Vosk's own endpointing waits for 0.5 to 2 s of trailing silence (the model's conf decides)
before it gives a final result; the recognizer here also ends an utterance itself once the
audio has been quiet for `end_silence_s` after a partial result, so the coach sees the final
sentence (and a hold-without-handoff timer starts) within about half a second.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from callassist.audio.levels import VoiceActivity, dbfs
from callassist.coach.events import Word
from callassist.errors import CallAssistError
from callassist.speech.types import Result

RATE = 16000


@contextlib.contextmanager
def _native_stderr() -> Iterator[list[str]]:
    """What native code writes to file descriptor 2 meanwhile, kept instead of shown."""
    said = [""]
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to hide
        yield said
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield said
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            said[0] = sink.read(64 * 1024).decode("utf-8", "replace")


def _spoken(word: str) -> bool:
    """Vosk marks noise and unknown words in brackets ("[unk]"); the coach needs words only."""
    return bool(word) and not word.startswith("[")


def _words(items: list[dict[str, Any]] | None) -> tuple[Word, ...]:
    return tuple(
        Word(w["word"], float(w["start"]), float(w["end"]), float(w.get("conf", 1.0)))
        for w in items or () if _spoken(w["word"])
    )


def _text(raw: str) -> str:
    return " ".join(w for w in raw.split() if _spoken(w))


class VoskRecognizer:
    def __init__(self, model: Any, end_silence_s: float = 0.4):  # a vosk.Model (untyped)
        import vosk

        self._rec = vosk.KaldiRecognizer(model, RATE)
        self._rec.SetWords(True)
        self._rec.SetPartialWords(True)
        self._n = 0  # samples accepted
        self._partial = ""
        self._partial_start: float | None = None
        self._vad = VoiceActivity()
        self._quiet_s = 0.0
        self._end_silence_s = end_silence_s

    @property
    def now(self) -> float:
        return self._n / RATE

    def _final(self, raw: str) -> list[Result]:
        data = json.loads(raw)
        self._partial, start, self._partial_start = "", self._partial_start, None
        text = _text(data.get("text", ""))
        if not text:
            return []
        words = _words(data.get("result"))
        begin = words[0].start if words else (start if start is not None else self.now)
        end = words[-1].end if words else self.now
        return [Result(text, True, begin, end, words)]

    def accept(self, samples: np.ndarray) -> list[Result]:
        self._n += len(samples)
        voiced = self._vad(dbfs(samples))
        self._quiet_s = 0.0 if voiced else self._quiet_s + len(samples) / RATE
        if self._rec.AcceptWaveform(np.ascontiguousarray(samples, dtype="<i2").tobytes()):
            return self._final(self._rec.Result())
        if self._partial and self._quiet_s >= self._end_silence_s:
            return self._final(self._rec.FinalResult())
        data = json.loads(self._rec.PartialResult())
        text = _text(data.get("partial", ""))
        if not text or text == self._partial:
            return []
        self._partial = text
        words = _words(data.get("partial_result"))
        if self._partial_start is None:
            self._partial_start = words[0].start if words else self.now - len(samples) / RATE
        return [Result(text, False, self._partial_start, self.now, words)]

    def finish(self) -> list[Result]:
        return self._final(self._rec.FinalResult())


class VoskEngine:
    """A Vosk model folder, loaded once (seconds for a small model) and shared by recognizers."""

    name = "vosk"

    def __init__(self, path: str | Path):
        p = Path(path)
        if not p.exists():
            raise CallAssistError(
                f"{p}: model folder not found: run `callassist models download` or check --model"
            )
        if not p.is_dir():
            raise CallAssistError(f"{p}: not a folder: --model takes an unpacked Vosk model folder")
        if not (p / "am").is_dir() and not (p / "final.mdl").exists():
            raise CallAssistError(
                f"{p}: not a Vosk model (no am/ folder): point --model at the unpacked model folder"
            )
        import vosk

        vosk.SetLogLevel(-1)
        with _native_stderr() as said:
            try:
                self._model = vosk.Model(str(p))
            except Exception as e:
                failed: Exception | None = e
            else:
                failed = None
        if failed is not None:
            # Kaldi writes its own ERROR lines straight to file descriptor 2 (P5): the first
            # one says what is wrong, in one line of ours.
            found = re.search(r"^ERROR \(\S*\)\s*(.+)$", said[0], re.M)
            why = "".join(c for c in (found[1] if found else "")
                          if c.isascii() and c.isprintable())[:100]
            why = f"{failed}: {why}" if why else str(failed)
            raise CallAssistError(
                f"{p}: the Vosk model is broken ({why}): download it again with "
                "`callassist models download`"
            )
        self.path = p
        self.model = p.name if p.name != "model" else str(p)

    def recognizer(self, speaker: str = "agent") -> VoskRecognizer:
        return VoskRecognizer(self._model)
