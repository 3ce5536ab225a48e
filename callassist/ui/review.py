"""The supervisor's review window (`callassist review`): a sortable, searchable call list with
filters, a call view (score, checklist, warnings, timeline with the customer's frustration,
transcript with the evidence highlighted, coaching flag and notes), the coaching queue, a team
view (coverage of each step on the calls that needed it, per agent, week by week) with a page
per agent, and the live floor."""

from __future__ import annotations

import datetime as dt
import html
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QDate, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QCursor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from callassist.coach.assessment import SCORE_FORMULA, assess
from callassist.coach.checklist import StepState, checklist
from callassist.coach.kinds import PHRASE_WARNINGS, STEP_IDS
from callassist.coach.labels import LABELS
from callassist.errors import CallAssistError
from callassist.format import CHECK_COLOURS, PAGE, PALETTE, clock, local_time
from callassist.paths import config_dir
from callassist.store import CallFilter, Store, StoredCall
from callassist.store.coaching import FLAG_STATUSES
from callassist.store.corrections import Correction
from callassist.store.export import WARNING_KINDS, to_csv, to_html, tone_figures
from callassist.store.summary import annotate_transcript
from callassist.ui.plain import Label, plain_tooltip, rich_label, warn
from callassist.ui.review_chart import CoverageChart, agent_colour
from callassist.ui.review_coaching import AgentPage, CoachingPanel, CoachingQueue
from callassist.ui.review_floor import FloorView
from callassist.ui.review_models import CallListModel
from callassist.ui.review_practice import PracticeView
from callassist.ui.review_timeline import TimelineWidget

PERIODS = ("All time", "Today", "Last 7 days", "Last 30 days", "Last 90 days", "Custom range")
# The tone figures worth a glance in the call header (all are in the CSV export).
TONE_META = (
    ("pace_average_wpm", "{:.0f} words/min"),
    ("monologue_longest_s", "longest monologue {:.0f} s"),
    ("loudness_loud_s", "raised voice {:.0f} s"),
)
EMPTY_HELP = (
    "No calls stored yet.\n\nCalls are stored at the end of every call in the overlay, or with\n"
    "callassist analyze FILE --save"
)
STYLE = """
QLabel#title { font-size: 16pt; font-weight: 600; }
QLabel#meta#count { color: palette(placeholder-text); }
QLabel#score { font-size: 11pt; }
QLabel#section { font-weight: 600; margin-top: 8px; }
QFrame#card { background: palette(base); border: 1px solid palette(mid); border-radius: 6px; }
"""


def _window_settings() -> QSettings:
    """Where the window remembers its size and layout: beside settings.toml."""
    return QSettings(str(config_dir() / "review-window.ini"), QSettings.Format.IniFormat)


def _day_start(d: QDate) -> float:
    return time.mktime(dt.date(d.year(), d.month(), d.day()).timetuple())


