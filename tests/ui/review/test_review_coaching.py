"""The supervisor's week in the review window: routine calls are not failures, sorting and
search, flags and notes pinned to the timeline, the coaching queue, an agent's page and the
live floor (pytest-qt, on real SQLite and PostgreSQL stores)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from callassist.store import open_store
from callassist.ui.review import ReviewWindow
from callassist.ui.review_models import COLUMNS, STEP_COLUMN

pytestmark = pytest.mark.gui
AGENT = Path(__file__).parents[2] / "store" / "floor_agent.py"




def _row_of(window, title):
    return next(i for i, r in enumerate(window.model.rows) if r.title == title)


def _cell(window, row, column):
    return window.model.index(row, COLUMNS.index(column) if isinstance(column, str) else column)


def test_a_routine_call_shows_no_missed_steps_and_full_marks(window):
    m = window.model
    row = _row_of(window, "Polite and clean but no ASAP needed")
    assert m.data(_cell(window, row, "Customer")) == "routine"
    assert m.data(_cell(window, row, "Score")) == "100"
    assert {m.data(m.index(row, c)) for c in STEP_COLUMN} == {"·"}
    upset = _row_of(window, "Calm down")
    assert m.data(_cell(window, upset, "Customer")) == "angry"
    assert "✗" in {m.data(m.index(upset, c)) for c in STEP_COLUMN}


def test_the_calls_filter_and_search_narrow_the_list(window, qtbot):
    f = window.filters
    f.kind.setCurrentIndex(f.kind.findData("routine"))
    qtbot.waitUntil(lambda: window.model.flt.needs == "routine")
    assert window.model.rows and all(not r.needs_asap for r in window.model.rows)
    f.reset()
    f.search.setText("calm down")
    qtbot.waitUntil(lambda: window.model.flt.search == "calm down")
    assert 0 < window.model.total < 24


def test_clicking_a_header_sorts_every_page_by_that_column(window, qtbot):
    window.table.sortByColumn(COLUMNS.index("Score"), Qt.SortOrder.AscendingOrder)
    scores = [r.score for r in window.model.rows]
    assert scores == sorted(scores) and scores[0] == 0
    window.table.sortByColumn(COLUMNS.index("Agent"), Qt.SortOrder.DescendingOrder)
    agents = [r.agent for r in window.model.rows]
    assert agents == sorted(agents, reverse=True)


def test_a_flag_and_a_note_pinned_to_a_moment_reach_the_queue_and_the_timeline(window, qtbot):
    window.table.selectRow(_row_of(window, "Blaming the courier"))
    view = window.call_view
    call_id = view.call.row.id
    warning = view.call.report["warnings"][0]
    view.timeline.timeClicked.emit(warning["at"])  # a click on the blame marker
    view.coaching.text.setText("Blamed the courier here: own it instead")
    view.coaching.add.click()
    assert [(n.at, n.author) for n in view.coaching.notes_of_call()] == [
        (warning["at"], window.store.settings.agent)]
    assert any(m.row == "note" for m in view.timeline._markers)
    view.coaching.flag.setCurrentIndex(1)  # To do
    view.coaching.flag.activated.emit(1)
    assert window.store.coaching.flag(call_id).status == "to do"
    row = next(i for i, r in enumerate(window.model.rows) if r.id == call_id)
    assert window.model.data(_cell(window, row, "Coaching")) == "to do"

    window.tabs.setCurrentWidget(window.queue)
    table = window.queue.table
    qtbot.waitUntil(lambda: table.rowCount() == 1)
    assert table.item(0, 1).text() == view.call.row.agent and table.item(0, 8).text() == "1"
    window.tabs.setCurrentIndex(0)
    window.filters.agent.setCurrentIndex(window.filters.agent.findData("Lee Park"))
    window.apply_filters()
    table.cellDoubleClicked.emit(0, 0)  # opens the call even when the filters hide it
    assert window.tabs.currentIndex() == 0 and window.call_view.call.row.id == call_id


def test_the_customers_frustration_is_a_band_on_the_timeline(window):
    window.table.selectRow(_row_of(window, "Calm down"))
    upset = [m for m in window.call_view.timeline._markers if m.row == "upset"]
    assert upset and upset[0].strength == 2 and "furious" in upset[0].tip
    assert "customer angry" in window.call_view.meta.text()
    assert window.call_view.score.text().startswith("<b>Score 0</b>")


def test_double_clicking_an_agent_in_the_team_view_opens_their_page(window, qtbot):
    window.tabs.setCurrentWidget(window.team)
    qtbot.waitUntil(lambda: window.team.table.rowCount() == 3)
    window.team.table.cellDoubleClicked.emit(1, 0)
    page = window.agent_page
    assert window.tabs.currentWidget() is page and page.agent.currentText() == "Lee Park"
    assert page.trend.rowCount() >= 1 and "8 calls" in page.summary.text()
    headers = [page.trend.horizontalHeaderItem(i).text() for i in range(page.trend.columnCount())]
    assert "Apologize" in headers and "Score" in headers


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_live_floor_shows_calls_in_progress_and_raises_an_alert(kind, qtbot, tmp_path,
                                                                    request, settings):
    url = str(tmp_path / "team.sqlite3") if kind == "sqlite" else request.getfixturevalue(
        "pg_url")
    store = open_store(url, settings=settings)
    w = ReviewWindow(store)
    qtbot.addWidget(w)
    w.show()
    w.tabs.setCurrentWidget(w.floor)
    agents = [subprocess.Popen([sys.executable, str(AGENT), url, name, script],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
              for name, script in (("Blaming Ben", "blame"), ("Good Gail", "good"))]
    try:
        qtbot.waitUntil(lambda: w.floor.table.rowCount() == 2 and w.floor.alert_list.count(),
                        timeout=20000)
        top = w.floor.table
        assert top.item(0, 0).text() == "Blaming Ben"  # calls with an alert come first
        assert "blamed someone else" in w.floor.alert_list.item(0).text()
        qtbot.waitUntil(lambda: top.item(1, 4).text() == "✓" and top.item(1, 2).text() ==
                        "complaint", timeout=10000)
        for p in agents:
            p.stdin.write("\n")
            p.stdin.flush()
            p.wait(timeout=20)
        qtbot.waitUntil(lambda: w.floor.table.rowCount() == 0, timeout=10000)
    finally:
        for p in agents:
            p.kill()
        w.floor.stop()
        store.close()
