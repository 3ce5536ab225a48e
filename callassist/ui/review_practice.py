"""The review window's Practice tab: each trainee's attempts per scenario, and how each step
and the outcome went over the attempts (oldest to newest)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from callassist.coach.kinds import STEP_IDS
from callassist.practice.progress import practice_progress
from callassist.store import Store
from callassist.ui.plain import Label

OUTCOME_MARK = {"satisfied": "✓", "gives_up": "✗", "unfinished": "–"}


class PracticeView(QWidget):
    def __init__(self, store: Store, step_labels: dict[str, str], parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        layout = QVBoxLayout(self)
        self.help = Label("Practice attempts (`callassist practice`), oldest to newest: "
                           "✓ covered / satisfied, · missed, ✗ the caller gave up.")
        self.help.setObjectName("meta")
        layout.addWidget(self.help)
        headers = ["Trainee", "Scenario", "Attempts", "Outcome",
                   *(step_labels[s] for s in STEP_IDS), "Warnings"]
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.
                                                           ResizeToContents)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        rows = practice_progress(self.store)
        self.table.setRowCount(len(rows))
        for i, p in enumerate(rows):
            cells = [
                p.trainee, p.title, str(len(p.attempts)),
                "".join(OUTCOME_MARK.get(a.outcome, "?") for a in p.attempts),
                *(p.step_trend(s) for s in STEP_IDS),
                " → ".join(str(a.warnings) for a in p.attempts),
            ]
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
