"""Long digit runs are redacted before anything is written, whatever the retention mode."""

from __future__ import annotations

import sqlite3

import pytest

from callassist.coach.events import (
    LevelEvent,
    StepEvent,
    TranscriptEvent,
    WarningEvent,
    Word,
    event_to_dict,
)
from callassist.coach.playbook import load_playbook
from callassist.coach.session import CallSession
from callassist.replay import feed_transcript
from callassist.store import open_store
from callassist.store.privacy import REDACTED, redact
from callassist.transcript import parse_transcript

CARD_SPOKEN = "four four two one nine eight seven six"
SECRET_WORDS = ("four four two one", "4421", "9876", "555 0199")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my card is four four two one nine eight", f"my card is {REDACTED}"),
        ("account 44219876 please", f"account {REDACTED} please"),
        ("call me on 555 0199", f"call me on {REDACTED}"),
        ("it's oh seven seven double four one two", f"it's {REDACTED}"),
        ("the number is one two three four thanks", f"the number is {REDACTED} thanks"),
        ("zero one two three", REDACTED),
    ],
)
def test_long_runs_of_digits_or_spoken_digits_are_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "it will take two or three days",
        "oh i see one moment please",
        "order 123 arrived",
        "ten four",
        "i called you twenty times",
        "one two three",
    ],
)
def test_short_numbers_and_ordinary_words_are_kept(text):
    assert redact(text) == text


def _call_with_a_card_number(store, retention):
    rec = store.begin_call(agent="Dana", retention=retention)
    session = CallSession(load_playbook())
    words = tuple(Word(w, 1.0 + i * 0.2, 1.2 + i * 0.2) for i, w in
                  enumerate(f"i am so sorry your card {CARD_SPOKEN} was charged twice".split()))
    batch = session.feed_level("agent", 0.5, -20.0, True)
    batch += session.feed_partial("agent", "i am so sorry your card four four", 1.0, 2.0)
    batch += session.feed_utterance("agent", " ".join(w.text for w in words), 1.0, 4.0, words)
    batch += [WarningEvent("blame", 5.0, "the bank took 4421 9876 not us", "own it"),
              StepEvent("take_action", 6.0, "refund to account 55501990"),
              LevelEvent("agent", 6.1, -20.0, False)]
    rec.write(batch)
    return rec.finish(session.report())


def _everything_written(store) -> str:
    rows = []
    for table in ("calls", "events", "call_warnings"):
        rows += store.conn.execute(f"SELECT * FROM {table}")
    return repr(rows)


@pytest.mark.parametrize("retention", ["full", "checklist", "none"])
def test_no_digit_run_reaches_the_store_in_any_retention_mode(store_url, settings, retention):
    with open_store(store_url, settings=settings) as store:
        _call_with_a_card_number(store, retention)
        transcript = parse_transcript({"title": f"card {CARD_SPOKEN}", "turns": [
            {"speaker": "customer", "start": 0, "end": 2, "text": f"my card is {CARD_SPOKEN}"},
            {"speaker": "agent", "start": 2, "end": 4, "text": "i am so sorry about 4421 9876"},
        ]}, "t.json")
        report = feed_transcript(transcript, CallSession(load_playbook())).report()
        store.save_report(report, source="t.json", retention=retention)
        dump = _everything_written(store)
    for secret in SECRET_WORDS:
        assert secret not in dump
    if retention == "full":
        assert REDACTED in dump
        assert "was charged twice" in dump
    if retention == "checklist":
        assert "was charged twice" not in dump
        assert "own it" in dump  # advice is the playbook's text, kept
    if retention == "none":
        assert dump == "[]"


def test_the_sqlite_file_itself_holds_no_digit_run(tmp_path, settings):
    path = tmp_path / "calls.sqlite3"
    with open_store(str(path), settings=settings) as store:
        _call_with_a_card_number(store, "full")
    # Check the raw bytes, WAL included, not just what queries return.
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("calls.sqlite3*"))
    assert b"4421" not in raw and b"four four two one" not in raw
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM events").fetchone()[0] > 0


def test_checklist_retention_keeps_steps_and_warnings_without_text(store_url, settings):
    with open_store(store_url, settings=settings) as store:
        call = store.get_call(_call_with_a_card_number(store, "checklist"))
    assert call.report["transcript"] == []
    assert call.report["steps"]["apologize"]["covered"]
    assert call.report["steps"]["apologize"]["evidence"] == ""
    warnings = [event_to_dict(e) for e in call.events if e.type == "warning"]
    assert [(w["kind"], w["evidence"], w["advice"]) for w in warnings] == [("blame", "", "own it")]
    assert all(e.type != "transcript" for e in call.events)
    assert any(e.type == "speech" for e in call.events)


def test_full_retention_keeps_final_transcripts_but_never_partials(store_url, settings):
    with open_store(store_url, settings=settings) as store:
        call = store.get_call(_call_with_a_card_number(store, "full"))
    transcripts = [event_to_dict(e) for e in call.events if e.type == "transcript"]
    assert len(transcripts) == 1 and transcripts[0]["final"]
    assert transcripts[0]["text"] == f"i am so sorry your card {REDACTED} was charged twice"
    assert [w["text"] for w in transcripts[0]["words"]].count(REDACTED) == 8
    assert not any(e.type == "level" for e in call.events)


def test_none_retention_stores_no_call(store_url, settings):
    with open_store(store_url, settings=settings) as store:
        rec = store.begin_call(retention="none")
        rec.write([TranscriptEvent("agent", True, "hello", 0.0, 1.0)])
        rec.finish(None)
        assert store.save_report({"duration": 1.0}, "x", retention="none") is None
        assert store.count_calls() == 0
