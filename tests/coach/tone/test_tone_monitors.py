"""The tone monitors on synthetic numbers: levels per audio block and words with times."""

from __future__ import annotations

from dataclasses import replace

import pytest

from callassist.coach import CallSession
from callassist.coach.events import ReminderEvent, WarningEvent
from callassist.coach.loudness import LoudnessMonitor
from callassist.coach.monologue import MonologueMonitor
from callassist.coach.pace import PaceMonitor, speaking_time
from callassist.coach.tone import monitors_for
from callassist.coach.tone_rules import tone_rules


def kinds(events, kind):
    return [e for e in events if isinstance(e, WarningEvent) and e.kind == kind]


def prompts(events):
    return [e for e in events if isinstance(e, ReminderEvent) and e.kind == "apologize_now"]


# -- the session ------------------------------------------------------------------------------


def test_a_session_without_monitors_given_runs_the_playbooks_tone_monitors(playbook):
    session = CallSession(playbook)
    assert {type(m).__name__ for m in session.monitors} == {
        "LoudnessMonitor", "PaceMonitor", "MonologueMonitor", "CustomerMonitor",
    }
    assert CallSession(playbook, monitors=[]).monitors == []


def test_the_report_carries_the_tone_figures(playbook, levels, utter):
    session = CallSession(playbook)
    levels(session, "agent", 0.0, 12.0, -30.0)
    utter(session, "agent", 0.0, 25, 150)
    tone = session.report()["summary"]["tone"]
    assert set(tone) == {"loudness", "pace", "monologue", "customer"}
    assert tone["pace"]["average_wpm"] == pytest.approx(150, abs=3)
    assert tone["loudness"]["baseline_dbfs"] == pytest.approx(-30, abs=1)
    assert tone["loudness"]["average_dbfs"] == pytest.approx(-30, abs=1)
    assert tone["monologue"]["longest_s"] == pytest.approx(12, abs=0.5)
    assert tone["loudness"]["too_loud"] == tone["pace"]["too_fast"] == 0


# -- loudness ---------------------------------------------------------------------------------


def test_steady_calm_speech_never_fires_too_loud(playbook, levels, silence):
    session = CallSession(playbook)
    out = []
    for k in range(8):
        t = k * 15.0
        out += levels(session, "agent", t, 12.0, -30.0, jitter_db=3.0, seed=k)
        out += silence(session, "agent", t + 12.0, 3.0)
    assert kinds(out, "too_loud") == []
    loud = session.report()["summary"]["tone"]["loudness"]
    assert loud["loud_s"] == 0.0
    assert loud["voiced_s"] > 80


def test_a_raised_voice_sustained_for_a_few_seconds_fires_too_loud_once(playbook, levels):
    session = CallSession(playbook)
    levels(session, "agent", 0.0, 40.0, -30.0)
    out = levels(session, "agent", 40.0, 8.0, -20.0, seed=2)
    loud = kinds(out, "too_loud")
    assert len(loud) == 1
    assert 43.0 <= loud[0].at <= 46.0
    assert loud[0].advice == playbook.advice("too_loud")
    assert "dB above your usual level" in loud[0].evidence
    # The warning brings the calm reminder with it (reminders.calm.after lists too_loud).
    assert any(isinstance(e, ReminderEvent) and e.kind == "calm" for e in out)
    figures = session.report()["summary"]["tone"]["loudness"]
    assert figures["loud_s"] > 5
    assert figures["peak_rise_db"] >= 8


def test_a_short_shout_is_not_too_loud(playbook, levels):
    session = CallSession(playbook)
    levels(session, "agent", 0.0, 20.0, -30.0)
    out = levels(session, "agent", 20.0, 1.5, -18.0, seed=2)
    out += levels(session, "agent", 21.5, 20.0, -30.0, seed=3)
    assert kinds(out, "too_loud") == []


