"""The live floor in the review window: every agent's call in progress (checklist, warnings,
the customer's mood, what the agent said last) and alerts when a call goes wrong.

A plain thread runs the store's FloorFeed (it waits on PostgreSQL notifications, or polls a
SQLite store), and hands each update to the GUI through an outbox announced by an
argument-less signal, as the overlay's worker does: the GUI never waits on the database."""

from __future__ import annotations

import copy
import queue
import threading
import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from callassist.coach.kinds import STEP_IDS
from callassist.errors import CallAssistError
from callassist.format import clock, local_time
from callassist.store.db import StoreLocation
from callassist.store.floor import Alert, FloorFeed, LiveCall
from callassist.ui.plain import Label

ALERT_BG = QColor("#FDE3E1")
ALERT_TEXT = QColor("#8E1B12")
COVERED = QColor("#1E7A45")
MISSED = QColor("#6B7078")
COLUMNS = ["Agent", "On call", "Customer", "A", "S", "A", "P", "Warnings", "Said last",
           "Alert"]


class FloorWorker(QObject):
    posted = Signal()

    def __init__(self, location: StoreLocation):
        super().__init__()
        self.location = location
        self._stop = threading.Event()
        self._outbox: queue.SimpleQueue[tuple] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True, name="callassist-floor")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)

    def take(self) -> list[tuple]:
        out = []
        while not self._outbox.empty():
            out.append(self._outbox.get_nowait())
        return out

    def _run(self) -> None:
        try:
            feed = FloorFeed(self.location)
        except CallAssistError as e:
            self._post(("error", str(e)))
            return
        self._post(("mode", feed.push))
        try:
            while not self._stop.is_set():
                try:
                    update = feed.poll(0.5)
                except Exception as e:  # whatever went wrong is shown, and the floor goes on (S3)
                    self._post(("error", str(e) if isinstance(e, CallAssistError)
                                else f"the live floor hit an error: {type(e).__name__}: {e}"))
                    self._stop.wait(2.0)
                    continue
                if update.changed or update.ended or update.alerts:
                    # Copies: the feed goes on changing its calls on this thread.
                    self._post(("update", [copy.deepcopy(c) for c in update.changed],
                                update.ended, update.alerts))
        finally:
            feed.close()

    def _post(self, item: tuple) -> None:
        self._outbox.put(item)
        self.posted.emit()


class FloorView(QWidget):
    def __init__(self, location: StoreLocation, parent: QWidget | None = None):
        super().__init__(parent)
        self.location = location
        self.calls: dict[int, LiveCall] = {}
        self.alerts: list[Alert] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        self.head = Label("Connecting to the store…")
        self.head.setObjectName("meta")
        lay.addWidget(self.head)
        self.alert_list = QListWidget()
        self.alert_list.setMaximumHeight(120)
        lay.addWidget(self.alert_list)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        lay.addWidget(self.table, 1)
        self.worker: FloorWorker | None = None
        # The "on call" clocks move even while nobody speaks.
        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self._show_calls)

    def start(self) -> None:
        """Starts following the floor (the first time the tab is shown)."""
        if self.worker is not None:
            return
        self.worker = FloorWorker(self.location)
        self.worker.posted.connect(self._drain, Qt.ConnectionType.QueuedConnection)
        self.worker.start()
        self._clock.start()

    def stop(self) -> None:
        self._clock.stop()
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def _drain(self) -> None:
        if self.worker is None:
            return
        for item in self.worker.take():
            if item[0] == "mode":
                how = ("live from the team server" if item[1]
                       else "from this machine's store, read twice a second")
                self.head.setText(f"Calls in progress, {how}. Alerts: an upset customer with "
                                  "no apology after 30 s, blame, defensive words, a hold "
                                  "without a handoff.")
            elif item[0] == "error":
                self.head.setText(f"The floor cannot be read: {item[1]}")
            else:
                _, changed, ended, alerts = item
                for call in changed:
                    self.calls[call.id] = call
                for call_id in ended:
                    self.calls.pop(call_id, None)
                for alert in alerts:
                    self._add_alert(alert)
                self._show_calls()

    def _add_alert(self, alert: Alert) -> None:
        self.alerts.append(alert)
        item = QListWidgetItem(f"{local_time(time.time(), '%H:%M:%S')}  {alert.text}")
        item.setForeground(ALERT_TEXT)
        item.setBackground(ALERT_BG)
        self.alert_list.insertItem(0, item)
        QApplication.alert(self.window(), 0)  # the taskbar entry asks for attention

    def _show_calls(self) -> None:
        calls = sorted(self.calls.values(), key=lambda c: (not c.alerts, c.agent))
        self.table.setRowCount(len(calls))
        now = time.time()
        for i, c in enumerate(calls):
            cells = [c.agent, clock(max(0.0, now - c.started_at)), c.mood_label]
            cells += ["✓" if s in c.covered else "·" for s in STEP_IDS]
            cells += [", ".join(w["kind"].replace("_", " ") for w in c.warnings) or "–",
                      c.last_line, c.alerts[-1].text if c.alerts else ""]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if 3 <= j <= 6:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    item.setForeground(COVERED if text == "✓" else MISSED)
                if c.alerts:
                    item.setBackground(ALERT_BG)
                    if j in (0, 9):
                        item.setForeground(ALERT_TEXT)
                self.table.setItem(i, j, item)
