"""The supervisor's store: which calls needed ASAP, the call score, coaching notes and flags,
full-text search, and deleting calls for good — on SQLite and the real PostgreSQL server."""

from __future__ import annotations

import pytest

from callassist.errors import CallAssistError
from callassist.store import CallFilter, open_store

from ..conftest import AGENTS, DAY, T0, fill_store


@pytest.fixture
def store(store_url, settings):
    with open_store(store_url, settings=settings) as s:
        fill_store(s)
        yield s


def _by_title(store, title):
    return next(r for r in store.list_calls(limit=500) if r.title == title)


def test_a_polite_routine_call_is_routine_and_scores_full_marks(store):
    routine = _by_title(store, "Polite and clean but no ASAP needed")
    assert not routine.needs_asap and routine.frustration == 0 and routine.score == 100
    upset = _by_title(store, "Calm down")
    assert upset.needs_asap and upset.frustration == 2 and upset.first_upset is not None


def test_coverage_counts_only_calls_that_needed_the_steps(store):
    rows = store.coverage()
    assert sum(r["calls"] for r in rows) == 24
    upset = sum(r["upset"] for r in rows)
    routine = store.count_calls(CallFilter(needs="routine"))
    assert upset + routine == 24 and routine >= 4
    for r in rows:
        assert all(r[s] <= r["upset"] for s in ("apologize", "take_action"))


def test_the_call_score_follows_its_stated_formula(store):
    textbook = _by_title(store, "Lost parcel, textbook ASAP in order")
    assert textbook.score == 100  # 4 x 15 + 30 + 10
    calm_down = _by_title(store, "Calm down")
    # no step (0), three warnings (30 - 30), no apology (0)
    assert calm_down.score == 0
    assert [r.score for r in store.list_calls(sort="score", limit=3)] == [100, 100, 100]
    lowest = store.list_calls(sort="score", descending=False, limit=1)[0]
    assert lowest.score == 0


def test_a_note_is_pinned_to_a_moment_and_a_flag_moves_through_its_statuses(store):
    call = _by_title(store, "Blaming the courier")
    note = store.coaching.add_note(call.id, "Blamed the courier  here; own it instead",
                                   author="Maria", at=7.5)
    store.coaching.add_note(call.id, "Good apology at the start", author="Maria")
    notes = store.coaching.notes(call.id)
    assert [(n.at, n.text) for n in notes] == [
        (None, "Good apology at the start"), (7.5, "Blamed the courier here; own it instead")]
    assert note.author == "Maria"
    assert store.coaching.notes(agent=call.agent)[0].call_id == call.id

    store.coaching.set_flag(call.id, "to do", "Maria", reason="blame")
    assert store.count_calls(CallFilter(flag="to do")) == 1
    store.coaching.set_flag(call.id, "discussed", "Maria")
    assert store.count_calls(CallFilter(flag="to do")) == 0
    assert [r.id for r in store.list_calls(CallFilter(flag="any"))] == [call.id]
    assert store.coaching.flag(call.id).status == "discussed"
    with pytest.raises(CallAssistError, match="unknown flag status 'maybe'"):
        store.coaching.set_flag(call.id, "maybe", "Maria")
    with pytest.raises(CallAssistError, match="no call 999999"):
        store.coaching.add_note(999999, "x", author="Maria")


def test_a_card_number_in_a_note_is_redacted(store):
    call = store.list_calls(limit=1)[0]
    store.coaching.add_note(call.id, "card 4421 9876 5432 1098 was read out", author="M")
    assert "4421" not in store.coaching.notes(call.id)[0].text


def test_full_text_search_finds_calls_by_what_was_said(store):
    found = store.list_calls(CallFilter(search="courier"), limit=50)
    assert found and all("courier" in store.get_call(r.id).report["transcript"].__str__()
                         for r in found)
    assert store.count_calls(CallFilter(search="calm down")) >= 1
    assert store.count_calls(CallFilter(search="zebra crossing")) == 0
    # Search syntax in the words is taken as words, never as an operator or an error.
    assert store.count_calls(CallFilter(search='policy" OR *')) == 0


def test_an_agents_trend_gives_step_coverage_on_upset_calls_week_by_week(store):
    weeks = store.coaching.trend(AGENTS[0])
    assert sum(w["calls"] for w in weeks) == 8
    for w in weeks:
        for step in ("apologize", "sympathize", "accept_responsibility", "take_action"):
            assert w[step] is None or 0.0 <= w[step] <= 1.0
        assert w["score"] is None or 0 <= w["score"] <= 100


