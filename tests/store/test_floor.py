"""The live floor: agents' calls in progress, written by separate processes into the store,
reach a supervisor's feed as they happen, with alerts when a call goes wrong."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from callassist.store import open_store
from callassist.store.db import parse_url
from callassist.store.floor import NO_APOLOGY_S, FloorFeed, LiveCall

AGENT = Path(__file__).with_name("floor_agent.py")


def test_a_live_call_folds_its_events_into_checklist_mood_and_alerts():
    call = LiveCall(1, "Dana", started_at=1000.0)
    assert call.apply({"type": "mood", "at": 2.0, "cue": "words", "evidence": "furious"}) == []
    assert call.mood_label == "angry" and call.first_upset == 2.0
    alerts = call.apply({"type": "warning", "kind": "defensive", "at": 3.0,
                         "evidence": "calm down", "advice": "..."})
    assert [a.kind for a in alerts] == ["defensive"] and "calm down" in alerts[0].text
    assert call.tick(1000.0 + 2.0 + NO_APOLOGY_S - 1) == []
    late = call.tick(1000.0 + 2.0 + NO_APOLOGY_S + 1)
    assert [a.kind for a in late] == ["no_apology"]
    assert call.tick(1000.0 + 100) == []  # said once
    call.apply({"type": "step", "step": "apologize", "at": 40.0, "evidence": "sorry"})
    assert "apologize" in call.covered


def _agents(url: str, scripts: dict[str, tuple[str, float]]):
    procs = {}
    for agent, (script, ago) in scripts.items():
        procs[agent] = subprocess.Popen(
            [sys.executable, str(AGENT), url, agent, script, str(ago)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return procs


def _follow(feed: FloorFeed, until, timeout: float = 20.0):
    alerts, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        alerts += feed.poll(0.5).alerts
        if until(feed, alerts):
            return alerts
    raise AssertionError(f"the floor never showed it: {feed.calls}, {alerts}")


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_agents_writing_live_calls_at_once_reach_the_supervisors_floor(kind, tmp_path, request,
                                                                       settings):
    url = str(tmp_path / "team.sqlite3") if kind == "sqlite" else request.getfixturevalue(
        "pg_url")
    open_store(url, settings=settings).close()  # the schema exists before the agents start
    feed = FloorFeed(parse_url(url, tmp_path / "x"))
    assert feed.push is (kind == "postgresql")
    procs = _agents(url, {"Blaming Ben": ("blame", 0), "Silent Sue": ("silent", 45),
                          "Good Gail": ("good", 0)})
    try:
        for p in procs.values():
            assert p.stdout.readline().startswith("live ")

        def seen(feed, alerts):
            kinds = {(a.agent, a.kind) for a in alerts}
            agents = {c.agent: c for c in feed.calls.values()}
            return (("Blaming Ben", "blame") in kinds and ("Silent Sue", "no_apology") in kinds
                    and "sympathize" in getattr(agents.get("Good Gail"), "covered", {}))

        alerts = _follow(feed, seen)
        calls = {c.agent: c for c in feed.calls.values()}
        assert set(calls) == {"Blaming Ben", "Silent Sue", "Good Gail"}
        assert calls["Blaming Ben"].mood_label == "angry"
        assert calls["Good Gail"].mood_label == "complaint"
        assert not any(a.agent == "Good Gail" for a in alerts)
        for p in procs.values():
            p.stdin.write("\n")
            p.stdin.flush()
            assert p.wait(timeout=20) == 0
        _follow(feed, lambda feed, _: not feed.calls)  # ended calls leave the floor
    finally:
        for p in procs.values():
            p.kill()
        feed.close()
