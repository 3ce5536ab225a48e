"""D3, D4: a recorder survives its database. A real PostgreSQL server of the test's own is
stopped (or its postmaster killed, as a crash) in the middle of a call and started again; a
SQLite store is held by another writer longer than the recorder's busy timeout (as a long
delete did). Nothing of the call may be lost."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from callassist.coach.events import TranscriptEvent
from callassist.settings import Settings
from callassist.store import open_store

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "start-postgres.sh"
LINES = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A PostgreSQL server of this test's own (never the shared one): started, stopped and
    killed with scripts/start-postgres.sh."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="ca-pg-reconnect-")
        self.env = {**os.environ, "CALLASSIST_PG_DIR": self.dir,
                    "CALLASSIST_PG_PORT": str(_free_port())}
        self.url = self.run("start")

    def run(self, action: str) -> str:
        proc = subprocess.run(["bash", str(SCRIPT), action], env=self.env, capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()

    def close(self) -> None:
        self.run("stop")
        shutil.rmtree(self.dir, ignore_errors=True)
        Path(f"{self.dir}.initdb.log").unlink(missing_ok=True)  # start-postgres.sh's log


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def _line(i: int) -> dict:
    text = f"line {chr(97 + i % 26)}{chr(97 + i // 26)}"  # no digits: nothing is redacted
    return {"type": "transcript", "speaker": "agent", "final": True, "text": text,
            "start": i * 0.5, "end": i * 0.5 + 0.4, "words": []}


def _wait(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _call_through(url: str, outage) -> tuple[int, list[str], str]:
    """Records LINES lines while `outage(recorder)` runs after the first third; returns the
    call id, the stored lines and its status."""
    settings = Settings(agent="Agent R")
    store = open_store(url, settings=settings)
    rec = store.begin_call(pace=1.0)
    written = threading.Event()

    def agent() -> None:
        for i in range(LINES):
            rec.write([_line(i)])  # never raises while the store is away
            if i == LINES // 3:
                written.set()
            time.sleep(0.01)

    t = threading.Thread(target=agent)
    t.start()
    written.wait(30)
    outage(rec)
    t.join(120)
    report = {"duration": LINES * 0.5, "steps": {}, "warnings": [], "reminders": [],
              "summary": {}, "transcript": [
                  {k: _line(i)[k] for k in ("speaker", "start", "end", "text")}
                  for i in range(LINES)]}
    call_id = rec.finish(report)
    store.close()
    with open_store(url, settings=settings, readonly=True) as check:
        call = check.get_call(call_id)
        lines = [e.text for e in call.events if isinstance(e, TranscriptEvent)]
        return call_id, lines, call.row.status


@pytest.mark.postgres
@pytest.mark.parametrize("how", ["stop", "kill"])
def test_D3_a_call_loses_nothing_over_a_postgresql_restart(server, how):
    """`stop`: a clean restart (pg_ctl -m fast); `kill`: the postmaster killed with SIGKILL,
    which also loses the last asynchronous commits: the recorder sends them again."""

    def outage(rec) -> None:
        server.run(how)
        _wait(lambda: rec.waiting > 0)  # the agent goes on; its lines wait
        server.run("start")
        _wait(lambda: rec.waiting == 0)

    _, lines, status = _call_through(server.url, outage)
    assert status == "complete"
    assert lines == [_line(i)["text"] for i in range(LINES)]


def test_D4_a_store_held_by_a_long_delete_does_not_stop_a_live_call(tmp_path):
    """Another program holds the write lock longer than the recorder's 5 s busy timeout (a
    VACUUM of a 2 GB store took 23 s): the lines wait, and are stored when it lets go."""
    path = tmp_path / "calls.sqlite3"
    open_store(str(path), settings=Settings(agent="A")).close()

    def outage(rec) -> None:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        _wait(lambda: rec.waiting > 0)
        time.sleep(5.5)  # past the busy timeout: the fault itself, not a wait for a result
        holder.execute("COMMIT")
        holder.close()
        _wait(lambda: rec.waiting == 0)

    _, lines, status = _call_through(str(path), outage)
    assert status == "complete"
    assert lines == [_line(i)["text"] for i in range(LINES)]


def test_D4_deleting_a_call_no_longer_rebuilds_the_whole_file(tmp_path):
    """No VACUUM (it held a 2 GB store for 23 s): the freed pages stay in the file, zeroed
    by secure_delete (test_store_privacy checks no word is left)."""
    path = tmp_path / "calls.sqlite3"
    with open_store(str(path), settings=Settings(agent="A")) as store:
        report = {"duration": 5.0, "steps": {}, "warnings": [], "reminders": [], "summary": {},
                  "transcript": [{"speaker": "agent", "start": 0.0, "end": 1.0,
                                  "text": "word " * 2000}]}
        ids = [store.save_report(report, source="x") for _ in range(20)]
        store.delete_calls(ids[:5])
        # VACUUM would have left no free page; the freed ones are zeroed instead.
        assert store.conn.execute("PRAGMA freelist_count")[0][0] > 0
        assert store.conn.execute("PRAGMA secure_delete")[0][0] == 1
