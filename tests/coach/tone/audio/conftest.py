"""Calls spoken by espeak-ng for the tone audio tests: the same agent lines at a calm and a rushed
rate, at a normal and a raised amplitude, and a conversation with the customer on its own
channel; each made once per test session and run once through the file source, the real
speech engine and the coach.

espeak-ng stands in for a human voice, which a build machine does not have. Its `-s` is words a
minute (its 150 comes out near 170 wpm by the clock, its sentence pauses included) and `-a` the
amplitude (70 normal, 200 raised: about 9 dB louder). The engine is the one `callassist analyze`
picks by default: Whisper tiny.en. A fresh engine per recording keeps the results independent
of which tests run and in what order (a decoder adapts to what it heard before).
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from callassist.audio.sources import FileSource
from callassist.coach import CallSession, load_playbook
from callassist.pipeline import run_call
from callassist.speech.engine import load_engine

RATE = 22050  # espeak-ng's own rate; the file source resamples
CALM_WPM = 150
RUSHED_WPM = 260
NORMAL_AMP = 70
RAISED_AMP = 200

AGENT_LINES = (
    "I'm really sorry about the delay with your parcel. I understand how frustrating it is to "
    "wait for something you need. That was our mistake, and I'm going to put it right. Here's "
    "what I'll do. I'll send a replacement today by express delivery, and I'll email you the "
    "tracking number within the hour."
)
AGENT_SHORT = (
    "I'm so sorry to hear that.",
    "I see, that must have been awful.",
    "I understand. Please go on.",
)
CUSTOMER_LONG = (
    "Well, I ordered a new washing machine three weeks ago and paid for next day delivery. "
    "Nobody came on the day, nobody called, and I took a day off work to wait for it. Then "
    "the website said it was delivered, but there is nothing here at all.",
    "I called on Monday and the person I spoke to said it would be sorted by Wednesday. "
    "Wednesday came and went. I called again yesterday and waited forty minutes on hold, "
    "and then the line just went dead. I want to speak to a manager.",
    "I have two small children and a pile of washing. I have been going to the laundrette "
    "every other day, which costs money and time that I do not have, so I would like to know "
    "what you are actually going to do about it.",
)


def espeak(text: str, wpm: int, amplitude: int, voice: str = "en-us") -> np.ndarray:
    """espeak-ng's speech for text as int16 samples at RATE."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(wpm), "-a", str(amplitude), "-w", str(out), text],
            check=True, capture_output=True,
        )
        with wave.open(str(out), "rb") as w:
            assert w.getframerate() == RATE and w.getnchannels() == 1
            return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


def pause(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.int16)


def write(path: Path, left: np.ndarray, right: np.ndarray | None = None) -> Path:
    """A mono WAV, or a stereo one (agent left, customer right)."""
    if right is None:
        frames = left
        channels = 1
    else:
        n = max(len(left), len(right))
        frames = np.zeros((n, 2), dtype=np.int16)
        frames[: len(left), 0] = left
        frames[: len(right), 1] = right
        channels = 2
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames.tobytes())
    return path


def agent_call(path: Path, parts: list[tuple[int, int]], gap_s: float = 2.5) -> Path:
    """The agent lines once per (wpm, amplitude) part, with a pause between parts (long enough
    to let the customer in, unless gap_s says otherwise)."""
    audio: list[np.ndarray] = [pause(0.5)]
    for wpm, amp in parts:
        audio += [espeak(AGENT_LINES, wpm, amp), pause(gap_s)]
    return write(path, np.concatenate(audio))


def conversation(path: Path, raised_turn: int | None = None) -> Path:
    """Long customer turns (right channel) and short agent answers (left channel), each turn
    starting 0.4 s after the other one stops, the way people take turns. The customer's turn
    number `raised_turn` is spoken with a raised voice."""
    left: list[np.ndarray] = [pause(0.5)]
    right: list[np.ndarray] = [pause(0.5)]
    for i, (customer, agent) in enumerate(zip(CUSTOMER_LONG, AGENT_SHORT, strict=True)):
        amp = RAISED_AMP if i == raised_turn else NORMAL_AMP
        said = espeak(customer, CALM_WPM, amp, voice="en-gb")
        left += [pause(len(said) / RATE + 0.4)]
        right += [said, pause(0.4)]
        answer = espeak(agent, CALM_WPM, NORMAL_AMP)
        left += [answer, pause(0.4)]
        right += [pause(len(answer) / RATE + 0.4)]
    return write(path, np.concatenate(left), np.concatenate(right))


CALM = (CALM_WPM, NORMAL_AMP)
RUSHED = (RUSHED_WPM, NORMAL_AMP)
RAISED = (CALM_WPM, RAISED_AMP)
RUSHED_RAISED = (RUSHED_WPM, RAISED_AMP)

RECORDINGS: dict[str, tuple[Callable[[Path], Path], str | None]] = {
    # name: (how to make it, the customer's channel)
    "calm": (lambda p: agent_call(p, [CALM, CALM]), None),
    "rushed": (lambda p: agent_call(p, [CALM, RUSHED, RUSHED]), None),
    "loud": (lambda p: agent_call(p, [CALM, RAISED]), None),
    "loud_only": (lambda p: agent_call(p, [RAISED]), None),
    "agitated": (lambda p: agent_call(p, [CALM, RUSHED_RAISED, RUSHED_RAISED]), None),
    "monologue": (lambda p: agent_call(p, [CALM, CALM, CALM], gap_s=0.5), None),
    "conversation": (conversation, "right"),
    "conversation_raised": (lambda p: conversation(p, raised_turn=1), "right"),
}


@pytest.fixture(scope="session")
def audio_env(tmp_path_factory):
    """Private config and data folders: no installed Vosk model or model setting, so the
    default engine."""
    root = tmp_path_factory.mktemp("tone-audio-env")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CALLASSIST_CONFIG_DIR", str(root / "config"))
        mp.setenv("CALLASSIST_DATA_DIR", str(root / "data"))
        yield root


@pytest.fixture(scope="session")
def recording(tmp_path_factory) -> Callable[[str], Path]:
    """The WAV of a named recording, made on first use."""
    folder = tmp_path_factory.mktemp("tone-audio")
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            make, _ = RECORDINGS[name]
            made[name] = make(folder / f"{name}.wav")
        return made[name]

    return get


@pytest.fixture(scope="session")
def heard(audio_env, recording) -> Callable[..., CallSession]:
    """A named recording through the file source, a fresh engine and a call session (with the
    tone monitors the session is given, else the default ones); each run once."""
    playbook = load_playbook()
    runs: dict[tuple, CallSession] = {}

    def get(name: str, monitors=None, key: str = "") -> CallSession:
        if (name, key) not in runs:
            path = recording(name)
            session = CallSession(playbook, monitors=monitors)
            engine = load_engine(None, None, playbook)
            source = FileSource(path, RECORDINGS[name][1])
            run_call(session, engine, source, lambda events: None, threading.Event())
            session.end(source.duration)
            runs[(name, key)] = session
        return runs[(name, key)]

    return get
