"""Corrections of the coach, stored with their words, and the suggestions made of them: a
supervisor's "this was an apology" / "false warning", and an agent's manual ticks."""

from __future__ import annotations

import json

import pytest

from callassist.cli import main
from callassist.coach.session import CallSession
from callassist.store import StoreError, open_store
from callassist.store.corrections import words_at
from callassist.store.query import PRACTICE_SOURCE


def _live_call_with_a_manual_tick(store, playbook, source="microphone") -> int:
    session = CallSession(playbook, monitors=[])
    rec = store.begin_call(engine="whisper", model="tiny.en", source=source)
    rec.write(session.start(0.0))
    rec.write(session.feed_utterance("agent", "oof that is a rough week", 1.0, 3.0))
    rec.write(session.tick("sympathize", 4.0))  # the coach missed it; the agent ticks it
    rec.write(session.end(5.0))
    return rec.finish(session.report())


def test_a_manual_tick_keeps_the_sentence_it_refers_to(playbook):
    session = CallSession(playbook, monitors=[])
    session.feed_utterance("agent", "oof that is a rough week", 1.0, 3.0)
    (tick,) = session.tick("apologize", 4.0)
    assert tick.manual and tick.evidence == "oof that is a rough week"
    later = CallSession(playbook, monitors=[])
    later.feed_utterance("agent", "hello", 1.0, 2.0)
    assert later.tick("sympathize", 60.0)[0].evidence == "ticked by hand"  # nothing recent


def test_corrections_and_manual_ticks_become_counted_suggestions(store_url, settings, playbook):
    with open_store(store_url, settings=settings) as store:
        first = _live_call_with_a_manual_tick(store, playbook)
        second = _live_call_with_a_manual_tick(store, playbook)
        _live_call_with_a_manual_tick(store, playbook, source=PRACTICE_SOURCE + "lost-parcel")
        store.corrections.add(first, "sympathize", "was", "Oof, that is a ROUGH week!",
                              "Sam", at=1.0)
        store.corrections.add(second, "blame", "not", "the courier confirmed it was delivered",
                              "Sam", at=2.0)
        found = store.corrections.suggestions()
        assert [(s.kind, s.verdict, s.count) for s in found] == [
            ("sympathize", "was", 3), ("blame", "not", 1)]
        assert found[0].calls == [first, second] and found[0].by == {"agent", "supervisor"}
        assert [s.kind for s in store.corrections.suggestions(min_count=2)] == ["sympathize"]
        assert [c.kind for c in store.corrections.for_call(second)] == ["blame"]
        store.delete_calls([second])  # a deleted call's corrections go with it
        assert store.corrections.for_call(second) == []


def test_a_correction_names_a_known_kind_and_its_words(store_url, settings, playbook):
    with open_store(store_url, settings=settings) as store:
        call = _live_call_with_a_manual_tick(store, playbook)
        with pytest.raises(StoreError, match="unknown step or warning 'apology'"):
            store.corrections.add(call, "apology", "was", "sorry", "Sam")
        with pytest.raises(StoreError, match="needs the words"):
            store.corrections.add(call, "apologize", "was", "  ", "Sam")
        with pytest.raises(StoreError, match="no call 999"):
            store.corrections.add(999, "apologize", "was", "sorry", "Sam")
        c = store.corrections.add(call, "apologize", "was", "card 4111 1111 1111 1111", "Sam")
        assert "4111" not in c.text  # redacted before it is stored


def test_words_at_a_moment_are_the_agents_sentence_then():
    report = {"transcript": [
        {"speaker": "customer", "start": 0.0, "end": 2.0, "text": "it never came"},
        {"speaker": "agent", "start": 2.5, "end": 4.0, "text": "that is on us"},
        {"speaker": "agent", "start": 6.0, "end": 8.0, "text": "i will resend it today"},
    ]}
    assert words_at(report, 3.0) == ("that is on us", 2.5)
    assert words_at(report, 5.0) == ("that is on us", 2.5)  # the last one started before
    assert words_at(report, 1.0) is None


def test_calls_correct_and_playbook_suggest_from_the_terminal(capsys, filled_store):
    store = str(filled_store)
    # call 4 (dev-004) holds "let me put you on hold while i transfer you ..." at 0:07
    assert main(["calls", "correct", "4", "--at", "0:07", "--not", "hold_without_handoff",
                 "--store", store]) == 0
    assert "was not Hold without handoff" in capsys.readouterr().out
    assert main(["calls", "correct", "4", "--was", "sympathize", "--text",
                 "that sounds exhausting", "--store", store]) == 0
    capsys.readouterr()
    assert main(["calls", "correct", "4", "--store", store]) == 0
    listed = capsys.readouterr().out
    assert "was Sympathize" in listed and "was not Hold without handoff" in listed
    assert main(["playbook", "suggest", "--store", store]) == 0
    out = capsys.readouterr().out
    assert "Sympathize  (add to [steps.sympathize] examples)" in out
    assert '"that sounds exhausting"  calls 4 · supervisor' in out
    assert "not Hold without handoff  (add to [learned] neutral)" in out
    assert main(["playbook", "suggest", "--json", "--store", store]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["kind"] for r in rows} == {"sympathize", "hold_without_handoff"}
    assert main(["calls", "correct", "4", "--was", "apologize", "--store", store]) == 2
    assert "--at M:SS" in capsys.readouterr().err
