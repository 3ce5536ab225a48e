"""Fixtures for practice mode: the shipped scenarios, a real coach session, and a scripted
trainee whose sentences are fed to it as a recogniser would (the audio tests play them for
real through PulseAudio)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from callassist.coach.events import Event, LevelEvent
from callassist.coach.session import CallSession
from callassist.practice.caller import Caller, Say
from callassist.practice.judge import playbook_judge
from callassist.practice.scenario import Scenario, default_folders, find_scenario


def scenario(name: str) -> Scenario:
    return find_scenario(name, default_folders())


@dataclass
class Dialogue:
    """A practice call in text: the trainee's sentences go through a real CallSession (as a
    recogniser's final results would) and the caller hears every event it produces."""

    session: CallSession
    caller: Caller
    t: float = 0.0
    said: list[Say] = field(default_factory=list)

    def _hear(self, events: list[Event], now: float) -> list[Say]:
        out = self.caller.hear(events, now)
        self.said += out
        return out

    def start(self) -> list[Say]:
        self.said += self.caller.opening(0.0)
        self.t = 6.0
        self.caller.spoke(0.0, self.t)
        return self.said[:]

    def trainee(self, text: str) -> list[Say]:
        """The trainee says `text`, then falls silent: the caller's answer."""
        start, end = self.t, self.t + 0.35 * len(text.split())
        events = list(self.session.feed_level("agent", start, -20.0, True))
        events += self.session.feed_level("agent", end - 0.1, -20.0, True)
        events += self.session.feed_utterance("agent", text, start, end)
        out = self._hear(events, end)
        self.t = end
        while not out and not self.caller.done and self.t < end + 1.5:
            self.t += 0.1
            out = self._hear(self.session.advance(self.t), self.t)
        self.t += 2.0
        self.caller.spoke(self.t - 2.0, self.t)
        return out

    def wait(self, seconds: float) -> list[Say]:
        """Nobody speaks for `seconds`: whatever the caller says meanwhile."""
        out: list[Say] = []
        stop = self.t + seconds
        while self.t < stop and not self.caller.done:
            self.t += 0.1
            silence: list[Event] = [LevelEvent("agent", self.t, -70.0, False)]
            got = self._hear(silence + self.session.advance(self.t), self.t)
            prods = self.caller.on_time(self.t)
            self.said += prods
            got += prods
            out += got
            if got:
                self.caller.spoke(self.t, self.t + 2.0)
        return out

    def report(self) -> dict:
        self.session.end(self.t)
        return self.session.report()


@pytest.fixture
def dialogue(playbook) -> Callable[[str], Dialogue]:
    def make(name: str) -> Dialogue:
        return Dialogue(CallSession(playbook, monitors=[]),
                        Caller(scenario(name), playbook_judge(playbook)))

    return make
