"""When a call starts and ends, decided from voice activity alone (no audio, no clock, no Qt):
fed one frame a block per speaker, it says "start" once the agent and the customer have both
spoken, and "end" once both have been silent for the set silence.

    detector = CallDetector(silence_s=20.0)
    for frame in frames:                      # Frame(speaker, at, end, voiced), in time order
        decision = detector.feed(frame)       # None, START or END
    detector.call_from                        # where the call's audio begins (its opening
                                              # words, said before the other side spoke)

A call needs both sides: one voice alone (the agent talking to a colleague, a radio on the
customer line) never starts one. The opening a call starts with is the first speech after a
silence of `silence_s` on both sides, so the agent's greeting is part of the call even though
the call is only known to have started once the customer answered; at most `max_opening_s`
of it is kept. After a call ended by hand (or by the phone system), voice only starts the next
one after both sides were silent for `rearm_s`: the goodbyes of the call just ended never open
a new one. A call started by hand ends by silence too, once both sides have spoken in it.
While the caller is on hold (`holding`: the agent said "please hold" or "one moment" and
nobody has spoken since) the silence that ends the call is `hold_s` (10 minutes), not
`silence_s`: a hold is not the end of the call.

Each side's silence is measured on its own frames' clock: two inputs (a headset and the
customer's line) never start at quite the same moment, and a second of difference between
their clocks must not turn a short pause into the silence that separates two calls."""

from __future__ import annotations

from dataclasses import dataclass

START, END = "start", "end"
HOLD_S = 600.0
SPEAKERS = ("agent", "customer")


@dataclass(frozen=True)
class Frame:
    """The voice activity of one block of one speaker's audio (seconds on the input's clock)."""

    speaker: str
    at: float
    end: float
    voiced: bool


class CallDetector:
    def __init__(
        self, silence_s: float = 20.0, min_speech_s: float = 0.4, lead_s: float = 0.5,
        max_opening_s: float = 30.0, rearm_s: float = 2.0, hold_s: float = HOLD_S,
    ):
        self.silence_s = silence_s        # silence on both sides that ends a call
        self.min_speech_s = min_speech_s  # voiced time that counts as a side having spoken
        self.lead_s = lead_s              # audio kept before the first voiced block
        self.max_opening_s = max_opening_s
        self.rearm_s = rearm_s
        self.hold_s = max(hold_s, silence_s)
        self.in_call = False
        self.call_from: float | None = None  # where the current (or starting) call's audio begins
        self._spoken: dict[str, float] = dict.fromkeys(SPEAKERS, 0.0)
        # per side: the end of its latest frame, and of its latest voiced frame
        self._heard_to: dict[str, float] = dict.fromkeys(SPEAKERS, 0.0)
        self._voiced_to: dict[str, float | None] = dict.fromkeys(SPEAKERS)
        self._opened_at: float | None = None   # first voiced block of the opening
        self._armed = True
        self._now = 0.0  # the latest frame's end, either side

    # -- what the audio says ---------------------------------------------------------------

    def feed(self, frame: Frame, holding: bool = False) -> str | None:
        self._now = max(self._now, frame.end)
        self._heard_to[frame.speaker] = max(self._heard_to.get(frame.speaker, 0.0), frame.end)
        if not self._armed:
            if frame.voiced:
                self._voiced_to[frame.speaker] = frame.end
            elif self._silent_for() >= self.rearm_s:
                self._armed = True
                self._forget_opening()
            return None
        if self.in_call:
            return self._in_call(frame, holding)
        return self._waiting(frame)

    def _waiting(self, frame: Frame) -> str | None:
        if self._opened_at is not None and self._silent_for() >= self.silence_s:
            self._forget_opening()  # a silence between two voices: they were not one call
        if frame.voiced:
            if self._opened_at is None:
                self._opened_at = frame.at
            self._hear(frame)
        if self._opened_at is not None and self._now - self._opened_at > self.max_opening_s:
            # One voice went on alone: keep only the latest of it as the opening.
            self._opened_at = self._now - self.max_opening_s
        if self._both_spoke() and self._opened_at is not None:
            self.in_call = True
            self.call_from = max(0.0, self._opened_at - self.lead_s)
            return START
        return None

    def _in_call(self, frame: Frame, holding: bool) -> str | None:
        if frame.voiced:
            self._hear(frame)
        elif self._both_spoke() and self._silent_for() >= (
                self.hold_s if holding else self.silence_s):
            self._end_call(armed=True)
            return END
        return None

    # -- what the agent (or the phone system) did ------------------------------------------

    def start_by_hand(self) -> None:
        """A call started by hand while waiting: it begins with the opening heard so far (or
        now), and ends by silence once both sides have spoken in it."""
        if self.in_call:
            return
        self.in_call = True
        opened = self._opened_at if self._opened_at is not None else self._now
        self.call_from = max(0.0, opened - self.lead_s)
        self._armed = True

    def end_by_hand(self) -> None:
        """The call was ended by hand: the next one waits for a silence on both sides first."""
        self._end_call(armed=False)

    # -- state ------------------------------------------------------------------------------

    def _hear(self, frame: Frame) -> None:
        self._spoken[frame.speaker] = self._spoken.get(frame.speaker, 0.0) + (
            frame.end - frame.at)
        self._voiced_to[frame.speaker] = frame.end

    @property
    def last_voice(self) -> float:
        """When either side last spoke (the detector's clock)."""
        return max((t for t in self._voiced_to.values() if t is not None), default=0.0)

    def _both_spoke(self) -> bool:
        return all(self._spoken[sp] >= self.min_speech_s for sp in SPEAKERS)

    def _silent_for(self) -> float:
        """How long both sides have been silent, each on its own clock."""
        return min(self._heard_to[sp] - (self._voiced_to[sp] or 0.0) for sp in SPEAKERS)

    def _forget_opening(self) -> None:
        self._opened_at = None
        self._spoken = dict.fromkeys(SPEAKERS, 0.0)

    def _end_call(self, armed: bool) -> None:
        self.in_call = False
        self.call_from = None
        self._armed = armed
        self._forget_opening()
