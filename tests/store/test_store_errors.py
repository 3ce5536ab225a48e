"""A damaged, foreign or locked store gives one clear line and is never replaced by an empty one."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from callassist.coach.events import StepEvent
from callassist.store import StoreError, open_store


def _one_line(e: pytest.ExceptionInfo) -> str:
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def test_a_file_that_is_not_a_database_is_reported_and_left_untouched(tmp_path, settings):
    path = tmp_path / "calls.sqlite3"
    junk = b"this is a spreadsheet, not a database\n" * 200
    path.write_bytes(junk)
    with pytest.raises(StoreError) as e:
        open_store(str(path), settings=settings)
    assert "damaged" in _one_line(e) and "move it aside" in str(e.value)
    assert path.read_bytes() == junk


def test_a_store_damaged_inside_is_reported_when_read(tmp_path, settings):
    path = tmp_path / "calls.sqlite3"
    with open_store(str(path), settings=settings) as store:
        for i in range(300):
            store.save_report({"duration": 1.0 + i, "steps": {}, "warnings": [],
                               "transcript": [{"speaker": "agent", "start": 0, "end": 1,
                                               "text": "hello there " * 20}]}, "a.json")
    data = bytearray(path.read_bytes())
    assert len(data) > 40000
    data[8192:40000] = b"\xff" * (40000 - 8192)  # pages of the tables overwritten
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as e, open_store(str(path), settings=settings) as store:
        for row in store.list_calls(limit=1000):
            store.get_call(row.id)
    assert "damaged" in _one_line(e)
    assert path.read_bytes() == bytes(data)


def test_a_store_locked_by_another_program_is_a_clear_error_not_an_empty_store(tmp_path, settings):
    path = tmp_path / "calls.sqlite3"
    with open_store(str(path), settings=settings) as store:
        store.save_report({"duration": 1.0, "steps": {}, "warnings": []}, "a.json")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA locking_mode=EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError) as e:
            open_store(str(path), settings=settings, timeout=0.2)
        assert "locked by another program" in _one_line(e)
    finally:
        other.execute("ROLLBACK")
        other.close()
    with open_store(str(path), settings=settings) as store:
        assert store.count_calls() == 1


def test_a_postgresql_server_that_is_not_there_is_a_clear_error(settings):
    with pytest.raises(StoreError) as e:
        open_store("postgresql://someone:secret@127.0.0.1:1/calls", settings=settings, timeout=1)
    msg = _one_line(e)
    assert "check that the server is running" in msg
    assert "secret" not in msg


def test_a_folder_that_cannot_be_created_is_a_clear_error(tmp_path, settings):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="cannot create the folder"):
        open_store(str(tmp_path / "file" / "calls.sqlite3"), settings=settings)


def test_writing_after_finish_is_refused(store_url, settings):
    with open_store(store_url, settings=settings) as store:
        rec = store.begin_call()
        rec.finish(None)
        with pytest.raises(StoreError, match="already finished"):
            rec.write([StepEvent("apologize", 1.0, "sorry")])


def test_a_recorder_can_be_written_from_several_threads(store_url, settings):
    with open_store(store_url, settings=settings) as store:
        rec = store.begin_call()

        def writer(n: int) -> None:
            for i in range(50):
                rec.write([StepEvent("apologize", n * 100 + i, f"sorry {n}")])

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        call_id = rec.finish(None)
        assert len(store.get_call(call_id).events) == 200
