"""Scenarios are data: the shipped ones, a trainer's own, and malformed ones refused in one
line that names the entry."""

from __future__ import annotations

import numpy as np
import pytest

from callassist.audio.wavfile import write_wav
from callassist.cli import main
from callassist.coach.kinds import STEP_IDS
from callassist.practice.scenario import (
    REACTION_KEYS,
    ScenarioError,
    default_folders,
    load_scenario_file,
    load_scenarios,
    user_folder,
)

MINIMAL = '''
title = "Wrong size shoes"
situation = "The shoes came in the wrong size, for the second time."
opening = ["You sent me the wrong size. Again."]
'''


def test_the_shipped_scenarios_cover_the_seed_situations():
    shipped = {s.id: s for s in load_scenarios(default_folders())}
    assert len(shipped) >= 8
    for name in ("lost-parcel", "double-charge", "broken-product", "missed-appointment",
                 "wants-a-manager", "wrong-department", "courier-fault", "not-our-fault"):
        s = shipped[name]
        assert s.opening and s.situation and s.title
        assert set(s.reactions) == set(REACTION_KEYS)  # every event has an answer
        assert 0 < s.mood.anger < s.mood.give_up_at
    assert "handoff" in shipped["wrong-department"].satisfied_when


def test_a_trainer_writes_a_scenario_without_code(capsys):
    folder = user_folder()
    folder.mkdir(parents=True)
    (folder / "wrong-size.toml").write_text(MINIMAL)
    assert main(["practice", "--list"]) == 0
    out = capsys.readouterr().out
    assert "wrong-size" in out and "Wrong size shoes" in out and "lost-parcel" in out
    s = load_scenario_file(folder / "wrong-size.toml")
    # everything it leaves out comes from the defaults
    assert s.reactions["defensive"].anger > 0 and s.reactions["apologize"].anger < 0
    assert s.expect.steps == STEP_IDS


def test_a_line_may_be_a_trainers_recording(tmp_path):
    write_wav(tmp_path / "again.wav", np.zeros(1600, dtype=np.int16))
    (tmp_path / "rec.toml").write_text(MINIMAL.replace(
        'opening = ["You sent me the wrong size. Again."]',
        'opening = [{ text = "You sent me the wrong size. Again.", wav = "again.wav" }]'))
    s = load_scenario_file(tmp_path / "rec.toml")
    assert s.opening[0].wav == tmp_path / "again.wav"


@pytest.mark.parametrize(("change", "message"), [
    ('title = "Wrong size shoes"', "bad.toml: title: missing (every scenario says it)"),
    ("[mood]\nanger = \"very\"", "bad.toml: mood.anger: must be a number"),
    ("[mood]\nanger = 12", "bad.toml: mood.anger: must be between 0 and 9.5, not 12"),
    ("[reactions.defensive]\nanger = 2\nlines = []",
     "bad.toml: reactions.defensive.lines: must be a list of one or more lines"),
    ("[reactions.angry]\nlines = [\"x\"]", "bad.toml: reactions.angry: unknown entry"),
    ('satisfied_when = ["apologise"]',
     "bad.toml: satisfied_when[0]: 'apologise' is not one of"),
    ('[voice]\nrate = "fast"', "bad.toml: voice.rate: must be a number"),
    ('opening = [{ text = "Hi", wav = "missing.wav" }]',
     "bad.toml: opening[0].wav: recording 'missing.wav' not found beside the scenario"),
    ("title = ", "bad.toml: not valid TOML"),
])
def test_a_malformed_scenario_is_one_line_naming_the_entry(tmp_path, capsys, change, message):
    text = MINIMAL
    if change.startswith("title = \""):
        text = text.replace(change, "")
    elif change.startswith(("opening", "satisfied_when")):
        key = change.split(" ")[0]
        text = "\n".join(x for x in text.splitlines() if not x.startswith(key)) + "\n"
        text = change + "\n" + text
    else:
        text += "\n" + change + "\n"
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    with pytest.raises(ScenarioError) as e:
        load_scenario_file(bad)
    assert str(e.value).startswith(message)
    assert "\n" not in str(e.value)
    assert main(["practice", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"callassist: error: {message}") and err.count("\n") == 1


def test_an_unknown_scenario_names_the_list(capsys):
    assert main(["practice", "no-such-scenario"]) == 2
    assert "no scenario 'no-such-scenario' (see `callassist practice --list`)" in (
        capsys.readouterr().err
    )
