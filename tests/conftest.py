"""Fixtures every test folder shares: private user folders (no test reads or writes the real
user's settings, data or store), the built-in playbook, call stores (SQLite, and a real
PostgreSQL server started with scripts/start-postgres.sh if none answers, with a fresh schema per
test), a store filled with the dev calls, and `cli`, which runs a command in this process and
holds it to the one-line error promise. Folder conftests add their own.

The suite runs in parallel (pytest-xdist, `scripts/test.sh`): every test has its own folders,
SQLite files and PostgreSQL schema, and X displays are chosen free (`Xvfb -displayfd`). The
PulseAudio tests share one server and its null sinks, so they all run in one worker, one after
another (the `pulse` xdist group)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from callassist.cli import main
from callassist.coach.playbook import Playbook, load_playbook
from callassist.settings import Settings

# Qt windows (overlay, review) run offscreen unless a test brings a real display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"
# Fixtures that play into or record from the one PulseAudio server.
PULSE_FIXTURES = {"pulse", "pulse_microphone", "sinks"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("pulse") or PULSE_FIXTURES & set(
                getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.pulse)  # scripts/test.sh runs these on their own
            item.add_marker(pytest.mark.xdist_group("pulse"))


@pytest.fixture(autouse=True)
def private_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings and data in tmp folders; settings from the environment of whoever runs the
    tests (agent, retention, store, model) do not leak in."""
    monkeypatch.setenv("CALLASSIST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CALLASSIST_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CALLASSIST_CACHE_DIR", str(tmp_path / "cache"))
    # The `callassist call` socket: a short path (Unix sockets allow ~100 characters).
    monkeypatch.setenv("CALLASSIST_RUNTIME_DIR", tempfile.mkdtemp(prefix="ca-run-"))
    for var in ("CALLASSIST_AGENT", "CALLASSIST_RETENTION", "CALLASSIST_STORE",
                "CALLASSIST_MODEL", "CALLASSIST_RETENTION_DAYS", "CALLASSIST_PARTIALS",
                "CALLASSIST_SILENCE_ENDS_CALL", "CALLASSIST_ABOVE_FULLSCREEN"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def playbook() -> Playbook:
    return load_playbook()


DEFAULT_PG = "postgresql://postgres@127.0.0.1:55432/callassist_test"


def _pg_answers(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.Error:
        return False
    return True


@pytest.fixture(scope="session")
def pg_server() -> str:
    url = os.environ.get("CALLASSIST_TEST_PG_URL", DEFAULT_PG)
    if _pg_answers(url):
        return url
    # Parallel workers: one starts the server, the others wait for it and find it up.
    with open(Path(tempfile.gettempdir()) / f"callassist-pg-start-{os.getuid()}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _pg_answers(url):
            return url
        proc = subprocess.run(
            ["bash", str(REPO / "scripts" / "start-postgres.sh")],
            capture_output=True, text=True, timeout=120,
        )
    if proc.returncode != 0:
        pytest.fail(f"cannot start PostgreSQL: {proc.stderr.strip()}")
    return proc.stdout.strip().splitlines()[-1]


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty schema on the real server, dropped after the test."""
    import psycopg

    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield f"{pg_server}?options=-csearch_path%3D{schema}"
    with psycopg.connect(pg_server, autocommit=True) as conn, contextlib.suppress(psycopg.Error):
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "calls.sqlite3")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def settings():
    return Settings(agent="Dana", retention="full")


AGENTS = ("Dana Smith", "Lee Park", "Sam Rivera")
DAY = 86400.0
# Monday 2 November 2026, 09:00 UTC: the first stored call
T0 = 1793610000.0


def fill_store(store, n: int = 24) -> list[int]:
    """The dev corpus calls through the coach, stored under three agents, one call a day."""
    from callassist.coach.playbook import load_playbook
    from callassist.coach.session import CallSession
    from callassist.replay import feed_transcript
    from callassist.transcript import load_transcript

    playbook = load_playbook()
    paths = sorted(CORPUS.glob("dev-*.json"))
    ids = []
    for i in range(n):
        t = load_transcript(paths[i % len(paths)])
        report = feed_transcript(t, CallSession(playbook)).report()
        ids.append(store.save_report(report, source=str(paths[i % len(paths)].name),
                                     agent=AGENTS[i % len(AGENTS)], started_at=T0 + i * DAY,
                                     engine="vosk", model="test-model", title=t.title))
    return ids


@pytest.fixture
def filled_store(tmp_path, settings):
    from callassist.store import open_store

    path = tmp_path / "team.sqlite3"
    with open_store(str(path), settings=settings) as store:
        fill_store(store)
    return path


@pytest.fixture
def fill():
    return fill_store


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
    """Runs `callassist ARGS...` in this process with a private store; returns the exit code and
    output, and fails on a traceback: every input gives a result or one `callassist: error:`
    line with exit status 2."""
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
