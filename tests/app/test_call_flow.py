"""The overlay's call lifecycle without Qt: what Start, End, the phone system's `call start`
and `call end`, and the worker's reports do in each phase (app/call_flow.py)."""

from __future__ import annotations

import pytest

from callassist.app.call_flow import CallFlow, Do, Next, Phase


def test_start_begins_a_call_or_listens_for_one_by_voice():
    flow = CallFlow()
    assert flow.start(by_voice=False) == Do.BEGIN and flow.phase == Phase.IN_CALL
    voice = CallFlow()
    assert voice.start(by_voice=True) == Do.BEGIN and voice.phase == Phase.LISTENING
    assert voice.start(by_voice=True) == Do.START_NOW  # Start while listening: now
    voice.started()
    assert voice.phase == Phase.IN_CALL and voice.in_call


def test_end_asks_the_worker_once_and_the_call_carries_on_to_the_next():
    flow = CallFlow()
    flow.start(by_voice=True)
    flow.started()
    assert flow.end() == Do.STOP and flow.phase == Phase.ENDING
    assert flow.end() == Do.NOTHING  # already ending
    assert flow.start(by_voice=True) == Do.NOTHING  # not until the worker reports the end
    assert flow.ended() == Next.CARRY_ON and flow.phase == Phase.IDLE
    assert flow.next_call(by_voice=True) == Do.BEGIN and flow.listening


@pytest.mark.parametrize("by_voice", [False, True])
def test_phone_start_from_idle_always_starts_a_call_with_its_id(by_voice):
    flow = CallFlow()
    action = flow.phone_start("T1", by_voice)
    assert action == (Do.BEGIN_AND_START if by_voice else Do.BEGIN)
    assert flow.call_id == "T1"
    flow.started()
    assert flow.in_call and flow.call_id == "T1"


def test_phone_start_while_listening_starts_now_with_its_id():
    flow = CallFlow()
    flow.start(by_voice=True)
    assert flow.phone_start("4711", by_voice=True) == Do.START_NOW and flow.call_id == "4711"


@pytest.mark.parametrize("by_voice", [False, True])
def test_six_phone_start_end_pairs_all_start(by_voice):
    """The review's H2 loop: start, end, start, end... each start is a call."""
    flow = CallFlow()
    started = 0
    for n in range(1, 7):
        assert flow.phone_start(f"T{n}", by_voice) in (Do.BEGIN, Do.BEGIN_AND_START)
        flow.started()
        started += flow.in_call and flow.call_id == f"T{n}"
        assert flow.phone_end() == Do.STOP
        assert flow.ended() == Next.WAIT_FOR_PHONE and flow.phase == Phase.IDLE
    assert started == 6


def test_phone_start_during_a_call_ends_it_and_queues_the_next():
    flow = CallFlow()
    flow.phone_start("A", by_voice=True)
    flow.started()
    assert flow.phone_start("B", by_voice=True) == Do.STOP and flow.queued
    assert flow.continues  # the summary says the next call follows
    assert flow.ended() == Next.PHONE_CALL and flow.call_id is None
    assert flow.begin_queued(by_voice=True) == Do.BEGIN_AND_START and flow.call_id == "B"
    assert not flow.queued


def test_phone_start_while_ending_queues_without_a_second_stop():
    flow = CallFlow()
    flow.start(by_voice=False)
    flow.end()
    assert flow.phone_start("C", by_voice=False) == Do.NOTHING and flow.queued
    assert flow.ended() == Next.PHONE_CALL


def test_phone_end_with_no_call_does_nothing_and_keeps_listening():
    flow = CallFlow()
    assert flow.phone_end() == Do.NOTHING
    flow.start(by_voice=True)
    assert flow.phone_end() == Do.NOTHING and flow.listening


def test_after_the_phone_ended_a_call_the_next_waits_for_the_phone():
    flow = CallFlow()
    flow.start(by_voice=False)
    flow.phone_end()
    assert not flow.continues
    assert flow.ended() == Next.WAIT_FOR_PHONE
    flow.start(by_voice=False)
    flow.end()
    assert flow.ended() == Next.CARRY_ON  # the phone's end is forgotten after its call


def test_stop_listening_and_idle():
    flow = CallFlow()
    flow.start(by_voice=True)
    assert flow.stop_listening() == Do.STOP
    flow.idle()
    assert flow.phase == Phase.IDLE and flow.stop_listening() == Do.NOTHING


def test_quitting_refuses_new_calls_and_stops_after_the_running_one():
    flow = CallFlow()
    flow.start(by_voice=False)
    flow.phone_start("X", by_voice=False)  # queued behind the running call
    flow.quit()
    assert not flow.continues or flow.queued
    assert flow.ended() == Next.STOP and not flow.queued
    assert flow.start(by_voice=False) == Do.NOTHING
    assert flow.phone_start("Y", by_voice=True) == Do.NOTHING
    assert flow.next_call(by_voice=True) == Do.NOTHING
