"""Store findings: C8 (one damaged call breaks listing), C9 (huge ids and dates), W7 (--limit 0),
P7 (unknown warning kind)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CALL = REPO / "tests" / "corpus" / "dev-004.json"


@pytest.fixture
def store(cli, tmp_path) -> Path:
    assert cli("analyze", CALL, "--save").code == 0
    return tmp_path / "calls.sqlite3"


def test_c8_a_huge_duration_is_refused_at_input(cli, write_json):
    poison = write_json({"turns": [
        {"speaker": "agent", "start": 0, "end": 2, "text": "i am so sorry"},
        {"speaker": "customer", "start": 3, "end": 1e17, "text": "hmm"}]})
    assert "turns[1].end" in cli("analyze", poison, "--save").error


@pytest.mark.parametrize("started", [-1e17, 1e300, -1e300])
def test_c8_a_call_with_an_impossible_date_does_not_break_the_store(cli, store, started):
    """A row written by an older version (before input checks) still lists, shows, exports."""
    with sqlite3.connect(store) as db:
        db.execute("UPDATE calls SET started_at = ?, duration = ?", (started, 1e17))
    listing = cli("calls", "list")
    assert listing.code == 0 and "?" in listing.out
    assert cli("calls", "show", "1").code == 0
    assert cli("calls", "export", "--format", "html").code == 0
    assert cli("calls", "export", "--format", "csv").code == 0
