"""Where the overlay is and how big: the compact and expanded views and their sizes, the place
the agent dragged it to (remembered; the window manager's own moves are not), kept whole on a
screen, pinned to every desktop. A mixin of OverlayWindow (ui/overlay.py)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QMouseEvent

from callassist.ui.desktop import kept_on_screen, pin_on_x11, screen_areas
from callassist.ui.hotkeys import SHORTCUTS
from callassist.ui.plain import plain_tooltip

COMPACT, EXPANDED = "compact", "expanded"
DEFAULT_SIZES = {COMPACT: QSize(470, 150), EXPANDED: QSize(470, 560)}
MIN_WIDTH = 400


class WindowPlacement:
    """The view, the size and the place of the window."""

    def toggle_mode(self) -> None:
        self._remember_size()
        self.mode = EXPANDED if self.mode == COMPACT else COMPACT
        self._apply_mode(restore_size=True)
        self.settings.setValue("window/mode", self.mode)
        self.mode_changed.emit(self.mode)

    def _apply_mode(self, restore_size: bool) -> None:
        expanded = self.mode == EXPANDED
        self.details.setVisible(expanded)
        self.mode_button.setText("▴" if expanded else "▾")
        self.mode_button.setToolTip(
            plain_tooltip(f"{'Compact' if expanded else 'Expanded'} view ({SHORTCUTS['mode']})"))
        if restore_size:
            size = self.settings.value(f"window/{self.mode}_size", DEFAULT_SIZES[self.mode])
            self._chosen = size if isinstance(size, QSize) else DEFAULT_SIZES[self.mode]
            self._fit_content(self._chosen)

    def _fit_content(self, size: QSize | None = None) -> None:
        """Compact mode is as tall as its content. Expanded mode is the agent's size, grown
        to show every step's prompt and every warning's advice whole (and the summary beside
        them) as far as the screen allows, and back to the agent's size when that is enough;
        past the screen's height the older warnings scroll. Either way all of it stays on
        the screen (A11)."""
        layout = self.layout()
        width = max((size or self.size()).width(), MIN_WIDTH)
        # Cached size hints would be those from before the latest warning card.
        for part in (self.details.warnings_scroll, self.details, self.summary):
            part.updateGeometry()
        self.details.layout().invalidate()
        layout.invalidate()
        layout.activate()
        if layout.hasHeightForWidth():
            need = layout.totalHeightForWidth(width)
        else:
            need = layout.totalSizeHint().height()
        if self.mode == EXPANDED:
            need = max(need, (size or self._chosen).height())
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().height() if screen is not None else need
        self._fitted = QSize(width, min(need, room))
        self.resize(self._fitted)
        if self._placed is not None:
            self.keep_on_screen()  # the expanded view grows down: keep all of it in sight

    def _refit_later(self) -> None:
        QTimer.singleShot(0, self._fit_content)

    def _restore_position(self) -> None:
        pos = self.settings.value("window/pos")
        screen = QGuiApplication.primaryScreen()
        if isinstance(pos, QPoint):
            self.place(kept_on_screen(QRect(pos, self.frameGeometry().size()), screen_areas()))
        elif screen is not None:
            area = screen.availableGeometry()
            self.place(QPoint(area.right() - self.width() - 24, area.top() + 24))

    def place(self, pos: QPoint) -> None:
        """Puts the window at `pos` and remembers it there."""
        self._placed = QPoint(pos)
        self.move(pos)

    def keep_on_screen(self) -> None:
        """All of the window on a screen: after it grows (the expanded view), and when the
        screens change (a monitor unplugged, the resolution changed)."""
        if self.quitting:
            return
        frame = QRect(self._placed or self.pos(), self.frameGeometry().size())
        pos = kept_on_screen(frame, screen_areas())
        if pos != frame.topLeft():
            self.place(pos)

    def _watch_screen(self, screen) -> None:
        screen.availableGeometryChanged.connect(lambda _: QTimer.singleShot(0, self.keep_on_screen))

    def _remember_size(self) -> None:
        """The agent's size (the grip), not the one the window grew to for its content."""
        self.settings.setValue(f"window/{self.mode}_size",
                               QSize(self.width(), self._chosen.height()))

    def save_settings(self) -> None:
        self._remember_size()
        if self._placed is not None:
            self.settings.setValue("window/pos", self._placed)
        self.settings.setValue("window/mode", self.mode)
        self.settings.sync()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        # The agent reached for the overlay: its keys (1-4, Esc, shortcuts) should work now.
        self.activateWindow()
        self._dragging = True
        self._drag_poll.start()
        handle = self.windowHandle()
        if not self.bypasses_wm and handle is not None and handle.startSystemMove():
            self._drag_from = None
        else:
            self._drag_from = event.globalPosition().toPoint() - self.pos()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move(event.globalPosition().toPoint() - self._drag_from)
            event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_from = None
        self._end_drag()
        super().mouseReleaseEvent(event)

    def _check_drag_end(self) -> None:
        """The window manager moves the window for the agent (startSystemMove) and sends no
        release: the drag ends when the button is up."""
        if not QGuiApplication.mouseButtons() & Qt.MouseButton.LeftButton:
            self._end_drag()

    def _end_drag(self) -> None:
        self._drag_poll.stop()
        if self._dragging:
            self._dragging = False
            self._placed = self.pos()
            self.keep_on_screen()
            self.settings.setValue("window/pos", self._placed)

    def moveEvent(self, event) -> None:
        super().moveEvent(event)
        if self._dragging:
            self._placed = self.pos()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # On every virtual desktop and above other windows (where the window manager allows).
        QTimer.singleShot(0, self._pin)

    def _pin(self) -> None:
        if self.bypasses_wm:
            self._stay_on_top.start()
        elif self.isVisible():
            self.desktop_problem = pin_on_x11(int(self.winId()))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fitted is not None and event.size() != self._fitted:
            self._chosen = event.size()  # the agent resized it (the grip, the window manager)
        self.grip.move(self.width() - self.grip.width() - 3, self.height() - self.grip.height() - 3)
        self.grip.raise_()
