"""The overlay on real audio and on the machine's problems: a WAV recording through the real
speech pipeline (pocketsphinx, the bundled fallback engine), a microphone that is not there,
a model download in the background, and calls written to the real call store."""

from __future__ import annotations

import functools
import http.server
import subprocess
import threading

import pytest
from PySide6.QtCore import Qt

from callassist.app.records import StoreRecords
from callassist.app.runner import FAILED, INPUT_ENDED
from callassist.app.sources import SpeechSource, recognition_words
from callassist.audio.speak import speak_transcript
from callassist.coach.events import WarningEvent
from callassist.transcript import Transcript, Turn

pytestmark = pytest.mark.gui


@pytest.fixture(scope="session")
def apology_wav(tmp_path_factory):
    """An agent apologising, spoken by espeak-ng (no human voice exists on a build machine)."""
    path = tmp_path_factory.mktemp("ui-audio") / "apology.wav"
    call = Transcript("apology", "", (
        Turn("agent", 0.5, 2.5, "i am so sorry about that"),
        Turn("agent", 3.0, 5.0, "that was our mistake"),
    ))
    speak_transcript(call, path, stereo=False, speakers=("agent",))
    return path


@pytest.mark.audio
def test_a_recording_lights_the_chips_moves_the_meter_and_names_the_engine(
    qtbot, make_window, playbook, apology_wav,
):
    source = SpeechSource(playbook, apology_wav, engine="pocketsphinx")
    window = make_window(source=source)
    peaks: list[float] = []
    window.events_applied.connect(lambda _e: peaks.append(window.meter.level))
    with qtbot.waitSignal(window.call_finished, timeout=30_000) as done:
        window.start_call()
    report, outcome = done.args
    assert outcome == INPUT_ENDED
    assert window.chips["apologize"].covered
    assert report["steps"]["apologize"]["covered"]
    assert max(peaks) > 0.3
    assert window.caption.full_text() == "apology.wav · basic recognition"
    assert report["duration"] > 4


@pytest.mark.pulse
@pytest.mark.audio
@pytest.mark.parametrize("engine", ["whisper", "pocketsphinx"])
def test_a_call_into_the_virtual_microphone_lights_the_chips_and_ending_it_starts_the_next(
    qtbot, make_window, playbook, apology_wav, pulse_microphone, engine,
):
    source = SpeechSource(playbook, device=pulse_microphone, engine=engine)
    window = make_window(source=source)
    window.start_call()
    levels: list[object] = []
    window.events_applied.connect(lambda events: levels.extend(
        e for e in events if e.type == "level"))
    qtbot.waitUntil(lambda: bool(levels), timeout=20_000)  # the stream is open: speak now
    player = subprocess.Popen(["paplay", "--device=callassist_test", str(apology_wav)])
    try:
        qtbot.waitUntil(lambda: window.chips["apologize"].covered, timeout=20_000)
    finally:
        player.wait(30)
    assert any(e.voiced for e in levels)
    with qtbot.waitSignals([window.call_finished, window.call_started], timeout=20_000):
        window.end_call()
    assert window.summary.isVisible() and window.in_call
    assert window.last_report["steps"]["apologize"]["covered"]
    assert window.caption.full_text() == f"Your headset · {recognition_words(engine)}"


def test_no_microphone_says_how_to_fix_it_and_offers_a_retry(qtbot, make_window, playbook):
    source = SpeechSource(playbook, device="no-such-headset-xyz", engine="pocketsphinx")
    window = make_window(source=source)
    with qtbot.waitSignal(window.call_finished, timeout=30_000) as done:
        window.start_call()
    assert done.args[1] == FAILED
    qtbot.waitUntil(lambda: window.banner.state == "no_mic", timeout=2000)
    assert window.banner.isVisible()
    text = window.banner.text.text()
    assert "headset" in text or "no-such-headset-xyz" in text
    assert "\n" not in text and "--input" not in text  # the agent's words (A12)
    assert window.banner.button.text() == "Retry"
    assert not window.summary.isVisible()
    assert not window.in_call


