"""The caller's reactions to what the coach makes of the trainee, on the shipped scenarios."""

from __future__ import annotations

import pytest

from callassist.coach.kinds import STEP_IDS

GOOD = [
    "I am so sorry about this, that must be really frustrating.",
    "This is on us, and I will take care of it myself.",
    "I am sending a replacement today by express delivery, and I will email you the tracking "
    "number.",
]


def reasons(says) -> list[str]:
    return [s.reason for s in says]


@pytest.mark.parametrize("name", ["lost-parcel", "double-charge", "broken-product",
                                  "missed-appointment", "wants-a-manager", "courier-fault",
                                  "not-our-fault"])
def test_apology_and_sympathy_calm_the_caller_and_an_action_satisfies_them(dialogue, name):
    d = dialogue(name)
    assert reasons(d.start()) == ["opening"] * 2
    start = d.caller.anger
    first = d.trainee(GOOD[0])
    assert d.caller.anger < start
    assert "no_action" in reasons(first)  # calmer, but nothing has been offered yet
    for line in GOOD[1:]:
        if d.caller.done:
            break
        d.trainee(line)
    expect = d.caller.scenario.expect  # the scenario's expected outcome for a good trainee
    assert d.caller.outcome == expect.outcome == "satisfied"
    assert d.said[-1].ends and d.said[-1].reason == "satisfied"
    covered = {s for s, v in d.report()["steps"].items() if v["covered"]}
    assert covered == set(expect.steps) == set(STEP_IDS)


def test_defensive_phrasing_makes_the_caller_angrier_until_it_gives_up(dialogue):
    d = dialogue("lost-parcel")
    d.start()
    start = d.caller.anger
    answer = d.trainee("That is our policy, there is nothing I can do about it.")
    assert reasons(answer) == ["defensive"]
    assert d.caller.anger > start
    d.trainee("You should have read the terms and conditions.")
    assert d.caller.outcome == "gives_up"
    assert [w["kind"] for w in d.report()["warnings"]] == ["defensive", "defensive"]


def test_blame_is_answered_at_once_though_the_coach_holds_it_back_for_ownership(dialogue):
    d = dialogue("courier-fault")
    d.start()
    start = d.caller.anger
    answer = d.trainee("The courier left it there, it is the courier's fault, not ours.")
    assert reasons(answer) == ["blame"]
    assert d.caller.anger == start + d.caller.scenario.reactions["blame"].anger
    d.wait(15)  # the coach's blame warning arrives now; it must not be answered twice
    assert reasons(d.said).count("blame") == 1


def test_a_hollow_apology_angers_instead_of_calming(dialogue):
    d = dialogue("double-charge")
    d.start()
    start = d.caller.anger
    answer = d.trainee("I am sorry you feel that way.")
    assert "hollow_apology" in reasons(answer)
    assert d.caller.anger > start


def test_a_hold_without_handoff_draws_the_complaint(dialogue):
    d = dialogue("lost-parcel")
    d.start()
    assert reasons(d.trainee("Please hold.")) == ["on_hold"]
    assert d.caller.on_hold
    complaint = d.wait(12)
    assert reasons(complaint)[0] == "hold_without_handoff"
    assert not d.caller.on_hold
    assert [w["kind"] for w in d.report()["warnings"]] == ["hold_without_handoff"]


def test_a_warm_handoff_settles_the_caller_who_needs_another_department(dialogue):
    d = dialogue("wrong-department")
    d.start()
    d.trainee("I am so sorry, that must be really worrying with your rent due.")
    answer = d.trainee("I will bring my colleague from payments onto the call, and you stay "
                       "on the line with me so you do not have to repeat anything.")
    assert reasons(answer) == ["satisfied"]
    assert d.caller.outcome == d.caller.scenario.expect.outcome
    report = d.report()
    assert report["warnings"] == []
    assert {s for s, v in report["steps"].items() if v["covered"]} >= set(
        d.caller.scenario.expect.steps)


def test_a_cold_transfer_of_that_caller_is_a_complaint_not_a_handoff(dialogue):
    d = dialogue("wrong-department")
    d.start()
    d.trainee("I am so sorry, that must be really worrying.")
    d.trainee("I will transfer you to payments.")
    assert "hold_without_handoff" in reasons(d.wait(12))
    assert d.caller.outcome is None


def test_while_no_action_is_offered_the_caller_asks_what_you_will_do(dialogue):
    d = dialogue("missed-appointment")
    d.start()
    answer = d.trainee("I understand.")
    assert reasons(answer) == ["no_action"]
    assert d.caller.scenario.reactions["no_action"].lines[0].text == (
        "So what are you going to do about it?"
    )


def test_silence_is_pressed_and_patience_runs_out(dialogue):
    d = dialogue("lost-parcel")
    d.start()
    mood = d.caller.scenario.mood
    d.wait((mood.silence_s + 3) * (mood.patience_turns + 1))
    assert d.caller.outcome == "gives_up"
    assert reasons(d.said)[-1] == "gives_up"


def test_the_caller_does_not_answer_in_the_middle_of_the_trainees_sentence(dialogue, playbook):
    d = dialogue("lost-parcel")
    d.start()
    # a recogniser ended a sentence at a pause for breath: the voice goes on
    events = d.session.feed_level("agent", 6.0, -20.0, True)
    events += d.session.feed_utterance("agent", "I am so sorry", 6.0, 7.0)
    events += d.session.feed_level("agent", 7.2, -20.0, True)
    assert d.caller.hear(events, 7.3) == []
    later = d.session.feed_level("agent", 8.2, -70.0, False)
    assert reasons(d.caller.hear(later, 8.2))[0] == "apologize"
