"""A call session over time: who speaks, partial results, holds, blame held for ownership."""

from callassist.coach.events import ReminderEvent, StepEvent, TranscriptEvent, WarningEvent


def kinds(events, cls):
    return [e for e in events if isinstance(e, cls)]


def test_steps_tick_once_with_time_and_evidence(session):
    session.feed_utterance("agent", "i'm so sorry about that", 9.3, 11.2)
    session.feed_utterance("agent", "again i'm really sorry", 12.0, 13.0)
    ticks = kinds(session.events, StepEvent)
    assert [(t.step, t.at, t.evidence) for t in ticks] == [
        ("apologize", 9.3, "i'm so sorry about that")
    ]


def test_customer_words_never_tick_steps_or_raise_agent_warnings(session):
    session.feed_utterance("customer", "sorry to bother you but this is on us", 0.5, 3.0)
    session.feed_utterance("customer", "calm down that's your policy", 3.5, 5.0)
    assert not kinds(session.events, StepEvent)
    assert not kinds(session.events, WarningEvent)


def test_a_partial_result_ticks_a_step_before_the_sentence_ends(session):
    events = session.feed_partial("agent", "i'm really sorry", 4.0, 5.0)
    assert [e.step for e in kinds(events, StepEvent)] == ["apologize"]
    assert kinds(events, TranscriptEvent)[0].final is False


def test_a_final_result_retracts_a_tick_the_partial_got_wrong(session):
    session.feed_partial("agent", "i'm sorry", 4.0, 4.8)
    events = session.feed_utterance("agent", "i'm sorry you feel that way", 4.0, 6.0)
    retracted = [e for e in kinds(events, StepEvent) if not e.covered]
    assert [e.step for e in retracted] == ["apologize"]
    assert "apologize" not in session.covered
    assert [w.kind for w in kinds(events, WarningEvent)] == ["hollow_apology"]


def test_warning_carries_kind_time_evidence_and_advice(session):
    session.feed_utterance("agent", "well that's not my fault", 4.7, 6.0)
    (w,) = session.warnings
    assert (w.kind, w.evidence) == ("defensive", "well that's not my fault")
    assert 4.7 < w.at < 6.0  # where "not my fault" falls in the utterance
    assert w.advice == session.playbook.warnings["defensive"].advice


def test_warning_time_comes_from_the_recognisers_word_timings(session):
    from callassist.coach.events import Word

    words = [Word("okay", 1.0, 1.3), Word("calm", 1.9, 2.2), Word("down", 2.2, 2.5)]
    session.feed_utterance("agent", "okay calm down", 1.0, 2.5, words)
    assert session.warnings[0].at == 1.9


def test_hold_without_handoff_fires_when_the_agent_says_please_hold_and_goes_silent(session):
    session.feed_utterance("customer", "can i speak to a manager", 0.6, 2.9)
    session.feed_utterance("agent", "please hold", 3.5, 4.3)
    assert not session.warnings
    fired = session.advance(4.3 + session.playbook.hold.silence_s)
    assert [w.kind for w in kinds(fired, WarningEvent)] == ["hold_without_handoff"]
    assert kinds(fired, WarningEvent)[0].at == 3.5


def test_cold_transfer_fires_once_the_handoff_grace_passes(session):
    session.feed_utterance("agent", "that's a different department i'll transfer you now", 3.5, 6.6)
    session.advance(7.0)
    assert not session.warnings  # still within the grace a handoff could come in
    session.advance(6.6 + session.playbook.hold.handoff_grace_s + 0.1)
    assert [w.kind for w in session.warnings] == ["hold_without_handoff"]


def test_cold_transfer_at_the_end_of_the_call_fires(session):
    session.feed_utterance("agent", "let me put you on hold while i transfer you", 7.2, 12.2)
    session.end(12.2)
    assert [w.kind for w in session.warnings] == ["hold_without_handoff"]


def test_warm_handoff_is_not_a_hold(session):
    session.feed_utterance(
        "agent", "i'm going to bring my colleague maria onto this call", 11.0, 16.4
    )
    session.feed_utterance("agent", "let me transfer you to her", 17.0, 18.0)
    session.feed_utterance(
        "agent", "you'll stay on the line with me and i'll explain everything", 18.5, 22.0
    )
    session.end(40.0)
    assert not session.warnings


