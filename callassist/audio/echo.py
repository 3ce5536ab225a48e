"""The agent's own voice on the customer's channel is echo, not the customer (W2).

A customer's speakerphone, or the telephone line itself, sends the agent's voice back on the
customer's channel 20 to 40 dB quieter and a few to a few hundred milliseconds late. Whisper
transcribes even quiet speech, so that echo became customer turns (24 in the review's call),
hid the monologue warning and started calls in which only the agent spoke.

A customer block is echo when it is a quieter copy of what the agent said just before: its
normalised cross-correlation with the agent's recent audio, at some delay up to MAX_DELAY_S,
is at least MIN_CORRELATION, and it is at least MIN_DROP_DB quieter than that stretch of the
agent's audio. The customer's own voice, even over the agent's (double talk), is not a copy of
the agent's and is kept. An echo block goes on as silence, so voice activity, the recogniser
and the tone monitors all see none.
"""

from __future__ import annotations

import numpy as np

from callassist.audio.levels import dbfs

RATE = 16000
MAX_DELAY_S = 0.35  # line echo is tens of ms; a speakerphone in a room a few hundred
MIN_CORRELATION = 0.5
MIN_DROP_DB = 6.0
QUIET_DBFS = -60.0  # the agent was heard in a stretch at least this loud
SILENT_DBFS = -85.0  # a customer block below this is digital silence: nothing to decide


class CustomerEcho:
    def __init__(self, max_delay_s: float = MAX_DELAY_S):
        self.max_delay = int(max_delay_s * RATE)
        self._agent = np.zeros(0, dtype=np.float32)
        self._agent_start = 0  # sample index (call time * RATE) of _agent[0]
        self.echo_blocks = 0

    def agent(self, at: float, samples: np.ndarray) -> None:
        """The agent's block starting at `at` seconds (call time)."""
        start = round(at * RATE)
        x = samples.astype(np.float32)
        if not self._agent.size:
            self._agent, self._agent_start = x, start
        else:
            gap = start - (self._agent_start + self._agent.size)
            pad = np.zeros(max(0, gap), dtype=np.float32)
            self._agent = np.concatenate([self._agent, pad, x[max(0, -gap):]])
        keep = self.max_delay + 4 * x.size  # enough history for the next customer blocks
        if self._agent.size > keep:
            self._agent_start += self._agent.size - keep
            self._agent = self._agent[-keep:]

    def filter(self, at: float, samples: np.ndarray) -> np.ndarray:
        """The customer's block: as it is, or silence when it is the agent's echo."""
        if self.is_echo(at, samples):
            self.echo_blocks += 1
            return np.zeros_like(samples)
        return samples

    def is_echo(self, at: float, samples: np.ndarray) -> bool:
        x = samples.astype(np.float32)
        n = x.size
        if n == 0 or dbfs(samples) < SILENT_DBFS or not self._agent.size:
            return False
        start = round(at * RATE)
        lo = max(start - self.max_delay, self._agent_start)
        hi = min(start + n, self._agent_start + self._agent.size)
        if hi - lo < n:  # not enough of the agent's audio to compare with
            return False
        a = self._agent[lo - self._agent_start: hi - self._agent_start]
        # x against every n-long window of a (delays 0 .. max_delay), through the FFT
        size = 1 << int(np.ceil(np.log2(a.size + n)))
        corr = np.fft.irfft(np.fft.rfft(a, size) * np.conj(np.fft.rfft(x, size)), size)
        corr = corr[: a.size - n + 1]
        energy = np.concatenate([[0.0], np.cumsum(a.astype(np.float64) ** 2)])
        window = energy[n:] - energy[:-n]
        # only where the agent was heard: a silent window's tiny norm would inflate the score
        heard = window > n * (32768.0 * 10 ** (QUIET_DBFS / 20)) ** 2
        norm = np.sqrt(np.maximum(window, 1.0) * float(np.dot(x, x)))
        score = np.where(heard, np.abs(corr) / norm, 0.0)
        best = int(np.argmax(score))
        if score[best] < MIN_CORRELATION:
            return False
        agent_level = 10 * np.log10(max(window[best] / n, 1e-12) / 32768.0**2)
        return bool(dbfs(samples) <= agent_level - MIN_DROP_DB)
