"""The review window's call list: a table model that reads the store one page at a time, so
100,000 stored calls open as fast as 100."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from callassist.coach.assessment import FRUSTRATION_LABELS
from callassist.coach.kinds import STEP_IDS
from callassist.coach.labels import LABELS
from callassist.format import clock, local_time
from callassist.store import CallFilter, CallRow, Store
from callassist.ui.plain import plain_tooltip

PAGE = 200
COVERED = QColor("#2E8B57")
MISSED = QColor("#C0392B")
MUTED = QColor("#8A8F98")
WARN = QColor("#C0392B")

COLUMNS = ["Started", "Agent", "Length", "Customer", "Score", "A", "S", "A", "P", "Warnings",
           "Coaching", "Status", "Title"]
STEP_COLUMN = {5 + i: sid for i, sid in enumerate(STEP_IDS)}
# The store's sort key for each column a click on its header sorts by.
SORT_COLUMN = {0: "started", 1: "agent", 2: "length", 3: "frustration", 4: "score",
               **dict.fromkeys(STEP_COLUMN, "steps"), 9: "warnings", 11: "status"}
UPSET = QColor("#B8600B")

Index = QModelIndex | QPersistentModelIndex


class CallListModel(QAbstractTableModel):
    def __init__(self, store: Store, flt: CallFilter | None = None, parent=None):
        super().__init__(parent)
        self.store = store
        self.flt = flt or CallFilter()
        self.rows: list[CallRow] = []
        self.total = 0
        self.sort_key, self.descending = "started", True
        self._bold = QFont()
        self._bold.setBold(True)
        self.reload()

    def set_filter(self, flt: CallFilter) -> None:
        self.flt = flt
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self.total = self.store.count_calls(self.flt)
        self.rows = self._page(0)
        self.endResetModel()

    def _page(self, offset: int) -> list[CallRow]:
        return self.store.list_calls(self.flt, offset, PAGE, sort=self.sort_key,
                                     descending=self.descending)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted by the store, so every page follows the same order."""
        key = SORT_COLUMN.get(column)
        if key is None:
            return
        self.sort_key = key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def call_at(self, row: int) -> CallRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    # -- paging ---------------------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        more = self._page(len(self.rows))
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
            return plain_tooltip(LABELS[STEP_COLUMN[section]])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        r = self.call_at(index.row())
        if r is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col in STEP_COLUMN:
                if r.covered(STEP_COLUMN[col]):
                    return "✓"
                return "✗" if r.needs_asap else "·"  # a routine call needed no step
            return (
                local_time(r.started_at), r.agent, clock(r.duration),
                FRUSTRATION_LABELS[r.frustration] if r.needs_asap else "routine",
                "" if r.score is None else str(r.score), None, None, None, None,
                str(r.warnings) if r.warnings else "–", r.flag or "", r.status, r.title,
            )[col]
        if role == Qt.ItemDataRole.ForegroundRole:
            if col in STEP_COLUMN:
                if r.covered(STEP_COLUMN[col]):
                    return COVERED
                return MISSED if r.needs_asap else MUTED
            if col == 3:
                return UPSET if r.needs_asap else MUTED
            if col == 9:
                return WARN if r.warnings else MUTED
            if col == 11 and r.status != "complete":
                return MISSED
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and (
                col in STEP_COLUMN or col in (2, 4, 9)):
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.FontRole and col in STEP_COLUMN:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if col in STEP_COLUMN:
                sid = STEP_COLUMN[col]
                if not r.needs_asap and not r.covered(sid):
                    return plain_tooltip(f"{LABELS[sid]}: not needed (routine call)")
                return plain_tooltip(f"{LABELS[sid]}: {'covered' if r.covered(sid) else 'missed'}")
            return plain_tooltip(
                "\n".join(x for x in (r.title, r.source, f"call {r.id}, {r.status}") if x))
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None
