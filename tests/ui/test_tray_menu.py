"""The tray menu drives the same window (offscreen has no system tray, so the menu's actions are
triggered directly, as a click on them would)."""

from __future__ import annotations

from callassist.ui.tray import Tray


def test_the_tray_menu_shows_hides_starts_and_ends_calls(qtbot, make_window):
    window = make_window("dev-015", speed=2)
    quits: list[bool] = []
    tray = Tray(window, window.start_call, window.end_call, lambda: quits.append(True))
    window.tray = tray
    assert tray.start_action.isEnabled() and not tray.end_action.isEnabled()
    with qtbot.waitSignal(window.call_started, timeout=5000):
        tray.start_action.trigger()
    assert tray.end_action.isEnabled() and not tray.start_action.isEnabled()
    assert "in a call" in tray.toolTip()
    tray.toggle_action.trigger()
    assert not window.isVisible()
    tray.menu.aboutToShow.emit()
    assert tray.toggle_action.text() == "Show overlay"
    tray.toggle_action.trigger()
    assert window.isVisible()
    with qtbot.waitSignal(window.call_finished, timeout=5000):
        tray.end_action.trigger()
    assert tray.start_action.isEnabled()
    tray.menu.actions()[-1].trigger()
    assert quits == [True]

