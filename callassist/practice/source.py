"""A practice call as one of the overlay's call sources (ui/sources.CallSource): the overlay's
worker runs it like any call, so the window shows the checklist, warnings and reminders as the
trainee answers the simulated caller. Qt-free."""

from __future__ import annotations

import threading

from callassist.coach.session import CallSession
from callassist.errors import CallAssistError
from callassist.practice.call import PracticeCall
from callassist.practice.scenario import Scenario
from callassist.store.store import PRACTICE_SOURCE
from callassist.ui.sources import InputUnavailable, SpeechSource, StatusFn


class PracticeSource:
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

    def prepare(self, status: StatusFn) -> None:
        from callassist.practice.voice import load_voice, synthesise_all

        self.speech.prepare(status)
        if self.voice is None:
            # before the call starts: the caller speaks as soon as it does
            self.voice = load_voice(self.voice_choice)
            self.clips = synthesise_all(self.scenario, self.voice)

    def run_call(
        self, session: CallSession, emit, stop: threading.Event, status: StatusFn,
    ) -> None:
        from callassist.pipeline import open_source

        s = self.speech
        try:
            audio = open_source(s.input_file, s.device, realtime=True)
        except CallAssistError as e:
            raise InputUnavailable(str(e)) from None
        self.call = PracticeCall(
            self.scenario, session.playbook, s.engine, audio, self.voice, output=self.output,
            on_status=lambda st: status(st.kind, st.message), session=session,
            ends_session=False, clips=self.clips,
        )
        self.call.listeners.append(emit)
        self.call.run(stop)

    def report(self, session: CallSession) -> dict:
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
