"""The neural English engine: Whisper through faster-whisper (CTranslate2, int8, on the CPU).

Whisper decodes whole stretches of audio, not a stream. faster-whisper always encodes a 30 s
window, so one decode costs the same (~0.5 s here) whatever the length; by default each decode
here uses a window that follows the utterance instead (whisper_window.py: under a third of
the CPU), and falls back to the full window when that decode loops. The `whisper_window`
setting ("full") turns the full window back on. The recognizer cuts the audio into utterances
with voice activity (energy over the learnt noise floor, as the other engines' callers do), and:

- while the agent speaks, decodes the utterance so far every `partial_every_s` of new speech
  (never sooner than the last decode took, so a slow machine decodes less often instead of
  falling behind), and again at the first pause: a partial result, so a step ticks before the
  sentence is final;
- once the audio has been quiet for `end_silence_s`, or the utterance reaches
  `max_utterance_s`, decodes it with word timings: the final result. When nothing was said
  since the pause began, the decode made at the pause (timed too) is the final as it is, so
  the final comes as soon as the silence is long enough, with no second decode.

Partials are decoded for the speakers in `partials` ("agent" by default: the customer's words
only need to be final to prompt the agent). The pause decode is made for every speaker, so the
customer's final, too, is ready when the silence ends it and the upset-customer prompt follows
the customer's words by the silence alone. Output is turned into the recogniser form the
coach reads (normalize.py). Decodes run on the caller's thread, in order, so results are the
same however fast the audio comes (a file analysed at full speed, or a live call).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from callassist.audio.levels import VoiceActivity, dbfs
from callassist.coach.events import Word
from callassist.errors import CallAssistError
from callassist.speech.normalize import spoken_timed, spoken_words
from callassist.speech.types import Result
from callassist.speech.whisper_model import TINY_EN, WhisperModelSpec, verify
from callassist.speech.whisper_window import SHORT, Decoded, ShortWindowDecoder, Window

RATE = 16000
PREROLL_S = 0.3  # audio kept from before voice onset, so a soft first word is not cut
PAUSE_PARTIAL_S = 0.25  # new speech since the last decode worth a decode at a pause
# Whisper's tell-tale output on a breath or a click: a segment it is not sure holds speech.
NO_SPEECH_PROB = 0.6
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4)
# Seconds of new speech between partial decodes, by window (short: True). A short-window
# decode costs about a third of a full one, so partials come more often for the same CPU
# (docs/speech-short-window.md).
PARTIAL_EVERY_S = {True: 0.4, False: 0.6}
LOW_LOGPROB = -1.0


class WhisperRecognizer:
    def __init__(self, engine: WhisperEngine, partials: bool):
        self._engine = engine
        self._partials = partials
        self._n = 0  # samples accepted
        self._vad = VoiceActivity()
        self._pre: list[np.ndarray] = []
        self._utt: list[np.ndarray] = []
        self._utt_start = 0.0
        self._utt_samples = 0
        self._quiet_s = 0.0
        self._decoded_samples = 0  # of this utterance, at the last partial decode
        self._last_decode_s = 0.0
        self._partial = ""
        # The decode made at the pause that began the silence now going on, with word timings:
        # if nobody speaks again before the utterance ends, it is the final result as it is.
        self._at_pause: tuple[str, tuple[Word, ...]] | None = None

    @property
    def now(self) -> float:
        return self._n / RATE

    def accept(self, samples: np.ndarray) -> list[Result]:
        block_s = len(samples) / RATE
        self._n += len(samples)
        voiced = self._vad(dbfs(samples))
        if not self._utt:
            if not voiced:
                self._pre.append(samples)
                while sum(len(p) for p in self._pre) > PREROLL_S * RATE:
                    self._pre.pop(0)
                return []
            pre = sum(len(p) for p in self._pre)
            self._utt, self._pre = [*self._pre, samples], []
            self._utt_samples = pre + len(samples)
            self._utt_start = (self._n - self._utt_samples) / RATE
            self._quiet_s = 0.0
            return []
        self._utt.append(samples)
        self._utt_samples += len(samples)
        self._quiet_s = 0.0 if voiced else self._quiet_s + block_s
        if voiced:
            self._at_pause = None
        eng = self._engine
        if self._quiet_s >= eng.end_silence_s or self._utt_samples >= eng.max_utterance_s * RATE:
            return self._final()
        new = self._utt_samples - self._decoded_samples
        due = max(eng.partial_every_s, self._last_decode_s) * RATE
        # The first quiet block after speech is when a sentence most often ends on its key
        # phrase: decode it now rather than wait for the final, half a second later.
        pause = not voiced and self._quiet_s <= block_s and new >= PAUSE_PARTIAL_S * RATE
        if self._partials and ((voiced and new >= due) or pause):
            return self._partial_result(at_pause=pause)
        if pause:
            # No partial for this speaker, but the final is ready if the pause lasts.
            self._at_pause = self._engine.decode(self._audio(), words=True)
            self._decoded_samples = self._utt_samples
        return []

    def _audio(self) -> np.ndarray:
        return np.concatenate(self._utt).astype(np.float32) / 32768.0

    def _partial_result(self, at_pause: bool) -> list[Result]:
        t0 = time.perf_counter()
        # At a pause the words are timed too (about the same cost), so the final can reuse it.
        text, words = self._engine.decode(self._audio(), words=at_pause)
        self._last_decode_s = time.perf_counter() - t0
        if at_pause:
            self._at_pause = (text, words)
        self._decoded_samples = self._utt_samples
        if not text or text == self._partial:
            return []
        self._partial = text
        return [Result(text, False, self._utt_start, self.now)]

    def _final(self) -> list[Result]:
        audio, start = self._audio(), self._utt_start
        self._utt, self._utt_samples, self._decoded_samples = [], 0, 0
        self._partial = ""
        at_pause, self._at_pause = self._at_pause, None
        text, words = at_pause or self._engine.decode(audio, words=True)
        if not text:
            return []
        timed = tuple(Word(w.text, start + w.start, start + w.end, w.conf) for w in words)
        begin = timed[0].start if timed else start
        end = timed[-1].end if timed else self.now
        return [Result(text, True, begin, end, timed)]

    def finish(self) -> list[Result]:
        return self._final() if self._utt else []


class WhisperEngine:
    """A faster-whisper model folder, checked against its pins, loaded once (about a second
    for tiny.en) and shared by the recognizers of every call."""

    name = "whisper"

    def __init__(
        self, folder: str | Path, spec: WhisperModelSpec = TINY_EN, *, threads: int = 2,
        partials: tuple[str, ...] = ("agent",), partial_every_s: float | None = None,
        end_silence_s: float = 0.5, max_utterance_s: float = 20.0, prompt: str | None = None,
        window: Window | None = SHORT,
    ):
        """`window`: the short window's floor, margin and output cap; None decodes over the
        full 30 s window, as faster-whisper does. `partial_every_s`: by default as often as
        the window's cost allows (PARTIAL_EVERY_S)."""
        folder = Path(folder)
        verify(folder, spec)
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise CallAssistError(
                "faster-whisper is not installed: run scripts/setup.sh (or pip install "
                "faster-whisper)") from None
        try:
            self._model = WhisperModel(str(folder), device="cpu", compute_type="int8",
                                       cpu_threads=threads, local_files_only=True)
        except Exception as e:  # CTranslate2 raises RuntimeError and others on a bad model
            raise CallAssistError(f"{folder}: the Whisper model does not load ({e}); "
                                  f"reinstall it") from None
        self.model = spec.name
        self.folder = folder
        self.partials = partials
        self.partial_every_s = partial_every_s or PARTIAL_EVERY_S[window is not None]
        self.end_silence_s = end_silence_s
        self.max_utterance_s = max_utterance_s
        self.prompt = prompt
        self.short = ShortWindowDecoder(self._model, window) if window is not None else None
        self.window = "short" if window is not None else "full"
        self.decodes = 0  # decodes asked for
        self.loops = 0  # short-window decodes that looped, decoded again over the full window

    def recognizer(self, speaker: str = "agent") -> WhisperRecognizer:
        return WhisperRecognizer(self, partials=speaker in self.partials)

    def decode(self, audio: np.ndarray, words: bool) -> tuple[str, tuple[Word, ...]]:
        """One decode of an utterance: its text in recogniser form, and (if asked) its words
        with times from the start of `audio`."""
        self.decodes += 1
        if self.short is not None:
            short = self.short.decode(audio, words, self.prompt)
            if not short.looped:
                return _spoken(short, words)
            self.loops += 1
        return self._full_window(audio, words)

    def _full_window(self, audio: np.ndarray, words: bool) -> tuple[str, tuple[Word, ...]]:
        segments, _ = self._model.transcribe(
            # A decode that loops ("that's all that's all ...") or is unsure is tried again
            # a little less greedily: faster-whisper's own fallback, rarely needed.
            audio, language="en", beam_size=1, temperature=FALLBACK_TEMPERATURES,
            compression_ratio_threshold=2.4, log_prob_threshold=-1.0, vad_filter=False,
            condition_on_previous_text=False, without_timestamps=not words,
            word_timestamps=words, initial_prompt=self.prompt,
        )
        texts: list[str] = []
        timed: list[Word] = []
        for seg in segments:
            if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOW_LOGPROB:
                continue
            if words and seg.words:
                timed += spoken_timed([Word(w.word, float(w.start), float(w.end),
                                            float(w.probability)) for w in seg.words])
            else:
                texts += spoken_words(seg.text)
        if words:
            return " ".join(w.text for w in timed), tuple(timed)
        return " ".join(texts), ()


def _spoken(d: Decoded, words: bool) -> tuple[str, tuple[Word, ...]]:
    """A short-window decode in recogniser form, unless Whisper heard no speech in it."""
    if d.no_speech_prob > NO_SPEECH_PROB and d.avg_logprob < LOW_LOGPROB:
        return "", ()
    timed = spoken_timed([Word(w.text, w.start, w.end, w.probability) for w in d.words])
    if not timed:  # not asked for, or the alignment found none: the words without times
        return " ".join(spoken_words(d.text)), ()
    return " ".join(w.text for w in timed), timed
