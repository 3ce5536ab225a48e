"""The supervisor's review window, driven as a supervisor would (pytest-qt, offscreen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from callassist.cli import main
from callassist.store import open_store
from callassist.ui.review import ReviewWindow
from callassist.ui.review_chart import agent_colour
from callassist.ui.review_models import PAGE, CallListModel
from callassist.ui.review_timeline import markers

pytestmark = pytest.mark.gui




def _choose(box, data) -> None:
    box.setCurrentIndex(box.findData(data))


def _settle(qtbot, window) -> None:
    """Waits for the filter bar's latest choice to reach the list (changes are debounced)."""
    qtbot.waitUntil(lambda: window.model.flt == window.filters.value())


def test_the_window_lists_every_stored_call_newest_first_and_shows_the_first(window):
    assert window.filters.count.text() == "24 calls"
    assert [r.id for r in window.model.rows[:3]] == [24, 23, 22]
    assert window.call_view.call.row.id == 24
    assert window.call_view.title.text().startswith(window.model.rows[0].agent)


def test_filters_narrow_the_list_by_agent_missed_step_and_warning_kind(window, qtbot):
    _choose(window.filters.agent, "Lee Park")
    qtbot.waitUntil(lambda: window.filters.count.text() == "8 calls")
    assert {r.agent for r in window.model.rows} == {"Lee Park"}
    _choose(window.filters.agent, None)
    _choose(window.filters.missed, "sympathize")
    _settle(qtbot, window)
    assert window.model.rows and all(not r.covered("sympathize") for r in window.model.rows)
    _choose(window.filters.missed, None)
    _choose(window.filters.warning, "blame")
    _settle(qtbot, window)
    assert 0 < window.model.total < 24
    for r in window.model.rows:
        assert "blame" in window.store.get_call(r.id).report["summary"]["warnings_by_kind"]
    window.filters.clear.click()
    qtbot.waitUntil(lambda: window.model.total == 24)


def test_a_custom_date_range_keeps_only_calls_on_those_days(window, qtbot):
    from PySide6.QtCore import QDate

    window.filters.period.setCurrentText("Custom range")
    window.filters.since.setDate(QDate(2026, 11, 3))
    window.filters.until.setDate(QDate(2026, 11, 5))
    qtbot.waitUntil(lambda: window.model.total == 3)
    assert sorted(r.id for r in window.model.rows) == [2, 3, 4]


def test_no_match_says_so_instead_of_an_empty_table(window, qtbot):
    from PySide6.QtCore import QDate

    window.filters.period.setCurrentText("Custom range")
    window.filters.since.setDate(QDate(2026, 10, 1))
    window.filters.until.setDate(QDate(2026, 10, 2))
    _settle(qtbot, window)
    assert window.model.total == 0
    assert window.list_stack.currentWidget() is window.empty
    assert "No calls match" in window.empty.text()
    assert window.call_view.call is None


def test_the_call_view_shows_checklist_warnings_and_highlights_the_evidence(window, qtbot):
    row = next(i for i, r in enumerate(window.model.rows) if r.id == 4)  # dev-004: cold hold
    window.table.selectRow(row)
    qtbot.waitUntil(lambda: window.call_view.call and window.call_view.call.row.id == 4)
    view = window.call_view
    assert "Apologize" in view.checklist.text() and "missed" in view.checklist.text()
    assert "hold without handoff" in view.warnings.text()
    assert "→" in view.warnings.text()  # the advice is shown
    assert "why: rule: (i|we) (am|are)" in view.checklist.text()  # the rule that ticked it
    html = view.transcript.toHtml()
    evidence = view.call.report["warnings"][0]["evidence"]
    assert evidence in html
    assert html.count("#fde8ea") >= 1  # the warning's turn is highlighted
    assert "Apologize" in view.transcript.toPlainText()


def test_a_supervisor_corrects_a_line_from_its_time_link_and_it_is_stored(window, qtbot):
    row = next(i for i, r in enumerate(window.model.rows) if r.id == 4)  # dev-004: cold hold
    window.table.selectRow(row)
    qtbot.waitUntil(lambda: window.call_view.call and window.call_view.call.row.id == 4)
    view = window.call_view
    turns = view.call.report["transcript"]
    hold = next(i for i, t in enumerate(turns) if "hold" in t["text"])
    assert f"turn:{hold}" in view.transcript.toHtml()  # the line's time is a link
    menu = view.correction_menu(hold)
    actions = {a.text(): a for a in menu.actions()}
    actions["False warning: not Hold without handoff"].trigger()
    was = {a.text(): a for a in menu.actions()[0].menu().actions()}
    was["Prepare to take action"].trigger()
    stored = window.store.corrections.for_call(4)
    assert [(c.kind, c.verdict, c.text) for c in stored] == [
        ("hold_without_handoff", "not", turns[hold]["text"]),
        ("take_action", "was", turns[hold]["text"])]
    assert "✎ not Hold without handoff" in view.transcript.toPlainText()


