"""Regression tests of the 2026-12-06 review's store findings (D1, D2, W1, S5, S6), each named
after its id. Clocks are injected or taken from the store's own; no test depends on today."""

from __future__ import annotations

import math
import os
import stat
import time

import pytest

from callassist.errors import CallAssistError
from callassist.settings import Settings
from callassist.store import open_store
from callassist.store import store as store_module
from callassist.store.db import StoreLocation, parse_url

from ..conftest import AGENTS, DAY, T0, fill_store

# --- D1, D2: retention that cannot wipe a team --------------------------------------------


def test_D1_a_personal_retention_days_never_purges_a_team_store(pg_url):
    with open_store(pg_url, settings=Settings(agent="Setup")) as store:
        fill_store(store, 12)  # 2026-11 calls: long past 7 days on any day this runs
    new_hire = Settings(agent="New Hire", retention_days=7)
    with open_store(pg_url, settings=new_hire) as store:
        assert store.purged == 0
        assert store.count_calls() == 12
        assert store.retention_days == 0  # the store's own policy: unset


def test_D1_a_local_store_applies_its_owner_setting_and_says_whose(tmp_path, capsys):
    path = str(tmp_path / "calls.sqlite3")
    with open_store(path, settings=Settings(agent="Dana")) as store:
        fill_store(store, 24)
        recent = store.save_report({"duration": 1.0}, source="now")  # today, by the clock
        # a limit reaching back into the fixture calls: their first ten go
        days = math.ceil((store.conn.now() - (T0 + 10 * DAY)) / DAY)
    with open_store(path, settings=Settings(agent="Dana", retention_days=days)) as store:
        assert store.purged == 10 and store.count_calls() == 15
        store.get_call(recent)
    err = capsys.readouterr().err
    assert f"retention of {days} days: 10 calls deleted (" in err
    assert all(f"{a} " in err for a in AGENTS)


def test_D2_a_clock_far_ahead_refuses_to_purge_most_of_the_store(tmp_path, capsys):
    path = str(tmp_path / "calls.sqlite3")
    with open_store(path, settings=Settings(agent="Dana")) as store:
        fill_store(store, 20)
        ahead = T0 + 400 * DAY  # a machine 400 days ahead of the calls
        with pytest.raises(CallAssistError, match="would delete 20 of the store's 20 calls"):
            store.purge(90, now=ahead)
        assert store.count_calls() == 20
        # The admin who means it:
        assert store.purge(90, now=ahead, override=True) == 20


def test_D2_a_clock_earlier_than_the_newest_call_refuses_to_purge(tmp_path):
    with open_store(str(tmp_path / "c.sqlite3"), settings=Settings(agent="Dana")) as store:
        fill_store(store, 20)
        behind = T0 + 15 * DAY  # calls up to T0 + 19 days exist: the clock is wrong
        with pytest.raises(CallAssistError, match="earlier than the newest call"):
            store.purge(10, now=behind)
        assert store.count_calls() == 20


@pytest.mark.postgres
def test_D2_the_team_store_counts_from_the_database_clock(pg_url, monkeypatch):
    with open_store(pg_url, settings=Settings(agent="Admin")) as store:
        ids = [store.save_report({"duration": 1.0}, source=f"c{i}") for i in range(3)]
        started = store.get_call(ids[0]).row.started_at
        assert abs(started - store.conn.now()) < 60  # stored by the server's clock
        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() + 400 * DAY)  # this machine: +400 d
        assert store.purge(90) == 0
        assert store.count_calls() == 3


# --- W1: a slow clock on another machine ---------------------------------------------------


@pytest.mark.postgres
def test_W1_a_machine_5_minutes_slow_keeps_its_live_call(pg_url, monkeypatch):
    real = time.time
    monkeypatch.setattr(store_module, "_host", lambda: "agent-a-pc/0000")
    monkeypatch.setattr(time, "time", lambda: real() - 300)
    agent_a = open_store(pg_url, settings=Settings(agent="Agent A"))
    rec = agent_a.begin_call()
    rec.write([{"type": "warning", "kind": "blame", "at": 1.0, "evidence": "x", "advice": "y"}])
    monkeypatch.undo()  # the supervisor's machine, with the right clock
    with open_store(pg_url, settings=Settings(agent="Sup")) as sup:
        assert sup.recovered == []
        assert sup.get_call(rec.call_id).row.status == "live"
    with open_store(pg_url, settings=Settings(agent="Sup"), readonly=True) as sup:
        assert sup.get_call(rec.call_id).row.status == "live"
    rec.finish()
    agent_a.close()


# --- S5: private files -----------------------------------------------------------------------


def test_S5_the_store_and_its_folder_are_this_users_alone(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # as an older version (or useradd's defaults) left it
    monkeypatch.setenv("CALLASSIST_DATA_DIR", str(data))
    old = os.umask(0o022)
    try:
        with open_store(settings=Settings(agent="Dana")) as store:
            store.save_report({"duration": 1.0}, source="x")
            files = [data / "calls.sqlite3", data / "calls.sqlite3-wal",
                     data / "calls.sqlite3-shm"]
            assert stat.S_IMODE(data.stat().st_mode) == 0o700
            for f in files:
                assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
        other = tmp_path / "elsewhere" / "team.sqlite3"  # a store in a new folder
        open_store(str(other), settings=Settings(agent="Dana")).close()
        assert stat.S_IMODE(other.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(other.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_S5_a_store_made_world_readable_before_is_made_private(tmp_path):
    path = tmp_path / "calls.sqlite3"
    open_store(str(path), settings=Settings(agent="Dana")).close()
    path.chmod(0o644)
    open_store(str(path), settings=Settings(agent="Dana")).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- S6: no password in any message ----------------------------------------------------------

URL_FORMS = [
    ("postgresql://agent:pa/ss99@127.0.0.1:1/calls", "pa/ss99"),
    ("postgresql://agent:p@ss99@127.0.0.1:1/calls", "p@ss99"),
    ("host=127.0.0.1 port=1 user=agent password=S3cret dbname=calls", "S3cret"),
    ("postgresql://agent:S3cret@[::1/calls", "S3cret"),
    ("postgresql://agent:S3cret@127.0.0.1:1/calls?password=Other1", "Other1"),
    ("postgresql://agent@127.0.0.1:1/calls?password=S3cret&sslmode=bogus", "S3cret"),
    ("host=127.0.0.1 port=1 password='quoted secret' dbname=calls", "quoted secret"),
]


@pytest.mark.parametrize(("url", "secret"), URL_FORMS)
def test_S6_no_password_in_the_location_or_any_error(url, secret, tmp_path):
    location = parse_url(url, tmp_path / "x")
    assert location.kind == "postgresql"
    assert secret not in location.display
    with pytest.raises(CallAssistError) as e:
        open_store(url, settings=Settings(agent="Dana"), timeout=1.0)
    assert secret not in str(e.value)
    assert "***" in str(e.value) or "agent" in str(e.value)


def test_S6_a_message_quoting_the_url_is_scrubbed():
    loc = StoreLocation("postgresql", "postgresql://agent:p@ss99@db/calls")
    assert "p@ss99" not in loc.scrub('invalid URI: "postgresql://agent:p@ss99@db/calls"')