def test_a_voice_hovering_around_the_threshold_fires_once_and_never_flickers(playbook, levels):
    rule = tone_rules(playbook).too_loud
    # No cool-down: the hysteresis alone keeps it to one warning.
    session = CallSession(playbook, monitors=[LoudnessMonitor(replace(rule, cooldown_s=0.0))])
    levels(session, "agent", 0.0, 20.0, -30.0, jitter_db=0.5)
    out = []
    # Between the calm-again line (+3 dB) and well over the raised line (+6 dB), for 2 minutes.
    for k in range(24):
        out += levels(session, "agent", 20.0 + 5 * k, 5.0, -30.0 + (4.0 if k % 2 else 8.0),
                      jitter_db=0.5, seed=k)
    assert len(kinds(out, "too_loud")) == 1


def test_a_second_raised_episode_fires_again_only_after_the_cool_down(playbook, levels):
    rules = tone_rules(playbook)
    cooldown = rules.too_loud.cooldown_s
    session = CallSession(playbook)
    out = levels(session, "agent", 0.0, 20.0, -30.0)
    t = 20.0
    for _ in range(2):  # calm again in between, but within the cool-down
        out += levels(session, "agent", t, 6.0, -20.0, seed=4)
        out += levels(session, "agent", t + 6.0, 10.0, -30.0, seed=5)
        t += 16.0
    assert len(kinds(out, "too_loud")) == 1
    t = max(t, kinds(out, "too_loud")[0].at + cooldown)
    out += levels(session, "agent", t, 6.0, -20.0, seed=6)
    assert len(kinds(out, "too_loud")) == 2


def test_loud_from_the_first_word_fires_against_the_agents_remembered_level(playbook, levels):
    rules = tone_rules(playbook)
    fresh = CallSession(playbook)
    out = levels(fresh, "agent", 0.0, 30.0, -18.0)
    assert kinds(out, "too_loud") == []  # it is all this call knows of the agent
    remembered = CallSession(playbook, monitors=[LoudnessMonitor(rules.too_loud, -30.0)])
    out = levels(remembered, "agent", 0.0, 30.0, -18.0)
    assert len(kinds(out, "too_loud")) == 1
    figures = remembered.report()["summary"]["tone"]["loudness"]
    assert figures["prior_baseline_dbfs"] == -30.0
    # One loud call moves the remembered level only part of the way.
    blend = rules.too_loud.baseline_blend
    assert figures["baseline_dbfs"] == pytest.approx(-30.0 + blend * 12.0, abs=0.5)


def test_the_remembered_level_follows_a_louder_headset_within_a_few_calls(playbook, levels):
    rules = tone_rules(playbook)
    remembered, cues = -30.0, []
    for call in range(8):
        session = CallSession(playbook, monitors=[LoudnessMonitor(rules.too_loud, remembered)])
        out = levels(session, "agent", 0.0, 30.0, -22.0, seed=call)
        cues.append(len(kinds(out, "too_loud")))
        remembered = session.report()["summary"]["tone"]["loudness"]["baseline_dbfs"]
    assert cues[0] == 1 and cues[-1] == 0
    assert remembered == pytest.approx(-22.0, abs=1.0)


def test_the_remembered_level_moves_part_way_towards_this_calls_level(playbook, levels):
    rules = tone_rules(playbook)
    session = CallSession(playbook, monitors=[LoudnessMonitor(rules.too_loud, -30.0)])
    levels(session, "agent", 0.0, 15.0, -26.0, jitter_db=0.5)
    figures = session.report()["summary"]["tone"]["loudness"]
    assert figures["call_baseline_dbfs"] == pytest.approx(-26.0, abs=0.3)
    blend = rules.too_loud.baseline_blend
    assert figures["baseline_dbfs"] == pytest.approx(-30.0 + blend * 4.0, abs=0.2)


def test_the_customers_loud_voice_is_not_the_agents(playbook, levels):
    session = CallSession(playbook)
    levels(session, "agent", 0.0, 10.0, -30.0)
    out = levels(session, "customer", 10.0, 10.0, -30.0)
    out += levels(session, "customer", 20.0, 10.0, -15.0)
    assert kinds(out, "too_loud") == []


# -- pace -------------------------------------------------------------------------------------


def test_speaking_time_counts_short_gaps_and_leaves_out_pauses():
    spans = [(0.0, 0.3), (0.4, 0.7), (2.0, 2.5)]
    assert speaking_time(spans, 0.7) == pytest.approx(0.7 + 0.5)
    assert speaking_time([], 0.7) == 0.0


