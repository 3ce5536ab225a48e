"""Every event kind and the report keep their JSON form both ways: what is stored or exported
reads back as the same typed value, with the keys stored calls have always had."""

from __future__ import annotations

import json

from callassist.coach.events import (
    EVENT_TYPES,
    ConfirmedEvent,
    EndedEvent,
    LevelEvent,
    MoodEvent,
    ReminderEvent,
    SpeechEvent,
    StepEvent,
    ToneEvent,
    TranscriptEvent,
    WarningEvent,
    WithdrawnEvent,
    Word,
    event_from_dict,
    event_to_dict,
)
from callassist.coach.report import Report
from callassist.coach.session import CallSession

ONE_OF_EACH = [
    StepEvent("apologize", 1.0, "i am sorry", reason="rule: sorry"),
    StepEvent("apologize", 1.0, "i am sorry", confidence=0.87),
    WarningEvent("defensive", 2.0, "not my fault", "own it", reason="rule: not my fault"),
    WarningEvent("defensive", 2.0, "not my fault", "own it", confidence=0.6),
    ConfirmedEvent("defensive", 3.0, 2.0, "not my fault at all"),
    WithdrawnEvent("defensive", 3.5, 2.0, "owned", "you owned it"),
    ReminderEvent("explain_hold", 4.0, "say why"),
    TranscriptEvent("agent", True, "hi there", 0.0, 1.0, (Word("hi", 0.0, 0.5, 0.9),)),
    LevelEvent("customer", 1.2, -20.5, True),
    MoodEvent(5.0, "words", "this is ridiculous", 2),
    ToneEvent(9.0, {"pace": {"average_wpm": 150.0}}),
    SpeechEvent("agent", 0.0, 1.0, -21.0),
    EndedEvent(9.0),
]


def test_every_event_kind_round_trips_through_its_json_form():
    assert {e.type for e in ONE_OF_EACH} == set(EVENT_TYPES)
    for e in ONE_OF_EACH:
        data = json.loads(json.dumps(event_to_dict(e)))
        assert data["type"] == e.type
        assert event_from_dict(data) == e


def test_an_unset_confidence_is_left_out_of_the_stored_form():
    assert "confidence" not in event_to_dict(StepEvent("apologize", 1.0, "sorry"))
    assert event_to_dict(WarningEvent("defensive", 1.0, "x", "y", confidence=0.5))[
        "confidence"] == 0.5


def test_keys_a_newer_version_added_are_ignored_when_reading():
    data = {**event_to_dict(StepEvent("apologize", 1.0, "sorry")), "shade": "blue"}
    assert event_from_dict(data) == StepEvent("apologize", 1.0, "sorry")


def test_the_report_keeps_its_json_keys_and_reads_back_the_same(playbook):
    s = CallSession(playbook)
    s.feed_utterance("customer", "my order never came and i am furious", 0.0, 3.0)
    s.feed_utterance("agent", "i am so sorry, that is on us", 3.5, 5.0)
    s.end(6.0)
    report = s.report().with_header("call-1", "A late order", "whisper", "tiny.en")
    data = json.loads(json.dumps(report.to_json()))
    assert list(data) == ["id", "title", "duration", "ended", "steps", "warnings", "reminders",
                          "summary", "transcript", "engine", "model"]
    assert set(data["steps"]["apologize"]) == {"label", "covered", "at", "evidence", "manual",
                                               "reason"}
    assert set(data["summary"]) == {"steps_covered", "steps_missed", "warnings_by_kind",
                                    "time_to_first_apology", "tone"}
    assert Report.from_json(data) == report
    assert report["steps"]["apologize"]["covered"] is True  # still reads as its JSON form


def test_a_stored_report_from_an_older_version_still_reads():
    old = {"duration": 12.0, "steps": {"apologize": {"covered": True, "at": 3.0}},
           "warnings": [{"kind": "defensive", "at": 2.0}], "summary": {}, "note": "kept"}
    report = Report.from_json(old)
    assert report.steps["apologize"].covered and report.steps["apologize"].at == 3.0
    assert report.warnings[0].evidence == "" and not report.transcript
    assert report.to_json()["note"] == "kept"
