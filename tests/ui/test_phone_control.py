"""`callassist call start|end` against the real overlay window: the socket, the GUI thread's
answer, the phone system's call id in the report, and no merged customers."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from callassist.app.control import send_command
from callassist.app.records import StoreRecords
from callassist.app.sources import SpeechSource, TranscriptSource
from callassist.store import open_store
from callassist.ui.commands import PhoneControl

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CALL_TIMEOUT_MS = 15_000


class _LiveTranscript(TranscriptSource):
    """Stands in for the microphone (no voice exists here): a live source, whose calls follow
    one another unless the phone system says otherwise."""

    live = True


def _send(qtbot, *args) -> str:
    """Sends from another thread, as a softphone would, while the window keeps running."""
    out: list[object] = []
    t = threading.Thread(target=lambda: out.append(_catch(send_command, *args)))
    t.start()
    qtbot.waitUntil(lambda: bool(out), timeout=6000)
    t.join()
    if isinstance(out[0], Exception):
        raise out[0]
    return out[0]


def _catch(fn, *args):
    try:
        return fn(*args)
    except Exception as e:  # handed back to the test thread
        return e


def test_the_phone_system_starts_and_ends_calls_and_names_them(qtbot, make_window):
    window = make_window(source=_LiveTranscript(CORPUS / "dev-015.json", 4))
    window.phone = PhoneControl(window)
    assert window.phone.start()
    assert _send(qtbot, "status") == "no call in progress"
    with qtbot.waitSignal(window.call_started, timeout=CALL_TIMEOUT_MS):
        assert _send(qtbot, "start", "A-100") == "call A-100 started"
    assert _send(qtbot, "status").startswith("in a call (A-100), 0:0")
    # A new call while one runs (End was forgotten): the first ends, the second starts.
    with qtbot.waitSignal(window.call_finished, timeout=CALL_TIMEOUT_MS) as first:
        assert _send(qtbot, "start", "B-200").startswith("ended the call in progress")
    report, _ = first.args
    assert report["id"] == "A-100"
    qtbot.waitUntil(lambda: window.in_call, timeout=CALL_TIMEOUT_MS)
    with qtbot.waitSignal(window.call_finished, timeout=CALL_TIMEOUT_MS) as second:
        assert _send(qtbot, "end") == "call ended"
    report, _ = second.args
    assert report["id"] == "B-200"
    qtbot.wait(300)
    assert not window.in_call  # ended by the phone system: waits for the next `call start`
    assert _send(qtbot, "end") == "no call in progress"
    assert window.summary.next_button.isVisible()


AGENT, CUSTOMER = "callassist_test", "callassist_customer"
PHONE_IDS = ["4711", "INC-20261206-0042", "17965875123", "T4", "T5",
             "3f2b6c1e-9d7a-4b8e-a1c2-5e6f7a8b9c0d"]


@pytest.mark.gui
@pytest.mark.pulse
@pytest.mark.audio
def test_six_phone_calls_in_a_row_all_start_with_calls_by_voice_and_keep_their_ids(
    qtbot, make_window, playbook, pulse_microphone, tmp_path,
):
    """The UX review's H2 loop (start, status, end; six times, customer input on: 3 of 6 were
    lost) and H3 (the phone system's id redacted like a card number), on real PulseAudio
    inputs where nobody speaks: the phone system alone starts and ends each call."""
    url = str(tmp_path / "calls.sqlite3")
    source = SpeechSource(playbook, device=f"{AGENT}.monitor",
                          customer_device=f"{CUSTOMER}.monitor", engine="pocketsphinx",
                          silence_ends_call=20.0)
    window = make_window(source=source, records=StoreRecords(url))
    window.phone = PhoneControl(window)
    assert window.phone.start()
    window.start_call()  # as `callassist run` does: listening for a call
    qtbot.waitUntil(lambda: window.waiting, timeout=CALL_TIMEOUT_MS)
    reports = []
    for call_id in PHONE_IDS:
        with qtbot.waitSignal(window.call_started, timeout=CALL_TIMEOUT_MS):
            assert _send(qtbot, "start", call_id) == f"call {call_id} started"
        assert _send(qtbot, "status").startswith(f"in a call ({call_id})")
        with qtbot.waitSignal(window.call_finished, timeout=CALL_TIMEOUT_MS) as done:
            assert _send(qtbot, "end") == "call ended"
        reports.append(done.args[0])
    assert [r["id"] for r in reports] == PHONE_IDS
    with open_store(url) as store:
        titles = [c.title for c in store.list_calls()]
    assert sorted(titles) == sorted(f"Call {i}" for i in PHONE_IDS)