def test_with_the_pocketsphinx_fallback_the_window_offers_the_download(qtbot, make_window,
                                                                      playbook):
    source = SpeechSource(playbook, device="no-such-headset-xyz", engine="pocketsphinx")
    window = make_window(source=source)
    qtbot.waitUntil(lambda: window.banner.state == "fallback", timeout=30_000)
    assert "Fallback engine in use" in window.banner.text.text()
    assert window.banner.button.text() == "Download model"


def test_the_default_whisper_engine_loads_with_no_fallback_banner(qtbot, make_window, playbook,
                                                                  monkeypatch, tmp_path):
    monkeypatch.setenv("CALLASSIST_MODEL_DIR", str(tmp_path / "no-models"))
    states: list[str] = []
    source = SpeechSource(playbook, device="no-such-headset-xyz")
    window = make_window(source=source)
    window.banner.show_state = lambda state, *a, **k: states.append(state)  # what it shows
    qtbot.waitUntil(lambda: source.engine is not None, timeout=60_000)
    assert (source.engine.name, source.engine.model) == ("whisper", "tiny.en")
    assert "fallback" not in states


class _Archive(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def archive_server(tmp_path):
    """A local HTTP server with a 3 MB file that is not a model archive."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "vosk-model-test.zip").write_bytes(b"\0" * 3_000_000)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Archive, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/vosk-model-test.zip"
    server.shutdown()


def test_a_download_shows_its_progress_and_a_broken_archive_is_a_one_line_error(
    qtbot, make_window, archive_server, tmp_path,
):
    window = make_window("dev-001")
    window.download_target = (archive_server, tmp_path / "models")
    window.worker.status.emit("fallback", "fallback engine in use, accuracy is lower: run ...")
    seen: list[int] = []
    with qtbot.waitSignal(window.banner.action, timeout=1000):
        qtbot.mouseClick(window.banner.button, Qt.MouseButton.LeftButton)
    window.download.progress.connect(lambda done, total: seen.append(int(done)))
    with qtbot.waitSignal(window.download.failed, timeout=20_000):
        pass
    assert seen and seen[-1] == 3_000_000
    assert window.banner.state == "download"
    assert "\n" not in window.banner.text.text()
    assert "zip" in window.banner.text.text().lower()
    assert window.banner.button.text() == "Download"
    assert not (tmp_path / "models" / "vosk-model-test").exists()


def test_each_call_is_written_to_the_store_as_it_happens(qtbot, make_window, playbook):
    from callassist.store import open_store

    records = StoreRecords()
    window = make_window("dev-004", speed=8, records=records)
    window.start_call()
    qtbot.waitUntil(lambda: window.chips["apologize"].covered, timeout=15_000)
    with qtbot.waitSignal(window.call_finished, timeout=15_000) as done:
        pass
    report = done.args[0]
    call_id = records.last.call_id
    with open_store() as store:
        stored = store.get_call(call_id)
    assert stored.report["steps"]["apologize"]["covered"]
    assert stored.report["summary"]["warnings_by_kind"] == report["summary"]["warnings_by_kind"]
    assert any(isinstance(e, WarningEvent) for e in stored.events)


def test_an_engine_that_cannot_load_is_a_banner_and_the_call_does_not_hang(
    qtbot, make_window, playbook, monkeypatch, tmp_path,
):
    monkeypatch.setenv("CALLASSIST_MODEL_DIR", str(tmp_path / "no-models"))
    source = SpeechSource(playbook, device="no-such-headset-xyz", engine="vosk",
                          model=str(tmp_path / "missing-model"))
    window = make_window(source=source)
    with qtbot.waitSignal(window.call_finished, timeout=30_000) as done:
        window.start_call()
    assert done.args[1] == FAILED
    assert window.banner.state == "error"
    assert "missing-model" in window.banner.text.text()
    assert not window.in_call and window.call_button.text() == "Start call"


def test_quitting_mid_call_finishes_its_stored_record(qtbot, make_window):
    from callassist.store import open_store

    records = StoreRecords()
    window = make_window("dev-015", speed=2, records=records)
    window.start_call()
    qtbot.waitUntil(lambda: window.chips["sympathize"].covered, timeout=15_000)
    window.shutdown()
    with open_store() as store:
        stored = store.get_call(records.last.call_id)
    assert stored.row.status == "complete"
    assert stored.report["ended"] and stored.report["steps"]["sympathize"]["covered"]
    assert not stored.report["steps"]["take_action"]["covered"]
