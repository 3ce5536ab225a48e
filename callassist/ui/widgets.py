"""The overlay's small parts: step chips, the level meter, the one-line message, tone lights and
the status banner. Each paints itself from plain state so a glance is enough."""

from __future__ import annotations

from PySide6.QtCore import (
    Property,
    QEasingCurve,
    QPropertyAnimation,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMenu,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from callassist.ui import theme
from callassist.ui.plain import Label, plain_tooltip


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
        round(a.alpha() + (b.alpha() - a.alpha()) * t),
    )


def _alpha(c: QColor, alpha: int) -> QColor:
    out = QColor(c)
    out.setAlpha(alpha)
    return out


class StepChip(QWidget):
    """One ASAP step: dim with its shortcut number until covered, then lit with a check mark.
    A click ticks it by hand; a stray click never unticks it: that takes the right-click
    menu's "Untick". A step the coach took back says why in its tooltip."""

    clicked = Signal(str)         # tick by hand
    untick_requested = Signal(str)

    def __init__(self, step: str, label: str, number: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.step = step
        self.label = label
        self.number = number
        self.covered = False
        self.manual = False
        self.changed_at: float | None = None  # perf_counter when the event that changed it left
        self.taken_back = ""  # why the coach took the step back, while it is not covered
        self._glow = 0.0
        self._glow_anim = QPropertyAnimation(self, b"glow", self)
        self._glow_anim.setDuration(700)
        self._glow_anim.setStartValue(1.0)
        self._glow_anim.setEndValue(0.0)
        self._glow_anim.setEasingCurve(QEasingCurve.Type.OutCubic)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(30)
        self._update_tooltip()

    def set_state(self, covered: bool, manual: bool = False, taken_back: str = "") -> None:
        self.taken_back = "" if covered else taken_back
        if (covered, manual) == (self.covered, self.manual):
            self._update_tooltip()
            return
        lit = covered and not self.covered
        self.covered, self.manual = covered, manual
        self._update_tooltip()
        if lit:
            self._glow_anim.start()
        self.update()

    def _update_tooltip(self) -> None:
        if self.covered:
            how = "ticked by hand" if self.manual else "covered"
            self.setToolTip(plain_tooltip(f"{self.label}: {how}. Right-click to untick."))
        elif self.taken_back:
            self.setToolTip(plain_tooltip(f"{self.label}: taken back ({self.taken_back}). "
                            f"Press {self.number} or click to tick by hand."))
        else:
            self.setToolTip(plain_tooltip(
                f"{self.label}: not yet. Press {self.number} or click to tick by hand."))

    def _get_glow(self) -> float:
        return self._glow

    def _set_glow(self, value: float) -> None:
        self._glow = value
        self.update()

    glow = Property(float, _get_glow, _set_glow)

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance(f"✓  {self.label}") + 20, 30)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self.label) + 14, 30)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            if not self.covered:
                self.clicked.emit(self.step)
            event.accept()
        else:
            super().mousePressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if not self.covered:
            return super().contextMenuEvent(event)
        menu = QMenu(self)
        untick = menu.addAction(f"Untick {self.label}")
        untick.triggered.connect(lambda: self.untick_requested.emit(self.step))
        menu.exec(event.globalPos())
        event.accept()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        accent = theme.STEP_MANUAL if self.manual else theme.STEP_ON
        if self.covered:
            fill = _mix(_alpha(accent, 44), _alpha(accent, 150), self._glow)
            border = accent
            text = theme.TEXT
        else:
            fill = QColor(255, 255, 255, 8)
            border = QColor(255, 255, 255, 34)
            text = theme.MUTED
        path = QPainterPath()
        path.addRoundedRect(r, r.height() / 2, r.height() / 2)
        p.fillPath(path, fill)
        pen = QPen(border, 1.0)
        if self.covered and self.manual:
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawPath(path)
        fm = self.fontMetrics()
        mark = "✓" if self.covered else str(self.number)
        body = fm.elidedText(self.label, Qt.TextElideMode.ElideRight, int(r.width()) - 30)
        gap = fm.horizontalAdvance("  ")
        width = fm.horizontalAdvance(mark) + gap + fm.horizontalAdvance(body)
        x = r.center().x() - width / 2
        y = r.center().y() + (fm.ascent() - fm.descent()) / 2
        p.setPen(accent if self.covered else theme.FAINT)
        p.drawText(int(x), int(y), mark)
        p.setPen(text)
        p.drawText(int(x + fm.horizontalAdvance(mark) + gap), int(y), body)


