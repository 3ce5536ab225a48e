"""The caller must not coach itself. Its voice comes out of the speakers and may reach the
trainee's microphone (echo, or simply no headset): while the caller speaks, and for a tail
after (output and input latency, the room's reverberation), the microphone's blocks go to the
recogniser as silence. Whatever the caller says can therefore never tick a step or raise a
warning; the price is that the trainee cannot talk over the caller.

The gate wraps the call's audio source, so the one call runner still runs the call. Times come
in as time.monotonic() (the player's clock) and are mapped onto the call's clock by when each
block arrives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import numpy as np

from callassist.audio.sources import AudioSource, Block

TAIL_S = 0.35  # after the caller's last sample: reverberation and the input's own latency


class EchoGate:
    def __init__(self, source: AudioSource, tail_s: float = TAIL_S, speaker: str = "agent"):
        self.source = source
        self.tail_s = tail_s
        self.speaker = speaker
        self.muted_blocks = 0
        self._spans: list[tuple[float, float]] = []  # monotonic, caller speaking
        self._lock = threading.Lock()
        self._offset: float | None = None  # monotonic - call time

    @property
    def description(self) -> str:
        return self.source.description

    @property
    def lost(self) -> str | None:
        return self.source.lost

    @property
    def overflows(self) -> int:
        return self.source.overflows

    def mute(self, start: float, end: float) -> None:
        """The caller is heard from start to end (time.monotonic())."""
        with self._lock:
            self._spans.append((start, end + self.tail_s))

    def call_time(self, mono: float) -> float:
        """A time.monotonic() moment on the call's clock (seconds from the call's start)."""
        return mono - (self._offset if self._offset is not None else mono)

    def _muted(self, start: float, end: float) -> bool:
        with self._lock:
            self._spans = [s for s in self._spans if s[1] > start - 5.0]
            return any(a < end and start < b for a, b in self._spans)

    def blocks(self, stop: threading.Event) -> Iterator[Block]:
        for b in self.source.blocks(stop):
            arrived = time.monotonic()
            # The quickest a block ever arrived is the truest capture-to-arrival delay (a late
            # first block, or a busy machine, must not shift the call's clock).
            delay = arrived - b.end
            self._offset = delay if self._offset is None else min(self._offset, delay)
            # When the block was captured (not when it arrived: on a busy machine blocks wait
            # in the queue, and a trainee's words captured before the caller spoke were
            # muted because they were read while it spoke; the practice test failed so).
            start = self._offset + b.at
            end = self._offset + b.end
            if b.speaker == self.speaker and self._muted(start, end):
                self.muted_blocks += 1
                b = Block(b.speaker, b.at, np.zeros_like(b.samples))
            yield b
