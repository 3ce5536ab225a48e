"""The fallback engine on pocketsphinx, whose US English model ships in its wheel.

Out of the box its general language model turns call-centre speech into near nonsense, so the
engine biases it toward the playbook: at start-up it writes a trigram language model built from
the playbook's own phrases mixed with everyday service-desk sentences (`sphinx_lm.py`) and
decodes with that. Speech is cut into utterances by pocketsphinx's voice-activity endpointer;
partial hypotheses come every `partial_s` of speech.

A fresh decoder starts from the acoustic model's average cepstral mean, which a headset (or
espeak-ng) is far from, and adapts it during the first utterance, so that utterance, often the
apology, comes out garbled. The first utterance of a fresh decoder is therefore decoded again
once it has ended, with the adapted mean. Decoders are kept in the engine between calls, so
the next call starts adapted to the agent's microphone.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

from callassist.coach.events import Word
from callassist.coach.playbook import Playbook
from callassist.errors import CallAssistError
from callassist.speech.types import Result

RATE = 16000
FRAMES_PER_S = 100  # pocketsphinx's default frame rate


def _plain(word: str) -> str | None:
    """A dictionary word without its pronunciation variant; None for silence and fillers."""
    if word.startswith(("<", "[")) or word in ("<sil>",):
        return None
    return word.split("(")[0]


class SphinxRecognizer:
    def __init__(self, engine: SphinxEngine, decoder: Any, fresh: bool, partial_s: float = 0.3):
        from pocketsphinx import Endpointer

        self._engine = engine
        self._decoder = decoder
        self._redecode = fresh
        self._utt_audio: list[bytes] = []
        self._ep = Endpointer(sample_rate=RATE)
        self._frame = self._ep.frame_bytes
        self._pending = b""
        self._n = 0  # samples accepted
        self._in_utt = False
        self._utt_start = 0.0
        self._utt_samples = 0
        self._partial_every = int(partial_s * RATE)
        self._next_partial = 0
        self._partial = ""

    @property
    def now(self) -> float:
        return self._n / RATE

    def _words(self) -> tuple[Word, ...]:
        out = []
        for seg in self._decoder.seg():
            w = _plain(seg.word)
            if w:
                out.append(
                    Word(w, self._utt_start + seg.start_frame / FRAMES_PER_S,
                         self._utt_start + (seg.end_frame + 1) / FRAMES_PER_S,
                         float(min(1.0, np.exp(seg.prob / 10000.0))) if seg.prob else 1.0)
                )
        return tuple(out)

    def _speech(self, chunk: bytes) -> list[Result]:
        if not self._in_utt:
            self._decoder.start_utt()
            self._in_utt = True
            self._utt_start = self._ep.speech_start
            self._utt_samples = 0
            self._next_partial = self._partial_every
            self._partial = ""
            self._utt_audio = []
        self._decoder.process_raw(chunk, False, False)
        if self._redecode:
            self._utt_audio.append(chunk)
        self._utt_samples += len(chunk) // 2
        if self._utt_samples < self._next_partial:
            return []
        self._next_partial = self._utt_samples + self._partial_every
        hyp = self._decoder.hyp()
        text = " ".join(w for w in (hyp.hypstr.split() if hyp else ()) if _plain(w))
        if not text or text == self._partial:
            return []
        self._partial = text
        end = self._utt_start + self._utt_samples / RATE
        return [Result(text, False, self._utt_start, end, self._words())]

    def _end_utt(self) -> list[Result]:
        if not self._in_utt:
            return []
        self._decoder.end_utt()
        self._in_utt = False
        if self._redecode:
            self._redecode = False
            self._decoder.start_utt()
            self._decoder.process_raw(b"".join(self._utt_audio), False, True)
            self._decoder.end_utt()
            self._utt_audio = []
        hyp = self._decoder.hyp()
        words = self._words()
        text = " ".join(w.text for w in words) if words else (hyp.hypstr if hyp else "")
        if not text.strip():
            return []
        end = words[-1].end if words else self._utt_start + self._utt_samples / RATE
        return [Result(text, True, words[0].start if words else self._utt_start, end, words)]

    def accept(self, samples: np.ndarray) -> list[Result]:
        self._n += len(samples)
        data = self._pending + np.ascontiguousarray(samples, dtype="<i2").tobytes()
        out: list[Result] = []
        full = len(data) - len(data) % self._frame
        for i in range(0, full, self._frame):
            speech = self._ep.process(data[i:i + self._frame])
            if speech is not None:
                out += self._speech(speech)
            elif self._in_utt and not self._ep.in_speech:
                out += self._end_utt()
        self._pending = data[full:]
        return out

    def finish(self) -> list[Result]:
        out: list[Result] = []
        # end_stream raises IndexError on an empty buffer (a recording whose length is a
        # multiple of the 30 ms frame, ending mid-speech); with nothing pending there is
        # nothing left to flush, so the utterance simply ends.
        if self._ep.in_speech and self._pending:
            rest = self._ep.end_stream(self._pending)
            if rest:
                out += self._speech(rest)
        out += self._end_utt()
        self._pending = b""
        self._engine._release(self._decoder)
        return out


class SphinxEngine:
    """pocketsphinx with its bundled US English model; `playbook` biases it toward the
    playbook's language (None: the stock language model)."""

    name = "pocketsphinx"

    def __init__(self, playbook: Playbook | None = None):
        try:
            import pocketsphinx
        except ImportError:
            raise CallAssistError(
                "pocketsphinx is not installed: reinstall CallAssist (pip install -e .)"
            ) from None
        pocketsphinx.set_loglevel("FATAL")
        self._pocketsphinx = pocketsphinx
        self._kwargs: dict[str, Any] = {"loglevel": "FATAL"}
        if playbook is not None:
            from callassist.speech.sphinx_lm import write_playbook_lm

            model_dir = Path(pocketsphinx.get_model_path()) / "en-us"
            try:
                self._tmp = tempfile.TemporaryDirectory(prefix="callassist-lm-")
                lm_path, dict_path = write_playbook_lm(
                    playbook, model_dir / "cmudict-en-us.dict", Path(self._tmp.name)
                )
            except OSError as e:
                raise CallAssistError(
                    f"cannot write the playbook language model to {tempfile.gettempdir()}: "
                    f"{e.strerror or e}: free some disk space or pass --no-bias"
                ) from None
            self._kwargs.update(lm=str(lm_path), dict=str(dict_path))
            self.model = "en-us + playbook language model"
        else:
            self.model = "en-us (stock language model)"
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._fresh: set[int] = set()
        self._release(self._new_decoder())  # fail now, not mid-call

    def _new_decoder(self) -> Any:  # a pocketsphinx.Decoder (untyped)
        try:
            decoder = self._pocketsphinx.Decoder(**self._kwargs)
        except (RuntimeError, ValueError) as e:
            raise CallAssistError(f"pocketsphinx cannot start: {e}") from None
        self._fresh.add(id(decoder))
        return decoder

    def _release(self, decoder: Any) -> None:
        with self._lock:
            self._idle.append(decoder)

    def recognizer(self, speaker: str = "agent") -> SphinxRecognizer:
        with self._lock:
            decoder = self._idle.pop() if self._idle else None
        decoder = decoder or self._new_decoder()
        fresh = id(decoder) in self._fresh
        self._fresh.discard(id(decoder))
        return SphinxRecognizer(self, decoder, fresh)
