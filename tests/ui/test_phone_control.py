"""`callassist call start|end` against the real overlay window: the socket, the GUI thread's
answer, the phone system's call id in the report, and no merged customers."""

from __future__ import annotations

import threading
from pathlib import Path

from callassist.app.control import send_command
from callassist.app.sources import TranscriptSource
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
