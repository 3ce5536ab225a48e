"""Fixtures every test folder shares: private user folders (no test reads or writes the real
user's settings, data or store) and the built-in playbook. Folder conftests add their own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from callassist.coach.playbook import Playbook, load_playbook

# Qt windows (overlay, review) run offscreen unless a test brings a real display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"


@pytest.fixture(autouse=True)
def private_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings and data in tmp folders; settings from the environment of whoever runs the
    tests (agent, retention, store, model) do not leak in."""
    monkeypatch.setenv("CALLASSIST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CALLASSIST_CONFIG_DIR", str(tmp_path / "config"))
    for var in ("CALLASSIST_AGENT", "CALLASSIST_RETENTION", "CALLASSIST_STORE",
                "CALLASSIST_MODEL", "CALLASSIST_RETENTION_DAYS", "CALLASSIST_PARTIALS"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def playbook() -> Playbook:
    return load_playbook()
