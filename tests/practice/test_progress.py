"""Each trainee's attempts and progress per scenario and per step, from the real store, and
the review window's Practice tab showing them."""

from __future__ import annotations

from callassist.practice.progress import practice_progress
from callassist.practice.scorecard import build_scorecard
from callassist.store import open_store
from callassist.store.query import PRACTICE_SOURCE

BAD = ["That is our policy, there is nothing I can do.", "You should have read the terms."]
GOOD = ["I am so sorry, that must be so frustrating.",
        "This is on us and I will send a replacement today."]


def _attempt(store, dialogue, lines, trainee, started_at):
    d = dialogue("lost-parcel")
    d.start()
    for line in lines:
        if not d.caller.done:
            d.trainee(line)
    card = build_scorecard(d.report(), d.caller.scenario, d.caller)
    return store.save_report(card, source=PRACTICE_SOURCE + "lost-parcel", agent=trainee,
                             title="Lost parcel", started_at=started_at)


def test_progress_per_trainee_scenario_and_step(dialogue):
    with open_store() as store:
        _attempt(store, dialogue, BAD, "ana", 1000.0)
        _attempt(store, dialogue, GOOD, "ana", 2000.0)
        _attempt(store, dialogue, GOOD[:1], "ben", 1500.0)
        store.save_report({"steps": {}, "summary": {}}, source="live", agent="ana")
        rows = practice_progress(store)
    assert [(p.trainee, p.scenario, len(p.attempts)) for p in rows] == [
        ("ana", "lost-parcel", 2), ("ben", "lost-parcel", 1)]
    ana = rows[0]
    assert [a.outcome for a in ana.attempts] == ["gives_up", "satisfied"]  # oldest first
    assert ana.step_trend("apologize") == "·✓"
    assert ana.step_trend("take_action") == "·✓"
    assert [a.warnings for a in ana.attempts] == [2, 0]
    assert ana.satisfied == 1 and ana.title == "Lost parcel"


def test_the_review_windows_practice_tab_shows_them(qtbot, dialogue):
    from callassist.coach.labels import LABELS
    from callassist.ui.review_practice import PracticeView

    with open_store() as store:
        _attempt(store, dialogue, BAD, "ana", 1000.0)
        _attempt(store, dialogue, GOOD, "ana", 2000.0)
        view = PracticeView(store, LABELS)
        qtbot.addWidget(view)
        view.refresh()
        cells = [view.table.item(0, j).text() for j in range(view.table.columnCount())]
    assert cells == ["ana", "Lost parcel", "2", "✗✓", "·✓", "·✓", "·✓", "·✓", "2 → 0"]
