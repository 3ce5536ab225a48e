"""Store access findings: P1 (read-only commands needed write access and waited for writers),
P2 (a mistyped store path made a new store; /dev/null left /dev/null-journal), P3 (a failed
--save threw the analysis away)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CALL = REPO / "tests" / "corpus" / "dev-004.json"
READ_COMMANDS = [["calls", "list"], ["calls", "show", "1"], ["calls", "export"],
                 ["calls", "queue"], ["playbook", "suggest"]]


@pytest.fixture
def saved(cli, tmp_path) -> Path:
    assert cli("analyze", CALL, "--save").code == 0
    return tmp_path / "calls.sqlite3"


@contextlib.contextmanager
def read_only_copy(store: Path, folder: Path) -> Iterator[Path]:
    """The store on a read-only disk: a tmpfs remounted read-only (root ignores file modes),
    or a folder without write permission for anyone else."""
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
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("root without mount rights: no way to make a read-only disk here")
    try:
        shutil.copy(store, folder)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder / store.name
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.parametrize("command", READ_COMMANDS)
def test_p1_read_commands_work_on_a_store_on_a_read_only_disk(cli, saved, tmp_path, command):
    with read_only_copy(saved, tmp_path / "ro") as store:
        before = sorted(p.name for p in store.parent.iterdir())
        run = cli(*command, "--store", store)
        assert run.code == 0, run.err
        assert sorted(p.name for p in store.parent.iterdir()) == before
    if command[:2] == ["calls", "list"]:
        assert "Cold hold without handoff" in run.out


def test_p1_writing_to_a_read_only_store_is_still_a_clear_error(cli, saved, tmp_path):
    with read_only_copy(saved, tmp_path / "ro") as store:
        error = cli("calls", "note", "1", "well handled", "--store", store).error
    assert "cannot write the call store" in error or "read-only" in error


@pytest.mark.parametrize("command", READ_COMMANDS[:3])
def test_p1_read_commands_do_not_wait_for_a_program_writing_the_store(cli, saved, command):
    writer = sqlite3.connect(saved, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a long write transaction, as the sqlite3 shell can hold
    writer.execute("UPDATE calls SET agent = 'someone else'")
    try:
        run = cli(*command, "--store", saved)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert run.code == 0, run.err
    if command[:2] == ["calls", "list"]:
        assert "someone else" not in run.out  # the last commit, not the writer's half-work


def test_p1_a_read_command_still_closes_a_call_its_dead_writer_left_live(cli, saved):
    with sqlite3.connect(saved) as db:
        db.execute("UPDATE calls SET status = 'live', pid = 999999999")
    assert "interrupted" in cli("calls", "list", "--store", saved).out
    with sqlite3.connect(saved) as db:
        assert db.execute("SELECT status FROM calls").fetchone()[0] == "interrupted"


@pytest.mark.parametrize("how", ["--store", "setting"])
def test_p2_a_mistyped_store_path_is_an_error_and_creates_nothing(cli, tmp_path, monkeypatch,
                                                                  how):
    missing = tmp_path / "nonexistent_dir" / "sub" / "x.sqlite3"
    if how == "setting":
        monkeypatch.setenv("CALLASSIST_STORE", str(missing))
        error = cli("calls", "list").error
    else:
        error = cli("calls", "list", "--store", missing).error
    assert "no call store there" in error
    assert not (tmp_path / "nonexistent_dir").exists()


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
@pytest.mark.parametrize("command", [["calls", "list"], ["analyze", CALL, "--save"]])
def test_p2_a_device_as_the_store_is_refused_and_leaves_no_journal(cli, monkeypatch, device,
                                                                   command):
    monkeypatch.setenv("CALLASSIST_STORE", device)
    journal = Path(f"{device}-journal")
    assert not journal.exists()
    error = cli(*command).error
    assert f"{device}: is not a regular file" in error
    assert not journal.exists()
    assert not Path(f"{device}-wal").exists()


def test_p2_a_folder_as_the_store_is_refused(cli, tmp_path):
    assert "is a folder" in cli("calls", "list", "--store", tmp_path).error


def test_p2_the_default_store_may_be_new_for_a_read_command(cli, monkeypatch):
    monkeypatch.delenv("CALLASSIST_STORE")
    run = cli("calls", "list")
    assert run.code == 0 and "no calls match" in run.out


@pytest.mark.parametrize("flag", [[], ["--json"]])
def test_p3_a_failed_save_still_prints_the_analysis_then_one_error(cli, tmp_path, monkeypatch,
                                                                   flag):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"not a database\n" * 100)
    monkeypatch.setenv("CALLASSIST_STORE", str(damaged))
    run = cli("analyze", CALL, "--save", *flag)
    error = run.error
    assert "damaged" in error and "the report above is complete" in error
    assert "Cold hold without handoff" in run.out  # the whole analysis was printed
    assert "Saved as call" not in run.out and "retention setting is 'none'" not in run.out
    assert damaged.read_bytes() == b"not a database\n" * 100


def test_p3_retention_none_is_not_an_error(cli, monkeypatch):
    monkeypatch.setenv("CALLASSIST_RETENTION", "none")
    run = cli("analyze", CALL, "--save")
    assert run.code == 0 and "Not saved: the retention setting is 'none'" in run.out
