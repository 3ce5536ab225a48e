"""The same numbered migrations on SQLite and a real PostgreSQL server."""

from __future__ import annotations

import pytest

from callassist.store import StoreError, open_store
from callassist.store.db import connect, parse_url
from callassist.store.migrations import LATEST, MIGRATIONS, migrate
from callassist.store.store import default_path


def _version(store) -> int:
    return store.conn.execute("SELECT version FROM schema_version")[0][0]


def test_a_new_store_is_migrated_to_the_latest_schema_on_both_databases(store_url, settings):
    with open_store(store_url, settings=settings) as store:
        assert _version(store) == LATEST == len(MIGRATIONS)
        assert store.count_calls() == 0
        for table in ("calls", "events", "call_warnings"):
            assert store.conn.execute(f"SELECT COUNT(*) FROM {table}") == [(0,)]


def test_reopening_keeps_the_calls_and_does_not_migrate_twice(store_url, settings):
    with open_store(store_url, settings=settings) as store:
        call_id = store.save_report({"duration": 5.0, "steps": {}, "warnings": []}, "a.json")
    with open_store(store_url, settings=settings) as store:
        assert _version(store) == LATEST
        assert [c.id for c in store.list_calls()] == [call_id]


def test_migrating_an_already_current_connection_is_a_no_op(store_url, settings):
    with open_store(store_url, settings=settings) as store:
        assert migrate(store.conn) == LATEST


def test_a_store_from_a_newer_version_is_refused_not_overwritten(store_url, settings):
    with open_store(store_url, settings=settings) as store:
        store.save_report({"duration": 1.0, "steps": {}, "warnings": []}, "a.json")
        store.conn.execute("UPDATE schema_version SET version = ?", (LATEST + 5,))
    with pytest.raises(StoreError, match=r"newer CallAssist.*upgrade"):
        open_store(store_url, settings=settings)


def test_a_database_with_other_tables_is_refused(store_url, settings):
    conn = connect(parse_url(store_url, default_path()))
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.close()
    with pytest.raises(StoreError, match="not a CallAssist call store"):
        open_store(store_url, settings=settings)


def test_the_default_store_is_sqlite_in_the_data_folder(private_folders, settings):
    with open_store(settings=settings) as store:
        assert store.dialect == "sqlite"
        assert store.location.target == str(private_folders / "data" / "calls.sqlite3")
        assert store.conn.execute("PRAGMA journal_mode")[0][0] == "wal"


def test_the_store_setting_selects_postgresql(pg_url, monkeypatch):
    monkeypatch.setenv("CALLASSIST_STORE", pg_url)
    with open_store() as store:
        assert store.dialect == "postgresql"


def test_an_unknown_url_scheme_is_a_clear_error(settings):
    with pytest.raises(StoreError, match="not supported: use a file path"):
        open_store("mysql://x/y", settings=settings)
