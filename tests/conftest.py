"""Fixtures every test folder shares: private user folders (no test reads or writes the real
user's settings, data or store), the built-in playbook, call stores (SQLite, and a real
PostgreSQL server started with scripts/start-postgres.sh if none answers, with a fresh schema per
test) and a store filled with the dev calls. Folder conftests add their own."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from callassist.coach.playbook import Playbook, load_playbook
from callassist.settings import Settings

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
    if not _pg_answers(url):
        proc = subprocess.run(
            ["bash", str(REPO / "scripts" / "start-postgres.sh")],
            capture_output=True, text=True, timeout=120,
        )
        if proc.returncode != 0:
            pytest.fail(f"cannot start PostgreSQL: {proc.stderr.strip()}")
        url = proc.stdout.strip().splitlines()[-1]
    return url


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
