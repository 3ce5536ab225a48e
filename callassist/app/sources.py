"""What a call listens to: a transcript (played in real time, or read at once for `analyze`),
or the speech pipeline on the microphone or a WAV recording. Each source runs one call at a time,
blocking, on the thread of whoever runs it (callassist.app.runner)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from callassist.app.voice_calls import VoiceCalls
from callassist.audio.sources import AudioSource
from callassist.coach.events import Event
from callassist.coach.playbook import Playbook
from callassist.coach.report import Report
from callassist.coach.session import CallSession
from callassist.errors import CallAssistError
from callassist.replay import feed_transcript, replay_transcript
from callassist.speech.engine import Engine
from callassist.speech.types import Status
from callassist.transcript import Transcript, load_transcript

# (state, message): state is "loading", "ready", "fallback", "note", "no_mic", "lost",
# "overflow" or "error".
StatusFn = Callable[[str, str], None]
EmitFn = Callable[[Sequence[Event]], None]


class InputUnavailable(CallAssistError):
    """No audio input to listen to (no microphone, a headset that cannot be opened)."""


class CallSource(Protocol):
    """What the runner and the front ends need of a call's input. The optional capabilities
    are declared here, with their defaults in SourceBase, so no caller probes for them."""

    label: str          # the card's caption ("Your headset · best recognition")
    live: bool          # a microphone: ending a call starts the next one
    has_audio: bool     # whether level events will come (the level meter)
    speed: float        # call seconds per wall-clock second
    # Runs by the clock (a microphone, a recording or transcript played live, a practice call)
    # rather than as fast as a file can be read (`analyze`): the record keeps its length by it.
    realtime: bool
    phone_call_id: str | None  # set for the next call by `callassist call start --id`

    @property
    def starts_by_voice(self) -> bool:
        """Calls start when both sides speak (wait_for_call listens for that)."""

    def wait_for_call(self, stop: threading.Event) -> bool:
        """Blocks until a call starts (True), or stop is set or the input ended (False)."""

    def report(self, session: CallSession) -> Report:
        """The call's report once the session ended (a practice call adds its scorecard)."""

    def last_words_at(self) -> float | None:
        """When the last words ended in a call that silence ended: the call's length."""

    def prepare(self, status: StatusFn) -> None:
        """Loads what every call needs (a speech engine) once."""

    def header(self) -> dict[str, Any]:
        """The report's header: "id", "title", "engine", "model" and "source" (where the call
        came from, as the store records it)."""

    def run_call(
        self, session: CallSession, emit: EmitFn, stop: threading.Event, status: StatusFn,
    ) -> None:
        """One call, blocking until the input ends or `stop` is set (the runner ends the
        session). Raises InputUnavailable when there is nothing to listen to."""


class SourceBase:
    """The defaults of CallSource's optional capabilities: a call that starts at once, runs
    by the clock, is not named by a phone system and reports what its session says."""

    realtime = True
    phone_call_id: str | None = None

    @property
    def starts_by_voice(self) -> bool:
        return False

    def wait_for_call(self, stop: threading.Event) -> bool:
        return True

    def report(self, session: CallSession) -> Report:
        return session.report()

    def last_words_at(self) -> float | None:
        """When the call's last words ended, for a call that silence ended (None: unknown)."""
        return None


# How well each engine hears, as the agent's card says it.
RECOGNITION_WORDS = {"whisper": "best recognition", "vosk": "good recognition",
                     "pocketsphinx": "basic recognition"}


def recognition_words(engine: str) -> str:
    return RECOGNITION_WORDS.get(engine, "speech recognition")


def with_phone_call(head: dict[str, Any], phone_call_id: str | None) -> dict[str, Any]:
    """A header for a call the phone system named (`callassist call start --id`): its id is
    the phone system's, and so is its title when the call has none."""
    if not phone_call_id:
        return head
    return {**head, "id": phone_call_id, "title": head["title"] or f"Call {phone_call_id}",
            "phone_call_id": phone_call_id}


class TranscriptSource(SourceBase):
    """A transcript file played like a live call: partial results while a turn is spoken, then
    the final one; with `speed` > 1 the call runs faster than real time (demos, tests). With
    `speed` None every turn is fed at once at its own time (`callassist analyze`)."""

    live = False
    has_audio = False

    def __init__(self, path: str | Path, speed: float | None = 1.0):
        self.path = Path(path)
        self.transcript: Transcript = load_transcript(path)
        self.speed = speed or 1.0
        self.paced = self.realtime = speed is not None
        self.title = self.transcript.title
        self.label = f"{self.transcript.id} · transcript"

    def prepare(self, status: StatusFn) -> None:
        status("ready", "")

    def header(self) -> dict[str, Any]:
        return with_phone_call({"id": self.transcript.id, "title": self.title, "engine": "",
                                "model": "", "source": str(self.path)}, self.phone_call_id)

    def run_call(
        self, session: CallSession, emit: EmitFn, stop: threading.Event, status: StatusFn,
    ) -> None:
        if self.paced:
            replay_transcript(self.transcript, session, emit, stop, self.speed)
        else:
            feed_transcript(self.transcript, session, emit)


