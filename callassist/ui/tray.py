"""The tray icon: show or hide the overlay, start or end a call, quit. Only where the desktop
has a system tray."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from callassist.ui import theme
from callassist.ui.plain import plain_tooltip


def app_icon(in_call: bool = False) -> QIcon:
    """A rounded dark tile with four step dots, the last one red while in a call."""
    icon = QIcon()
    for size in (16, 22, 32, 48, 64):
        pm = QPixmap(size, size)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        tile = QPainterPath()
        tile.addRoundedRect(QRectF(0, 0, size, size), size * 0.22, size * 0.22)
        p.fillPath(tile, QColor(28, 32, 40))
        d = size * 0.17
        gap = (size - 4 * d) / 5
        for i in range(4):
            color = theme.WARNING if in_call and i == 3 else theme.STEP_ON
            p.setBrush(color)
            p.setPen(Qt.PenStyle.NoPen)
            p.drawEllipse(QRectF(gap + i * (d + gap), size / 2 - d / 2, d, d))
        p.end()
        icon.addPixmap(pm)
    return icon


class Tray(QSystemTrayIcon):
    def __init__(self, window: QWidget, start, end, quit_app, practise=None):
        super().__init__(app_icon(), window)
        self.window = window
        self.setToolTip("CallAssist")
        menu = QMenu()
        self.toggle_action = QAction("Hide overlay", menu)
        self.toggle_action.triggered.connect(self.toggle_window)
        self.start_action = QAction("Start call", menu)
        self.start_action.triggered.connect(start)
        self.end_action = QAction("End call", menu)
        self.end_action.triggered.connect(end)
        quit_action = QAction("Quit", menu)
        quit_action.triggered.connect(quit_app)
        for action in (self.toggle_action, self.start_action, self.end_action):
            menu.addAction(action)
        if practise is not None:
            from callassist.ui.practice_menu import practice_menu

            self.practice_menu = practice_menu(menu, practise)
            menu.addMenu(self.practice_menu)
        menu.addSeparator()
        menu.addAction(quit_action)
        menu.aboutToShow.connect(self._refresh)
        self.menu = menu
        self.setContextMenu(menu)
        self.activated.connect(self._activated)
        self.set_in_call(False)

    def set_in_call(self, in_call: bool) -> None:
        self.start_action.setEnabled(not in_call)
        self.end_action.setEnabled(in_call)
        self.setIcon(app_icon(in_call))
        self.setToolTip(plain_tooltip("CallAssist: in a call" if in_call else "CallAssist"))

    def toggle_window(self) -> None:
        self.window.setVisible(not self.window.isVisible())
        self._refresh()

    def _refresh(self) -> None:
        self.toggle_action.setText("Hide overlay" if self.window.isVisible() else "Show overlay")

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.toggle_window()


def make_tray(window, start, end, quit_app, practise=None) -> Tray | None:
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    tray = Tray(window, start, end, quit_app, practise)
    tray.show()
    return tray