class LevelMeter(QWidget):
    """The agent's microphone level: a slim bar that falls back smoothly. Its timer only runs
    while the bar is moving, so an idle call costs no repaints."""

    FLOOR_DB = -60.0

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.level = 0.0  # 0..1
        self._decay = QTimer(self)
        self._decay.setInterval(50)
        self._decay.timeout.connect(self._fall)
        self.setFixedSize(64, 8)
        self.setToolTip("Microphone level")

    def set_dbfs(self, dbfs: float) -> None:
        value = min(1.0, max(0.0, (dbfs - self.FLOOR_DB) / -self.FLOOR_DB))
        if value > self.level:
            self.level = value
            self.update()
        if self.level > 0 and not self._decay.isActive():
            self._decay.start()

    def _fall(self) -> None:
        self.level = max(0.0, self.level - 0.04)
        if self.level == 0.0:
            self._decay.stop()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect())
        track = QPainterPath()
        track.addRoundedRect(r, 4, 4)
        p.fillPath(track, QColor(255, 255, 255, 20))
        if self.level <= 0:
            return
        bar = QPainterPath()
        bar.addRoundedRect(QRectF(r.x(), r.y(), max(r.height(), r.width() * self.level),
                                  r.height()), 4, 4)
        p.fillPath(bar, theme.LEVEL_HOT if self.level > 0.9 else theme.LEVEL)


class ElidedLabel(Label):
    """A one-line label that ends in "…" when it does not fit; the full text is the tooltip."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__("", parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(plain_tooltip(text))
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(10, self.width())
        super().setText(
            self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width)
        )


class WrapLabel(Label):
    """A label that wraps instead of cutting its text: advice is never shown as a fragment."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)

    def full_text(self) -> str:
        return self.text()

    def set_full_text(self, text: str) -> None:
        self.setText(text)


class MessageLine(QFrame):
    """The one line for what the agent needs to see now (the window's AttentionQueue picks
    it): a warning with the sentence to say, a withdrawn warning's note, a prompt, a reminder;
    "+1" when more warnings wait. With nothing to show, it quietly names the next step."""

    dismissed = Signal()
    changed = Signal()  # its height may have changed: the window refits

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = ""        # "warning", "note" or "reminder" while an item shows
        self.warning_kind = ""
        self.changed_at: float | None = None  # perf_counter when its warning left the coach
        self.setObjectName("messageLine")
        self.setMinimumHeight(30)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 2, 4)
        lay.setSpacing(8)
        self.dot = Label("●")
        self.title = Label()
        self.title.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.text = WrapLabel()
        self.more = Label()
        self.more.setObjectName("moreBadge")
        self.more.setToolTip("More warnings wait behind this one: Esc or × shows the next")
        self.close_button = QPushButton("×")
        self.close_button.setObjectName("iconButton")
        self.close_button.setToolTip("Dismiss (Esc)")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self.dismissed)
        lay.addWidget(self.dot, 0, Qt.AlignmentFlag.AlignVCenter)
        lay.addWidget(self.title, 0, Qt.AlignmentFlag.AlignVCenter)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.more, 0, Qt.AlignmentFlag.AlignVCenter)
        lay.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._accent = theme.REMINDER
        self._hint = ""
        self.show_hint()

    def set_hint(self, text: str) -> None:
        """Quiet text for when there is nothing to say (the next step's prompt)."""
        self._hint = text
        if not self.kind:
            self.show_hint()

    def show_item(
        self, kind: str, title: str, text: str, accent: QColor, more: int = 0,
        warning_kind: str = "", tooltip: str = "",
    ) -> None:
        self.kind = kind
        self.warning_kind = warning_kind
        self._accent = accent
        self.dot.setStyleSheet(f"color: {accent.name()}; font-size: 8pt;")
        self.title.setStyleSheet(f"color: {accent.name()}; font-weight: 600;")
        self.title.setText(title)
        self.title.setVisible(bool(title))
        self.text.setStyleSheet(f"color: {theme.TEXT.name()};")
        self._set_text(text, tooltip or text)
        self.more.setText(f"+{more}" if more else "")
        self.more.setVisible(bool(more))
        self.dot.show()
        self.close_button.show()
        self.update()

    def show_hint(self) -> None:
        self.kind = ""
        self.warning_kind = ""
        self.title.setText("")
        self.title.hide()
        self.more.hide()
        self.text.setStyleSheet(f"color: {theme.MUTED.name()};")
        self._set_text(self._hint, self._hint)
        self.dot.hide()
        self.close_button.hide()
        self.update()

    def _set_text(self, text: str, tooltip: str) -> None:
        if text != self.text.text():
            self.text.setText(text)
            self.changed.emit()
        self.text.setToolTip(plain_tooltip(tooltip))

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.kind:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        path = QPainterPath()
        path.addRoundedRect(r, 7, 7)
        strong = self.kind == "warning"
        p.fillPath(path, _alpha(self._accent, 30 if strong else 18))
        p.setPen(QPen(_alpha(self._accent, 90 if strong else 50), 1.0))
        p.drawPath(path)


