"""The trained head (issue 18): a line and its context in, a calibrated probability for every
step and phrase warning out, with the rules' vetoes kept. Runs the real all-MiniLM-L6-v2 model
and the shipped head.npz."""

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from callassist.coach.classifier import Head, features, ngrams
from callassist.coach.events import StepEvent, WarningEvent
from callassist.coach.meaning import MeaningLayer
from callassist.coach.playbook import load_playbook
from callassist.coach.rules import analyse
from callassist.coach.session import CallSession
from callassist.coach.text import normalize
from callassist.embed.dataset import Row, grouped_folds, read_rows, source_group
from callassist.embed.examples import with_meaning
from callassist.embed.head import load_head

ROOT = Path(__file__).resolve().parents[2]


def _with_head(pb):
    """The built-in playbook with its trained head switched on ([learned] head = true)."""
    return dataclasses.replace(pb, learned=dataclasses.replace(pb.learned, head=True))


def test_the_built_in_playbook_leaves_the_head_off():
    pb = with_meaning(load_playbook())
    assert pb.meaning is not None and pb.meaning.head is None


@pytest.fixture(scope="module")
def learned():
    pb = with_meaning(_with_head(load_playbook()))
    assert pb.meaning is not None and pb.meaning.head is not None
    return pb


def says(pb, text, customer="", previous=""):
    return analyse(pb, normalize(text), pb.meaning, normalize(customer).text,
                   normalize(previous).text)


def test_the_shipped_head_is_built_from_data():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "train_coach.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_a_line_with_no_customer_context_still_works(learned):
    line = "leave this with me and i will get it moving today"
    alone = says(learned, line)
    assert "take_action" in alone.steps
    in_context = says(learned, line, customer="my parcel never arrived",
                      previous="let me pull up your order")
    assert "take_action" in in_context.steps
    assert 0.0 <= alone.confidence["take_action"] <= 1.0


@pytest.mark.parametrize("line, step", [
    ("i do not see why you are so upset about this", "sympathize"),
    ("that is not our mistake", "accept_responsibility"),
    ("sorry could you repeat that", "apologize"),
    ("sorry for any inconvenience", "apologize"),
    ("i am sorry you feel that way", "apologize"),
])
def test_negated_filler_and_hollow_lines_tick_nothing(learned, line, step):
    assert step not in says(learned, line).steps


def test_a_final_line_carries_the_heads_probability_and_a_partial_does_not(learned):
    session = CallSession(learned, monitors=[])
    session.feed_utterance("customer", "you charged me twice", 0.0, 1.0)
    partial = session.feed_partial("agent", "i am so sorry about", 1.5, 2.0)
    final = session.feed_utterance("agent", "i am so sorry about that", 1.5, 3.0)
    assert all(e.confidence is None for e in partial if isinstance(e, StepEvent))
    ticked = [e for e in final if isinstance(e, StepEvent) and e.step == "apologize"] or \
        [e for e in partial if isinstance(e, StepEvent) and e.step == "apologize"]
    assert ticked
    warned = session.feed_utterance("agent", "that is our policy there is nothing i can do",
                                    4.0, 6.0)
    for e in warned:
        if isinstance(e, WarningEvent):
            assert e.confidence is not None and 0.0 <= e.confidence <= 1.0


def test_the_playbook_threshold_decides_what_counts(learned):
    line = "leave this with me and i will get it moving today"
    assert "take_action" in says(learned, line).steps
    strict = dataclasses.replace(learned.learned, threshold={"take_action": 1.0})
    m = learned.meaning
    pb = dataclasses.replace(learned, learned=strict, meaning=MeaningLayer(
        m.embedder, m.examples, m.vectors, strict, m.head))
    a = says(pb, line)
    assert "take_action" not in a.steps
    assert "take_action" in a.maybe


def test_the_built_in_playbook_holds_the_heads_thresholds():
    head = load_head()
    assert head is not None
    pb = load_playbook()
    for kind, t in zip(head.kinds, head.thresholds, strict=True):
        assert pb.learned.threshold[kind] == pytest.approx(float(t), abs=1e-3)


def test_a_head_computes_calibrated_probabilities():
    w = np.array([[2.0], [0.0]], dtype=np.float32)
    head = Head(("apologize",), (w, np.zeros(1, np.float32)),
                np.array([[1.0, 0.0]], np.float32), np.array([0.5], np.float32))
    p = head.probabilities(np.array([[1.0, 5.0], [-1.0, 5.0]], np.float32))
    assert p[0, 0] == pytest.approx(1 / (1 + np.exp(-2)))
    assert p[1, 0] == pytest.approx(1 / (1 + np.exp(2)))


def test_features_read_context_when_heard_and_zeros_when_not():
    v = np.ones(4, np.float32)
    bare = features(v, None, None, [True, False])
    assert bare.shape == (4 * 3 + 2 + 2,)
    assert not bare[4:12].any() and list(bare[12:]) == [0, 0, 1, 0]
    heard = features(v, v, None, [False, False])
    assert heard[4:8].all() and list(heard[12:14]) == [1, 0]
    assert ngrams("that is our policy", 64).sum() == 7  # four words, three pairs (no clash)


def test_one_repository_file_is_one_source_whatever_the_commit():
    a = source_group("https://github.com/o/r/blob/main/docs/a.md")
    assert a == source_group("https://github.com/o/r/blob/0123abc/docs/a.md") == "o/r/docs/a.md"
    assert a == source_group("https://raw.githubusercontent.com/o/r/main/docs/a.md")
    assert source_group("https://www.example.com/x") == source_group("http://example.com/y")
    assert source_group("github-file-id:12 (a phrase bank)") == "github-file-id:12"


def test_every_file_under_data_is_read_with_its_context(tmp_path):
    (tmp_path / "gathered").mkdir()
    (tmp_path / "gathered" / "gatherC1.jsonl").write_text(
        '{"text": "That\'s going to cost you time and money", "steps": ["sympathize"], '
        '"warnings": [], "source": "https://example.com/a", '
        '"customer": "I missed a day of work for this", "previous": "I see"}\n'
        '{"text": "ok", "labels": [], "source": "a data set"}\n', "utf-8")
    rows, problems = read_rows(tmp_path)
    assert not problems
    assert rows[0] == Row("that is going to cost you time and money",
                          frozenset({"sympathize"}), "https://example.com/a",
                          "gatherC1.jsonl:1", "i missed a day of work for this", "i see")
    assert rows[1].routine and rows[1].customer == ""


def test_folds_never_split_a_source():
    groups = ["a"] * 5 + ["b"] * 3 + ["c"] * 3 + ["d"]
    folds = grouped_folds(groups, 3)
    for g in set(groups):
        assert len({f for f, h in zip(folds, groups, strict=True) if h == g}) == 1
    assert grouped_folds(groups, 3) == folds
