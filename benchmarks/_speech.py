"""What the speech benchmarks share: the voices that speak their text, the telephone condition,
and word error rate.

    from _speech import VOICES, speak, telephone, telephone_wav, wer

- Voices: espeak-ng (formant synthesis; en-us for the agent, en-gb for the customer) and Piper's
  neural en_US "joe" voice that the project ships for the practice caller.
- Telephone: what a customer's voice is when it reaches the agent's PC from the phone network:
  band-limited to 300-3,400 Hz, 8 kHz G.711 mu-law, and back to 16 kHz (sox does each step).
- WER: word-level edit distance over the reference's words, both in recogniser form.
"""

from __future__ import annotations

import subprocess
import tempfile
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from callassist.audio.resample import TARGET_RATE
from callassist.audio.speak import speak_text
from callassist.audio.wavfile import read_frames, read_info, write_wav
from callassist.speech.normalize import spoken_words

VOICES = ("espeak", "piper")
CONDITIONS = ("clean", "telephone")


@cache
def _piper():
    from callassist.practice.voice import PiperVoice

    return PiperVoice()


def speak(text: str, voice: str, speaker: str = "agent") -> np.ndarray:
    """16 kHz int16 speech of `text`, without leading or trailing silence."""
    if voice == "espeak":
        return speak_text(text, "en-us" if speaker == "agent" else "en-gb")
    from callassist.practice.voice import PIPER_RATE_WPM

    # Piper at its natural pace: a scenario's voice rate is all that speak() reads of it.
    natural = SimpleNamespace(voice=SimpleNamespace(rate=PIPER_RATE_WPM))
    x = _piper().speak(text, natural)
    voiced = np.flatnonzero(np.abs(x.astype(np.int32)) > 30)
    return x[voiced[0]: voiced[-1] + 1] if voiced.size else x


def telephone_wav(src: Path, dst: Path) -> None:
    """Each channel band-limited to 300-3,400 Hz, to 8 kHz mu-law and back to 16-bit 16 kHz."""
    with tempfile.TemporaryDirectory() as tmp:
        mid = Path(tmp) / "g711.wav"
        subprocess.run(["sox", str(src), "-r", "8000", "-e", "mu-law", "-b", "8", str(mid),
                        "sinc", "300-3400"], check=True, capture_output=True)
        subprocess.run(["sox", str(mid), "-r", str(TARGET_RATE), "-e", "signed-integer", "-b",
                        "16", str(dst)], check=True, capture_output=True)


def telephone(samples: np.ndarray) -> np.ndarray:
    """The telephone condition of 16 kHz int16 mono samples."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.wav", Path(tmp) / "out.wav"
        write_wav(src, samples)
        telephone_wav(src, dst)
        info = read_info(dst)
        out = np.concatenate([f[:, 0] for f in read_frames(info, 1 << 16)])
    return np.clip(out * 32768, -32768, 32767).astype(np.int16)


def edits(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def wer(pairs: list[tuple[str, str]]) -> float:
    """Word error rate over (reference, hypothesis) pairs, both put in recogniser form."""
    errors = words = 0
    for ref, hyp in pairs:
        r, h = spoken_words(ref), spoken_words(hyp)
        errors += edits(r, h)
        words += len(r)
    return errors / words if words else float("nan")
