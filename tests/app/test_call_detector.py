"""The start/end decision of calls by voice activity, fed with voice-activity frames as the
audio produces them: one 0.1 s frame per speaker per block."""

from __future__ import annotations

import pytest

from callassist.app.call_detector import END, START, CallDetector, Frame

BLOCK = 0.1


def frames(speech: dict[str, list[tuple[float, float]]], start: float, until: float):
    """Frames for both speakers from `start` to `until`; voiced inside the given spans."""
    n0, n1 = round(start / BLOCK), round(until / BLOCK)
    for i in range(n0, n1):
        at = round(i * BLOCK, 3)
        for sp in ("agent", "customer"):
            voiced = any(a <= at < b for a, b in speech.get(sp, []))
            yield Frame(sp, at, round(at + BLOCK, 3), voiced)


def decisions(detector: CallDetector, speech, until: float, start: float = 0.0):
    """(time, decision) for every decision the frames lead to."""
    out = []
    for f in frames(speech, start, until):
        d = detector.feed(f)
        if d is not None:
            out.append((f.end, d))
    return out


def test_a_call_starts_once_both_sides_have_spoken_and_begins_with_the_greeting():
    d = CallDetector(silence_s=20)
    got = decisions(d, {"agent": [(5.0, 8.0)], "customer": [(9.0, 12.0)]}, until=15)
    assert [x for _, x in got] == [START]
    assert 9.3 <= got[0][0] <= 9.6  # a moment of the customer's voice settles it
    assert d.call_from == pytest.approx(4.5)  # the agent's greeting, and half a second before


def test_one_voice_alone_never_starts_a_call():
    d = CallDetector(silence_s=20)
    assert decisions(d, {"agent": [(1.0, 50.0)]}, until=60) == []
    assert decisions(CallDetector(), {"customer": [(1.0, 50.0)]}, until=60) == []


def test_a_click_on_the_line_is_not_the_customer_speaking():
    d = CallDetector(silence_s=20)
    assert decisions(d, {"agent": [(1.0, 5.0)], "customer": [(6.0, 6.2)]}, until=10) == []


def test_the_call_ends_after_the_set_silence_on_both_sides_and_not_before():
    d = CallDetector(silence_s=20)
    speech = {"agent": [(1.0, 4.0), (30.0, 40.0)], "customer": [(5.0, 29.0)]}
    got = decisions(d, speech, until=75)
    assert [x for _, x in got] == [START, END]
    assert got[1][0] == pytest.approx(60.0, abs=0.15)  # 20 s after the last words at 40 s


def test_a_pause_shorter_than_the_silence_keeps_the_call_going():
    d = CallDetector(silence_s=20)
    speech = {"agent": [(1.0, 4.0), (25.0, 27.0)], "customer": [(5.0, 6.0)]}
    got = decisions(d, speech, until=40)
    assert [x for _, x in got] == [START]  # 19 s of silence (6 -> 25) is not 20


def test_the_silence_is_a_setting():
    d = CallDetector(silence_s=5)
    got = decisions(d, {"agent": [(1.0, 3.0)], "customer": [(3.5, 6.0)]}, until=20)
    assert [x for _, x in got] == [START, END]
    assert got[1][0] == pytest.approx(11.0, abs=0.15)


def test_two_calls_with_a_silence_between_are_two_calls():
    d = CallDetector(silence_s=10)
    speech = {"agent": [(1.0, 3.0), (40.0, 42.0)], "customer": [(3.5, 6.0), (43.0, 45.0)]}
    got = decisions(d, speech, until=70)
    assert [x for _, x in got] == [START, END, START, END]
    assert got[2][0] == pytest.approx(43.5, abs=0.15)


def test_the_agent_talking_long_before_the_call_is_not_its_opening():
    d = CallDetector(silence_s=10)
    # a word to a colleague, 30 s of silence, then the call's greeting and the answer
    got = decisions(d, {"agent": [(1.0, 3.0), (33.0, 35.0)], "customer": [(36.0, 38.0)]},
                    until=40)
    assert [x for _, x in got] == [START]
    assert d.call_from == pytest.approx(32.5)


def test_a_long_opening_is_cut_to_its_last_half_minute():
    d = CallDetector(silence_s=20, max_opening_s=30)
    decisions(d, {"agent": [(0.0, 100.0)], "customer": [(100.0, 102.0)]}, until=102)
    assert d.in_call
    assert 69.5 <= d.call_from <= 70.5  # 30 s before the answer, and the lead


def test_after_ending_by_hand_the_goodbyes_do_not_start_a_new_call():
    d = CallDetector(silence_s=20, rearm_s=2)
    decisions(d, {"agent": [(1.0, 3.0)], "customer": [(3.0, 10.0)]}, until=10)
    assert d.in_call
    d.end_by_hand()
    assert not d.in_call
    # both still say goodbye with no pause of 2 s: no new call
    assert decisions(d, {"agent": [(10.0, 11.0), (12.5, 13.5)], "customer": [(11.0, 12.5)]},
                     start=10, until=13.5) == []
    # after a pause, the next customer and the agent start the next call
    got = decisions(d, {"agent": [(20.0, 22.0)], "customer": [(22.5, 24.0)]},
                    start=13.5, until=25)
    assert [x for _, x in got] == [START]
    assert d.call_from == pytest.approx(19.5)


def test_a_call_started_by_hand_ends_by_silence_only_once_both_have_spoken():
    d = CallDetector(silence_s=5)
    decisions(d, {}, until=2)
    d.start_by_hand()
    assert d.in_call and d.call_from == pytest.approx(1.5)
    # the customer is not there yet: silence does not end the call
    assert decisions(d, {"agent": [(3.0, 4.0)]}, start=2, until=20) == []
    got = decisions(d, {"customer": [(20.0, 22.0)]}, start=20, until=30)
    assert [x for _, x in got] == [END]
    assert got[0][0] == pytest.approx(27.0, abs=0.15)


def test_starting_by_hand_keeps_the_opening_heard_so_far():
    d = CallDetector(silence_s=20)
    decisions(d, {"agent": [(3.0, 6.0)]}, until=7)
    d.start_by_hand()
    assert d.call_from == pytest.approx(2.5)


def test_a_customer_line_whose_clock_runs_ahead_does_not_turn_a_pause_into_a_new_call():
    # Two inputs never open at the same moment: here the customer's clock is 1.5 s ahead of
    # the agent's. A 3 s pause between greeting and answer must not reset the opening.
    d = CallDetector(silence_s=4)
    got = []
    for f in frames({"agent": [(1.0, 3.0)], "customer": [(6.0, 8.0)]}, 0, 10):
        if f.speaker == "customer":
            f = Frame(f.speaker, f.at + 1.5, f.end + 1.5, f.voiced)
        decision = d.feed(f)
        if decision:
            got.append(decision)
    assert got == [START]
    assert d.call_from == pytest.approx(0.5)


def test_a_silent_hold_does_not_end_the_call_until_the_hold_limit():
    d = CallDetector(silence_s=20, hold_s=120)
    decisions(d, {"agent": [(1.0, 3.0)], "customer": [(3.5, 6.0)]}, until=7)
    assert d.in_call
    # "please hold": a minute of silence on both sides while the caller holds
    got = []
    for f in frames({}, 7, 70):
        if d.feed(f, holding=True):
            got.append(f.end)
    assert got == [] and d.in_call
    # nobody came back: the hold limit ends it
    for f in frames({}, 70, 130):
        if d.feed(f, holding=True) == END:
            got.append(f.end)
    assert got == [pytest.approx(126.0, abs=0.15)]  # 120 s after the last words at 6 s
