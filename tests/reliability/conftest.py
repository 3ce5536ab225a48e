"""Fixtures for the bad-input findings (../shared/findings/reliability-2026-11-23.md): each test
names its finding id and replays its reproduction. `cli` runs the real command in this process
and checks the one promise every input must keep: a result, or one `callassist: error:` line
with exit status 2 (never a traceback)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from callassist.cli import main


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def error(self) -> str:
        """The one error line (the test fails unless there is exactly one)."""
        lines = self.err.strip().splitlines()
        assert self.code == 2 and len(lines) == 1, (self.code, self.err)
        assert lines[0].startswith("callassist: error: "), lines[0]
        return lines[0]


@pytest.fixture
def cli(capsys, monkeypatch, tmp_path):
    """Runs `callassist ARGS...` with a private store; returns the exit code and output."""
    monkeypatch.setenv("CALLASSIST_STORE", str(tmp_path / "calls.sqlite3"))

    def run(*args: str | Path) -> Run:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as e:  # argparse's usage errors
            code = e.code if isinstance(e.code, int) else 2
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return Run(code, out, err)

    return run


@pytest.fixture
def write_json(tmp_path):
    def write(doc: object, name: str = "t.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
        return path

    return write
