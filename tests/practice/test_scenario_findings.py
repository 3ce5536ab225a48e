"""Hostile and mistaken scenarios (reliability review 2026-12-06): S4 lines never reach
espeak-ng as options, C4 a voice typo or an unreadable recording is one line before the speech
model loads, H1 a scenario's size is bounded, P3 one broken file hides no other scenario. Real
espeak-ng throughout."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from callassist.audio.speak import speak_text
from callassist.audio.wavfile import write_wav
from callassist.cli import main
from callassist.errors import CallAssistError
from callassist.practice.scenario import (
    MAX_LINE_CHARS,
    MAX_LINES,
    ScenarioError,
    load_scenario_file,
    user_folder,
)
from callassist.practice.voice import EspeakVoice, synthesise_all

HEAD = 'title = "T"\nsituation = "S"\n'


def scenario_file(tmp_path, body: str, name: str = "s.toml"):
    path = tmp_path / name
    path.write_text(HEAD + body)
    return path


def test_S4_a_line_that_looks_like_an_option_is_spoken_and_writes_nothing(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("important notes of the trainee\n")
    path = scenario_file(tmp_path, f'opening = ["-w{victim}", "--help", "- I want my money '
                                   'back!", "-f/etc/hostname"]\n')
    scenario = load_scenario_file(path)
    clips = synthesise_all(scenario, EspeakVoice())
    assert victim.read_text() == "important notes of the trainee\n"  # not overwritten
    # each line is heard as its own words: about as long as the words said plainly
    for line, audio in clips.items():
        plain = speak_text(line.text.lstrip("-").replace("-", " "))
        assert len(audio) > 0.5 * len(plain), line.text


def test_S4_espeak_never_reads_the_terminal_or_stdin(tmp_path):
    """The review saw practice hang on a terminal: espeak-ng, given no text, read stdin. Now
    stdin is closed for it, so a child whose stdin never ends still finishes."""
    code = ("from callassist.audio.speak import speak_text; "
            "print(len(speak_text('--stdin')) > 0)")
    r = subprocess.run([sys.executable, "-c", code], stdin=subprocess.PIPE,  # held open
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "True", r.stderr


@pytest.mark.parametrize(("voice", "message"), [
    ("xx-nonexistent", "s.toml: the line 'hello': espeak-ng cannot speak with voice "
                       "'xx-nonexistent'"),
    ("--stdout", "s.toml: voice.espeak: '--stdout' is not an espeak-ng voice name"),
])
def test_C4_a_voice_typo_is_one_line_before_the_model_loads(tmp_path, capsys, voice, message):
    path = scenario_file(tmp_path, f'opening = ["hello"]\n[voice]\nespeak = "{voice}"\n')
    trainee = tmp_path / "quiet.wav"
    write_wav(trainee, np.zeros(16000, dtype=np.int16))
    assert main(["practice", str(path), "--voice", "espeak", "--input", str(trainee),
                 "--no-save", "--rules-only"]) == 2
    err = capsys.readouterr().err
    assert f"callassist: error: {message}" in err and "Traceback" not in err
    assert "speech model" not in err.lower() and "whisper" not in err.lower(), err


def test_C4_an_unreadable_recording_is_one_line_naming_the_entry(tmp_path):
    path = scenario_file(tmp_path, 'opening = [{ text = "hello", wav = "/proc/self/mem" }]\n')
    with pytest.raises(ScenarioError, match=r"^s\.toml: opening\[0\]\.wav: /proc/self/mem: "):
        load_scenario_file(path)


def test_H1_too_many_lines_too_long_a_line_or_file_is_one_line(tmp_path):
    many = ", ".join(f'"line {i}"' for i in range(MAX_LINES + 1))
    with pytest.raises(ScenarioError, match=f"different lines; a scenario has at most {MAX_LINES}"):
        load_scenario_file(scenario_file(tmp_path, f"opening = [{many}]\n"))
    long = "I am very angry. " * (MAX_LINE_CHARS // 10)
    with pytest.raises(ScenarioError, match=r"opening\[0\]: .* characters; a line is at most"):
        load_scenario_file(scenario_file(tmp_path, f'opening = ["{long}"]\n'))
    huge = "I am very angry about this. " * 40000  # the review's 1.1 MB line
    with pytest.raises(ScenarioError, match="larger than 256 KB"):
        load_scenario_file(scenario_file(tmp_path, f'opening = ["{huge}"]\n'))


def test_H1_a_recording_longer_than_a_line_is_refused_before_it_is_read(tmp_path):
    write_wav(tmp_path / "hour.wav", np.zeros(16000 * 61, dtype=np.int16))
    path = scenario_file(tmp_path, 'opening = [{ text = "hello", wav = "hour.wav" }]\n')
    with pytest.raises(ScenarioError, match=r"opening\[0\]\.wav: recording 'hour.wav' lasts 61 s"):
        load_scenario_file(path)


def test_P3_a_broken_draft_hides_no_other_scenario(capsys, qtbot):
    from callassist.ui.practice_menu import practice_menu

    folder = user_folder()
    folder.mkdir(parents=True)
    (folder / "draft.toml").write_text('title = "Only a title"\n')
    (folder / "x.toml").mkdir()
    (folder / "loop.toml").symlink_to(folder / "loop.toml")
    assert main(["practice", "--list"]) == 0
    captured = capsys.readouterr()
    assert "lost-parcel" in captured.out and "double-charge" in captured.out
    notes = captured.err.splitlines()
    assert len(notes) == 3 and all(n.startswith("callassist: note: skipped ") for n in notes)
    assert any("draft.toml: situation: missing" in n for n in notes)
    menu = practice_menu(None, lambda _sid: None)
    texts = [a.text() for a in menu.actions()]
    assert sum(t.startswith("skipped ") for t in texts) == 3
    assert len(texts) - 3 >= 8  # the shipped scenarios are all offered


def test_P2_1_a_line_espeak_cannot_speak_names_the_scenario_not_a_temp_file(tmp_path):
    with pytest.raises(CallAssistError) as e:
        synthesise_all(load_scenario_file(scenario_file(
            tmp_path, 'opening = ["hello"]\n[voice]\nespeak = "zz-nope"\n')), EspeakVoice())
    assert str(e.value).startswith("s.toml: the line 'hello': espeak-ng cannot speak")
    assert "/tmp" not in str(e.value)