class FilterBar(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        self.agent = QComboBox()
        self.agent.setMinimumContentsLength(14)
        self.period = QComboBox()
        self.period.addItems(PERIODS)
        today = QDate.currentDate()
        self.since = QDateEdit(today.addDays(-30))
        self.until = QDateEdit(today)
        for d in (self.since, self.until):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
            d.setEnabled(False)
        self.kind = QComboBox()
        self.kind.addItem("All calls", None)
        self.kind.addItem("Upset customer", "upset")
        self.kind.addItem("Routine", "routine")
        self.kind.setToolTip("Upset: the customer complained, used angry words or raised their "
                             "voice, so the ASAP steps were needed")
        self.missed = QComboBox()
        self.missed.addItem("All", None)
        self.missed.addItem("Any step missed", "any")
        for sid in STEP_IDS:
            self.missed.addItem(f"Missed {LABELS[sid]}", sid)
        self.warning = QComboBox()
        self.flag = QComboBox()
        self.flag.addItem("All", None)
        self.flag.addItem("Flagged", "any")
        for status in FLAG_STATUSES:
            self.flag.addItem(status.capitalize(), status)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search what was said…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(160)
        self.clear = QPushButton("Clear filters")
        self.refresh = QPushButton("Refresh")
        self.refresh.setToolTip("Load calls stored since the window opened (F5)")
        self.export = QPushButton("Export…")
        self.export.setToolTip("Save the calls in the list as a printable HTML report or CSV")
        for label, w in (("Agent", self.agent), ("Date", self.period), (None, self.since),
                         ("to", self.until), ("Calls", self.kind), ("Steps", self.missed),
                         ("Warning", self.warning), ("Coaching", self.flag), (None, self.search)):
            if label:
                lay.addWidget(Label(label))
            lay.addWidget(w)
        lay.addWidget(self.clear)
        lay.addStretch(1)
        self.count = Label()
        self.count.setObjectName("count")
        lay.addWidget(self.count)
        lay.addWidget(self.refresh)
        lay.addWidget(self.export)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.clear.clicked.connect(self.reset)

    def set_choices(self, agents: list[str], kinds: list[str]) -> None:
        current_agent, current_kind = self.agent.currentData(), self.warning.currentData()
        for box in (self.agent, self.warning):
            box.blockSignals(True)
            box.clear()
        self.agent.addItem("All agents", None)
        for a in agents:
            self.agent.addItem(a, a)
        self.warning.addItem("All", None)
        self.warning.addItem("Any warning", "any")
        for k in [*WARNING_KINDS, *sorted(set(kinds) - set(WARNING_KINDS))]:
            self.warning.addItem(k.replace("_", " ").capitalize(), k)
        for box, value in ((self.agent, current_agent), (self.warning, current_kind)):
            box.setCurrentIndex(max(0, box.findData(value)))
            box.blockSignals(False)

    def _period_changed(self) -> None:
        custom = self.period.currentText() == "Custom range"
        self.since.setEnabled(custom)
        self.until.setEnabled(custom)

    def reset(self) -> None:
        for box in (self.agent, self.period, self.kind, self.missed, self.warning, self.flag):
            box.setCurrentIndex(0)
        self.search.clear()

    def value(self, with_agent: bool = True) -> CallFilter:
        since = until = None
        period = self.period.currentText()
        today = QDate.currentDate()
        days = {"Today": 0, "Last 7 days": 6, "Last 30 days": 29, "Last 90 days": 89}
        if period in days:
            since = _day_start(today.addDays(-days[period]))
            until = _day_start(today.addDays(1))
        elif period == "Custom range":
            since = _day_start(self.since.date())
            until = _day_start(self.until.date().addDays(1))
        return CallFilter(
            agent=self.agent.currentData() if with_agent else None, since=since, until=until,
            missed=self.missed.currentData(), warning=self.warning.currentData(),
            needs=self.kind.currentData(), flag=self.flag.currentData(),
            search=self.search.text().strip() or None,
        )

    def connect_changed(self, slot) -> None:
        for box in (self.agent, self.period, self.kind, self.missed, self.warning, self.flag):
            box.currentIndexChanged.connect(slot)
        self.search.textChanged.connect(slot)
        for d in (self.since, self.until):
            d.dateChanged.connect(slot)


def _why(reason: str | None) -> str:
    """Why the coach ticked or warned: the rule that matched, or the nearest examples."""
    if not reason:
        return ""
    return (f"<br><span style='color:{PAGE['faint']};font-size:small'>"
            f"why: {html.escape(reason)}</span>")


class CallView(QScrollArea):
    """One call: header, checklist, warnings with advice, timeline, transcript."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(16, 12, 16, 12)
        self.title = Label()
        self.title.setObjectName("title")
        self.meta = Label()
        self.meta.setObjectName("meta")
        self.meta.setWordWrap(True)
        self.score = rich_label()
        self.score.setObjectName("score")
        self.score.setWordWrap(True)
        self.coaching = CoachingPanel(store, store.settings.agent)
        self.checklist = rich_label()
        self.checklist.setWordWrap(True)
        self.warnings = rich_label()
        self.warnings.setWordWrap(True)
        self.timeline = TimelineWidget()
        self.store = store
        self.transcript = QTextBrowser()
        self.transcript.setOpenLinks(False)
        self.transcript.setMinimumHeight(260)
        self.transcript.setToolTip("Click an agent line's time to correct the coach on it")
        self.transcript.anchorClicked.connect(
            lambda url: self.correction_menu(int(url.toString().split(":")[1])).exec(
                QCursor.pos()))
        for w in (self.title, self.meta, self.score, self.coaching,
                  self._section("ASAP checklist"), self.checklist,
                  self._section("Warnings"), self.warnings, self._section("Timeline"),
                  self.timeline, self._section("Transcript"), self.transcript):
            lay.addWidget(w)
        lay.addStretch(1)
        self.setWidget(body)
        self.call: StoredCall | None = None
        self.timeline.timeClicked.connect(self.show_time)
        self.timeline.timeClicked.connect(self.coaching.set_moment)
        self.coaching.changed.connect(self._notes_changed)
        self.set_call(None)

    @staticmethod
    def _section(text: str) -> Label:
        label = Label(text)
        label.setObjectName("section")
        return label

    def _notes_changed(self) -> None:
        self.timeline.set_call(self.call, self.coaching.notes_of_call())

    def set_call(self, call: StoredCall | None) -> None:
        self.call = call
        self.coaching.set_call(call.row.id if call else None)
        self.timeline.set_call(call, self.coaching.notes_of_call())
        if call is None:
            self.title.setText("No call selected")
            for w in (self.meta, self.score, self.checklist, self.warnings):
                w.setText("")
            self.transcript.setHtml("")
            return
        r, rep = call.row, call.report
        e = html.escape
        self.title.setText(f"{r.agent} · {local_time(r.started_at, '%a %d %b %Y, %H:%M')}")
        meta = [f"length {clock(r.duration)}", f"call {r.id}"]
        if r.status != "complete":
            meta.append(f"⚠ {r.status} (the program stopped mid-call)"
                        if r.status == "interrupted" else r.status)
        meta += [x for x in (r.title, r.source) if x]
        judged = assess(rep)
        if judged.needs_asap:
            upset = f" from {clock(judged.first_upset)}" if judged.first_upset is not None else ""
            meta.append(f"customer {judged.frustration_label}{upset}")
        else:
            meta.append("routine call: the customer was not upset")
        tone = tone_figures(rep)
        for key, text in TONE_META:
            if tone.get(key):
                meta.append(text.format(tone[key]))
        self.meta.setText(" · ".join(meta))
        self.score.setText(f"<b>Score {judged.score}</b> · {e(judged.explain().split(': ', 1)[1])}")
        self.score.setToolTip(plain_tooltip(SCORE_FORMULA))
        rows = []
        for row in checklist(rep, judged).rows:
            colour = CHECK_COLOURS[row.state]
            if row.state is StepState.COVERED:
                how = " <i>(ticked by hand)</i>" if row.manual else ""
                ev = f"“{e(row.evidence)}”" if row.evidence else ""
                rows.append(f"<tr><td style='color:{colour};font-weight:600'>✓</td>"
                            f"<td><b>{e(row.label)}</b></td><td>{clock(row.at)}</td>"
                            f"<td>{ev}{how}{_why(row.why)}</td></tr>")
            else:
                mark = "✗" if row.state is StepState.MISSED else "·"
                rows.append(f"<tr><td style='color:{colour};font-weight:600'>{mark}</td>"
                            f"<td><b>{e(row.label)}</b></td><td></td>"
                            f"<td style='color:{colour}'>{row.state.words}</td></tr>")
        self.checklist.setText("<table cellpadding=3>" + "".join(rows) + "</table>")
        if rep.warnings:  # in time order (the report's)
            self.warnings.setText("<table cellpadding=3>" + "".join(
                f"<tr><td style='color:{PALETTE['warning']}'>▲</td>"
                f"<td><b>{e(w.kind.replace('_', ' '))}</b></td><td>{clock(w.at)}</td><td>"
                + (f"“{e(w.evidence)}”<br>" if w.evidence else "")
                + f"<span style='color:{PAGE['dim']}'>→ {e(w.advice)}</span>{_why(w.reason)}"
                "</td></tr>"
                for w in rep.warnings
            ) + "</table>")
        else:
            self.warnings.setText(f"<span style='color:{PALETTE['step']}'>No warnings.</span>")
        self._show_transcript()

    def _show_transcript(self) -> None:
        assert self.call is not None
        corrections = self.store.corrections.for_call(self.call.row.id)
        self.transcript.setHtml(self._transcript_html(self.call, corrections))

    def correction_menu(self, turn: int) -> QMenu:
        """What a supervisor can say about an agent's line: it was a step or a warning the
        coach missed, or it was not what the coach saw in it (a false warning, a wrong tick)."""
        assert self.call is not None
        marks = annotate_transcript(self.call.report)[turn]
        menu = QMenu(self)
        was = menu.addMenu("This line was…")
        for kind in (*STEP_IDS, *PHRASE_WARNINGS):
            act = was.addAction(LABELS[kind])
            act.triggered.connect(lambda _=False, k=kind: self._correct(turn, k, "was"))
        for m in marks:
            what = "False warning" if m["type"] == "warning" else "Not"
            act = menu.addAction(f"{what}: not {LABELS[m['id']]}")
            act.triggered.connect(lambda _=False, k=m["id"]: self._correct(turn, k, "not"))
        return menu

    def _correct(self, turn: int, kind: str, verdict: str) -> None:
        assert self.call is not None
        t = self.call.report["transcript"][turn]
        try:
            self.store.corrections.add(self.call.row.id, kind, verdict, t["text"],
                                       self.store.settings.agent, t["start"])
        except CallAssistError as err:
            warn(self, "Correction not saved", str(err))
            return
        self._show_transcript()

    @staticmethod
    def _transcript_html(call: StoredCall, corrections: Sequence[Correction] = ()) -> str:
        rep, e = call.report, html.escape
        turns = rep.get("transcript", [])
        if not turns:
            why = (f"No transcript kept: retention is “{e(call.row.retention)}”."
                   if call.row.retention != "full" else "No transcript.")
            return f"<p style='color:#777'>{why}</p>"
        out = []
        for i, (t, marks) in enumerate(zip(turns, annotate_transcript(rep), strict=True)):
            warn = any(m["type"] == "warning" for m in marks)
            bg = "#FDE8EA" if warn else ("#E6F4EA" if marks else "transparent")
            tags = " ".join(
                f"<span style='background:{'#D1495B' if m['type'] == 'warning' else '#2E8B57'};"
                f"color:white'>&nbsp;{e(LABELS.get(m['id'], m['id'].replace('_', ' ')))}"
                "&nbsp;</span>"
                for m in marks
            )
            tags += "".join(
                f" <span style='color:#7A4FBF'>✎ {'was' if c.verdict == 'was' else 'not'} "
                f"{e(LABELS[c.kind])}</span>"
                for c in corrections if c.at is not None and abs(c.at - t["start"]) < 0.01)
            agent = t["speaker"] == "agent"
            who = "Agent" if agent else "Customer"
            colour = "#2F6B47" if agent else "#3D5A85"
            when = (f"<a href='turn:{i}' style='color:#666'>{clock(t['start'])}</a>" if agent
                    else clock(t["start"]))
            out.append(
                f"<a name='t{i}'></a><table width='100%' cellpadding=4 "
                f"style='background:{bg}'><tr><td width=48 style='color:#888'>"
                f"{when}</td><td width=84 style='color:{colour}'><b>{who}</b></td>"
                f"<td>{e(t['text'])} {tags}</td></tr></table>"
            )
        return "".join(out)

    def show_time(self, at: float) -> None:
        if self.call is None:
            return
        turns = self.call.report.get("transcript", [])
        best = None
        for i, t in enumerate(turns):
            if t["start"] - 0.05 <= at <= t["end"] + 0.05:
                best = i
                break
            if t["start"] <= at:
                best = i
        if best is not None:
            self.transcript.scrollToAnchor(f"t{best}")


class TeamView(QWidget):
    agentChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        head = Label("Coverage of each ASAP step per agent, week by week, on the calls where "
                      "the customer was upset (routine calls need no steps; bigger dots = more "
                      "calls). Double-click an agent for their page.")
        head.setObjectName("meta")
        head.setWordWrap(True)
        lay.addWidget(head)
        self.chart = CoverageChart()
        lay.addWidget(self.chart, 3)
        self.table = QTableWidget(0, 5 + len(STEP_IDS))
        self.table.setHorizontalHeaderLabels(
            ["Agent", "Calls", "Upset", "Score", "Warnings / call",
             *(LABELS[s] for s in STEP_IDS)])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.cellDoubleClicked.connect(
            lambda r, _c: self.agentChosen.emit(self.table.item(r, 0).text()))
        lay.addWidget(self.table, 1)

    def set_rows(self, rows: list[dict]) -> None:
        self.chart.set_rows(rows)
        agents = sorted({r["agent"] for r in rows})
        self.table.setRowCount(len(agents))
        for i, agent in enumerate(agents):
            mine = [r for r in rows if r["agent"] == agent]
            calls = sum(r["calls"] for r in mine)
            upset = sum(r["upset"] for r in mine)
            scored = [r["score"] * r["calls"] for r in mine if r["score"] is not None]
            cells = [agent, str(calls), str(upset),
                     f"{sum(scored) / calls:.0f}" if scored else "",
                     f"{sum(r['warnings'] for r in mine) / calls:.1f}"]
            cells += [f"{100 * sum(r[s] for r in mine) / upset:.0f}%" if upset else "–"
                      for s in STEP_IDS]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 0:
                    item.setForeground(agent_colour(i))
                else:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(i, j, item)


class ReviewWindow(QMainWindow):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(f"CallAssist review · {store.location.display}")
        self.setStyleSheet(STYLE)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        self.filters = FilterBar()
        outer.addWidget(self.filters)
        self.tabs = QTabWidget()
        outer.addWidget(self.tabs, 1)

        self.model = CallListModel(store)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for col, width in enumerate((124, 96, 50, 74, 44, 24, 24, 24, 24, 62, 70, 76)):
            self.table.setColumnWidth(col, width)
        self.empty = Label(EMPTY_HELP)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("meta")
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty)
        self.call_view = CallView(store)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.list_stack)
        split.addWidget(self.call_view)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([560, 760])
        self.splitter = split
        self.tabs.addTab(split, "Calls")
        self.queue = CoachingQueue(store)
        self.tabs.addTab(self.queue, "Coaching")
        self.team = TeamView()
        self.tabs.addTab(self.team, "Team")
        self.agent_page = AgentPage(store)
        self.tabs.addTab(self.agent_page, "Agent")
        self.floor = FloorView(store.location)
        self.tabs.addTab(self.floor, "Live floor")
        self.practice = PracticeView(store, LABELS)
        self.tabs.addTab(self.practice, "Practice")
        self.setCentralWidget(central)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.queue.openCall.connect(self.open_call)
        self.agent_page.openCall.connect(self.open_call)
        self.team.agentChosen.connect(self.show_agent)
        self.call_view.coaching.changed.connect(self._coaching_changed)

        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        self.addAction(refresh)
        self.filters.refresh.clicked.connect(self.refresh)
        self.filters.export.clicked.connect(self._ask_export)
        self._debounce = QTimer(self, singleShot=True, interval=120)
        self._debounce.timeout.connect(self.apply_filters)
        self.filters.connect_changed(self._debounce.start)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.tabs.currentChanged.connect(lambda _: self._tab_shown())
        self._restore()
        self.refresh()

    # -- data --------------------------------------------------------------------------

    def refresh(self) -> None:
        self.filters.set_choices(self.store.agents(), self.store.warning_kinds())
        self.apply_filters()

    def apply_filters(self) -> None:
        selected = self.current_call_id()
        self.model.set_filter(self.filters.value())
        total = self.model.total
        self.filters.count.setText(f"{total:,} call{'s' if total != 1 else ''}")
        self.list_stack.setCurrentIndex(0 if total else 1)
        self.empty.setText(EMPTY_HELP if self.store.count_calls() == 0
                           else "No calls match these filters.")
        row = next((i for i, r in enumerate(self.model.rows) if r.id == selected), 0)
        if total:
            self.table.selectRow(row)
        else:
            self.call_view.set_call(None)
        self._update_team()

    def export_to(self, path: Path) -> int:
        """Writes the calls the filters select: an HTML report, or CSV for a .csv name."""
        calls = list(self.store.iter_calls(self.filters.value(), events=True))
        text = to_csv(calls) if path.suffix.lower() == ".csv" else to_html(
            calls, title=f"CallAssist calls: {self._filter_summary()}")
        try:
            path.write_text(text, "utf-8")
        except OSError as e:
            raise CallAssistError(f"{path}: cannot write: {e.strerror or e}") from None
        return len(calls)

    def _filter_summary(self) -> str:
        f = self.filters
        parts = [f.agent.currentText(), f.period.currentText()]
        if f.period.currentText() == "Custom range":
            parts[-1] = f"{f.since.date().toString('yyyy-MM-dd')} to " \
                        f"{f.until.date().toString('yyyy-MM-dd')}"
        parts += [x.currentText() for x in (f.kind, f.missed, f.warning, f.flag)
                  if x.currentIndex() > 0]
        if f.search.text().strip():
            parts.append(f"saying \u201c{f.search.text().strip()}\u201d")
        return ", ".join(parts)

    def _ask_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export calls", str(Path.home() / "callassist-report.html"),
            "Printable report (*.html);;Spreadsheet (*.csv)")
        if not name:
            return
        try:
            n = self.export_to(Path(name))
        except CallAssistError as e:
            warn(self, "Export failed", str(e))
            return
        self.statusBar().showMessage(f"{n} call(s) exported to {name}", 8000)

    def _update_team(self) -> None:
        if self.tabs.currentWidget() is self.team:
            self.team.set_rows(self.store.coverage(self.filters.value(with_agent=False)))

    def _tab_shown(self) -> None:
        current = self.tabs.currentWidget()
        if current is self.queue:
            self.queue.refresh()
        elif current is self.agent_page:
            self.agent_page.set_agents(self.store.agents())
        elif current is self.floor:
            self.floor.start()
        elif current is self.practice:
            self.practice.refresh()
        self._update_team()

    def _coaching_changed(self) -> None:
        """A flag or note changed: the list's Coaching column and the queue follow."""
        selected = self.current_call_id()
        self.model.reload()
        row = next((i for i, r in enumerate(self.model.rows) if r.id == selected), None)
        if row is not None:
            self.table.blockSignals(True)
            self.table.selectRow(row)
            self.table.blockSignals(False)

    def open_call(self, call_id: int) -> None:
        """Shows one call in the Calls tab (from the coaching queue or an agent's page)."""
        self.tabs.setCurrentIndex(0)
        row = next((i for i, r in enumerate(self.model.rows) if r.id == call_id), None)
        if row is None:
            self.filters.reset()
            self.apply_filters()
            row = next((i for i, r in enumerate(self.model.rows) if r.id == call_id), None)
        if row is not None:
            self.table.selectRow(row)
        else:
            self.call_view.set_call(self.store.get_call(call_id))

    def show_agent(self, agent: str) -> None:
        self.tabs.setCurrentWidget(self.agent_page)
        self.agent_page.set_agents(self.store.agents(), agent)

    def current_call_id(self) -> int | None:
        r = self.model.call_at(self.table.currentIndex().row())
        return r.id if r else None

    def _row_changed(self, current, _previous) -> None:
        r = self.model.call_at(current.row())
        self.call_view.set_call(self.store.get_call(r.id) if r else None)

    # -- window state ------------------------------------------------------------------

    def _restore(self) -> None:
        s = _window_settings()
        geometry = s.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1360, 860)
        state = s.value("splitter")
        if state is not None:
            self.splitter.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.floor.stop()
        s = _window_settings()
        s.setValue("geometry", self.saveGeometry())
        s.setValue("splitter", self.splitter.saveState())
        super().closeEvent(event)
