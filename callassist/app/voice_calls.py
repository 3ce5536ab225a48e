"""Calls that start and end themselves: the audio input is listened to between calls, and its
voice activity (agent and customer) goes to the CallDetector (app/call_detector.py), which
says when a call starts and when it has ended.

    calls = VoiceCalls(silence_s=20.0)
    if calls.wait(audio, stop):      # blocks until both sides have spoken (or start_now())
        for block in calls.blocks(stop): ...   # the call: its opening first, then live audio,
                                               # until the silence ends it or stop is set

The blocks heard while waiting are held (at most the detector's opening), so a call begins
with the agent's greeting although it is only known to be a call once the customer answered;
the call's blocks are timed from the start of that opening. Each call has its input opened
for it (as every live call does); the detector's clock carries on from one input to the next,
so a call ended by hand still needs a pause before voice starts the next."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator

from callassist.app.call_detector import END, START, CallDetector, Frame
from callassist.audio.echo import CustomerEcho
from callassist.audio.levels import VoiceActivity, dbfs
from callassist.audio.sources import AudioSource, Block


class VoiceCalls:
    def __init__(self, silence_s: float, detector: CallDetector | None = None):
        self.detector = detector or CallDetector(silence_s=silence_s)
        self._start_now = threading.Event()
        self._audio: AudioSource | None = None
        self._it: Iterator[Block] | None = None
        self._held: deque[Block] = deque()
        self._vad: dict[str, VoiceActivity] = {}
        self._echo = CustomerEcho()  # the agent's echo on the customer's channel (W2)
        self._offset = 0.0   # the detector's clock when this input opened
        self._clock = 0.0    # the detector's clock now
        self.ready = False   # a call has started and its blocks are waiting to be read
        # Where the last call ended by silence ended in call time: at its last words (M6).
        self.last_words_at: float | None = None
        # How far into the call its start was known (the opening heard before both spoke):
        # the overlay's timer starts there, so it agrees with the events' times (UX L1).
        self.opening_s = 0.0
        # Whether the caller is on hold now (the call's session says; see CallDetector).
        self.holding: Callable[[], bool] = lambda: False

    # -- the AudioSource a call reads ----------------------------------------------------------

    @property
    def description(self) -> str:
        return self._audio.description if self._audio is not None else ""

    @property
    def lost(self) -> str | None:
        return self._audio.lost if self._audio is not None else None

    @property
    def overflows(self) -> int:
        return self._audio.overflows if self._audio is not None else 0

    # -- thread-safe ---------------------------------------------------------------------------

    def start_now(self) -> None:
        """Start the call now (by hand, or the phone system said so) rather than by voice."""
        self._start_now.set()

    # -- on the call's thread ------------------------------------------------------------------

    def wait(self, audio: AudioSource, stop: threading.Event) -> bool:
        """Listens to `audio` until a call starts (True), or stop is set or the input ends
        (False: the input is closed)."""
        self._close()
        self._audio, self._it = audio, audio.blocks(stop)
        self._offset, self._vad = self._clock, {}
        self._echo = CustomerEcho()
        for block in self._it:
            self._held.append(block)
            decision = self.detector.feed(self._frame(block))
            if self._start_now.is_set():
                self.detector.start_by_hand()
                decision = START
            if decision == START:
                self._start_now.clear()
                self.ready = True
                self.opening_s = max(0.0, self._clock - (self.detector.call_from or self._clock))
                return True
            self._forget_old()
        self._start_now.clear()
        self._close()
        return False

    def blocks(self, stop: threading.Event) -> Iterator[Block]:
        """The call's audio: the held opening, then the input, until the detector ends the
        call or stop is set (ended by hand). The input is closed after."""
        self.ready = False
        self.last_words_at = None
        start = (self.detector.call_from or 0.0) - self._offset
        try:
            for block in self._held:
                if block.end > start:
                    yield self._timed(block, start)
            self._held.clear()
            if self._it is None:
                return
            for block in self._it:
                yield self._timed(block, start)
                if self.detector.feed(self._frame(block), self.holding()) == END:
                    self.last_words_at = max(0.0, self.detector.last_voice - self._offset
                                             - start)
                    return
            if self.detector.in_call:
                self.detector.end_by_hand()  # stopped by hand, or the input was lost
        finally:
            self._close()

    def _frame(self, block: Block) -> Frame:
        vad = self._vad.setdefault(block.speaker, VoiceActivity())
        self._clock = max(self._clock, self._offset + block.end)
        samples = block.samples
        if block.speaker == "agent":
            self._echo.agent(block.at, samples)
        elif block.speaker == "customer":  # "one voice alone never starts a call" (W2)
            samples = self._echo.filter(block.at, samples)
        return Frame(block.speaker, self._offset + block.at, self._offset + block.end,
                     vad(dbfs(samples)))

    @staticmethod
    def _timed(block: Block, start: float) -> Block:
        return Block(block.speaker, max(0.0, block.at - start), block.samples)

    def _forget_old(self) -> None:
        keep_from = self._clock - self._offset - (self.detector.max_opening_s
                                                  + self.detector.lead_s + 1.0)
        while self._held and self._held[0].end < keep_from:
            self._held.popleft()

    def _close(self) -> None:
        self._held.clear()
        if self._it is not None:
            self._it.close()  # type: ignore[attr-defined]  # a generator: closes the stream
            self._it = None
