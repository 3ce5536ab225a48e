"""Level (dBFS) and voice activity of one block of 16 kHz int16 audio, with numpy."""

from __future__ import annotations

import math
from collections import deque

import numpy as np

SILENCE_DBFS = -100.0


def dbfs(samples: np.ndarray) -> float:
    """RMS level relative to full scale; digital silence is SILENCE_DBFS, not -inf."""
    if samples.size == 0:
        return SILENCE_DBFS
    x = samples.astype(np.float32) / 32768.0
    rms = float(np.sqrt(np.mean(x * x)))
    return max(SILENCE_DBFS, 20.0 * math.log10(rms)) if rms > 0 else SILENCE_DBFS


class VoiceActivity:
    """Energy above the noise floor, the quietest block of the last `window` blocks.

    Speech has gaps between words and sentences, so within a few seconds some block drops to
    the background; a steady hum or a noisy room is therefore learnt as the floor within
    `window` blocks while talking never is. `min_dbfs` keeps a silent line from calling
    breath noise speech.
    """

    def __init__(self, margin_db: float = 12.0, min_dbfs: float = -50.0, window: int = 30,
                 initial_floor: float = -70.0):
        self.margin_db = margin_db
        self.min_dbfs = min_dbfs
        self.initial_floor = initial_floor
        self._recent: deque[float] = deque(maxlen=window)

    @property
    def floor(self) -> float:
        return min(self._recent, default=self.initial_floor)

    def __call__(self, level: float) -> bool:
        voiced = level >= max(self.min_dbfs, self.floor + self.margin_db)
        self._recent.append(level)
        return voiced
