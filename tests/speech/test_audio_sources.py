"""Audio sources, resampling, levels and voice activity on real WAV files (made with numpy,
converted by sox to other widths and encodings)."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from callassist.audio.levels import SILENCE_DBFS, VoiceActivity, dbfs
from callassist.audio.resample import Resampler
from callassist.audio.sources import FileSource, open_source
from callassist.audio.wavfile import read_info
from callassist.errors import CallAssistError


def collect(source) -> dict[str, np.ndarray]:
    out: dict[str, list[np.ndarray]] = {}
    last: dict[str, float] = {}
    for b in source.blocks(threading.Event()):
        assert b.samples.dtype == np.int16
        assert b.at >= last.get(b.speaker, -1.0), "blocks of one speaker arrive in time order"
        last[b.speaker] = b.at
        out.setdefault(b.speaker, []).append(b.samples)
    return {k: np.concatenate(v) for k, v in out.items()}


def sox(src: Path, dst: Path, *opts: str) -> Path:
    if not shutil.which("sox"):
        pytest.fail("sox is missing: run scripts/setup.sh")
    subprocess.run(["sox", str(src), *opts, str(dst)], check=True)
    return dst


@pytest.mark.parametrize("opts", [
    ("-b", "24"), ("-b", "8"), ("-b", "32"), ("-e", "floating-point", "-b", "32"),
    ("-e", "floating-point", "-b", "64"),
])
def test_a_44k_stereo_wav_of_any_width_comes_out_as_16k_mono_int16(tone_wav, tmp_path, opts):
    src = tone_wav(rate=44100, seconds=1.0, amplitudes=(0.5, 0.5))
    wav = sox(src, tmp_path / "conv.wav", *opts)
    audio = collect(FileSource(wav))
    assert set(audio) == {"agent"}
    assert abs(len(audio["agent"]) - 16000) <= 2
    assert dbfs(audio["agent"]) == pytest.approx(20 * np.log10(0.5 / np.sqrt(2)), abs=0.5)


def test_the_customer_channel_of_a_stereo_recording_is_tagged_as_customer_speech(tone_wav):
    wav = tone_wav(rate=48000, seconds=0.5, amplitudes=(0.5, 0.05))
    audio = collect(FileSource(wav, customer_channel="right"))
    assert dbfs(audio["agent"]) > dbfs(audio["customer"]) + 15
    swapped = collect(FileSource(wav, customer_channel="left"))
    assert dbfs(swapped["customer"]) > dbfs(swapped["agent"]) + 15


def test_a_customer_channel_on_a_mono_recording_is_refused_with_the_fix(tone_wav):
    with pytest.raises(CallAssistError, match="one channel; --customer-channel needs a stereo"):
        FileSource(tone_wav(), customer_channel="right")


@pytest.mark.parametrize("content, problem", [
    (b"", "no RIFF/WAVE header"),
    (b"hello, this is a text file\n", "no RIFF/WAVE header"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "format chunk"),
    (b"RIFF\x24\x00\x00\x00WAVEdata\x00\x00\x00\x00", "audio data before the format chunk"),
])
def test_a_corrupt_or_non_wav_file_gives_a_one_line_error(tmp_path, content, problem):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(content)
    with pytest.raises(CallAssistError, match=problem) as e:
        FileSource(bad)
    assert "\n" not in str(e.value) and str(bad) in str(e.value)


def test_a_compressed_wav_is_refused_by_name(tone_wav, tmp_path):
    wav = sox(tone_wav(), tmp_path / "adpcm.wav", "-e", "ms-adpcm")
    with pytest.raises(CallAssistError, match="unsupported WAV encoding"):
        read_info(wav)


def test_a_wav_cut_short_mid_recording_still_plays_what_is_there(tone_wav, tmp_path):
    whole = tone_wav(seconds=1.0).read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole[: 44 + 16000])  # header + half a second of 16-bit samples
    assert len(collect(FileSource(cut))["agent"]) == 8000


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(CallAssistError, match="file not found"):
        open_source(tmp_path / "nope.wav")


def test_realtime_pacing_delivers_audio_no_faster_than_it_was_spoken(tone_wav):
    wav = tone_wav(seconds=0.6)
    t0 = time.monotonic()
    collect(FileSource(wav, realtime=True))
    assert time.monotonic() - t0 >= 0.55


def test_stop_ends_a_realtime_file_early(tone_wav):
    stop = threading.Event()
    blocks = FileSource(tone_wav(seconds=5.0), realtime=True).blocks(stop)
    next(blocks)
    stop.set()
    t0 = time.monotonic()
    assert list(blocks) == []
    assert time.monotonic() - t0 < 0.5


def test_resampling_chunk_by_chunk_equals_resampling_at_once():
    x = np.random.default_rng(1).uniform(-0.5, 0.5, 48000).astype(np.float32)
    whole = Resampler(48000).process(x)
    r = Resampler(48000)
    chunks = np.concatenate([r.process(x[i:i + 997]) for i in range(0, len(x), 997)])
    assert np.allclose(whole, chunks)


def test_resampling_removes_tones_above_the_new_nyquist_instead_of_folding_them():
    t = np.arange(48000) / 48000
    high = (0.5 * np.sin(2 * np.pi * 11000 * t)).astype(np.float32)
    out = Resampler(48000).process(high)[200:]
    assert 20 * np.log10(np.sqrt(np.mean(out**2)) + 1e-12) < -40


def test_levels_are_dbfs_and_digital_silence_has_a_floor():
    full = (32767 * np.sin(np.linspace(0, 200 * np.pi, 16000))).astype(np.int16)
    assert dbfs(full) == pytest.approx(-3.0, abs=0.1)
    assert dbfs(np.zeros(1600, np.int16)) == SILENCE_DBFS


def test_voice_activity_learns_a_steady_noise_floor_and_still_hears_speech_above_it():
    vad = VoiceActivity()
    hum = [vad(-45.0) for _ in range(60)]
    assert not any(hum[20:]), "a steady hum is background"
    assert vad(-20.0), "speech well above the hum is voiced"
    assert not VoiceActivity()(-60.0), "quiet line noise is not speech"
