"""Playbooks: the built-in one loads, a user's own is used, a malformed one is refused."""

import pytest

from callassist.coach.playbook import (
    PlaybookError,
    default_playbook_text,
    load_playbook,
    parse_playbook_text,
)


def test_the_built_in_playbook_declares_all_four_steps_and_warning_rules(playbook):
    assert list(playbook.steps) == [
        "apologize",
        "sympathize",
        "accept_responsibility",
        "take_action",
    ]
    assert set(playbook.warnings) == {"defensive", "blame", "hollow_apology"}
    assert playbook.hold.silence_s > 0
    assert playbook.advice("hold_without_handoff")
    assert {"smile", "calm"} <= set(playbook.reminders)


def test_a_users_playbook_changes_what_counts(tmp_path):
    text = default_playbook_text().replace(
        '"(i|we) (am|are) [{intensifier}] [{intensifier}] sorry",',
        '"(i|we) (am|are) [{intensifier}] [{intensifier}] sorry",\n  "mea culpa",',
    )
    path = tmp_path / "mine.toml"
    path.write_text(text)
    from callassist.coach.rules import analyse
    from callassist.coach.text import normalize

    assert "apologize" in analyse(load_playbook(path), normalize("mea culpa")).steps


def broken(old: str, new: str) -> str:
    text = default_playbook_text()
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            broken('"(i|we) (am|are) [{intensifier}]', '"(i|we (am|are) [{intensifier}]'),
            r"mine\.toml: steps\.apologize\.phrases\[0\]: pattern .*: missing '\)'",
        ),
        (
            broken("[steps.sympathize]\n", "[steps.sympathise]\n"),
            r"mine\.toml: steps\.sympathise: unknown key",
        ),
        (
            broken('label = "Apologize"', 'lable = "Apologize"'),
            r"mine\.toml: steps\.apologize\.lable: unknown key",
        ),
        (
            broken("silence_s = 30.0", 'silence_s = "long"'),
            r"mine\.toml: warnings\.hold_without_handoff\.silence_s: must be a number",
        ),
        (
            broken('after = ["defensive", "blame", "too_loud"]', 'after = ["rudeness"]'),
            r"mine\.toml: reminders\.smile\.after\[0\]: 'rudeness' is not one of",
        ),
        (
            broken('{emotion}",', '{feelings}",'),
            r"mine\.toml: steps\.sympathize\.phrases\[\d+\]: .*unknown lexicon list \{feelings\}",
        ),
        ("steps = [", r"mine\.toml: not valid TOML"),
    ],
)
def test_a_malformed_playbook_names_the_file_the_entry_and_the_problem(tmp_path, text, message):
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(PlaybookError, match=message) as err:
        load_playbook(path)
    assert "\n" not in str(err.value)


def test_a_missing_playbook_file_is_a_clear_error(tmp_path):
    with pytest.raises(PlaybookError, match="playbook not found"):
        load_playbook(tmp_path / "nope.toml")


def test_a_playbook_without_the_steps_is_refused():
    with pytest.raises(PlaybookError, match="steps: missing"):
        parse_playbook_text("version = 1\n[warnings]\n", "x.toml")
