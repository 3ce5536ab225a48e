"""The Practice entry of the overlay (right-click) and the tray: one item per scenario; picking
one runs a practice call in the overlay."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMenu, QWidget

from callassist.practice.scenario import ScenarioError, default_folders, load_scenarios


def practice_menu(parent: QWidget | None, pick: Callable[[str], None]) -> QMenu:
    menu = QMenu("Practice", parent)
    try:
        scenarios = load_scenarios(default_folders())
    except ScenarioError as e:  # a trainer's broken file: say which, offer none
        menu.addAction(str(e)).setEnabled(False)
        return menu
    for s in scenarios:
        action = menu.addAction(s.title, lambda sid=s.id: pick(sid))
        action.setToolTip(s.situation)
    return menu