def test_a_handoff_right_after_the_transfer_phrase_still_counts(session):
    session.feed_utterance("agent", "i'll transfer you to billing", 5.0, 6.0)
    session.feed_utterance("agent", "and i'll stay on the line and introduce you", 6.5, 8.0)
    session.end(30.0)
    assert not session.warnings


def test_a_moment_to_look_something_up_is_not_a_hold(session):
    session.feed_utterance(
        "agent", "give me a moment while i look that up i'll stay right here with you", 4.7, 11.2
    )
    session.feed_utterance("agent", "okay it's in stock", 11.8, 13.0)
    session.end(13.0)
    assert not session.warnings


def test_a_long_silence_after_a_pause_phrase_is_a_hold(session):
    session.feed_utterance("agent", "bear with me", 4.0, 5.0)
    session.feed_utterance(
        "agent", "okay i'm back", 5.0 + session.playbook.hold.silence_s + 5, 40.0
    )
    assert [w.kind for w in session.warnings] == ["hold_without_handoff"]


def test_blame_is_held_back_and_dropped_when_the_agent_owns_the_fault_next(session):
    session.feed_utterance("agent", "the courier damaged it", 5.0, 6.0)
    assert not session.warnings
    session.feed_utterance("agent", "but that's on us and i'll send a new one today", 6.5, 9.0)
    session.end(20.0)
    assert not [w for w in session.warnings if w.kind == "blame"]


def test_blame_fires_when_the_next_agent_words_do_not_own_it(session):
    session.feed_utterance("agent", "the courier damaged it", 5.0, 6.0)
    events = session.feed_utterance("agent", "there's not much we can do about them", 6.5, 8.0)
    assert "blame" in [w.kind for w in kinds(events, WarningEvent)]


def test_blame_fires_after_its_window_even_if_the_agent_says_nothing_more(session):
    session.feed_utterance("agent", "the courier damaged it", 5.0, 6.0)
    session.advance(6.0 + session.playbook.warnings["blame"].cancel_window_s)
    assert [w.kind for w in session.warnings] == ["blame"]


def test_manual_tick_and_untick_are_events(session):
    ticked = session.tick("sympathize", 3.0)
    assert ticked[0].manual and ticked[0].covered
    unticked = session.untick("sympathize", 4.0)
    assert unticked[0].manual and not unticked[0].covered
    assert "sympathize" not in session.covered
    assert session.tick("sympathize", 5.0) and session.tick("sympathize", 6.0) == []


def test_a_manual_tick_survives_a_later_partial_retraction(session):
    session.tick("apologize", 1.0)
    session.feed_partial("agent", "i'm sorry", 4.0, 4.8)
    session.feed_utterance("agent", "i'm sorry you feel that way", 4.0, 6.0)
    assert session.covered["apologize"].manual


def test_smile_and_calm_reminders_at_start_and_after_a_defensive_warning(session):
    start = session.start(0.0)
    assert {r.kind for r in kinds(start, ReminderEvent)} == {"smile", "calm"}
    events = session.feed_utterance("agent", "calm down", 60.0, 61.0)
    assert {r.kind for r in kinds(events, ReminderEvent)} == {"smile", "calm"}


def test_reminders_repeat_at_the_playbook_interval(session):
    session.start(0.0)
    every = session.playbook.reminders["smile"].every_s
    events = session.advance(every + 1)
    assert "smile" in [r.kind for r in kinds(events, ReminderEvent)]


def test_report_is_available_mid_call_and_has_the_corpus_shape(session):
    session.feed_utterance("agent", "i apologize for that", 4.3, 5.8)
    report = session.report()
    assert report["ended"] is False
    assert report["steps"]["apologize"] == {
        "label": "Apologize",
        "covered": True,
        "at": 4.3,
        "evidence": "i apologize for that",
        "manual": False,
        "reason": "rule: (i|we|we do|i do) [{intensifier}] [{intensifier}] (apologize|apologized)",
    }
    assert report["steps"]["take_action"]["covered"] is False
    assert report["summary"]["time_to_first_apology"] == 4.3
    assert report["summary"]["steps_missed"] == [
        "sympathize",
        "accept_responsibility",
        "take_action",
    ]
    assert report["transcript"] == [
        {"speaker": "agent", "start": 4.3, "end": 5.8, "text": "i apologize for that"}
    ]


def test_unknown_step_is_refused(session):
    import pytest

    with pytest.raises(ValueError, match="unknown step"):
        session.tick("smile", 1.0)
