"""Calls that start and end themselves, end to end: the overlay listens to two PulseAudio
virtual inputs (the agent's headset and the customer's side, two null sinks' monitors), speech
made by espeak-ng is played into them with paplay, and the real speech pipeline (pocketsphinx)
and the real call store record the call."""

from __future__ import annotations

import subprocess

import pytest

from callassist.app.records import StoreRecords
from callassist.app.runner import INPUT_ENDED
from callassist.app.sources import SpeechSource
from callassist.audio.speak import speak_transcript
from callassist.store import open_store
from callassist.transcript import Transcript, Turn

pytestmark = [pytest.mark.gui, pytest.mark.pulse, pytest.mark.audio]

SILENCE_S = 4.0
AGENT, CUSTOMER = "callassist_test", "callassist_customer"


def _say(folder, name: str, speaker: str, text: str):
    path = folder / f"{name}.wav"
    speak_transcript(Transcript(name, "", (Turn(speaker, 0.2, 2.0, text),)), path,
                     stereo=False, speakers=(speaker,))
    return path


@pytest.fixture(scope="module")
def lines(tmp_path_factory):
    folder = tmp_path_factory.mktemp("voice-live")
    return {
        "greeting": _say(folder, "greeting", "agent", "thank you for calling how can i help"),
        "complaint": _say(folder, "complaint", "customer", "my parcel arrived broken"),
        "apology": _say(folder, "apology", "agent", "i am so sorry about that"),
    }


def _play(sink: str, path) -> None:
    subprocess.run(["paplay", f"--device={sink}", str(path)], check=True, timeout=30)


def _recording_streams() -> int:
    out = subprocess.run(["pactl", "list", "short", "source-outputs"], capture_output=True,
                         text=True, timeout=5).stdout
    return len(out.splitlines())


def test_two_speakers_start_a_recorded_call_and_silence_ends_it(
    qtbot, make_window, playbook, pulse_microphone, lines, tmp_path,
):
    url = str(tmp_path / "calls.sqlite3")
    source = SpeechSource(playbook, device=f"{AGENT}.monitor",
                          customer_device=f"{CUSTOMER}.monitor", engine="pocketsphinx",
                          silence_ends_call=SILENCE_S)
    window = make_window(source=source, records=StoreRecords(url))
    window.start_call()
    assert window.waiting and not window.in_call
    assert window.call_button.text() == "Start call"  # Start still starts a call by hand
    qtbot.waitUntil(lambda: _recording_streams() == 2, timeout=30_000)  # both inputs open

    _play(AGENT, lines["greeting"])
    qtbot.wait(1500)
    assert window.waiting and not window.in_call  # one voice alone is not a call

    with qtbot.waitSignal(window.call_started, timeout=15_000):
        _play(CUSTOMER, lines["complaint"])
    assert window.in_call and not window.waiting
    _play(AGENT, lines["apology"])
    qtbot.waitUntil(lambda: window.chips["apologize"].covered, timeout=15_000)

    with qtbot.waitSignal(window.call_finished, timeout=30_000) as done:
        pass
    report, outcome = done.args
    assert outcome == INPUT_ENDED  # the silence ended it: nobody pressed End
    assert window.waiting and not window.in_call  # listening for the next call
    assert window.summary.isVisible()

    # The call begins with the greeting said before the customer answered.
    first = report["transcript"][0]
    assert first["speaker"] == "agent" and first["start"] < 2.0
    assert {t["speaker"] for t in report["transcript"]} == {"agent", "customer"}
    # it ended the set silence after the last words, and is as long as its words (UX M6:
    # the silence that ends a call is not call time); the voice activity ends up to about
    # 1.5 s after the recogniser's last word (the synthetic voice's tail)
    last_words = max(t["end"] for t in report["transcript"])
    assert last_words - 0.5 <= report["duration"] <= last_words + 2.0 < last_words + SILENCE_S
    with open_store(url) as store:
        calls = store.list_calls()
        assert len(calls) == 1
        call = store.get_call(calls[0].id)
        assert call.row.status == "complete"
        assert call.row.duration == pytest.approx(report["duration"], abs=0.05)
        assert call.report["steps"]["apologize"]["covered"]
        assert {t["speaker"] for t in call.report["transcript"]} == {"agent", "customer"}

    # Pressing Start while listening starts the next call at once.
    with qtbot.waitSignal(window.call_started, timeout=10_000):
        window.start_call()
    assert window.in_call and not window.summary.isVisible()