def test_steady_calm_pace_never_fires_too_fast(playbook, utter):
    session = CallSession(playbook)
    out, t = [], 0.0
    for _ in range(12):
        events, end = utter(session, "agent", t, 20, 150)
        out += events
        t = end + 1.5
    assert kinds(out, "too_fast") == []
    pace = session.report()["summary"]["tone"]["pace"]
    assert pace["average_wpm"] == pytest.approx(150, abs=5)
    assert pace["peak_wpm"] < 170


def test_sustained_fast_speech_fires_too_fast_once_with_slow_down_advice(playbook, utter):
    session = CallSession(playbook)
    out, end = utter(session, "agent", 0.0, 20, 150)
    t = end + 1.0
    for _ in range(3):
        events, end = utter(session, "agent", t, 30, 260)
        out += events
        t = end + 1.0
    fast = kinds(out, "too_fast")
    assert len(fast) == 1
    assert "slow down" in fast[0].advice.lower()
    assert fast[0].evidence.endswith("words a minute")
    assert int(fast[0].evidence.split()[0]) > tone_rules(playbook).too_fast.max_wpm
    assert any(isinstance(e, ReminderEvent) and e.kind == "calm" for e in out)
    pace = session.report()["summary"]["tone"]["pace"]
    assert pace["peak_wpm"] == pytest.approx(260, abs=15)
    assert pace["fast_s"] > 10


def test_a_quick_aside_is_not_too_fast(playbook, utter):
    session = CallSession(playbook)
    _, end = utter(session, "agent", 0.0, 30, 150)
    out, end = utter(session, "agent", end + 0.3, 8, 260)  # under two seconds of it
    more, _ = utter(session, "agent", end + 0.3, 30, 150)
    assert kinds(out + more, "too_fast") == []


def test_pace_hovering_around_the_limit_fires_once(playbook, utter):
    rule = tone_rules(playbook).too_fast
    # No cool-down: the hysteresis alone keeps it to one warning.
    session = CallSession(playbook, monitors=[PaceMonitor(replace(rule, cooldown_s=0.0))])
    out, t = [], 0.0
    for k in range(14):
        events, end = utter(session, "agent", t, 25, 290 if k % 2 else 210)
        out += events
        t = end + 0.3
    assert len(kinds(out, "too_fast")) == 1


def test_fast_again_after_a_calm_stretch_waits_for_the_cool_down(playbook, utter):
    cooldown = tone_rules(playbook).too_fast.cooldown_s
    session = CallSession(playbook)
    out, end = utter(session, "agent", 0.0, 40, 300)
    first = kinds(out, "too_fast")
    assert len(first) == 1
    events, end = utter(session, "agent", end + 0.5, 50, 140)  # calm: the episode ends
    out += events
    events, end = utter(session, "agent", end + 0.5, 40, 300)  # fast again, too soon
    out += events
    assert len(kinds(out, "too_fast")) == 1
    events, end = utter(session, "agent", max(end, first[0].at + cooldown) + 1, 50, 140)
    events, _ = utter(session, "agent", end + 0.5, 40, 300)
    assert len(kinds(out + events, "too_fast")) == 2


def test_a_fast_talking_customer_is_not_the_agents_pace(playbook, utter):
    session = CallSession(playbook)
    out, _ = utter(session, "customer", 0.0, 60, 280)
    assert kinds(out, "too_fast") == []
    assert session.report()["summary"]["tone"]["pace"]["words"] == 0


def test_pace_is_only_judged_with_enough_words(playbook, utter):
    rules = tone_rules(playbook)
    session = CallSession(playbook, monitors=[PaceMonitor(replace(rules.too_fast, min_words=500))])
    out, t = [], 0.0
    for _ in range(3):
        events, end = utter(session, "agent", t, 30, 300)
        out += events
        t = end + 0.5
    assert kinds(out, "too_fast") == []
    assert session.report()["summary"]["tone"]["pace"]["peak_wpm"] is None


# -- monologue --------------------------------------------------------------------------------


