"""S2: text from stored calls, settings, transcripts, scenarios and the phone system is shown
as text. `<img src=PATH>` in an agent name, call title, transcript id, note or scenario must
never make Qt read PATH: a FIFO (which hung the window) is watched by a tripwire that notices
any open of it, and `/dev/zero` (which read 2.2 GB in 7 s) runs in a child process whose
address space is capped, so a regression fails instead of taking the machine's memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QToolTip

from callassist.app.sources import TranscriptSource
from callassist.cli import main

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


class Tripwire:
    """Notices any open of a FIFO for reading: a non-blocking open for writing succeeds only
    while a reader has it open; the writer then closes at once, so the reader sees an empty
    file instead of hanging."""

    def __init__(self, path: Path):
        os.mkfifo(path)
        self.path, self.opened, self._stop = path, 0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: nobody is reading
                time.sleep(0.002)
                continue
            self.opened += 1
            os.close(fd)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(5)
        return self.opened


def hostile_call(tmp_path: Path, src: str) -> Path:
    img = f"<img src={src}>"
    call = {"id": f"{img} 42", "title": f"Refund {img}", "turns": [
        {"speaker": "agent", "start": 0, "end": 2, "text": "i am so sorry about that"},
        {"speaker": "customer", "start": 2.5, "end": 4, "text": "this is the third time"}]}
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(call))
    return path


def store_hostile_call(tmp_path: Path, monkeypatch, src: str) -> Path:
    store = tmp_path / "calls.sqlite3"
    monkeypatch.setenv("CALLASSIST_STORE", str(store))
    monkeypatch.setenv("CALLASSIST_AGENT", f"<img src={src}>")
    assert main(["analyze", str(hostile_call(tmp_path, src)), "--save", "--rules-only"]) == 0
    assert main(["calls", "note", "1", f"<img src={src}> see this", "--at", "0:01",
                 "--author", f"<img src={src}>"]) == 0
    return store


def test_S2_review_window_never_opens_a_path_named_in_stored_text(
        tmp_path, monkeypatch, qtbot):
    from callassist.store import open_store
    from callassist.ui.review import ReviewWindow
    from callassist.ui.review_models import COLUMNS

    fifo = tmp_path / "fifo"
    path = store_hostile_call(tmp_path, monkeypatch, str(fifo))
    wire = Tripwire(fifo)
    store = open_store(str(path))
    w = ReviewWindow(store)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.open_call(1)
    view = w.call_view
    qtbot.waitUntil(lambda: view.call is not None)
    w.grab()  # lays out and paints every label
    for col in range(len(COLUMNS)):  # the list's row tooltips, shown for real
        tip = w.model.data(w.model.index(0, col), 0x03)  # ToolTipRole
        if tip:
            QToolTip.showText(QPoint(10, 10), tip, w.table)
    timeline = view.timeline
    note = next(m for m in timeline._markers if m.row == "note")
    at = QPointF(timeline.x_of(note.at), timeline.y_of("note"))
    timeline.mouseMoveEvent(QMouseEvent(  # the pointer over the note's marker
        QEvent.Type.MouseMove, at, timeline.mapToGlobal(at), Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
    assert "&lt;img" in QToolTip.text()  # the note's tooltip, escaped
    assert f"<img src={fifo}>" in view.title.text()  # shown as written
    w.grab()
    w.floor.stop()
    store.close()
    assert wire.stop() == 0, "Qt opened the FIFO named in stored text"


def test_S2_overlay_caption_and_practice_menu_never_open_a_named_path(
        tmp_path, playbook, qtbot, make_window):
    from callassist.practice.scenario import user_folder
    from callassist.ui.practice_menu import practice_menu

    fifo = tmp_path / "fifo"
    call = hostile_call(tmp_path, str(fifo))
    user_folder().mkdir(parents=True)
    (user_folder() / "hostile.toml").write_text(
        f'title = "T <img src={fifo}>"\nsituation = "<img src={fifo}> angry"\n'
        'opening = ["hello"]\n')
    wire = Tripwire(fifo)
    window = make_window(source=TranscriptSource(call, speed=8.0))
    assert "<img" in window.caption.full_text()
    window.grab()
    menu = practice_menu(window, lambda _sid: None)
    for action in menu.actions():
        if action.toolTip():
            QToolTip.showText(QPoint(10, 10), action.toolTip(), window)
    menu.grab()
    assert wire.stop() == 0, "Qt opened the FIFO named in a transcript id or scenario"


PROBE = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
from PySide6.QtWidgets import QApplication, QToolTip
from PySide6.QtCore import QPoint
from callassist.store import open_store
from callassist.ui.review import ReviewWindow
app = QApplication([])
w = ReviewWindow(open_store())
w.show(); app.processEvents(); w.open_call(1); app.processEvents(); w.grab()
QToolTip.showText(QPoint(5, 5), w.model.data(w.model.index(0, 0), 3), w); app.processEvents()
print("shown", w.call_view.title.text())
w.floor.stop()
"""


def test_S2_dev_zero_in_stored_text_is_not_read(tmp_path, monkeypatch):
    store_hostile_call(tmp_path, monkeypatch, "/dev/zero")
    # Qt and Python need well under 1.5 GB of address space here; reading /dev/zero needs all
    cap = 3 * 2**30
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([sys.executable, "-c", PROBE, str(cap)], env=env, capture_output=True,
                       text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "shown <img src=/dev/zero>" in r.stdout


def test_S2_every_label_tooltip_and_message_box_in_ui_is_plain_unless_built_here():
    """Structural: no bare QLabel or QMessageBox outside ui/plain.py, and every tooltip is a
    literal or passes through plain_tooltip (the rich labels' HTML is built with escape)."""
    import ast

    problems = []
    for path in sorted((ROOT / "callassist" / "ui").glob("*.py")):
        if path.name == "plain.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Name) and node.id in ("QLabel", "QMessageBox"):
                problems.append(f"{path.name}:{node.lineno}: {node.id}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("setToolTip", "showText")):
                arg = node.args[0 if node.func.attr == "setToolTip" else 1]
                if not (isinstance(arg, ast.Constant) or (
                        isinstance(arg, ast.Call) and getattr(arg.func, "id", "") ==
                        "plain_tooltip")):
                    problems.append(f"{path.name}:{node.lineno}: {node.func.attr}")
    assert not problems, problems
