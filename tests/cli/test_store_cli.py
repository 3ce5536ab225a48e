"""The store's commands as a user runs them: the admin's `callassist store ...`, purge and its
safeguards, and the findings D5, W6 and P1, each test named after its id."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from callassist.cli import main
from callassist.settings import Settings
from callassist.store import open_store

from ..conftest import T0
from ..store.team_roles import team_store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- the admin's commands on a team store ----------------------------------------------------


@pytest.mark.postgres
def test_store_commands_set_up_members_and_a_retention_only_the_admin_may_change(
        pg_url, capsys, monkeypatch):
    with team_store(pg_url) as team:
        code, out, _ = run(capsys, "store", "whoami", "--store", team.url("ana"))
        assert code == 0 and "agent, storing as \u201cAna Agent\u201d in team red" in out
        code, out, _ = run(capsys, "store", "members", "--store", team.url("ada"))
        assert code == 0 and "Supervisor Sam" in out and "Cy Agent" in out
        # A new agent with a password that no placeholder or quote may break.
        team.roles["dee"] = "dee_" + team.prefix
        monkeypatch.setattr("sys.stdin", io.StringIO("p?w%s'x\n"))
        code, out, err = run(capsys, "store", "add-agent", team.roles["dee"], "--name",
                             "Dee Agent", "--team", "blue", "--password-stdin", "--store",
                             team.admin_url)
        assert code == 0, err
        with psycopg.connect(team.admin_url) as conn:
            (hashed,) = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s",
                                     (team.roles["dee"],)).fetchone()
        assert hashed and hashed.startswith("SCRAM-SHA-256$")
        code, _, err = run(capsys, "store", "retention", "30", "--store", team.url("sam"))
        assert code == 2 and "only the store's admin" in err
        code, out, _ = run(capsys, "store", "retention", "30", "--store", team.url("ada"))
        assert code == 0 and "30 days" in out
        with team.store("ana") as s:
            s.save_report({"duration": 1.0}, source="a", started_at=T0)
            s.save_report({"duration": 1.0}, source="b")
        with team.store("cy") as s:
            s.save_report({"duration": 1.0}, source="c")
        code, _, err = run(capsys, "calls", "purge", "--yes", "--store", team.url("ana"))
        assert code == 2 and "only the store's admin" in err
        code, _, err = run(capsys, "calls", "delete", "1", "--yes", "--store", team.url("ana"))
        assert code == 2 and ("only the store's admin" in err)
        code, out, _ = run(capsys, "calls", "purge", "--yes", "--store", team.url("ada"))
        assert code == 0 and out.strip() == "1 call deleted (Ana Agent 1)"


def test_store_setup_roles_is_for_a_team_store_only(capsys, filled_store):
    code, _, err = run(capsys, "store", "setup-roles", "--store", str(filled_store))
    assert code == 2 and "PostgreSQL" in err


def test_purge_refuses_most_of_the_store_then_deletes_with_override(capsys, filled_store):
    # The fixture calls are from November 2026: on any later day, 1 day deletes them all.
    code, _, err = run(capsys, "calls", "purge", "--older-than", "1", "--yes", "--store",
                       str(filled_store))
    assert code == 2 and "would delete 24 of the store's 24 calls" in err
    code, out, _ = run(capsys, "calls", "purge", "--older-than", "1", "--yes", "--override",
                       "--store", str(filled_store))
    assert code == 0
    assert out.strip() == "24 calls deleted (Dana Smith 8, Lee Park 8, Sam Rivera 8)"


# --- W6 ----------------------------------------------------------------------------------------


def test_W6_corrections_and_notes_past_the_end_of_the_call_are_refused(capsys, filled_store):
    with open_store(str(filled_store), settings=Settings(agent="M")) as store:
        call = store.list_calls(limit=1)[0]
    s = str(filled_store)
    code, _, err = run(capsys, "calls", "correct", str(call.id), "--was", "apologize", "--at",
                       "99:00", "--store", s)
    assert code == 2 and "past the end of call" in err
    code, _, err = run(capsys, "calls", "note", str(call.id), "x", "--at", "1:99", "--store", s)
    assert code == 2 and "not a moment of the call" in err
    code, _, err = run(capsys, "calls", "note", str(call.id), "x", "--at", "59:00", "--store", s)
    assert code == 2 and "past the end" in err
    with open_store(s, settings=Settings(agent="M")) as store:
        assert store.corrections.for_call(call.id) == []
        assert store.coaching.notes(call.id) == []


def test_W6_filters_take_every_warning_kind_and_whole_days(capsys, filled_store):
    code, out, err = run(capsys, "calls", "list", "--warning", "hold_without_handoff",
                         "--store", str(filled_store))
    assert code == 0, err
    assert len(out.splitlines()) >= 2  # the header and the calls with a hold warning
    code, _, err = run(capsys, "calls", "purge", "--older-than", "1e-9", "--yes", "--store",
                       str(filled_store))
    assert code == 2 and "not a number of days from 1" in err
    with open_store(str(filled_store), settings=Settings(agent="M")) as store:
        assert store.count_calls() == 24


# --- D5, S5: exports -------------------------------------------------------------------------


def test_D5_export_to_a_device_or_a_pipe_writes_into_it_and_never_replaces_it(
        capsys, filled_store, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    code, _, err = run(capsys, "calls", "export", "--format", "html", "-o", str(fifo),
                       "--store", str(filled_store))
    reader.join(30)
    assert code == 0, err
    assert stat.S_ISFIFO(fifo.stat().st_mode) and got and got[0].startswith(b"<!DOCTYPE html>")
    code, _, err = run(capsys, "calls", "export", "--format", "csv", "-o", os.devnull,
                       "--store", str(filled_store))
    assert code == 0, err
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert not [p for p in os.listdir("/dev") if p.startswith(".null.")]
    code, out, _ = run(capsys, "calls", "export", "--format", "csv", "-o", "-", "--store",
                       str(filled_store))
    assert code == 0 and out.startswith("call_id,")  # no byte-order mark on stdout


def test_S5_exports_are_this_users_alone(capsys, filled_store, tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "report.html"
        assert main(["calls", "export", "--format", "html", "-o", str(out), "--store",
                     str(filled_store)]) == 0
        folder = tmp_path / "json-out"
        assert main(["calls", "export", "--format", "json", "-o", f"{folder}/", "--store",
                     str(filled_store)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {0o600}


# --- P1 --------------------------------------------------------------------------------------


@contextlib.contextmanager
def _read_only_copy(store: Path, folder: Path) -> Iterator[Path]:
    """The store on a read-only disk: a tmpfs remounted read-only (root ignores file modes),
    or a folder without write permission."""
    folder.mkdir()
    if os.geteuid() != 0:
        shutil.copy(store, folder)
        folder.chmod(0o555)
        (folder / store.name).chmod(0o444)
        try:
            yield folder / store.name
        finally:
            folder.chmod(0o755)
        return
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("root without mount rights: no way to make a read-only disk here")
    try:
        shutil.copy(store, folder)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder / store.name
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_P1_review_opens_a_store_on_a_read_only_disk(filled_store, tmp_path, capsys):
    from callassist.cli import review

    with _read_only_copy(filled_store, tmp_path / "ro") as path:
        store = review._open(argparse.Namespace(store=str(path)))
        try:
            assert store.readonly and store.count_calls() == 24
        finally:
            store.close()
    assert "opened read-only" in capsys.readouterr().err
