"""Streaming conversion of any-rate float audio to 16 kHz mono int16."""

from __future__ import annotations

import numpy as np

TARGET_RATE = 16000
# The highest input rate anything records at (DXD studio audio). The low-pass filter grows with
# the ratio of the rates, so a bound on the rate bounds the work per sample: a header claiming
# 4.29 GHz would otherwise build a 4-million-tap filter.
MAX_RATE = 768_000


def _lowpass(cutoff: float, numtaps: int) -> np.ndarray:
    """A Hann-windowed sinc; cutoff as a fraction of the input sample rate."""
    n = np.arange(numtaps) - (numtaps - 1) / 2
    taps = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hanning(numtaps)
    out: np.ndarray = (taps / taps.sum()).astype(np.float32)
    return out


class Resampler:
    """Low-pass at the output's Nyquist (so 48 kHz noise does not fold into speech), then linear
    interpolation at the output rate. Keeps state between chunks, so a stream resampled chunk by
    chunk equals the whole resampled at once."""

    def __init__(self, rate_in: int, rate_out: int = TARGET_RATE):
        if not 0 < rate_in <= MAX_RATE or not 0 < rate_out <= MAX_RATE:
            raise ValueError(f"sample rates must be 1 to {MAX_RATE} Hz, not {rate_in} -> "
                             f"{rate_out}")
        self.rate_in = rate_in
        self.rate_out = rate_out
        self.step = rate_in / rate_out
        if rate_in > rate_out:
            self._taps = _lowpass(0.45 * rate_out / rate_in, 16 * int(np.ceil(self.step)) + 1)
        else:
            self._taps = np.ones(1, dtype=np.float32)
        self._history = np.zeros(len(self._taps) - 1, dtype=np.float32)
        self._n = 0  # filtered samples produced so far
        self._last = np.float32(0.0)  # the filtered sample before this chunk
        self._next = 0.0  # position (in filtered samples) of the next output sample

    def process(self, x: np.ndarray) -> np.ndarray:
        """Float samples in [-1, 1] at rate_in -> float samples at rate_out."""
        x = np.asarray(x, dtype=np.float32)
        if self.rate_in == self.rate_out:
            return x
        if x.size == 0:
            return x
        padded = np.concatenate([self._history, x])
        y = np.convolve(padded, self._taps, mode="valid").astype(np.float32)
        self._history = padded[len(padded) - (len(self._taps) - 1):]
        ext = np.concatenate([[self._last], y])
        xp = np.arange(self._n - 1, self._n + len(y), dtype=np.float64)
        hi = self._n + len(y) - 1
        pos = np.arange(self._next, hi + 1e-9, self.step)
        out: np.ndarray = np.interp(pos, xp, ext).astype(np.float32)
        if pos.size:
            self._next = pos[-1] + self.step
        self._n += len(y)
        self._last = y[-1]
        return out


def to_int16(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = (np.clip(x, -1.0, 32767 / 32768) * 32768.0).astype(np.int16)
    return out
