"""The caller's voices: real synthesis with the bundled neural voice and espeak-ng."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from callassist.audio.wavfile import write_wav
from callassist.practice.scenario import Line, default_folders, find_scenario
from callassist.practice.voice import EspeakVoice, PiperVoice, load_voice, synthesise

pytestmark = pytest.mark.audio
TEXT = "This is the third time I'm calling, and the birthday is on Saturday!"


@pytest.fixture(scope="module")
def scenario():
    return find_scenario("lost-parcel", default_folders())


@pytest.mark.parametrize("voice", [PiperVoice, EspeakVoice])
def test_a_voice_speaks_a_line_at_the_scenarios_rate(voice, scenario):
    v = voice()
    normal = v.speak(TEXT, scenario)
    assert normal.dtype == np.int16
    seconds = len(normal) / 16000
    assert 2.5 < seconds < 6.0  # 13 words at about 175 a minute
    assert np.abs(normal).max() > 3000  # speech, not silence
    slow = v.speak(TEXT, replace(scenario, voice=replace(scenario.voice, rate=100)))
    assert len(slow) > 1.4 * len(normal)


def test_auto_picks_the_neural_voice_when_installed():
    assert load_voice("auto").name == "piper"
    assert load_voice("espeak").name == "espeak"


def test_a_recorded_line_is_played_as_recorded(tmp_path, scenario):
    tone = (np.sin(np.arange(8000) / 8000 * 2 * np.pi * 440) * 8000).astype(np.int16)
    write_wav(tmp_path / "line.wav", np.stack([tone, tone], axis=1), rate=8000)
    line = Line("Hello?", tmp_path / "line.wav")
    assert abs(len(synthesise(line, scenario, EspeakVoice())) - 16000) < 100  # 1 s at 16 kHz
