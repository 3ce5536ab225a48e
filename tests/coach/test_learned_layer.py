"""The learned layer: lines recognised by their meaning, from the nearest labelled examples,
with the rules' vetoes kept. Runs the real all-MiniLM-L6-v2 model and the shipped examples."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from callassist.coach.playbook import default_playbook_text, load_playbook, parse_playbook_text
from callassist.coach.rules import analyse
from callassist.coach.session import CallSession
from callassist.coach.text import normalize
from callassist.embed.examples import with_meaning
from callassist.embed.minilm import default_embedder
from callassist.replay import feed_transcript
from callassist.transcript import load_transcript

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent


@pytest.fixture(scope="module")
def learned():
    return with_meaning(load_playbook())


def says(pb, text):
    a = analyse(pb, normalize(text), pb.meaning)
    return a


def test_a_commitment_no_phrase_covers_ticks_take_action_by_example(learned):
    line = "leave this with me and i will get it moving"
    assert "take_action" not in analyse(load_playbook(), normalize(line)).steps
    a = says(learned, line)
    assert "take_action" in a.steps
    assert a.reasons["take_action"].startswith(("example: like ", "model: "))


def test_blaming_a_system_fires_blame_by_example(learned):
    line = "the software messed up your booking"
    assert "blame" not in analyse(load_playbook(), normalize(line)).warnings
    assert "blame" in says(learned, line).warnings



def test_a_rule_match_says_which_pattern(learned):
    a = says(learned, "i am so sorry about that")
    assert a.reasons["apologize"].startswith("rule: (i|we) (am|are)")


@pytest.mark.parametrize("line, step", [
    ("i do not understand why you would be frustrated", "sympathize"),
    ("i do not see why you are so upset about this", "sympathize"),
    ("we will not be refunding you", "take_action"),
    ("i am not going to look into that", "take_action"),
    ("that is not our mistake", "accept_responsibility"),
    ("i am not sorry", "apologize"),
    # A subordinate word after the negation does not lift it: the main verb is negated.
    ("i do not think that we can help you", "take_action"),
    ("there is nothing that i can do for you", "take_action"),
    ("i can not see what the problem is", "sympathize"),
    ("it is not something that we did wrong", "accept_responsibility"),
])
def test_a_negated_line_ticks_no_step_by_example(learned, line, step):
    assert step not in says(learned, line).steps


def test_a_negation_inside_a_subordinate_clause_leaves_the_step(learned):
    # "not" belongs to "this is not the outcome", not to "i understand".
    line = "i understand that this is not the outcome you were hoping for"
    assert "sympathize" not in analyse(load_playbook(), normalize(line)).steps
    a = says(learned, line)
    assert "sympathize" in a.steps
    assert a.reasons["sympathize"].startswith(("example: ", "model: "))
    assert "sympathize" not in says(learned, "i do not understand why this is not what "
                                              "you were hoping for").steps


@pytest.mark.parametrize("line", [
    "sorry could you repeat your postcode",
    "sorry i did not catch that",
    "i apologize please continue",
    "sorry one second",
])
def test_a_filler_sorry_ticks_no_apology(learned, line):
    assert "apologize" not in says(learned, line).steps


@pytest.mark.parametrize("line", [
    "we apologize for this inconvenience",
    "sorry for any inconvenience caused",
    "i am sorry if you feel that way",
    # Sorry for saying no, and sorry with a shrug, apologise for nothing.
    "i am sorry sir we cannot do returns without a receipt",
    "sorry there are no rooms left",
    "sorry about that it happens sometimes",
    "i am sorry we did not get it right the first time but the new guy was still learning",
])
def test_a_hollow_apology_ticks_no_apology_and_warns(learned, line):
    a = says(learned, line)
    assert "apologize" not in a.steps
    assert "hollow_apology" in a.warnings


def test_owning_the_fault_is_not_read_as_defensive(learned):
    a = says(learned, "this is my fault i was wrong")
    assert "accept_responsibility" in a.steps
    assert "defensive" not in a.warnings


def test_a_supervisor_teaches_a_new_action_by_adding_one_example():
    line = "the hamster goes out in tomorrow's van"
    text = default_playbook_text()
    before = with_meaning(parse_playbook_text(text, "before.toml"))
    assert "take_action" not in says(before, line).steps
    taught = text.replace('  "let me look into that for you right now",',
                          '  "i will put your hamster in tomorrow\'s van",\n'
                          '  "let me look into that for you right now",')
    assert taught != text
    after = with_meaning(parse_playbook_text(taught, "after.toml"), default_embedder())
    a = says(after, line)
    assert "take_action" in a.steps
    assert "hamster" in a.reasons["take_action"]


def test_learning_can_be_turned_off_in_the_playbook():
    text = default_playbook_text().replace("[learned]\nenabled = true",
                                           "[learned]\nenabled = false")
    assert with_meaning(parse_playbook_text(text, "off.toml")).meaning is None


def test_ticks_and_warnings_carry_their_reason_into_the_report(learned):
    session = CallSession(learned, monitors=[])
    session.feed_utterance("agent", "i am so sorry about that", 0.0, 2.0)
    session.feed_utterance("agent", "leave this with me and i will get it moving", 3.0, 5.0)
    report = session.report()
    assert report["steps"]["apologize"]["reason"].startswith("rule: ")
    assert report["steps"]["take_action"]["reason"].startswith(("example: like ", "model: "))


def test_partial_results_use_the_rules_alone(learned):
    session = CallSession(learned, monitors=[])
    events = session.feed_partial("agent", "leave this with me and i will get it moving", 0.0, 2.0)
    assert not [e for e in events if getattr(e, "step", None) == "take_action"]


@pytest.mark.parametrize("path", sorted((TESTS / "corpus").glob("dev-*.json"))
                         + sorted((TESTS / "corpus_extra").glob("extra-*.json")),
                         ids=lambda p: p.stem)
def test_dev_calls_still_match_their_labels_with_the_learned_layer(learned, path):
    expect = json.loads(path.read_text())["expect"]
    report = feed_transcript(load_transcript(path), CallSession(learned, monitors=[])).report()
    assert {s for s, v in report["steps"].items() if v["covered"]} == set(expect["steps"])
    fired = {w["kind"] for w in report["warnings"]}
    assert set(expect["warnings"]) <= fired
    assert not fired & set(expect["absent"])


def test_the_shipped_examples_are_built_from_data():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_examples.py"),
                           "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("line", [
    "my coworker typed your address in wrong",
    "we got a new guy in the office and he made a mistake with your order",
    "the lady who came out to you is still in training",
])
def test_blaming_a_colleague_warns_and_owns_nothing(learned, line):
    a = says(learned, line)
    assert "blame" in a.warnings
    assert "accept_responsibility" not in a.steps


def test_owning_the_fault_while_naming_the_courier_still_owns_it(learned):
    a = says(learned, "that was our mistake the courier had the old address")
    assert "accept_responsibility" in a.steps


def test_a_name_shared_with_an_example_is_not_a_likeness(learned):
    # The data holds "i am sorry for the inconvenience mister johnson is not available".
    line = "let me see whether mister johnson is free to take your call"
    assert learned.meaning.without_names(line) == "let me see whether is free to take your call"
    assert "hollow_apology" not in says(learned, line).warnings
