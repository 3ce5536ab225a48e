"""The review window's call list: a table model that reads the store one page at a time, so
100,000 stored calls open as fast as 100."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from callassist.coach.events import STEP_IDS
from callassist.store import CallFilter, CallRow, Store
from callassist.store.export import clock, local_time
from callassist.store.summary import STEP_LABELS

PAGE = 200
COVERED = QColor("#2E8B57")
MISSED = QColor("#C0392B")
MUTED = QColor("#8A8F98")
WARN = QColor("#C0392B")

COLUMNS = ["Started", "Agent", "Length", "A", "S", "A", "P", "Warnings", "Status", "Title"]
STEP_COLUMN = {3 + i: sid for i, sid in enumerate(STEP_IDS)}

Index = QModelIndex | QPersistentModelIndex


class CallListModel(QAbstractTableModel):
    def __init__(self, store: Store, flt: CallFilter | None = None, parent=None):
        super().__init__(parent)
        self.store = store
        self.flt = flt or CallFilter()
        self.rows: list[CallRow] = []
        self.total = 0
        self._bold = QFont()
        self._bold.setBold(True)
        self.reload()

    def set_filter(self, flt: CallFilter) -> None:
        self.flt = flt
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self.total = self.store.count_calls(self.flt)
        self.rows = self.store.list_calls(self.flt, 0, PAGE)
        self.endResetModel()

    def call_at(self, row: int) -> CallRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    # -- paging ---------------------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        more = self.store.list_calls(self.flt, len(self.rows), PAGE)
        if not more:
            self.total = len(self.rows)
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
        self.rows.extend(more)
        self.endInsertRows()

    # -- table ----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section in STEP_COLUMN:
            return STEP_LABELS[STEP_COLUMN[section]]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        r = self.call_at(index.row())
        if r is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col in STEP_COLUMN:
                return "✓" if r.covered(STEP_COLUMN[col]) else "✗"
            return (
                local_time(r.started_at), r.agent, clock(r.duration), None, None, None, None,
                str(r.warnings) if r.warnings else "–", r.status, r.title,
            )[col]
        if role == Qt.ItemDataRole.ForegroundRole:
            if col in STEP_COLUMN:
                return COVERED if r.covered(STEP_COLUMN[col]) else MISSED
            if col == 7:
                return WARN if r.warnings else MUTED
            if col == 8 and r.status != "complete":
                return MISSED
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and (col in STEP_COLUMN or col in (2, 7)):
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.FontRole and col in STEP_COLUMN:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if col in STEP_COLUMN:
                sid = STEP_COLUMN[col]
                return f"{STEP_LABELS[sid]}: {'covered' if r.covered(sid) else 'missed'}"
            return "\n".join(x for x in (r.title, r.source, f"call {r.id}, {r.status}") if x)
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None
