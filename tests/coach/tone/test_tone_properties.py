"""Properties of every tone cue over arbitrary calls: never two cues within the cool-down, and
no cue where its condition cannot hold."""

from __future__ import annotations

import copy
import dataclasses
from itertools import pairwise

from hypothesis import HealthCheck, example, given, settings, target
from hypothesis import strategies as st

from callassist.coach import CallSession, Word, load_playbook
from callassist.coach.events import ReminderEvent, WarningEvent
from callassist.coach.tone_rules import tone_rules

PLAYBOOK = load_playbook()
RULES = tone_rules(PLAYBOOK)
BLOCK_S = 0.1

segments = st.lists(
    st.tuples(
        st.floats(min_value=-45.0, max_value=-5.0),  # level, dBFS
        st.floats(min_value=0.2, max_value=12.0),  # seconds
        st.booleans(),  # voiced
    ),
    min_size=1, max_size=25,
)
utterances = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=60),  # words
        st.floats(min_value=60.0, max_value=360.0),  # words a minute
        st.floats(min_value=0.05, max_value=6.0),  # pause before, seconds
        st.sampled_from(["agent", "agent", "customer"]),
    ),
    min_size=1, max_size=30,
)
relaxed = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def cue_times(session: CallSession, kind: str) -> list[float]:
    return [e.at for e in session.events
            if isinstance(e, WarningEvent | ReminderEvent) and e.kind == kind]


def spaced(times: list[float], gap: float) -> bool:
    return all(b - a >= gap - 1e-9 for a, b in pairwise(times))


def play_levels(session: CallSession, speaker: str, plan) -> None:
    t = 0.0
    for level, seconds, voiced in plan:
        for _ in range(max(1, round(seconds / BLOCK_S))):
            session.feed_level(speaker, t, level if voiced else -65.0, voiced)
            session.advance(t)
            t += BLOCK_S


def play_utterances(session: CallSession, plan) -> None:
    t = 0.0
    for n, wpm, pause, speaker in plan:
        t += pause
        per = 60.0 / wpm
        words = [Word("word", t + i * per, t + i * per + per * 0.8) for i in range(n)]
        session.feed_utterance(speaker, " ".join(["word"] * n), t, words[-1].end, words)
        t = words[-1].end


# A calm voice raised again and again, closer together than the cool-down: the case the
# property can fail on, which random plans rarely reach on their own.
RAISED_AGAIN_AND_AGAIN = [(-30.0, 10.0, True), *[(-8.0, 6.0, True), (-30.0, 4.0, True)] * 5]


@relaxed
@example(RAISED_AGAIN_AND_AGAIN)
@given(segments)
def test_too_loud_never_repeats_within_its_cool_down(plan):
    session = CallSession(PLAYBOOK)
    play_levels(session, "agent", plan)
    times = cue_times(session, "too_loud")
    target(float(len(times)))  # steer the search toward calls with several cues
    assert spaced(times, RULES.too_loud.cooldown_s)


def test_the_raised_voice_example_fails_the_property_when_the_cool_down_is_off():
    """The example above is one the property can fail on: with no cool-down the same call
    cues too_loud at every raised stretch, closer together than the real cool-down."""
    tone = copy.deepcopy(PLAYBOOK.tone)
    tone["too_loud"]["cooldown_s"] = 0.0
    session = CallSession(dataclasses.replace(PLAYBOOK, tone=tone))
    play_levels(session, "agent", RAISED_AGAIN_AND_AGAIN)
    times = cue_times(session, "too_loud")
    assert len(times) == 5 and not spaced(times, RULES.too_loud.cooldown_s)


@relaxed
@given(segments)
def test_the_customers_voice_prompts_at_most_once_per_cool_down(plan):
    session = CallSession(PLAYBOOK)
    play_levels(session, "customer", plan)
    assert spaced(cue_times(session, RULES.customer.kind), RULES.customer.cooldown_s)
    assert cue_times(session, "too_loud") == []


@relaxed
@given(utterances)
def test_too_fast_and_monologue_never_repeat_within_their_cool_downs(plan):
    session = CallSession(PLAYBOOK)
    play_utterances(session, plan)
    assert spaced(cue_times(session, "too_fast"), RULES.too_fast.cooldown_s)
    assert spaced(cue_times(session, "monologue"), RULES.monologue.cooldown_s)


@relaxed
@given(utterances)
def test_no_too_fast_without_words_over_the_limit(plan):
    session = CallSession(PLAYBOOK)
    slow = [(n, min(wpm, RULES.too_fast.max_wpm * 0.8), pause, sp) for n, wpm, pause, sp in plan]
    play_utterances(session, slow)
    assert cue_times(session, "too_fast") == []


@relaxed
@given(utterances)
def test_no_monologue_when_every_stretch_of_agent_talk_is_short(plan):
    session = CallSession(PLAYBOOK)
    # Each utterance under max_s, each pause long enough to let the customer in.
    short = [(min(n, 20), max(wpm, 120.0), max(pause, RULES.monologue.pause_s), sp)
             for n, wpm, pause, sp in plan]
    play_utterances(session, short)
    assert cue_times(session, "monologue") == []
