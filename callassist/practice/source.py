"""A practice call as a call source (app/sources.CallSource): the call runner runs it like any
call, in the overlay (which shows the checklist, warnings and reminders as the trainee answers
the simulated caller) and in `callassist practice`. Qt-free."""

from __future__ import annotations

import threading

from callassist.app.sources import SourceBase, SpeechSource, StatusFn
from callassist.coach.report import Report
from callassist.coach.session import CallSession
from callassist.practice.call import PracticeCall
from callassist.practice.scenario import Scenario
from callassist.store.query import PRACTICE_SOURCE


class PracticeSource(SourceBase):
    live = False  # the next practice call starts when the trainee asks for it
    has_audio = True
    speed = 1.0

    def __init__(self, scenario: Scenario, speech: SpeechSource, voice: str = "auto",
                 output: str | int | None = None):
        self.scenario = scenario
        self.speech = speech  # the engine and microphone the overlay already uses
        self.voice_choice = voice
        self.output = output
        self.voice = None
        self.clips: dict | None = None
        self.title = scenario.title
        self.label = f"Practice · {scenario.title}"
        self.record_source = PRACTICE_SOURCE + scenario.id
        self.call: PracticeCall | None = None

    @property
    def engine_name(self) -> str:
        return self.speech.engine_name

    @property
    def model_name(self) -> str:
        return self.speech.model_name

    def header(self) -> dict:
        return {**self.speech.header(), "title": self.title, "source": self.record_source}

    def prepare(self, status: StatusFn) -> None:
        from callassist.practice.voice import load_voice, synthesise_all

        if self.voice is None:
            # before the call starts, so the caller speaks as soon as it does; and before the
            # speech model loads, so a scenario's mistake is said at once (C4)
            voice = load_voice(self.voice_choice)
            status("loading", f"preparing the caller's {len(self.scenario.lines())} lines…")
            self.clips = synthesise_all(self.scenario, voice)
            self.voice = voice  # only once every line is ready: a failure is tried again
        self.speech.prepare(status)

    def run_call(
        self, session: CallSession, emit, stop: threading.Event, status: StatusFn,
    ) -> None:
        s = self.speech
        audio = s.take_input()
        self.call = PracticeCall(
            self.scenario, session.playbook, s.engine, audio, self.voice, output=self.output,
            on_status=lambda st: status(st.kind, st.message), session=session,
            ends_session=False, clips=self.clips,
        )
        self.call.listeners.append(emit)
        self.call.run(stop)

    def report(self, session: CallSession) -> Report:
        """The report stored with the attempt: the session's, with the scorecard's figures."""
        return self.call.scorecard() if self.call is not None else session.report()




def practice_source(scenario_id: str, home, playbook) -> PracticeSource:
    """A practice call for the overlay's Practice entry: on the microphone (or recording) and
    engine the window already uses, or the default microphone."""
    from callassist.practice.scenario import default_folders, find_scenario

    speech = home.speech if isinstance(home, PracticeSource) else home
    if not isinstance(speech, SpeechSource):
        speech = SpeechSource(playbook)
    return PracticeSource(find_scenario(scenario_id, default_folders()), speech)
