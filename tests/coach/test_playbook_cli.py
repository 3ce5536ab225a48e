"""`callassist playbook try|check`: what a line ticks or fires and why; a playbook checked."""

import json

from callassist.cli import main
from callassist.coach.playbook import default_playbook_text


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_try_names_the_rule_that_matched(capsys):
    code, out, _ = run(capsys, "playbook", "try", "i'm so sorry about that")
    assert code == 0
    assert "ticks  apologize" in out and "rule: (i|we) (am|are)" in out
    assert "nearest examples:" in out


def test_try_shows_the_examples_behind_a_tick_by_meaning(capsys):
    _, out, _ = run(capsys, "playbook", "try", "leave this with me and i will get it moving",
                       "--json")
    result = json.loads(out)
    assert result["steps"]["take_action"].startswith(("example: like ", "model: "))
    assert result["nearest"][0]["similarity"] >= result["nearest"][-1]["similarity"]
    assert {"text", "labels", "source"} <= set(result["nearest"][0])


def test_try_says_what_the_rules_held_back(capsys):
    _, out, _ = run(capsys, "playbook", "try", "i'm sorry but that's our policy", "--json")
    result = json.loads(out)
    assert "apologize" not in result["steps"]
    assert {"hollow_apology", "defensive"} <= set(result["warnings"])


def test_try_an_empty_line_is_a_clear_error(capsys):
    code, _, err = run(capsys, "playbook", "try", "  ", "--rules-only")
    assert code == 2 and err.startswith("callassist: error: ")


def test_check_accepts_the_built_in_playbook(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text(default_playbook_text())
    code, out, _ = run(capsys, "playbook", "check", str(path))
    assert code == 0
    assert out.startswith(f"{path}: ok: 4 steps, 4 warnings")


def test_check_names_the_bad_entry_in_one_line(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(default_playbook_text().replace("neighbours = 15", "neighbours = 0"))
    code, _, err = run(capsys, "playbook", "check", str(path))
    assert code == 2
    assert "learned.neighbours: must be a number >= 1" in err
    assert err.count("\n") == 1


def test_check_flags_an_example_the_others_read_as_something_else(tmp_path, capsys):
    path = tmp_path / "odd.toml"
    path.write_text(default_playbook_text().replace(
        'examples = [\n  "i am so sorry about all of this",',
        'examples = [\n  "that is company policy and i cannot change it",\n'
        '  "i am so sorry about all of this",'))
    code, out, _ = run(capsys, "playbook", "check", str(path))
    assert code == 0
    assert '"that is company policy and i cannot change it" (apologize)' in out
