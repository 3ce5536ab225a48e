"""Whisper decodes over a window that follows the utterance, not always 30 s.

Whisper was trained on 30 s windows, and faster-whisper always encodes one, so a 2 s utterance
costs as much as a 30 s one: on tiny.en about 90 % of a decode is the encoder reading silence
padding. CTranslate2 (since 3.19) accepts a shorter encoder input, and faster-whisper has no
option for it, so this module drives CTranslate2's Whisper model itself, reusing the loaded
faster-whisper model's parts (its CTranslate2 model, feature extractor and tokenizer) so the
model is in memory once:

- the window is max(utterance + `margin_s`, `floor_s`): with no floor, the decoder does not
  know where the speech ends and loops ("thank you a moment thank you a moment ..."); a 5 s
  floor loses words (docs/speech-short-window.md has the measurements that chose 10 s);
- the output is capped at `tokens_per_s` per second of audio + `tokens_base` tokens, so a
  decode that loops all the same stops early instead of running to 448 tokens;
- a decode that reaches the cap, or repeats itself, is `looped`: the caller decodes the
  utterance again over the full window (WhisperEngine does);
- word times come from CTranslate2's cross-attention alignment, as faster-whisper's do.

The parts of faster-whisper used here are checked by tests/speech/test_whisper_window.py,
which fails if a faster-whisper release renames or reshapes them.
"""

from __future__ import annotations

import math
import string
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

RATE = 16000
FRAMES_PER_S = 100  # mel frames (10 ms hop)
TOKENS_PER_S = 50  # encoder positions: the alignment's time step is 20 ms
FULL_WINDOW_S = 30.0
# faster-whisper's own test for a decode that repeats itself (its compression_ratio_threshold)
COMPRESSION_RATIO_LOOP = 2.4
# A phrase of up to MAX_LOOP_PHRASE words said back to back, LOOP_REPEATS times or more and
# over MIN_LOOP_WORDS words in all, is a loop whatever the cap: "thank you a moment thank you
# a moment", or tiny.en's "I really do apologize. I really do apologize. I really do" on a
# 1 s utterance that did not reach the cap. "no no no" is speech; a person who does say a
# three-word phrase twice only costs a full-window decode.
LOOP_REPEATS = 2
MAX_LOOP_PHRASE = 6
MIN_LOOP_WORDS = 6
MEDIAN_FILTER_WIDTH = 7


@dataclass(frozen=True)
class Window:
    """How long a window a decode gets, and how many tokens it may write."""

    floor_s: float = 10.0
    margin_s: float = 1.0
    tokens_per_s: float = 8.0
    tokens_base: int = 8

    def seconds(self, audio_s: float) -> float:
        return min(FULL_WINDOW_S, max(audio_s + self.margin_s, self.floor_s))

    def cap(self, audio_s: float) -> int:
        return math.ceil(self.tokens_per_s * audio_s) + self.tokens_base


SHORT = Window()  # the default, chosen by benchmarks/speech_window.py


@dataclass(frozen=True)
class TimedWord:
    text: str  # Whisper's written word, with its punctuation
    start: float  # seconds from the start of the audio
    end: float
    probability: float


@dataclass(frozen=True)
class Decoded:
    text: str  # Whisper's written text
    words: tuple[TimedWord, ...]  # empty unless asked for
    no_speech_prob: float
    avg_logprob: float
    tokens: int
    looped: bool  # reached the cap or repeats itself: decode again over the full window
    window_s: float


def repeats_itself(text: str) -> bool:
    """A phrase said back to back LOOP_REPEATS times or more (and over MIN_LOOP_WORDS words),
    or text that compresses as well as faster-whisper's loops do."""
    raw = text.encode("utf-8")
    if len(raw) > 80 and len(raw) / len(zlib.compress(raw)) > COMPRESSION_RATIO_LOOP:
        return True
    words = [w.strip(string.punctuation).lower() for w in text.split()]
    words = [w for w in words if w]
    for n in range(1, MAX_LOOP_PHRASE + 1):
        need = max(LOOP_REPEATS, math.ceil(MIN_LOOP_WORDS / n))  # 1 word: 6 times, 3+: twice
        for i in range(len(words) - n * need + 1):
            phrase = words[i:i + n]
            if all(words[i + k * n:i + (k + 1) * n] == phrase for k in range(1, need)):
                return True
    return False


