"""The Practice entry of the tray and the overlay: one item per scenario, and a practice call
borrows the window, which goes back to its own source afterwards. (The practice call itself
runs on real audio in tests/practice; here a transcript stands in for it.)"""

from __future__ import annotations

from pathlib import Path

from callassist.app.sources import TranscriptSource
from callassist.practice.scenario import default_folders, load_scenarios, user_folder
from callassist.ui.practice_menu import practice_menu
from callassist.ui.tray import Tray

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_the_tray_lists_every_scenario_and_picking_one_asks_for_it(qtbot, make_window):
    window = make_window("dev-015", speed=50)
    picked: list[str] = []
    tray = Tray(window, window.start_call, window.end_call, lambda: None, picked.append)
    titles = [a.text() for a in tray.practice_menu.actions()]
    assert titles == [s.title for s in load_scenarios(default_folders())]
    tray.practice_menu.actions()[titles.index("Double charge")].trigger()
    assert picked == ["double-charge"]


def test_a_broken_scenario_is_named_in_the_menu_and_hides_no_other(qtbot):
    user_folder().mkdir(parents=True)
    (user_folder() / "broken.toml").write_text('title = "x"\nsituation = "y"\nopening = 3\n')
    menu = practice_menu(None, lambda sid: None)
    *good, broken = menu.actions()
    assert not broken.isEnabled()
    assert broken.text() == "skipped broken.toml: opening: must be a list of one or more lines"
    assert [a.text() for a in good] == [s.title for s in load_scenarios(default_folders())]


def test_a_practice_call_borrows_the_window_then_gives_it_back(qtbot, make_window):
    window = make_window("dev-015", speed=2)  # still going when the practice is picked
    home = window.source
    with qtbot.waitSignal(window.call_started, timeout=5000):
        window.start_call()
    practice = TranscriptSource(CORPUS / "dev-001.json", 20)
    with qtbot.waitSignals([window.call_finished, window.call_started], timeout=5000,
                           order="strict"):
        window.practise(practice)  # the running call ends first
    assert window.source is practice and window.worker.source is practice
    assert window.caption.full_text() == practice.label
    with qtbot.waitSignal(window.call_finished, timeout=30000):
        pass
    assert window.source is home and window.worker.source is home
    assert window.caption.full_text() == home.label
    assert not window.in_call  # the trainee starts the next call