def test_the_agent_talking_on_without_a_pause_fires_monologue_once(playbook, utter):
    max_s = tone_rules(playbook).monologue.max_s
    session = CallSession(playbook)
    out, t = [], 0.0
    while t < max_s + 30:
        events, end = utter(session, "agent", t, 15, 150)
        out += events
        t = end + 0.8  # breaths between sentences do not let the customer in
    mono = kinds(out, "monologue")
    assert len(mono) == 1
    assert max_s <= mono[0].at <= max_s + 8
    assert "ask a question" in mono[0].advice.lower()
    assert session.report()["summary"]["tone"]["monologue"]["longest_s"] >= max_s + 25


def test_pauses_that_let_the_customer_in_keep_long_explanations_from_being_a_monologue(
    playbook, utter
):
    pause_s = tone_rules(playbook).monologue.pause_s
    session = CallSession(playbook)
    out, t = [], 0.0
    for _ in range(10):
        events, end = utter(session, "agent", t, 50, 150)  # 20 s each
        out += events
        t = end + pause_s + 0.5
    assert kinds(out, "monologue") == []


def test_long_customer_turns_and_short_agent_turns_never_fire_monologue(
    playbook, utter, levels
):
    session = CallSession(playbook)
    out, t = [], 0.0
    for k in range(8):
        out += levels(session, "customer", t, 25.0, -25.0, seed=k)
        events, _ = utter(session, "customer", t, 60, 150)
        out += events
        t += 25.5
        out += levels(session, "agent", t, 4.0, -30.0, seed=k)
        events, _ = utter(session, "agent", t, 9, 150)
        out += events
        t += 4.5
    assert kinds(out, "monologue") == []
    assert session.report()["summary"]["tone"]["monologue"]["longest_s"] < 5


def test_the_customer_getting_a_word_in_on_their_channel_ends_the_agents_stretch(
    playbook, levels
):
    rules = tone_rules(playbook).monologue
    session = CallSession(playbook)
    out, t = [], 0.0
    while t < rules.max_s * 2:
        out += levels(session, "agent", t, 15.0, -30.0)
        # "mm right": the customer speaks in a gap shorter than pause_s
        out += levels(session, "customer", t + 15.0, 1.0, -28.0)
        t += 15.0 + 1.0
    assert kinds(out, "monologue") == []


def test_the_agents_final_result_arriving_after_the_customer_spoke_does_not_undo_their_turn(
    playbook, levels, utter
):
    max_s = tone_rules(playbook).monologue.max_s
    session = CallSession(playbook)
    out = levels(session, "agent", 0.0, max_s - 5, -30.0)
    out += levels(session, "customer", max_s - 4.8, 1.0, -28.0)  # "right, ok"
    # the recogniser's final for the agent's first stretch comes in only now
    events, _ = utter(session, "agent", 0.0, round((max_s - 5) * 2.5), 150)
    out += events
    out += levels(session, "agent", max_s - 3.5, max_s - 5, -30.0)
    assert kinds(out, "monologue") == []


def test_a_click_on_the_customers_channel_does_not_end_a_monologue(playbook, levels):
    max_s = tone_rules(playbook).monologue.max_s
    session = CallSession(playbook)
    out, t = [], 0.0
    while t < max_s + 10:
        out += levels(session, "agent", t, 10.0, -30.0)
        out += session.feed_level("customer", t + 10.0, -20.0, True)
        t += 10.0
    assert len(kinds(out, "monologue")) == 1


def test_a_second_monologue_within_the_cool_down_is_not_repeated(playbook, utter):
    rules = tone_rules(playbook).monologue
    monitor = MonologueMonitor(replace(rules, max_s=10.0, cooldown_s=60.0))
    session = CallSession(playbook, monitors=[monitor])
    out, t = [], 0.0
    for _ in range(4):  # 15 s of talk, then a real pause, four times within a minute
        events, end = utter(session, "agent", t, 38, 150)
        out += events
        t = end + rules.pause_s + 1
    assert len(kinds(out, "monologue")) == 1
    events, _ = utter(session, "agent", 80.0, 38, 150)
    assert len(kinds(out + events, "monologue")) == 2


# -- the customer -----------------------------------------------------------------------------


def test_anger_words_prompt_the_agent_to_apologize_and_sympathize_now(playbook):
    session = CallSession(playbook)
    out = session.feed_utterance(
        "customer", "this is absolutely ridiculous i want to speak to a manager", 0.5, 4.0
    )
    [prompt] = prompts(out)
    assert prompt.text == 'The caller said "ridiculous": apologize and sympathize now.'
    assert 1.0 < prompt.at < 2.5  # when "ridiculous" was said