class ShortWindowDecoder:
    """Greedy decodes of one utterance over a short window, with the parts of a loaded
    faster_whisper.WhisperModel."""

    def __init__(self, model: Any, window: Window = SHORT):
        from faster_whisper.tokenizer import Tokenizer

        self._fw = model
        self._ct2 = model.model  # ctranslate2.models.Whisper
        self._features = model.feature_extractor
        self._tok = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe",
                              language="en")
        self.window = window
        tok = self._tok
        self._suppress = sorted({*tok.non_speech_tokens, tok.transcribe, tok.translate, tok.sot,
                                 tok.sot_prev, tok.sot_lm, tok.no_speech} - {None})

    def _prompt(self, prompt: str | None) -> list[int]:
        tok = self._tok
        out: list[int] = []
        if prompt:
            out += [tok.sot_prev, *tok.encode(" " + prompt.strip())[-223:]]
        return [*out, *tok.sot_sequence, tok.no_timestamps]

    def decode(self, audio: np.ndarray, words: bool, prompt: str | None = None) -> Decoded:
        """One greedy decode of `audio` (float32, 16 kHz, at most 30 s)."""
        import ctranslate2

        audio_s = len(audio) / RATE
        window_s = self.window.seconds(audio_s)
        frames = 2 * round(window_s * FRAMES_PER_S / 2)  # the encoder's stride is 2
        mel = self._features(audio)  # (80, content + 1): the last frame is padding
        content = min(mel.shape[-1] - 1, frames)
        feats = np.zeros((1, mel.shape[0], frames), np.float32)
        feats[0, :, :content] = mel[:, :content]
        encoded = self._ct2.encode(ctranslate2.StorageView.from_array(feats), to_cpu=False)
        cap = self.window.cap(audio_s)
        prompt_ids = self._prompt(prompt)
        result = self._ct2.generate(
            encoded, [prompt_ids], beam_size=1, max_length=len(prompt_ids) + cap,
            return_scores=True, return_no_speech_prob=True, suppress_blank=True,
            suppress_tokens=self._suppress,
        )[0]
        ids = [t for t in result.sequences_ids[0] if t < self._tok.eot]
        text = self._tok.decode(ids).strip()
        # faster-whisper's average log-probability, from CTranslate2's length-normalised score
        avg_logprob = result.scores[0] * len(ids) / (len(ids) + 1)
        looped = len(result.sequences_ids[0]) >= cap or repeats_itself(text)
        timed = self._align(encoded, ids, content) if words and ids and not looped else ()
        return Decoded(text, timed, float(result.no_speech_prob), float(avg_logprob), len(ids),
                       looped, window_s)

    def _align(self, encoded: Any, ids: list[int], frames: int) -> tuple[TimedWord, ...]:
        """Word times from the cross-attention alignment (dynamic time warping, done by
        CTranslate2), each written word with its punctuation, as faster-whisper gives them."""
        tok = self._tok
        result = self._ct2.align(encoded, tok.sot_sequence, [ids], frames,
                                 median_filter_width=MEDIAN_FILTER_WIDTH)[0]
        pieces, piece_tokens = tok.split_to_word_tokens([*ids, tok.eot])
        if len(piece_tokens) <= 1 or not result.alignments:
            return ()
        text_idx = np.array([p[0] for p in result.alignments])
        time_idx = np.array([p[1] for p in result.alignments])
        jumps = np.pad(np.diff(text_idx), (1, 0), constant_values=1).astype(bool)
        jump_times = time_idx[jumps] / TOKENS_PER_S
        bounds = np.pad(np.cumsum([len(t) for t in piece_tokens[:-1]]), (1, 0))
        probs = np.asarray(result.text_token_probs)
        out: list[TimedWord] = []
        for k, piece in enumerate(pieces[:-1]):  # the last piece is the end of text
            i, j = int(bounds[k]), int(bounds[k + 1])
            if j >= len(jump_times) or i >= len(jump_times):
                break
            start, end = float(jump_times[i]), float(jump_times[j])
            prob = float(np.mean(probs[i:j])) if j > i else 0.0
            if out and not piece.startswith(" ") and piece.strip() in string.punctuation:
                # punctuation belongs to the word before it, as faster-whisper merges it
                w = out[-1]
                out[-1] = TimedWord(w.text + piece, w.start, w.end, w.probability)
                continue
            out.append(TimedWord(piece.strip(), start, end, prob))
        return _clamp_long_edges(out)


def _clamp_long_edges(words: list[TimedWord]) -> tuple[TimedWord, ...]:
    """The first and last word of an utterance often soak up the silence around it in the
    alignment: no edge word may last more than twice the median word (at most 1.4 s), as
    faster-whisper's own heuristic does at sentence ends."""
    if len(words) < 2:
        return tuple(words)
    durations = [w.end - w.start for w in words if w.end > w.start]
    median = min(0.7, float(np.median(durations))) if durations else 0.0
    longest = 2 * median
    if longest <= 0:
        return tuple(words)
    first, last = words[0], words[-1]
    if first.end - first.start > longest:
        words[0] = TimedWord(first.text, first.end - longest, first.end, first.probability)
    if last.end - last.start > longest:
        words[-1] = TimedWord(last.text, last.start, last.start + longest, last.probability)
    return tuple(words)