def test_the_timeline_places_steps_and_warnings_and_a_click_jumps_to_the_moment(window, qtbot):
    row = next(i for i, r in enumerate(window.model.rows) if r.id == 4)
    window.table.selectRow(row)
    timeline = window.call_view.timeline
    qtbot.waitUntil(lambda: timeline.call is not None and timeline.call.row.id == 4)
    ms = markers(timeline.call)
    assert {m.row for m in ms} >= {"step", "warning", "reminder"}
    warning = next(m for m in ms if m.row == "warning")
    assert timeline.call.speech  # speech bands for both speakers
    assert {s.speaker for s in timeline.call.speech} == {"agent", "customer"}
    pos = QPoint(round(timeline.x_of(warning.at)), round(timeline.y_of("warning")))
    with qtbot.waitSignal(timeline.timeClicked) as sig:
        qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=pos)
    assert sig.args[0] == pytest.approx(warning.at)
    image = timeline.grab().toImage()
    colour = image.pixelColor(pos)
    assert colour.red() > 150 and colour.green() < 120  # the red warning marker is drawn there


def test_the_team_view_shows_each_agents_coverage(window, qtbot):
    window.tabs.setCurrentWidget(window.team)
    table = window.team.table
    qtbot.waitUntil(lambda: table.rowCount() == 3)
    agents = [table.item(i, 0).text() for i in range(3)]
    assert agents == ["Dana Smith", "Lee Park", "Sam Rivera"]
    assert table.item(0, 1).text() == "8"
    assert all(table.item(i, 5).text().endswith("%") for i in range(3))  # apologize, of upset calls
    assert window.team.chart.agents == agents and window.team.chart.periods
    # the chart draws a line per agent: each agent's colour is on the picture
    image = window.team.chart.grab().toImage()
    drawn = {image.pixelColor(x, y).name() for x in range(0, image.width(), 2)
             for y in range(0, image.height(), 2)}
    assert {agent_colour(i).name() for i in range(3)} <= drawn


def test_the_list_loads_a_big_store_one_page_at_a_time(qtbot, tmp_path, settings):
    with open_store(str(tmp_path / "big.sqlite3"), settings=settings) as store:
        with store.conn.transaction():
            store.conn.executemany(
                "INSERT INTO calls (agent, started_at, day, status, retention, duration) "
                "VALUES (?, ?, ?, 'complete', 'full', 60)",
                [(f"agent {i % 7}", 1.7e9 + i * 60, int((1.7e9 + i * 60) // 86400))
                 for i in range(PAGE * 2 + 50)],
            )
        model = CallListModel(store)
        assert model.rowCount() == PAGE and model.total == PAGE * 2 + 50
        while model.canFetchMore():
            model.fetchMore()
        assert model.rowCount() == PAGE * 2 + 50


def test_an_empty_store_explains_how_calls_get_there(qtbot, tmp_path, settings):
    with open_store(str(tmp_path / "empty.sqlite3"), settings=settings) as store:
        w = ReviewWindow(store)
        qtbot.addWidget(w)
        assert w.list_stack.currentWidget() is w.empty
        assert "--save" in w.empty.text()


def test_an_interrupted_call_is_marked_as_such(qtbot, tmp_path, settings):
    with open_store(str(tmp_path / "s.sqlite3"), settings=settings) as store:
        rec = store.begin_call(agent="Dana")
        rec.close()
        w = ReviewWindow(store)
        qtbot.addWidget(w)
        assert "interrupted" in w.call_view.meta.text()


def test_review_refuses_a_damaged_store_before_opening_a_window(capsys, tmp_path):
    bad = tmp_path / "calls.sqlite3"
    bad.write_bytes(b"not sqlite" * 500)
    assert main(["review", "--store", str(bad)]) == 2
    assert "damaged" in capsys.readouterr().err


def test_export_writes_the_filtered_calls_as_a_printable_report_or_csv(window, qtbot, tmp_path):
    _choose(window.filters.agent, "Sam Rivera")
    _settle(qtbot, window)
    assert window.export_to(tmp_path / "week.html") == 8
    page = (tmp_path / "week.html").read_text()
    assert "Sam Rivera" in page and page.count('<section class="call">') == 8
    assert window.export_to(tmp_path / "week.csv") == 8
    assert len((tmp_path / "week.csv").read_text().splitlines()) == 9


def test_refresh_shows_calls_stored_while_the_window_was_open(window, qtbot, filled_store):
    with open_store(str(filled_store)) as other:
        other.save_report({"duration": 3.0, "steps": {}, "warnings": []}, "new.json",
                          agent="New Agent")
    window.filters.refresh.click()
    assert window.model.total == 25
    assert window.filters.agent.findData("New Agent") >= 0


@pytest.mark.postgres
def test_the_review_window_reads_a_postgresql_team_store(qtbot, pg_url, settings, fill):
    with open_store(pg_url, settings=settings) as store:
        fill(store, 9)
        w = ReviewWindow(store)
        qtbot.addWidget(w)
        assert w.model.total == 9
        _choose(w.filters.agent, "Lee Park")
        _settle(qtbot, w)
        assert w.model.total == 3
        w.tabs.setCurrentWidget(w.team)
        assert w.team.table.rowCount() == 3
