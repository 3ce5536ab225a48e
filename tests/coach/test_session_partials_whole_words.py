"""Evidence from a partial result ends on whole words (UX review L2): a streaming engine's
partial may end inside a word ("i've refunded the sh"), the evidence stops at the matched words."""

from __future__ import annotations

from callassist.coach.events import StepEvent, WarningEvent


def test_a_step_from_a_partial_keeps_whole_words(session):
    events = session.feed_partial("agent", "i am so sorry we ch", 0.0, 2.0)
    [step] = [e for e in events if isinstance(e, StepEvent) and e.step == "apologize"]
    assert step.evidence.split()[-1] == "sorry"


def test_a_warning_from_a_partial_keeps_whole_words(session):
    events = session.feed_partial(
        "agent", "the courier damaged it that's their fault not ours and the wareho", 0.0, 4.0)
    warnings = [e for e in events if isinstance(e, WarningEvent)]
    assert warnings and all(not w.evidence.endswith("wareho") for w in warnings)
