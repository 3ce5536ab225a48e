"""Audio findings: C1 (pocketsphinx at the end of a recording cut mid-speech)."""

from __future__ import annotations

import struct
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from callassist.audio.sources import FileSource
from callassist.speech.sphinx_engine import SphinxEngine

pytestmark = pytest.mark.audio


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("c1")
    raw, wav = folder / "raw.wav", folder / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(raw), "I am so sorry about that. I understand how "
                    "frustrating this is. I will send you a replacement today."], check=True)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(wav)], check=True)
    return wav


@pytest.mark.parametrize("seconds", [3.0, 1.5, 2.4])
def test_c1_pocketsphinx_finishes_a_recording_cut_mid_speech_at_a_frame_boundary(
    speech_wav, seconds
):
    """A length that is a multiple of 480 samples, ending while the endpointer is in speech,
    used to raise IndexError from Endpointer.end_stream in finish()."""
    blocks = [b.samples for b in FileSource(speech_wav).blocks(threading.Event())]
    samples = np.concatenate(blocks)[: int(seconds * 16000)]
    assert len(samples) % 480 == 0
    rec = SphinxEngine().recognizer()
    results = []
    for i in range(0, len(samples), 1600):
        results += rec.accept(samples[i:i + 1600])
    assert rec._ep.in_speech, "the cut must fall mid-speech to reproduce C1"
    results += rec.finish()
    finals = [r for r in results if r.final]
    assert finals and finals[-1].end <= seconds + 0.05


def _wav(path: Path, rate: int, pcm: bytes = b"\x01\x00" * 30000) -> Path:
    body = (b"WAVE" + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, (rate * 2) & 0xFFFFFFFF,
                                             2, 16)
            + b"data" + struct.pack("<I", len(pcm)) + pcm)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


@pytest.mark.parametrize("rate", [0xFFFFFFFF, 1_000_000_000, 768_001])
def test_h2_a_wav_header_claiming_an_absurd_rate_is_refused_at_once(cli, tmp_path, rate):
    # Refused when the header is read, before any sample is resampled (it used to resample 60 KB
    # for 16 s first); the bound on the resampler itself is the next test. No wall-clock limit
    # here: a busy machine must not fail it.
    error = cli("analyze", _wav(tmp_path / "lie.wav", rate)).error
    assert f"{rate} Hz" in error


def test_h2_the_resampler_refuses_rates_it_cannot_bound():
    from callassist.audio.resample import MAX_RATE, Resampler

    assert len(Resampler(MAX_RATE)._taps) <= 16 * 48 + 1
    with pytest.raises(ValueError):
        Resampler(MAX_RATE + 1)