def test_no_prompt_once_the_agent_has_apologized_and_sympathized(playbook):
    session = CallSession(playbook)
    session.feed_utterance(
        "agent", "i am so sorry about that i understand how frustrating this is", 0.0, 4.0
    )
    out = session.feed_utterance("customer", "it is unacceptable", 5.0, 6.5)
    assert prompts(out) == []


def test_the_prompt_names_only_the_steps_still_missing(playbook):
    session = CallSession(playbook)
    session.feed_utterance("agent", "i am so sorry about that", 0.0, 2.0)
    out = session.feed_utterance("customer", "this is unacceptable", 3.0, 4.5)
    [prompt] = prompts(out)
    assert prompt.text.endswith(": sympathize now.")


def test_repeated_anger_within_the_cool_down_prompts_once(playbook):
    cooldown = tone_rules(playbook).customer.cooldown_s
    session = CallSession(playbook)
    out = session.feed_utterance("customer", "this is ridiculous", 0.0, 1.5)
    out += session.feed_utterance("customer", "i want to cancel", 5.0, 6.5)
    assert len(prompts(out)) == 1
    out += session.feed_utterance("customer", "get me your manager", cooldown + 2, cooldown + 4)
    assert len(prompts(out)) == 2
    assert session.report()["summary"]["tone"]["customer"]["anger_words"] == [
        "ridiculous", "cancel", "manager",
    ]


def test_the_agent_saying_an_anger_word_prompts_nothing(playbook):
    session = CallSession(playbook)
    out = session.feed_utterance("agent", "i can cancel that order for you", 0.0, 2.0)
    assert prompts(out) == []


def test_the_customers_rising_voice_prompts_the_agent(playbook, levels):
    session = CallSession(playbook)
    out = levels(session, "customer", 0.0, 10.0, -30.0)
    assert prompts(out) == []
    out = levels(session, "customer", 10.0, 6.0, -20.0)
    [prompt] = prompts(out)
    assert prompt.text == "The caller is raising their voice: apologize and sympathize now."
    assert session.report()["summary"]["tone"]["customer"]["loud_s"] > 3


def test_steps_ticked_by_hand_count_for_the_customers_rising_voice(playbook, levels):
    session = CallSession(playbook)
    levels(session, "customer", 0.0, 10.0, -30.0)
    session.tick("apologize", 10.0)
    session.tick("sympathize", 10.0)
    out = levels(session, "customer", 10.0, 6.0, -18.0)
    assert prompts(out) == []


def test_a_calm_customer_prompts_nothing(playbook, levels):
    session = CallSession(playbook)
    out = levels(session, "customer", 0.0, 60.0, -30.0, jitter_db=3.0)
    assert prompts(out) == []


def test_a_rising_customer_voice_after_the_steps_are_covered_prompts_nothing(playbook, levels):
    session = CallSession(playbook)
    levels(session, "customer", 0.0, 10.0, -30.0)
    session.feed_utterance(
        "agent", "i am really sorry i can see how frustrating this has been", 10.0, 13.0
    )
    out = levels(session, "customer", 13.0, 6.0, -18.0)
    assert prompts(out) == []


# -- the corpus -------------------------------------------------------------------------------


def test_the_calm_scripted_calls_raise_no_tone_warnings(playbook):
    from pathlib import Path

    from callassist.replay import feed_transcript
    from callassist.transcript import load_transcript

    corpus = sorted((Path(__file__).parents[2] / "corpus").glob("dev-*.json"))
    assert len(corpus) == 24
    for path in corpus:
        session = feed_transcript(load_transcript(path), CallSession(playbook))
        tone = [w for w in session.warnings if w.kind in ("too_loud", "too_fast", "monologue")]
        assert tone == [], path.name


def test_monitors_for_accepts_the_agents_remembered_level(playbook, levels):
    session = CallSession(playbook, monitors=monitors_for(playbook, agent_baseline_dbfs=-32.0))
    out = levels(session, "agent", 0.0, 10.0, -20.0)
    assert len(kinds(out, "too_loud")) == 1
