"""P4: 8 kHz G.711 μ-law and A-law WAVs, what telephone systems record, are read wherever a
WAV is read (analyze/listen/run through FileSource, practice recordings, the voice-call
detector), converted by sox from real audio. A codec still refused names the sox command."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from callassist.audio.levels import dbfs
from callassist.audio.sources import FileSource
from callassist.audio.wavfile import read_frames, read_info
from callassist.cli import main
from callassist.errors import CallAssistError
from callassist.practice.scenario import Line
from callassist.practice.voice import read_recording


def sox(src: Path, dst: Path, *opts: str) -> Path:
    if not shutil.which("sox"):
        pytest.fail("sox is missing: run scripts/setup.sh")
    subprocess.run(["sox", str(src), *opts, str(dst)], check=True)
    return dst


@pytest.mark.parametrize("encoding", ["u-law", "a-law"])
def test_P4_an_8k_g711_wav_reads_as_the_same_sound(tone_wav, tmp_path, encoding):
    src = tone_wav(rate=8000, seconds=1.0, amplitudes=(0.5,))
    wav = sox(src, tmp_path / "tel.wav", "-e", encoding)
    info = read_info(wav)
    assert info.codec == ("mulaw" if encoding == "u-law" else "alaw") and info.rate == 8000
    ours = np.concatenate(list(read_frames(info, 1000)))[:, 0]
    pcm = np.concatenate(list(read_frames(read_info(src), 1000)))[:, 0]
    # G.711 keeps about 13 bits: the sample error stays below 2 % of full scale
    assert len(ours) == len(pcm) and np.abs(ours - pcm).max() < 0.02
    blocks = [b.samples for b in FileSource(wav).blocks(__import__("threading").Event())]
    assert dbfs(np.concatenate(blocks)) == pytest.approx(20 * np.log10(0.5 / np.sqrt(2)), abs=0.5)
    assert len(read_recording(Line("hello", wav))) == pytest.approx(16000, abs=2)


@pytest.mark.parametrize("encoding", ["u-law", "a-law"])
def test_P4_analyze_hears_a_call_recorded_as_8k_g711(capsys, spoken_call, tmp_path, encoding):
    """A two-channel espeak-ng call, as a PBX would record it (8 kHz, G.711), through the
    default engine: the apology its labels name is heard."""
    stereo, _ = spoken_call("dev-021")
    wav = sox(stereo, tmp_path / "pbx.wav", "-r", "8000", "-e", encoding)
    assert main(["analyze", str(wav), "--customer-channel", "right", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {t["speaker"] for t in report["transcript"]} == {"agent", "customer"}
    assert report["steps"]["apologize"]["covered"]


def test_P4_a_codec_still_refused_says_how_to_convert(tone_wav, tmp_path):
    wav = sox(tone_wav(), tmp_path / "adpcm.wav", "-e", "ms-adpcm")
    with pytest.raises(CallAssistError, match=r"convert it with: sox .* -e signed-integer") as e:
        read_info(wav)
    assert "\n" not in str(e.value)