def test_deleting_a_call_removes_its_notes_flags_and_search_entry(store):
    call = _by_title(store, "Blaming the courier")
    store.coaching.add_note(call.id, "see this", author="M")
    store.coaching.set_flag(call.id, "to do", "M")
    before = store.count_calls()
    assert store.delete_calls([call.id]) == 1
    assert store.count_calls() == before - 1
    assert store.count_calls(CallFilter(flag="any")) == 0
    assert store.coaching.notes(call.id) == []
    with pytest.raises(CallAssistError, match="no call"):
        store.get_call(call.id)
    with pytest.raises(CallAssistError, match="nothing deleted"):
        store.delete_calls([call.id])


def test_purge_deletes_only_finished_calls_older_than_the_limit(store):
    # The clock is fixed relative to the fixture calls (one a day from T0), so the test means
    # the same on any day it runs: 30 days after the first call (after the newest one), a
    # 20-day limit keeps the newest calls and deletes the first ten.
    now = T0 + 30 * DAY
    old = [r.id for r in store.list_calls(limit=500) if r.started_at < now - 20 * DAY]
    live = store.begin_call(agent="Live Agent", started_at=1_000_000.0)  # old, but in progress
    assert len(old) == 10
    assert store.purge(20, now=now) == len(old)
    assert store.last_purge is not None and sum(store.last_purge.by_agent.values()) == 10
    remaining = {r.id for r in store.list_calls(limit=500)}
    assert not remaining & set(old) and live.call_id in remaining
    live.finish()
    with pytest.raises(CallAssistError, match="not a number of days"):
        store.purge(0)


def test_deleted_words_leave_the_sqlite_file_and_its_wal(tmp_path, settings):
    path = tmp_path / "calls.sqlite3"
    secret = "xylophonequartz"
    with open_store(str(path), settings=settings) as store:
        report = {"duration": 5.0, "steps": {}, "warnings": [], "reminders": [],
                  "summary": {}, "transcript": [
                      {"speaker": "customer", "start": 0.0, "end": 2.0,
                       "text": f"my password is {secret}"}]}
        keep = {**report, "transcript": [{"speaker": "agent", "start": 0.0, "end": 1.0,
                                          "text": "hello there"}]}
        doomed = store.save_report(report, agent="A", title="doomed")
        store.save_report(keep, agent="A", title="kept")
        store.coaching.add_note(doomed, f"she said {secret}", author="M")
        raw = b"".join(p.read_bytes() for p in tmp_path.glob("calls.sqlite3*"))
        assert secret.encode() in raw
        store.delete_calls([doomed])
        raw = b"".join(p.read_bytes() for p in tmp_path.glob("calls.sqlite3*"))
        assert secret.encode() not in raw
        assert store.count_calls(CallFilter(search="hello")) == 1


@pytest.mark.postgres
def test_deleted_words_leave_the_postgresql_table_files(pg_url, settings):
    import psycopg

    secret = "marmaladequokka"
    with open_store(pg_url, settings=settings) as store:
        report = {"duration": 5.0, "steps": {}, "warnings": [], "reminders": [],
                  "summary": {}, "transcript": [
                      {"speaker": "customer", "start": 0.0, "end": 2.0,
                       "text": f"my password is {secret}"}]}
        doomed = store.save_report(report, agent="A", title="doomed")
        store.delete_calls([doomed])
        assert store.count_calls(CallFilter(search=secret)) == 0
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        files = [r[0] for r in conn.execute(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 't', 'i')")]
        data_dir = conn.execute("SHOW data_directory").fetchone()[0]
    from pathlib import Path

    raw = b"".join((Path(data_dir) / f).read_bytes() for f in files if f
                   and (Path(data_dir) / f).exists())
    assert raw and secret.encode() not in raw


def test_retention_days_deletes_old_calls_when_the_store_opens(tmp_path):
    from callassist.settings import Settings

    path = str(tmp_path / "calls.sqlite3")
    with open_store(path, settings=Settings(agent="A")) as store:
        store.save_report({"duration": 1.0}, agent="A", started_at=1_000_000.0, title="old")
        store.save_report({"duration": 1.0}, agent="A", title="new")
    with open_store(path, settings=Settings(agent="A", retention_days=30)) as store:
        assert store.purged == 1
        assert [r.title for r in store.list_calls()] == ["new"]
