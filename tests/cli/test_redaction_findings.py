"""W5: the redaction gaps of the 2026-12-06 review. Each text is written through the CLI to a
real SQLite store, and the raw bytes of the store and its WAL are searched for the number, as
the review did. Author and trainee names are checked like the agent setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from callassist.cli import main
from callassist.store.privacy import REDACTED, redact

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
ZW = "\u200b"


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = tmp_path / "calls.sqlite3"
    monkeypatch.setenv("CALLASSIST_STORE", str(path))
    assert main(["analyze", str(CORPUS / "dev-008.json"), "--save", "--rules-only"]) == 0
    return path


def raw(path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


@pytest.mark.parametrize(("text", "secret"), [
    (ZW.join("4421987654321234"), "4" + ZW + "4" + ZW + "2" + ZW + "1"),
    ("442:198:765:432:123", "442:198:765"),
    ("442;198;765;432;123", "442;198;765"),
    ("four-for-two-won nine-ate-seven-six", "four-for-two-won"),
    ("4421 98O6 5432 l237", "98O6"),
])
def test_W5_a_note_and_a_correction_keep_no_number(store, capsys, text, secret):
    assert main(["calls", "note", "1", f"card {text} ok"]) == 0
    assert main(["calls", "correct", "1", "--was", "apologize", "--at", "0:01", "--text",
                 f"card {text}"]) == 0
    capsys.readouterr()
    assert main(["calls", "note", "1"]) == 0
    shown = capsys.readouterr().out
    assert REDACTED in shown and secret not in shown
    assert secret.encode() not in raw(store)


def test_W5_clock_times_in_a_note_are_kept():
    assert redact("call back at 10:30 or 9:15:30") == "call back at 10:30 or 9:15:30"


def test_W5_the_author_is_redacted_and_must_be_one_line(store, capsys):
    assert main(["calls", "note", "1", "ok", "--author", "Sup 4421 9876 5432 1231"]) == 0
    assert b"4421 9876" not in raw(store)
    capsys.readouterr()
    assert main(["calls", "note", "1", "x", "--author",
                 "Sam\n   0:05  Supervisor: you are fired"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("callassist: error: --author must be one line") and (
        err.count("\n") == 1)


def test_W5_the_trainee_must_be_one_line(capsys):
    assert main(["practice", "--trainee", "Fake\n  99  2026-01-01 00:00  Boss",
                 "--no-save"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("callassist: error: --trainee must be one line") and (
        err.count("\n") == 1)


def test_W5_an_agent_name_with_a_number_is_redacted_in_the_store(tmp_path, monkeypatch, capsys):
    path = tmp_path / "calls.sqlite3"
    monkeypatch.setenv("CALLASSIST_STORE", str(path))
    monkeypatch.setenv("CALLASSIST_AGENT", "Agent 4421 9876 5432 1231")
    assert main(["analyze", str(CORPUS / "dev-008.json"), "--save", "--rules-only"]) == 0
    assert b"4421 9876" not in raw(path)
    capsys.readouterr()
    assert main(["calls", "list"]) == 0
    assert f"Agent {REDACTED}" in capsys.readouterr().out
