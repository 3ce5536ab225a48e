"""The overlay's call lifecycle as a small state machine, free of Qt so it is tested alone.

    idle --start--> listening (calls by voice) --voice or start now--> in call
    idle --start--> in call (every other source)
    in call --end--> ending --the worker reports the end--> idle, then what comes next

The window feeds it what happened (a press of Start, `callassist call start`, the worker saying
the call started or ended) and does what it answers: `Do.BEGIN` (ask the worker for a call),
`Do.START_NOW` (listening: start the call now), `Do.STOP` (ask the worker to end it). What
comes after a call is one decision (`Next`), so the window has one place that acts on it.

The phone system's `call start` always starts a call: while listening it starts at once, when
idle it begins one and starts it at once even with calls by voice (it never only listens),
while a call runs or ends it is queued and starts when that one has ended."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Phase(Enum):
    IDLE = "idle"
    LISTENING = "listening"   # calls by voice: waiting for both sides to speak
    IN_CALL = "in call"
    ENDING = "ending"         # asked to end; the worker has not reported the end yet


class Do(Enum):
    NOTHING = "nothing"
    BEGIN = "begin"               # ask the worker for a call (listening first with voice)
    BEGIN_AND_START = "begin and start"  # the same, and start it at once (the phone said so)
    START_NOW = "start now"       # listening: the call starts now
    STOP = "stop"                 # ask the worker to end the call (or stop listening)


class Next(Enum):
    """What follows a call that has ended."""
    PHONE_CALL = "phone call"     # the phone system's queued call starts now
    WAIT_FOR_PHONE = "wait"       # ended by the phone system: its next `call start` begins one
    CARRY_ON = "carry on"         # the window's own rule: a practice switch, or the next call
    STOP = "stop"                 # quitting


@dataclass(frozen=True)
class PhoneCall:
    call_id: str | None


class CallFlow:
    def __init__(self) -> None:
        self.phase = Phase.IDLE
        self.quitting = False
        self.call_id: str | None = None           # the phone system's id for this call
        self._queued: PhoneCall | None = None     # `call start` while a call runs
        self._phone_ended = False                 # the phone system ended the call

    @property
    def in_call(self) -> bool:
        return self.phase in (Phase.IN_CALL, Phase.ENDING)

    @property
    def listening(self) -> bool:
        return self.phase == Phase.LISTENING

    @property
    def queued(self) -> bool:
        """A phone call waits for the running one to end."""
        return self._queued is not None

    @property
    def continues(self) -> bool:
        """A call ending now is followed by another at once (its summary says so)."""
        return self._queued is not None or not (self.quitting or self._phone_ended)

    # -- the agent --------------------------------------------------------------------------

    def start(self, by_voice: bool) -> Do:
        """Start (button, keys, tray): listening starts the call now; idle begins one."""
        if self.quitting:
            return Do.NOTHING
        if self.phase == Phase.LISTENING:
            return Do.START_NOW
        if self.phase != Phase.IDLE:
            return Do.NOTHING
        self._begin(by_voice)
        return Do.BEGIN

    def end(self) -> Do:
        """End (button, keys): only a call that runs ends."""
        if self.phase != Phase.IN_CALL:
            return Do.NOTHING
        self.phase = Phase.ENDING
        return Do.STOP

    def stop_listening(self) -> Do:
        """Listening stops (a practice call takes the window); a running call ends."""
        if self.phase == Phase.LISTENING:
            return Do.STOP
        return self.end()

    def quit(self) -> None:
        self.quitting = True

    # -- the phone system -------------------------------------------------------------------

    def phone_start(self, call_id: str | None, by_voice: bool) -> Do:
        if self.quitting:
            return Do.NOTHING
        if self.phase == Phase.LISTENING:
            self.call_id = call_id
            return Do.START_NOW
        if self.phase in (Phase.IN_CALL, Phase.ENDING):
            # Two customers never share a record: this one ends, the new one follows.
            self._queued = PhoneCall(call_id)
            return self.end()
        self._begin(by_voice)
        self.call_id = call_id
        return Do.BEGIN_AND_START if by_voice else Do.BEGIN

    def phone_end(self) -> Do:
        if self.phase != Phase.IN_CALL:
            return Do.NOTHING
        self._phone_ended = True
        return self.end()

    # -- the worker -------------------------------------------------------------------------

    def started(self) -> None:
        """The call is under way (by voice: both sides spoke, or it was started now)."""
        if self.phase in (Phase.LISTENING, Phase.IDLE):
            self.phase = Phase.IN_CALL

    def idle(self) -> None:
        """Listening stopped with no call (practice, quitting, the input ended)."""
        self.phase = Phase.IDLE

    def ended(self) -> Next:
        """The worker reports the end of the call: what comes next. A queued phone call
        begins with its id (the window then calls `begin_queued`)."""
        self.phase = Phase.IDLE
        self.call_id = None
        phone_ended, self._phone_ended = self._phone_ended, False
        if self._queued is not None and not self.quitting:
            return Next.PHONE_CALL
        self._queued = None
        if phone_ended:
            return Next.WAIT_FOR_PHONE
        if self.quitting:
            return Next.STOP
        return Next.CARRY_ON

    def begin_queued(self, by_voice: bool) -> Do:
        """Begins the phone call queued while the last one ran."""
        queued, self._queued = self._queued, None
        if queued is None:
            return Do.NOTHING
        self._begin(by_voice)
        self.call_id = queued.call_id
        return Do.BEGIN_AND_START if by_voice else Do.BEGIN

    def next_call(self, by_voice: bool) -> Do:
        """The next call after one ended on its own (a live source)."""
        if self.quitting or self.phase != Phase.IDLE:
            return Do.NOTHING
        self._begin(by_voice)
        return Do.BEGIN

    def _begin(self, by_voice: bool) -> None:
        self.phase = Phase.LISTENING if by_voice else Phase.IN_CALL
        self.call_id = None
