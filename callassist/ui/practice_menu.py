"""The Practice entry of the overlay (right-click) and the tray: one item per scenario; picking
one runs a practice call in the overlay."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMenu, QWidget

from callassist.practice.scenario import ScenarioError, default_folders, scan_scenarios
from callassist.ui.plain import plain_tooltip


def practice_menu(parent: QWidget | None, pick: Callable[[str], None]) -> QMenu:
    menu = QMenu("Practice", parent)
    try:
        scenarios, problems = scan_scenarios(default_folders())
    except ScenarioError as e:  # the folders themselves cannot be read
        scenarios, problems = [], [str(e)]
    for s in scenarios:
        action = menu.addAction(s.title, lambda sid=s.id: pick(sid))
        action.setToolTip(plain_tooltip(s.situation))
    for problem in problems:  # a trainer's broken file: said, and the others still offered
        menu.addAction(f"skipped {problem}").setEnabled(False)
    return menu
