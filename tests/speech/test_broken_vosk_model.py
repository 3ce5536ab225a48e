"""Finding P5: a broken Vosk model printed about 70 lines of Kaldi's own log before the one-line
error. Kaldi writes them to file descriptor 2 from C++, so this runs the real command."""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.audio
def test_p5_a_broken_vosk_model_is_one_line_without_kaldis_log(tmp_path):
    model = tmp_path / "vosk-model-broken"
    for part, size in (("am/final.mdl", 5000), ("conf/model.conf", 0), ("conf/mfcc.conf", 0),
                       ("graph/HCLr.fst", 3000), ("graph/Gr.fst", 3000)):
        (model / part).parent.mkdir(parents=True, exist_ok=True)
        (model / part).write_bytes(os.urandom(size))
    wav = tmp_path / "quiet.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * 16000)
    run = subprocess.run(
        [sys.executable, "-m", "callassist", "analyze", str(wav), "--engine", "vosk",
         "--model", str(model)],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 2 and len(lines) == 1, run.stderr
    assert lines[0].startswith("callassist: error: ") and "the Vosk model is broken" in lines[0]
    assert "LOG" not in lines[0] and "VoskAPI" not in lines[0]
