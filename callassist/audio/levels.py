"""Level (dBFS) and voice activity of one block of 16 kHz int16 audio, with numpy."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SILENCE_DBFS = -100.0


def dbfs(samples: np.ndarray) -> float:
    """RMS level relative to full scale; digital silence is SILENCE_DBFS, not -inf."""
    if samples.size == 0:
        return SILENCE_DBFS
    x = samples.astype(np.float32) / 32768.0
    rms = float(np.sqrt(np.mean(x * x)))
    return max(SILENCE_DBFS, 20.0 * math.log10(rms)) if rms > 0 else SILENCE_DBFS


@dataclass
class VoiceActivity:
    """Energy above an adaptive noise floor.

    The floor follows quiet blocks quickly and loud ones slowly, so a steady hum or a noisy
    room is learnt as background within a second or two while a minute of talking does not
    raise it to the level of speech. `min_dbfs` keeps a silent line from calling breath noise
    speech.
    """

    margin_db: float = 12.0
    min_dbfs: float = -50.0
    floor: float = -70.0
    fall: float = 0.5
    rise: float = 0.01

    def __call__(self, level: float) -> bool:
        rate = self.fall if level < self.floor else self.rise
        self.floor += rate * (level - self.floor)
        return level >= max(self.min_dbfs, self.floor + self.margin_db)
