"""What a call in the overlay listens to: a transcript played in real time, a WAV file, or the
microphone. Each source runs one call at a time, blocking, on the overlay's worker thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from callassist.coach.events import Event
from callassist.coach.session import CallSession
from callassist.replay import replay_transcript
from callassist.transcript import Transcript, load_transcript

# (state, message): state is "loading", "ready", "fallback", "no_mic" or "error".
StatusFn = Callable[[str, str], None]
EmitFn = Callable[[Sequence[Event]], None]


class CallSource(Protocol):
    label: str          # shown under the call timer ("Microphone", "dev-015 (transcript)")
    live: bool          # a microphone: ending a call starts the next one
    has_audio: bool     # whether level events will come (the level meter)
    speed: float        # call seconds per wall-clock second

    def prepare(self, status: StatusFn) -> None:
        """Loads what every call needs (a speech engine) once; runs on the worker thread."""

    def run_call(self, session: CallSession, emit: EmitFn, stop: threading.Event) -> None:
        """One call, blocking until the input ends or `stop` is set; the session is ended."""


class TranscriptSource:
    """A transcript file played like a live call: partial results while a turn is spoken, then
    the final one; with `speed` > 1 the call runs faster than real time (demos, tests)."""

    live = False
    has_audio = False

    def __init__(self, path: str | Path, speed: float = 1.0):
        self.transcript: Transcript = load_transcript(path)
        self.speed = speed
        self.label = f"{self.transcript.id} · transcript"

    def prepare(self, status: StatusFn) -> None:
        status("ready", "")

    def run_call(self, session: CallSession, emit: EmitFn, stop: threading.Event) -> None:
        replay_transcript(self.transcript, session, emit, stop, self.speed)


class MicrophoneSource:
    """The headset microphone through the speech pipeline."""

    live = True
    has_audio = True
    speed = 1.0
    label = "Microphone"

    def prepare(self, status: StatusFn) -> None:
        status("error", "the speech pipeline is not available yet: use --input FILE.json")

    def run_call(self, session: CallSession, emit: EmitFn, stop: threading.Event) -> None:
        stop.wait()


class AudioFileSource(MicrophoneSource):
    live = False

    def __init__(self, path: str | Path, speed: float = 1.0):
        self.path = Path(path)
        self.speed = speed
        self.label = f"{self.path.name} · recording"
