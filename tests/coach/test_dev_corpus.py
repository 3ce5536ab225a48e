"""Every labelled dev call: the expected steps and warnings, and nothing the labels rule out."""

import json
from pathlib import Path

import pytest

from callassist.coach.session import CallSession
from callassist.replay import feed_transcript
from callassist.transcript import load_transcript

TESTS = Path(__file__).resolve().parents[1]
CALLS = sorted((TESTS / "corpus").glob("dev-*.json"))
EXTRA = sorted((TESTS / "corpus_extra").glob("extra-*.json"))


@pytest.mark.parametrize("path", CALLS + EXTRA, ids=lambda p: p.stem)
def test_dev_call_matches_its_labels(playbook, path):
    expect = json.loads(path.read_text())["expect"]
    report = feed_transcript(load_transcript(path), CallSession(playbook)).report()
    ticked = {s for s, v in report["steps"].items() if v["covered"]}
    fired = {w["kind"] for w in report["warnings"]}
    assert ticked == set(expect["steps"])
    assert set(expect["warnings"]) <= fired
    assert not fired & set(expect["absent"])


def test_the_corpus_copy_is_complete():
    assert len(CALLS) == 24
    assert len(EXTRA) == 24
