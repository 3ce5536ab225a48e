"""C1: Ctrl+C during practice while the caller speaks ended in heap corruption or a segfault
(5 runs in 6): Player.close() closed the PortAudio stream while its writer thread was still
inside stream.write(). Real PortAudio through PulseAudio's null sink (scripts/start-pulse.sh),
and the real `callassist practice` interrupted by SIGINT mid-line."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from callassist.audio.wavfile import write_wav
from callassist.practice.voice import Player

pytestmark = [pytest.mark.pulse, pytest.mark.audio]
ROOT = Path(__file__).resolve().parents[2]
CALLER_SINK = "callassist_caller"


@pytest.fixture(scope="module")
def caller_sink() -> str:
    if not shutil.which("pulseaudio"):
        pytest.fail("pulseaudio is missing: run scripts/setup.sh")
    os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/callassist-runtime-{os.getuid()}")
    subprocess.run(["bash", str(ROOT / "scripts" / "start-pulse.sh")], check=True,
                   capture_output=True)
    sinks = subprocess.run(["pactl", "list", "short", "sinks"], capture_output=True,
                           text=True, check=True).stdout
    if f"\t{CALLER_SINK}\t" not in sinks:
        subprocess.run(["pactl", "load-module", "module-null-sink",
                        f"sink_name={CALLER_SINK}"], check=True, capture_output=True)
    return CALLER_SINK


def test_C1_closing_mid_clip_stops_the_writer_before_the_stream(caller_sink):
    """A 20 s clip (longer than the old 5 s join), closed as soon as it starts: the writer
    thread has left the stream when close() returns, every time."""
    clip = (np.sin(np.arange(16000 * 20) / 5) * 8000).astype(np.int16)
    for _ in range(5):
        started = threading.Event()
        player = Player(caller_sink, on_start=lambda *_, s=started: s.set())
        player.play("line", clip)
        assert started.wait(10)
        player.close()
        assert not player._thread.is_alive()
        assert player._stream.closed


def test_C1_ctrl_c_while_the_caller_speaks_ends_the_practice_cleanly(caller_sink, tmp_path):
    trainee = tmp_path / "silence.wav"
    write_wav(trainee, np.zeros(16000 * 30, dtype=np.int16))
    env = {**os.environ, "PULSE_SINK": caller_sink, "CALLASSIST_DATA_DIR": str(tmp_path)}
    for run in range(2):
        out = tmp_path / f"run{run}.out"
        with out.open("wb") as f:
            p = subprocess.Popen(
                [sys.executable, "-m", "callassist", "practice", "lost-parcel", "--input",
                 str(trainee), "--rules-only", "--no-save", "--output", caller_sink,
                 "--voice", "espeak"],
                stdout=f, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        # the caller's opening starts 0.3 s after the call opens and lasts several seconds:
        # interrupt once the call has opened, at two points of the opening
        deadline = 120.0
        waited = 0.0
        while b"Ctrl+C ends the call" not in out.read_bytes():
            assert p.poll() is None, out.read_text()
            assert waited < deadline, out.read_text()
            threading.Event().wait(0.1)
            waited += 0.1
        threading.Event().wait(1.0 + run)
        p.send_signal(signal.SIGINT)
        rc = p.wait(60)
        text = out.read_text(errors="replace")
        assert rc == 0, text
        assert "Traceback" not in text and "malloc" not in text and "PortAudioError" not in text
        assert "Summary:" in text or "steps" in text.lower(), text
