"""The checklist view-model every renderer formats: covered, missed, or not needed."""

from __future__ import annotations

from callassist.coach.checklist import StepState, checklist
from callassist.coach.session import CallSession


def test_a_routine_call_needs_no_steps(playbook):
    s = CallSession(playbook)
    s.feed_utterance("customer", "hi, can you tell me my balance please", 0.0, 2.0)
    s.feed_utterance("agent", "of course, one moment", 2.5, 3.5)
    s.end(4.0)
    rows = checklist(s.report())
    assert not rows.needs_asap
    assert {r.state for r in rows.rows} == {StepState.NOT_NEEDED}


def test_an_upset_customer_makes_uncovered_steps_missed(playbook):
    s = CallSession(playbook)
    s.feed_utterance("customer", "this is ridiculous, i am furious, my order never came",
                     0.0, 3.0)
    s.feed_utterance("agent", "i am so sorry about that", 3.5, 5.0)
    s.end(6.0)
    rows = checklist(s.report())
    assert rows.needs_asap
    states = {r.step: r.state for r in rows.rows}
    assert states["apologize"] is StepState.COVERED
    assert StepState.MISSED in states.values() and rows.total == 4
    [apology] = [r for r in rows.rows if r.step == "apologize"]
    assert apology.evidence == "i am so sorry about that" and apology.label == "Apologize"
