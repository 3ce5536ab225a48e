"""Command-line findings C9, C11, C12, W5, W7, P7 and argparse mistakes: one
`callassist: error:` line with exit status 2, or the right output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CALL = REPO / "tests" / "corpus" / "dev-003.json"


@pytest.mark.parametrize("args", [
    ["calls", "list", "--limit", "99999999999999999999"],
    ["calls", "show", "99999999999999999999"],
    ["calls", "export", "99999999999999999999"],
    ["calls", "list", "--until", "9999-12-31"],
    ["calls", "list", "--since", "0001-01-01"],
    ["calls", "list", "--limit", "0"],  # W7: showed one row
    ["calls", "list", "--limit", "-3"],
    ["calls", "list", "--warning", "blame' OR 1=1 --"],  # P7
    ["calls", "show", "abc"],
    ["calls", "frobnicate"],
    ["analyze"],
])
def test_c9_w7_p7_bad_arguments_are_one_line_errors(cli, args):
    assert cli("analyze", CALL, "--save").code == 0
    error = cli(*args).error
    assert "Traceback" not in error


def _installed(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "callassist", *args], capture_output=True,
                          env={**os.environ, **(env or {})}, timeout=120, **kw)


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_c11_a_terminal_without_utf8_gets_escapes_not_a_crash(encoding):
    run = _installed("analyze", str(CALL), env={"PYTHONIOENCODING": encoding})
    assert run.returncode == 0, run.stderr
    assert b"Defensive agent" in run.stdout


def test_c12_a_closed_pipe_ends_quietly(tmp_path):
    reader = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL)
    run = subprocess.run([sys.executable, "-m", "callassist", "analyze", str(CALL)],
                         stdout=reader.stdin, stderr=subprocess.PIPE, timeout=120)
    reader.stdin.close()
    reader.wait()
    assert b"Traceback" not in run.stderr and b"BrokenPipe" not in run.stderr


def test_w5_escape_sequences_in_a_transcript_are_shown_as_text(cli, write_json):
    path = write_json({"id": "ansi", "title": "\u001b]0;PWNED-TITLE\u0007", "turns": [
        {"speaker": "customer", "start": 0, "end": 2,
         "text": "hello \u001b[2J\u001b[31mFAKE: all steps covered\u001b[0m"}]})
    for args in (["analyze", path, "--save"], ["calls", "show", "1"], ["calls", "list"]):
        out = cli(*args).out
        assert "\x1b" not in out and "\x07" not in out, args
    assert "\\x1b[2J" in cli("calls", "show", "1").out


def test_w5_exports_to_stdout_are_data_and_stay_exact(cli, write_json):
    path = write_json({"turns": [{"speaker": "agent", "start": 0, "end": 2,
                                  "text": "tab\there"}]})
    assert cli("analyze", path, "--save").code == 0
    exported = json.loads(cli("calls", "export", "1", "--format", "json").out)
    assert exported["turns"][0]["text"] == "tab\there"
