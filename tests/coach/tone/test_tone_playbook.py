"""The playbook's [tone] table: the built-in values, overrides, and one-line errors for a
malformed table."""

from __future__ import annotations

import pytest

from callassist.cli import main
from callassist.coach import CallSession, PlaybookError
from callassist.coach.playbook import default_playbook_text, parse_playbook_text
from callassist.coach.tone_rules import tone_rules

BUILT_IN = default_playbook_text()


def edited(old: str, new: str) -> str:
    assert BUILT_IN.count(old) == 1, old
    return BUILT_IN.replace(old, new)


def without_tone() -> str:
    return BUILT_IN[: BUILT_IN.index("[tone.too_loud]")]


def tone_error(text: str) -> str:
    pb = parse_playbook_text(text, "my.toml")
    with pytest.raises(PlaybookError) as e:
        CallSession(pb)
    message = str(e.value)
    assert "\n" not in message
    return message


def test_the_built_in_tone_table_gives_every_tone_warning_a_label_and_advice(playbook):
    rules = tone_rules(playbook)
    for kind in ("too_loud", "too_fast", "monologue"):
        assert playbook.label(kind) and playbook.label(kind) != kind
        assert len(playbook.advice(kind)) > 20
    assert "slow down" in playbook.advice("too_fast").lower()
    assert "ask a question" in playbook.advice("monologue").lower()
    assert rules.too_fast.clear_wpm < rules.too_fast.max_wpm
    assert rules.customer.steps == ("apologize", "sympathize")


def test_a_playbook_without_a_tone_table_keeps_the_built_in_cues(playbook):
    pb = parse_playbook_text(without_tone(), "old.toml")
    assert tone_rules(pb) == tone_rules(playbook)


def test_a_playbook_changing_one_threshold_keeps_every_other_tone_value(playbook):
    own = without_tone() + "[tone.too_fast]\nmax_wpm = 230\n"
    rules = tone_rules(parse_playbook_text(own, "mine.toml"))
    assert rules.too_fast.max_wpm == 230
    assert rules.too_fast.advice == tone_rules(playbook).too_fast.advice
    assert rules.too_loud == tone_rules(playbook).too_loud


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("max_wpm = 220.0", 'max_wpm = "fast"',
         "tone.too_fast.max_wpm: must be a number >= 1"),
        ("max_wpm = 220.0", "max_wpm = true",
         "tone.too_fast.max_wpm: must be a number >= 1"),
        ("max_wpm = 220.0", "max_wmp = 220.0",
         "tone.too_fast.max_wmp: unknown key (allowed:"),
        ("clear_wpm = 195.0", "clear_wpm = 240.0",
         "tone.too_fast.clear_wpm: must be below max_wpm"),
        ("min_speech_s = 5.0", "min_speech_s = 50.0",
         "tone.too_fast.min_speech_s: must not exceed window_s"),
        ("[tone.monologue]\n", "[tone.monologues]\n",
         "tone.monologues: unknown key (allowed:"),
        ("max_s = 40.0", "max_s = -1",
         "tone.monologue.max_s: must be a number >= 1"),
        ("baseline_blend = 0.3", "baseline_blend = 2",
         "tone.too_loud.baseline_blend: must be a number from 0 to 1"),
        ("rise_db = 6.0\nclear_db = 3.0\nsmooth_s = 1.5\nsustain_s = 3.0",
         "rise_db = 6.0\nclear_db = 7.0\nsmooth_s = 1.5\nsustain_s = 3.0",
         "tone.too_loud.clear_db: must be below rise_db"),
        ('evidence = "{wpm} words a minute"', 'evidence = "{speed} words a minute"',
         "tone.too_fast.evidence: unknown placeholder {speed} (allowed: {wpm})"),
        ('evidence = "{wpm} words a minute"', 'evidence = "{wpm words a minute"',
         "tone.too_fast.evidence: bad placeholder"),
        ('advice = "Slow down: shorter sentences, and a breath between them."', 'advice = ""',
         "tone.too_fast.advice: must be a non-empty string"),
        ('kind = "apologize_now"', 'kind = "Apologize now!"',
         "tone.customer.kind: must be a lowercase name like apologize_now"),
        ('steps = ["apologize", "sympathize"]', 'steps = ["apologise"]',
         "tone.customer.steps[0]: 'apologise' is not one of apologize"),
        ('steps = ["apologize", "sympathize"]', "steps = []",
         "tone.customer.steps: needs at least one step"),
        ('  "ridiculous", "unacceptable",', '  "(ridiculous", "unacceptable",',
         "tone.customer.anger[0]: pattern '(ridiculous': missing ')'"),
        ('text = "The caller {reason}: {steps} now."', 'text = "The caller {why}: {steps} now."',
         "tone.customer.text: unknown placeholder {why} (allowed: {reason}, {steps})"),
    ],
)
def test_a_malformed_tone_entry_is_refused_with_one_line_naming_it(old, new, error):
    assert tone_error(edited(old, new)).startswith(f"my.toml: {error}")


def test_a_tone_entry_that_is_not_a_table_is_refused():
    text = without_tone() + "[tone]\nmonologue = 5\n"
    assert tone_error(text) == "my.toml: tone.monologue: must be a table"


def test_analyze_with_a_malformed_tone_table_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(edited("max_wpm = 220.0", 'max_wpm = "fast"'), encoding="utf-8")
    call = tmp_path / "call.json"
    call.write_text(
        '{"id": "c", "turns": [{"speaker": "agent", "start": 0, "end": 2, "text": "hello"}]}',
        encoding="utf-8",
    )
    assert main(["analyze", str(call), "--playbook", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err == f"callassist: error: {bad}: tone.too_fast.max_wpm: must be a number >= 1\n"


def test_run_refuses_a_malformed_tone_table_before_opening_the_overlay(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(edited("max_s = 40.0", "max_s = 0"), encoding="utf-8")
    assert main(["run", "--playbook", str(bad), "--input", str(tmp_path / "none.wav")]) == 2
    err = capsys.readouterr().err
    assert err == f"callassist: error: {bad}: tone.monologue.max_s: must be a number >= 1\n"
