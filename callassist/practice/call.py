"""A practice call: the simulated caller on one side, the trainee's microphone through the one
call runner (pipeline.run_call) on the other. Qt-free; the CLI and the overlay both use it.

    call = PracticeCall(scenario, playbook, engine, source, voice, output=None)
    call.listeners.append(show)          # every batch of events, from the runner's thread
    card = call.run(stop)                # blocks until the caller is satisfied or gives up,
                                         # the source ends or stop is set; returns the scorecard

The caller's lines go into the call as the customer's sentences (the transcript and the coach's
customer monitor see them), and the microphone is gated while it speaks (echo.py).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from callassist.audio.sources import AudioSource
from callassist.coach.events import Event
from callassist.coach.playbook import Playbook
from callassist.coach.report import Report
from callassist.coach.session import CallSession
from callassist.coach.tone import monitors_for
from callassist.pipeline import run_call
from callassist.practice.caller import Caller, Say
from callassist.practice.echo import EchoGate
from callassist.practice.judge import playbook_judge
from callassist.practice.scenario import Scenario
from callassist.practice.scorecard import build_scorecard
from callassist.practice.voice import Played, Player, synthesise_all
from callassist.speech.engine import Engine, StatusCallback

Listener = Callable[[Sequence[Event]], None]
END_GRACE_S = 0.5  # after the caller's last line, before the call is closed


@dataclass
class Reaction:
    """How fast the caller answered a sentence of the trainee's, on the call's clock: the
    sentence ended (the recogniser's word timings), the answer was decided, the trainee's voice
    was last heard, and the answer started sounding (output latency included)."""

    say: Say
    heard_end: float
    decided: float
    voice_end: float  # the trainee's voice was last heard on the microphone (levels)
    sounded: float | None = None


@dataclass
class PracticeCall:
    scenario: Scenario
    playbook: Playbook
    engine: Engine
    source: AudioSource
    voice: object
    output: str | int | None = None
    on_status: StatusCallback | None = None
    listeners: list[Listener] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)
    session: CallSession | None = None  # the overlay's worker brings its own
    ends_session: bool = True  # False: whoever brought the session ends it
    clips: dict | None = None  # every line's speech, when made ahead (voice.synthesise_all)

    def __post_init__(self) -> None:
        if self.session is None:
            self.session = CallSession(self.playbook, monitors_for(self.playbook))
        self.caller = Caller(self.scenario, playbook_judge(self.playbook))
        if self.clips is None:
            self.clips = synthesise_all(self.scenario, self.voice)
        self.gate = EchoGate(self.source)
        self._heard: queue.Queue[Played] = queue.Queue()
        self._started: dict[int, float] = {}  # id(Say) -> monotonic start
        self._opened = False
        self._player: Player | None = None
        self._ended_at: float | None = None

    # -- the player's thread -------------------------------------------------------------------

    def _on_start(self, say: object, start: float, end: float) -> None:
        self.gate.mute(start, end)
        for r in self.reactions:
            if r.say is say:
                r.sounded = self.gate.call_time(start)

    def _on_late(self, say: object, start: float, end: float) -> None:
        # The output fell behind (it underran on a busy machine): the caller is still heard
        # after the end first given, so the microphone stays gated until the real end.
        self.gate.mute(start, end)

    # -- the runner's thread ---------------------------------------------------------------------

    def _say(self, says: Sequence[Say], player: Player) -> None:
        for s in says:
            if s.answers_turn:
                now = self.gate.call_time(time.monotonic())
                self.reactions.append(Reaction(s, s.at, now, self.caller.voice_until))
            player.play(s, self.clips[s.line])

    def _emit(self, events: Sequence[Event], player: Player, stop: threading.Event) -> None:
        now = self.session.now
        out = list(events)
        if not self._opened and self.gate.call_time(time.monotonic()) > 0.3:
            self._opened = True
            self._say(self.caller.opening(now), player)
        while True:  # the caller's lines that have been heard, as the customer's sentences
            try:
                p = self._heard.get_nowait()
            except queue.Empty:
                break
            say: Say = p.item  # type: ignore[assignment]
            start, end = self.gate.call_time(p.start), self.gate.call_time(p.end)
            self.caller.spoke(start, end)
            out += self.session.feed_utterance("customer", say.line.text, start, end)
        for listener in self.listeners:
            listener(out)
        says = self.caller.hear(out, now) + (self.caller.on_time(now) if self._opened else [])
        self._say(says, player)
        if self.caller.done and player.idle and self._heard.empty():
            self._ended_at = self._ended_at or time.monotonic()
            if time.monotonic() - self._ended_at > END_GRACE_S:
                stop.set()

    def player_idle(self) -> bool:
        """The caller is not speaking (nor about to)."""
        return self._player is not None and self._player.idle and self._heard.empty()

    def run(self, stop: threading.Event) -> dict:
        player = self._player = Player(self.output, on_start=self._on_start,
                                       on_done=self._heard.put, on_late=self._on_late)
        try:
            run_call(self.session, self.engine, self.gate,
                     lambda events: self._emit(events, player, stop), stop,
                     on_status=self.on_status)
        finally:
            player.close()
        if self.ends_session:
            for listener in self.listeners:
                listener(self.session.end())
        return self.scorecard()

    def scorecard(self) -> Report:
        return build_scorecard(self.session.report(), self.scenario, self.caller)
