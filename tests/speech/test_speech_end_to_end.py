"""English end to end: espeak-ng speaks scripted calls from tests/corpus (agent left, customer
right) and `callassist analyze FILE.wav` with the fallback engine gives the checklist their
labels expect. The calls chosen are ones espeak-ng's voice and pocketsphinx get through; the
F1 over all 24 is measured by benchmarks/speech_f1.py, not asserted here."""

from __future__ import annotations

import json

import pytest

from callassist.cli import main

pytestmark = pytest.mark.audio


def analyze(capsys, *argv: str) -> dict:
    assert main(["analyze", *map(str, argv), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("call_id, must_tick, must_fire", [
    ("dev-021", {"apologize", "accept_responsibility", "take_action"}, set()),
    ("dev-011", set(), {"defensive"}),
    ("dev-018", set(), {"hollow_apology"}),
    ("hold-then-silence", set(), {"hold_without_handoff"}),
])
def test_analyze_a_spoken_call_ticks_its_steps_and_raises_its_warnings(
    capsys, spoken_call, call_labels, call_id, must_tick, must_fire
):
    """Recognition of a synthetic voice is imperfect, so each call asserts what its labels
    allow: the steps named tick, nothing the labels rule out ticks or fires, and the warnings
    named fire. How much of the whole dev set gets through is benchmarks/speech_f1.py's job."""
    wav, spoken = spoken_call(call_id)
    report = analyze(capsys, wav, "--engine", "pocketsphinx", "--customer-channel", "right")
    covered = {k for k, v in report["steps"].items() if v["covered"]}
    fired = {w["kind"] for w in report["warnings"]}
    labels = call_labels(call_id)
    assert must_tick <= covered <= set(labels["steps"])
    assert must_fire <= fired
    assert not fired & set(labels["absent"])
    assert report["engine"] == "pocketsphinx" and report["id"] == wav.stem
    heard = report["transcript"]
    assert {t["speaker"] for t in heard} == {t.turn.speaker for t in spoken}
    agent_turns = [t for t in spoken if t.turn.speaker == "agent"]
    first = next(t for t in heard if t["speaker"] == "agent")
    assert abs(first["start"] - agent_turns[0].start) < 0.5, "times are call times"


def test_the_pocketsphinx_fallback_says_so_with_a_note_on_stderr(capsys, spoken_call):
    wav, _ = spoken_call("dev-018")
    assert main(["analyze", str(wav), "--engine", "pocketsphinx", "--customer-channel",
                 "right"]) == 0
    out, err = capsys.readouterr()
    assert "fallback engine in use, accuracy is lower: run scripts/setup.sh" in err
    assert "ASAP checklist" in out and "hollow apology" in out


def test_analyze_a_corrupt_wav_prints_one_error_line_and_exits_2(capsys, tmp_path):
    bad = tmp_path / "call.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunk")
    assert main(["analyze", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("callassist: error: ") and err.count("\n") == 1


def test_analyze_with_a_missing_model_folder_prints_one_error_line(capsys, spoken_call,
                                                                   tmp_path):
    wav, _ = spoken_call("dev-018")
    assert main(["analyze", str(wav), "--model", str(tmp_path / "gone")]) == 2
    err = capsys.readouterr().err
    assert "not found" in err and err.count("\n") == 1


def test_analyze_with_the_korean_vosk_model_reports_engine_model_and_transcript(
    capsys, korean_wav, korean_model
):
    report = analyze(capsys, korean_wav, "--engine", "vosk", "--model", korean_model)
    assert report["engine"] == "vosk"
    assert report["transcript"] and report["transcript"][0]["speaker"] == "agent"


def test_listen_plays_a_file_in_real_time_printing_events_then_the_checklist(
    capsys, spoken_call
):
    wav, _ = spoken_call("dev-018", agent_only=True)
    assert main(["listen", "--input", str(wav), "--engine", "pocketsphinx"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    said = [i for i, ln in enumerate(lines) if " said " in ln]
    warned = [i for i, ln in enumerate(lines) if "WARNING  hollow apology" in ln]
    # an agent-only file is a routine call: the heading says no steps were needed
    checklist = next(i for i, ln in enumerate(lines) if ln.startswith("ASAP checklist"))
    assert said and warned and max(said + warned) < checklist


def test_listen_without_a_microphone_says_to_plug_one_in_or_pass_a_file(capsys, monkeypatch):
    monkeypatch.setattr("callassist.audio.devices.input_devices", lambda: [])
    assert main(["listen", "--engine", "pocketsphinx"]) == 2
    assert capsys.readouterr().err.strip() == (
        "callassist: error: no microphone found: plug in a headset or pass --input FILE"
    )
