"""Where the overlay sits: kept whole on a screen, its place remembered only where the agent
(or the window itself) put it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect

from callassist.settings import Settings, SettingsError, load_settings, save_settings
from callassist.ui.desktop import kept_on_screen
from callassist.ui.overlay import EXPANDED

SCREEN = QRect(0, 0, 1600, 1000)


def test_a_window_running_off_the_bottom_moves_up_just_enough():
    assert kept_on_screen(QRect(505, 700, 470, 586), [SCREEN]) == QPoint(505, 414)


def test_a_window_on_a_screen_that_is_gone_comes_to_one_that_is_there():
    left = QRect(-1920, 0, 1920, 1080)  # unplugged: only SCREEN is left
    assert kept_on_screen(QRect(left.x() + 100, 50, 470, 150), [SCREEN]) == QPoint(0, 50)


def test_a_window_that_fits_stays_where_it_is():
    assert kept_on_screen(QRect(24, 24, 470, 150), [SCREEN]) == QPoint(24, 24)


def test_the_expanded_view_opened_low_is_moved_into_sight(qtbot, make_window, qsettings):
    qsettings.setValue("window/pos", QPoint(200, 700))  # saved in compact view, low down
    window = make_window("dev-001", mode=EXPANDED)
    area = window.screen().availableGeometry()
    assert window.frameGeometry().bottom() <= area.bottom()
    assert window.x() == 200


def test_moves_the_window_manager_makes_on_its_own_are_not_remembered(make_window, qsettings):
    window = make_window("dev-001")
    window.place(QPoint(300, 200))
    window.move(0, 0)  # e.g. a ConfigureNotify while the window is mapped or torn down
    window.shutdown()
    assert qsettings.value("window/pos") == QPoint(300, 200)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_text_colour_of_the_overlay_meets_wcag_aa_on_its_card():
    """4.5:1 against the card (#14171D) for every colour text is drawn in: the theme's, the
    style sheet's and the ones the panels write inline."""
    import re
    from pathlib import Path

    from callassist.ui import theme

    ui = Path(theme.__file__).parent
    sources = [ui / n for n in ("overlay.qss", "panels.py", "widgets.py", "overlay.py")]
    inline = {m.upper() for p in sources
              for m in re.findall(r"color:\s*#([0-9A-Fa-f]{6})", p.read_text())}
    named = {c.name()[1:].upper() for c in (theme.TEXT, theme.MUTED, theme.FAINT, theme.STEP_ON,
                                             theme.STEP_MANUAL, theme.WARNING, theme.REMINDER,
                                             theme.TONE_ALERT)}
    card = _luminance(theme.CARD.name()[1:])
    # The "+1" badge is dark text on the warning red.
    inline.discard(theme.CARD.name()[1:].upper())
    for colour in inline | named:
        ratio = (_luminance(colour) + 0.05) / (card + 0.05)
        assert ratio >= 4.5, f"#{colour} is {ratio:.2f}:1 on the card"


def _whole(label, window) -> bool:
    """All of the label's wrapped text fits in it, and all of it is inside the window."""
    inside = QRect(label.mapTo(window, QPoint(0, 0)), label.size())
    tall_enough = label.height() >= label.heightForWidth(label.width())
    return tall_enough and window.rect().contains(inside)


def test_the_expanded_view_shows_prompts_and_advice_whole_and_stays_on_screen(
    qtbot, make_window, qsettings, playbook,
):
    """A11: five warnings and then the summary, the window placed low on the screen: every
    step's prompt and the newest warning's advice are whole, and all of the window is on the
    screen (the offscreen screen is 800x600, smaller than the overlay's usual desk)."""
    from callassist.coach.events import WarningEvent
    from callassist.coach.kinds import STEP_IDS

    qsettings.setValue("window/pos", QPoint(200, 500))
    window = make_window("dev-001", mode=EXPANDED, speed=50.0)
    area = window.screen().availableGeometry()
    kinds = ["defensive", "blame", "hollow_apology", "defensive", "blame"]
    events = [WarningEvent(k, 2.0 + i, f"words number {i}", playbook.warnings[k].advice)
              for i, k in enumerate(kinds)]
    window._on_events(0.0, events)
    qtbot.waitUntil(lambda: window.height() > 560)  # it grew for the advice
    qtbot.wait(50)
    assert area.contains(window.frameGeometry())
    for sid in STEP_IDS:
        said = window.details._step_rows[sid][2]
        assert said.full_text() == playbook.steps[sid].prompt  # not cut with an ellipsis
        assert _whole(said, window)
    newest = window.details.warning_cards[0]
    assert newest.advice.text() == playbook.warnings["blame"].advice
    assert _whole(newest.advice, window)
    viewport = window.details.warnings_scroll.viewport()
    assert viewport.rect().contains(QRect(newest.mapTo(viewport, QPoint(0, 0)), newest.size()))

    # the summary joins the view: nothing squeezed, still on screen
    window._on_call_ended({"duration": 30.0, "steps": {s: {"covered": False} for s in STEP_IDS},
                           "warnings": [], "summary": {}}, "input_ended")
    qtbot.wait(50)
    assert window.summary.isVisible()
    assert area.contains(window.frameGeometry())
    assert _whole(window.details.warning_cards[0].advice, window)
    assert _whole(window.summary.warnings, window)

    # the next call gives the window back its own size
    window.dismiss_summary()
    window._reset_call_view()
    qtbot.waitUntil(lambda: window.height() == 560)


def test_above_fullscreen_is_a_yes_or_no_setting(monkeypatch):
    assert load_settings().above_fullscreen is False
    save_settings(Settings(agent="Dana", above_fullscreen=True))
    assert load_settings().above_fullscreen is True
    monkeypatch.setenv("CALLASSIST_ABOVE_FULLSCREEN", "no")
    assert load_settings().above_fullscreen is False
    monkeypatch.setenv("CALLASSIST_ABOVE_FULLSCREEN", "maybe")
    with pytest.raises(SettingsError, match="above_fullscreen 'maybe' is not true or false"):
        load_settings()