class ToneLight(QWidget):
    """One tone indicator (volume, pace, turn-taking): calm green dot, amber while its warning is
    recent, calm again after `calm_after_s`."""

    def __init__(self, kind: str, label: str, calm_after_s: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self.label = label
        self.alert = False
        self._calm = QTimer(self)
        self._calm.setSingleShot(True)
        self._calm.setInterval(round(calm_after_s * 1000))
        self._calm.timeout.connect(self.calm_down)
        self.setFixedHeight(24)
        self.setToolTip(plain_tooltip(f"{label}: fine"))

    def fire(self, detail: str = "") -> None:
        self.alert = True
        self.setToolTip(plain_tooltip(f"{self.label}: {detail}" if detail else self.label))
        self._calm.start()
        self.update()

    def calm_down(self) -> None:
        self.alert = False
        self.setToolTip(plain_tooltip(f"{self.label}: fine"))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self.label) + 34, 24)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        color = theme.TONE_ALERT if self.alert else theme.STEP_ON
        path = QPainterPath()
        path.addRoundedRect(r, r.height() / 2, r.height() / 2)
        p.fillPath(path, _alpha(color, 40 if self.alert else 12))
        p.setPen(QPen(_alpha(color, 160 if self.alert else 50), 1.0))
        p.drawPath(path)
        p.setBrush(_alpha(color, 255 if self.alert else 150))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(QRectF(r.x() + 9, r.center().y() - 3.5, 7, 7))
        fm = self.fontMetrics()
        p.setPen(theme.TEXT if self.alert else theme.MUTED)
        p.drawText(int(r.x() + 22), int(r.center().y() + (fm.ascent() - fm.descent()) / 2),
                   self.label)


class StatusBanner(QFrame):
    """What the agent should know about the machine: the model loading, the fallback engine in
    use (with a download button and progress), no microphone. Hidden when all is well."""

    action = Signal()
    changed = Signal()  # shown, hidden or its text changed: the window may need to refit

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("banner")
        self.state = ""
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 5, 6, 5)
        lay.setSpacing(8)
        self.text = Label()
        self.text.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(90)
        self.button = QPushButton()
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.action)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.progress)
        lay.addWidget(self.button)
        self.hide()

    def show_state(
        self, state: str, text: str, level: str = "info", button: str = "",
        busy: bool = False,
    ) -> None:
        self.state = state
        self.setProperty("level", level)
        self.style().unpolish(self)
        self.style().polish(self)
        self.text.setText(text)
        self.button.setText(button)
        self.button.setVisible(bool(button))
        if busy:
            self.progress.setRange(0, 0)
        self.progress.setVisible(busy)
        self.show()
        self.changed.emit()

    def show_progress(self, done: float, total: float) -> None:
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(round(1000 * done / total))
        else:
            self.progress.setRange(0, 0)
        self.progress.show()

    def clear(self) -> None:
        self.state = ""
        self.hide()
        self.changed.emit()