class SpeechSource(SourceBase):
    """The microphone (or a WAV recording in its place) through the speech pipeline. The engine
    is loaded once and reused for every call; the audio input is opened per call, so a headset
    plugged in later is found by the next call. A recording plays in real time unless
    `realtime` is False (`callassist analyze`)."""

    speed = 1.0
    has_audio = True

    def __init__(
        self, playbook: Playbook, input_file: str | Path | None = None, *,
        device: str | int | None = None, customer_device: str | int | None = None,
        customer_channel: str | None = None, engine: str | None = None,
        model: str | None = None, bias: bool = True, realtime: bool = True,
        loaded: Engine | None = None, silence_ends_call: float = 0.0,
    ):
        """With a customer input (`customer_device` or `customer_channel`) and
        `silence_ends_call` > 0, calls start and end by voice (app/voice_calls.py)."""
        self.playbook = playbook
        self.input_file = Path(input_file) if input_file is not None else None
        self.live = self.input_file is None
        self.device = device
        self.customer_device = customer_device
        self.customer_channel = customer_channel
        self.engine_choice = engine
        self.model_choice = model
        self.bias = bias
        self.realtime = realtime
        self.engine = loaded  # an engine already loaded (tests and benchmarks reuse one)
        has_customer = customer_device is not None or bool(customer_channel)
        self.calls = (VoiceCalls(silence_ends_call)
                      if has_customer and silence_ends_call > 0 else None)
        self.audio: AudioSource | None = None  # the input opened for the next call
        # The card's caption in an agent's words, not the engine's name (UX review L7).
        self.where = (("Your headset and the caller" if has_customer else "Your headset")
                      if self.input_file is None else self.input_file.name)
        self.label = self.where
        self.title = ""
        if self.input_file is not None:
            from callassist.audio.wavfile import read_info

            read_info(self.input_file)  # a corrupt WAV is refused before anything loads

    @property
    def engine_name(self) -> str:
        return self.engine.name if self.engine is not None else ""

    @property
    def model_name(self) -> str:
        return str(self.engine.model) if self.engine is not None else ""

    def header(self) -> dict[str, Any]:
        name = (self.input_file.stem if self.input_file is not None
                else time.strftime("live-%Y%m%d-%H%M%S"))
        return with_phone_call({"id": name, "title": self.title, "engine": self.engine_name,
                                "model": self.model_name,
                                "source": str(self.input_file) if self.input_file
                                else "microphone"}, self.phone_call_id)

    def forget_engine(self) -> None:
        """A new model was installed: load the engine again before the next call."""
        self.engine = None

    def open_input(self) -> AudioSource:
        """Opens the input for the next call now (so a missing microphone is reported before
        the engine spends seconds loading); raises InputUnavailable."""
        from callassist.audio.sources import open_source

        if self.audio is None:
            try:
                self.audio = open_source(self.input_file, self.device, self.customer_device,
                                         self.customer_channel, realtime=self.realtime)
            except CallAssistError as e:
                raise InputUnavailable(str(e)) from None
        return self.audio

    @property
    def starts_by_voice(self) -> bool:
        return self.calls is not None

    def wait_for_call(self, stop: threading.Event) -> bool:
        """Calls by voice: listens until both sides have spoken or start_now() (True), or stop
        is set (False). An input that cannot be opened is left to the call to report (True)."""
        if self.calls is None:
            return True
        try:
            audio = self.take_input()
        except InputUnavailable:
            return True
        return self.calls.wait(audio, stop)

    def start_now(self) -> None:
        if self.calls is not None:
            self.calls.start_now()

    def opening_s(self) -> float:
        """The call time at which the call was known to start (its opening came before)."""
        return self.calls.opening_s if self.calls is not None else 0.0

    def last_words_at(self) -> float | None:
        """A call that silence ended ends at its last words (call seconds), not 20 s later."""
        return self.calls.last_words_at if self.calls is not None else None

    def take_input(self) -> AudioSource:
        """The input for this call; the next call opens its own."""
        audio = self.open_input()
        self.audio = None
        return audio

    def prepare(self, status: StatusFn) -> None:
        if self.engine is not None:
            return
        from callassist.speech.engine import load_engine

        ready: list[str] = []

        def forward(st: Status) -> None:
            # "ready" waits until the engine is in place, so the window can name it.
            if st.kind == "ready":
                ready.append(st.message)
            else:
                status(st.kind, st.message)

        self.engine = load_engine(self.engine_choice, self.model_choice, self.playbook,
                                  on_status=forward, bias=self.bias)
        self.label = f"{self.where} · {recognition_words(self.engine.name)}"
        status("ready", ready[-1] if ready else "")

    def run_call(
        self, session: CallSession, emit: EmitFn, stop: threading.Event, status: StatusFn,
    ) -> None:
        from callassist.pipeline import run_call

        if self.engine is None:
            raise CallAssistError("the speech engine is not loaded (prepare the source first)")
        calls = self.calls
        audio: AudioSource = calls if calls is not None and calls.ready else self.take_input()
        if calls is not None:
            calls.holding = lambda: session.on_hold  # a silent hold does not end the call
        run_call(session, self.engine, audio, emit, stop,
                 on_status=lambda st: status(st.kind, st.message))
