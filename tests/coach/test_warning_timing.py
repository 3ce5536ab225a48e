"""Warnings in time: every dev call replayed through the real replay code (in simulated time,
so the test takes seconds; benchmarks/warnings.py replays them in real time), each phrase
warning shown within 1 s of the end of the words that raise it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callassist.coach.kinds import PHRASE_WARNINGS
from callassist.replay import replay_warnings
from callassist.transcript import load_transcript

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CALLS = sorted(CORPUS.glob("dev-*.json"))


@pytest.mark.parametrize("path", CALLS, ids=lambda p: p.stem)
def test_each_warning_shows_within_a_second_of_its_words(path, playbook):
    transcript = load_transcript(path)
    shown = replay_warnings(transcript, playbook)
    standing = [w for w in shown if not w.withdrawn]
    for w in standing:
        assert w.delay is not None, f"{w.kind} at {w.at:.1f} s matches no words"
        assert w.delay <= 1.0, f"{w.kind} at {w.at:.1f} s shown {w.delay:.2f} s after its words"
    expected = set(json.loads(path.read_text())["expect"]["warnings"]) & set(PHRASE_WARNINGS)
    assert expected <= {w.kind for w in standing}


def test_blame_said_mid_call_shows_while_the_agent_is_still_talking(playbook):
    """dev-007: "that's the courier's fault" at 7.5 s used to show only when the call ended."""
    transcript = load_transcript(CORPUS / "dev-007.json")
    [blame] = [w for w in replay_warnings(transcript, playbook) if w.kind == "blame"]
    turn = next(t for t in transcript.turns if t.start <= blame.at <= t.end)
    assert blame.shown_at < turn.end  # before the sentence is over


def test_a_call_replayed_in_real_time_shows_its_warnings_within_a_second(playbook):
    transcript = load_transcript(CORPUS / "dev-022.json")  # blame, then defensive: 12 s
    shown = replay_warnings(transcript, playbook, simulated=False)
    assert sorted(w.kind for w in shown) == ["blame", "defensive"]
    assert all(w.delay is not None and w.delay <= 1.0 for w in shown)
