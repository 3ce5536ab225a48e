"""The supervisor's coaching workflow in the review window: a call's flag and notes (pinned to
a moment of its timeline), the coaching queue of flagged calls across agents, and an agent's
page with their trend per step and warning, their flagged calls and notes."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from callassist.coach.assessment import FRUSTRATION_LABELS
from callassist.coach.kinds import STEP_IDS
from callassist.coach.labels import LABELS
from callassist.errors import CallAssistError
from callassist.format import clock, local_time
from callassist.store import CallFilter, Store
from callassist.store.coaching import FLAG_STATUSES, Note
from callassist.ui.plain import Label
from callassist.ui.review_chart import CoverageChart

NOT_FLAGGED = "Not flagged"


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(table: QTableWidget, rows: list[list[str]], ids: list[int] | None = None) -> None:
    table.setRowCount(len(rows))
    for i, cells in enumerate(rows):
        for j, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if ids is not None:
                item.setData(Qt.ItemDataRole.UserRole, ids[i])
            table.setItem(i, j, item)


class CoachingPanel(QWidget):
    """One call's "coach this" flag and its notes. A note is pinned to the moment last clicked
    on the timeline (or to the whole call)."""

    changed = Signal()

    def __init__(self, store: Store, author: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.author = store, author
        self.call_id: int | None = None
        self.at: float | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(Label("Coach this call:"))
        self.flag = QComboBox()
        self.flag.addItems([NOT_FLAGGED, *(s.capitalize() for s in FLAG_STATUSES)])
        self.flag.setToolTip("Flag the call for a coaching session, and track it to done")
        row.addWidget(self.flag)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("why (optional)")
        row.addWidget(self.reason, 1)
        lay.addLayout(row)
        self.notes = QListWidget()
        self.notes.setMaximumHeight(110)
        lay.addWidget(self.notes)
        add = QHBoxLayout()
        self.text = QLineEdit()
        self.text.setPlaceholderText("Add a note for the agent…")
        self.add = QPushButton("Add note")
        self.where = Label()
        self.where.setObjectName("meta")
        add.addWidget(self.text, 1)
        add.addWidget(self.where)
        add.addWidget(self.add)
        lay.addLayout(add)
        self.error = Label()
        self.error.setStyleSheet("color: #B3261E")
        lay.addWidget(self.error)
        self.flag.activated.connect(self._flag_changed)
        self.reason.editingFinished.connect(self._flag_changed)
        self.add.clicked.connect(self.add_note)
        self.text.returnPressed.connect(self.add_note)
        self.set_call(None)

    def set_call(self, call_id: int | None) -> None:
        self.call_id, self.at = call_id, None
        self.setEnabled(call_id is not None)
        self.error.setText("")
        flag = self.store.coaching.flag(call_id) if call_id is not None else None
        self.flag.setCurrentIndex(0 if flag is None else 1 + FLAG_STATUSES.index(flag.status))
        self.reason.setText(flag.reason if flag else "")
        self._show_notes()
        self.set_moment(None)

    def set_moment(self, at: float | None) -> None:
        self.at = at
        self.where.setText(f"at {clock(at)}" if at is not None else "on the whole call")

    def notes_of_call(self) -> list[Note]:
        return self.store.coaching.notes(self.call_id) if self.call_id is not None else []

    def _show_notes(self) -> None:
        self.notes.clear()
        for n in self.notes_of_call():
            where = clock(n.at) if n.at is not None else "call"
            self.notes.addItem(QListWidgetItem(f"{where}  {n.author}: {n.text}"))

    def _flag_changed(self) -> None:
        if self.call_id is None:
            return
        i = self.flag.currentIndex()
        try:
            if i == 0:
                self.store.coaching.clear_flag(self.call_id)
            else:
                self.store.coaching.set_flag(self.call_id, FLAG_STATUSES[i - 1], self.author,
                                             self.reason.text())
        except CallAssistError as e:
            self.error.setText(str(e))
            return
        self.changed.emit()

    def add_note(self) -> None:
        if self.call_id is None or not self.text.text().strip():
            return
        try:
            self.store.coaching.add_note(self.call_id, self.text.text(), self.author, self.at)
        except CallAssistError as e:
            self.error.setText(str(e))
            return
        self.text.clear()
        self.error.setText("")
        self._show_notes()
        self.changed.emit()


class CoachingQueue(QWidget):
    """Flagged calls across agents, oldest flag first within each status."""

    openCall = Signal(int)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        head = QHBoxLayout()
        intro = Label("Calls flagged for coaching, across agents. Double-click to open one.")
        intro.setObjectName("meta")
        head.addWidget(intro, 1)
        self.status = QComboBox()
        self.status.addItem("All open (to do, discussed)", "open")
        for s in FLAG_STATUSES:
            self.status.addItem(s.capitalize(), s)
        self.status.addItem("All", "any")
        head.addWidget(self.status)
        lay.addLayout(head)
        self.table = _table(["Status", "Agent", "Call", "Started", "Customer", "Score",
                             "Warnings", "Why", "Notes"])
        lay.addWidget(self.table, 1)
        self.status.currentIndexChanged.connect(self.refresh)
        self.table.cellDoubleClicked.connect(
            lambda r, _c: self.openCall.emit(self.table.item(r, 0).data(Qt.ItemDataRole.UserRole)))

    def refresh(self) -> None:
        which = self.status.currentData()
        statuses = ["to do", "discussed"] if which == "open" else [which]
        rows, ids = [], []
        for status in statuses:
            for r in self.store.list_calls(CallFilter(flag=status), 0, 1000):
                flag = self.store.coaching.flag(r.id)
                notes = self.store.coaching.notes(r.id)
                rows.append([r.flag or "", r.agent, str(r.id), local_time(r.started_at),
                             FRUSTRATION_LABELS[r.frustration] if r.needs_asap else "routine",
                             "" if r.score is None else str(r.score), str(r.warnings),
                             flag.reason if flag else "", str(len(notes))])
                ids.append(r.id)
        _fill(self.table, rows, ids)


class AgentPage(QWidget):
    """One agent: their trend per step (on the calls that needed it) and per warning kind,
    week by week, and their flagged calls and notes."""

    openCall = Signal(int)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        top = QHBoxLayout()
        top.addWidget(Label("Agent"))
        self.agent = QComboBox()
        self.agent.setMinimumContentsLength(16)
        top.addWidget(self.agent)
        self.summary = Label()
        self.summary.setObjectName("meta")
        top.addWidget(self.summary, 1)
        lay.addLayout(top)
        self.chart = CoverageChart()
        lay.addWidget(self.chart, 2)
        self.trend = _table([])
        lay.addWidget(self.trend, 1)
        low = QHBoxLayout()
        flagged = QVBoxLayout()
        flagged.addWidget(Label("Flagged calls (double-click to open)"))
        self.flagged = _table(["Status", "Call", "Started", "Score", "Why"])
        flagged.addWidget(self.flagged)
        notes = QVBoxLayout()
        notes.addWidget(Label("Notes"))
        self.notes = QListWidget()
        notes.addWidget(self.notes)
        low.addLayout(flagged, 1)
        low.addLayout(notes, 1)
        lay.addLayout(low, 1)
        self.agent.currentIndexChanged.connect(self.refresh)
        self.flagged.cellDoubleClicked.connect(
            lambda r, _c: self.openCall.emit(
                self.flagged.item(r, 0).data(Qt.ItemDataRole.UserRole)))

    def set_agents(self, agents: list[str], current: str | None = None) -> None:
        keep = current or self.agent.currentText()
        self.agent.blockSignals(True)
        self.agent.clear()
        self.agent.addItems(agents)
        self.agent.setCurrentIndex(max(0, self.agent.findText(keep)))
        self.agent.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        agent = self.agent.currentText()
        if not agent:
            return
        weeks = self.store.coaching.trend(agent)
        self.chart.set_rows(self.store.coverage(CallFilter(agent=agent)))
        kinds = sorted({k for w in weeks for k in w["warnings"]})
        headers = ["Week of", "Calls", "Upset", "Score", "First apology",
                   *(LABELS[s] for s in STEP_IDS), *(k.replace("_", " ") + " / call"
                                                         for k in kinds)]
        self.trend.setColumnCount(len(headers))
        self.trend.setHorizontalHeaderLabels(headers)
        rows = []
        for w in weeks:
            rows.append([
                time.strftime("%d %b %Y", time.gmtime(w["day"] * 86400)), str(w["calls"]),
                str(w["upset"]), "" if w["score"] is None else f"{w['score']:.0f}",
                "" if w["first_apology"] is None else f"{w['first_apology']:.0f} s",
                *("–" if w[s] is None else f"{100 * w[s]:.0f}%" for s in STEP_IDS),
                *(f"{w['warnings'].get(k, 0):.2f}" for k in kinds)])
        _fill(self.trend, rows)
        calls = sum(w["calls"] for w in weeks)
        upset = sum(w["upset"] for w in weeks)
        self.summary.setText(f"{calls} calls, {upset} with an upset customer. Step coverage "
                             "counts only the calls that needed the steps.")
        flagged = self.store.list_calls(CallFilter(agent=agent, flag="any"), 0, 500)
        _fill(self.flagged, [
            [r.flag or "", str(r.id), local_time(r.started_at),
             "" if r.score is None else str(r.score),
             (f.reason if (f := self.store.coaching.flag(r.id)) else "")] for r in flagged],
            [r.id for r in flagged])
        self.notes.clear()
        for n in self.store.coaching.notes(agent=agent):
            where = f"call {n.call_id}" + (f" at {clock(n.at)}" if n.at is not None else "")
            self.notes.addItem(f"{local_time(n.created)}  {where}  {n.author}: {n.text}")
