"""`callassist run` as a user runs it: a separate process with the real window (offscreen)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "CALLASSIST_CONFIG_DIR": str(tmp_path / "config"),
           "CALLASSIST_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run([sys.executable, "-m", "callassist", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_run_plays_a_transcript_saves_a_screenshot_and_exits(tmp_path):
    shot = tmp_path / "shots" / "overlay.png"
    agents = tmp_path / "config" / "overlay.ini"
    agents.parent.mkdir()
    agents.write_text("[window]\nmode=compact\npos=@Point(1105 24)\n")
    before = agents.read_bytes()
    done = _run("run", "--input", str(CORPUS / "dev-001.json"), "--speed", "20",
                "--mode", "expanded", "--screenshot", str(shot), "--exit-after",
                tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    image = QImage(str(shot))
    assert image.width() >= 400 and image.height() >= 100
    # A scripted run (run.sh's demo) never writes the agent's window settings (UX M10).
    assert agents.read_bytes() == before
    assert not (tmp_path / "data").exists(), "a replayed transcript is not stored without --save"


def test_no_subcommand_is_run(tmp_path):
    shot = tmp_path / "summary.png"
    done = _run("--input", str(CORPUS / "dev-004.json"), "--speed", "20", "--mode", "expanded",
                "--screenshot", str(shot), "--screenshot-at", "summary", "--exit-after",
                tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert QImage(str(shot)).height() > 300


def test_a_missing_input_file_is_a_one_line_error(tmp_path):
    done = _run("run", "--input", str(tmp_path / "nope.json"), "--exit-after", tmp_path=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert done.stderr.startswith("callassist: error: ") and "not found" in done.stderr


def test_a_corrupt_recording_is_refused_before_the_window_opens(tmp_path):
    bad = tmp_path / "call.wav"
    bad.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk")
    done = _run("run", "--input", str(bad), "--exit-after", tmp_path=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("callassist: error: ") and "call.wav" in done.stderr


def test_speed_is_refused_for_a_recording(tmp_path):
    wav = tmp_path / "call.wav"
    wav.write_bytes(b"RIFF")
    done = _run("run", "--input", str(wav), "--speed", "4", tmp_path=tmp_path)
    assert done.returncode == 2
    assert "--speed is for transcripts" in done.stderr


def test_without_a_display_run_says_what_to_do_instead_of_crashing(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["CALLASSIST_CONFIG_DIR"] = str(tmp_path / "config")
    done = subprocess.run([sys.executable, "-m", "callassist", "run", "--input",
                           str(CORPUS / "dev-001.json"), "--exit-after"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("callassist: error: no display")
    assert done.stderr.strip().count("\n") == 0
