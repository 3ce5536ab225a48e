"""One call on a time axis: customer and agent speech as bands, the customer's frustration as
an orange band (taller = angrier), then the steps, warnings, reminders and the supervisor's
notes as markers. Hover for details; click a marker to jump to that moment."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from callassist.coach.assessment import frustration_moments
from callassist.coach.labels import LABELS
from callassist.format import PALETTE, clock
from callassist.store import StoredCall
from callassist.ui.plain import plain_tooltip

COLOURS = {row: QColor(colour) for row, colour in PALETTE.items()}
ROWS = ("customer", "upset", "agent", "step", "warning", "reminder", "note")
ROW_LABELS = {"customer": "Customer", "upset": "Upset", "agent": "Agent", "step": "Steps",
              "warning": "Warnings", "reminder": "Reminders", "note": "Notes"}
# Marker rows are taller: their labels take two lanes so close markers stay readable.
ROW_HEIGHTS = {"customer": 22, "upset": 22, "agent": 22, "step": 38, "warning": 38,
               "reminder": 22, "note": 22}
CUES = {"complaint": "complained", "words": "angry words", "voice": "raised voice"}
LEFT, RIGHT, TOP, AXIS_H = 86, 16, 8, 22
LANE = 9


@dataclass(frozen=True)
class Marker:
    row: str
    at: float
    label: str
    tip: str
    strength: int = 0


def markers(call: StoredCall, notes: list | None = None) -> list[Marker]:
    rep = call.report
    out = [Marker("upset", float(m["at"]), CUES[m["cue"]],
                  f"Customer {CUES[m['cue']]} at {clock(m['at'])}\n{m['evidence']}".strip(),
                  m["strength"])
           for m in frustration_moments(rep) if m["at"] is not None]
    out += [Marker("note", float(n.at), "note", f"{n.author} at {clock(n.at)}: {n.text}")
            for n in notes or [] if n.at is not None]
    for sid, s in rep.get("steps", {}).items():
        if s.get("covered"):
            how = " (ticked by hand)" if s.get("manual") else ""
            out.append(Marker("step", float(s["at"]), LABELS.get(sid, sid),
                              f"{LABELS.get(sid, sid)} at {clock(s['at'])}{how}\n"
                              f"{s.get('evidence') or ''}".strip()))
    for w in rep.get("warnings", []):
        kind = w["kind"].replace("_", " ")
        out.append(Marker("warning", float(w["at"]), kind,
                          f"{kind} at {clock(w['at'])}\n{w.get('evidence') or ''}".strip()))
    for r in rep.get("reminders", []):
        out.append(Marker("reminder", float(r["at"]), r["kind"],
                          f"{r['kind']} at {clock(r['at'])}: {r.get('text', '')}"))
    return out


class TimelineWidget(QWidget):
    timeClicked = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.call: StoredCall | None = None
        self._markers: list[Marker] = []
        self._duration = 1.0
        self.setMouseTracking(True)
        self.setMinimumHeight(TOP + sum(ROW_HEIGHTS.values()) + AXIS_H)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_call(self, call: StoredCall | None, notes: list | None = None) -> None:
        self.call = call
        self._markers = markers(call, notes) if call else []
        if call:
            ends = [s.end for s in call.speech] + [m.at for m in self._markers]
            self._duration = max([call.row.duration, *ends, 1.0])
        else:
            self._duration = 1.0  # no call: no leftover axis from the previous one
        self.update()

    def sizeHint(self):
        return self.minimumSizeHint().expandedTo(self.minimumSize())

    def x_of(self, t: float) -> float:
        """Where a moment of the call is drawn (also where a click on it lands)."""
        width = max(1.0, self.width() - LEFT - RIGHT)
        return LEFT + width * min(max(t, 0.0), self._duration) / self._duration

    def y_of(self, row: str) -> float:
        """The middle of a row (customer, agent, step, warning, ...)."""
        above = sum(ROW_HEIGHTS[r] for r in ROWS[: ROWS.index(row)])
        return TOP + above + ROW_HEIGHTS[row] / 2

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        fm = QFontMetrics(self.font())
        muted = self.palette().placeholderText().color()
        for row in ROWS:
            y = self.y_of(row)
            p.setPen(muted)
            p.drawText(QRectF(6, y - ROW_HEIGHTS[row] / 2, LEFT - 10, ROW_HEIGHTS[row]),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, ROW_LABELS[row])
            p.setPen(QPen(QColor(0, 0, 0, 22), 1))
            p.drawLine(QPointF(LEFT, y), QPointF(self.width() - RIGHT, y))
        bottom = TOP + sum(ROW_HEIGHTS.values())
        # time axis: about one tick per 90 px, on round seconds
        span = self._duration
        step = next((s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800)
                     if (self.width() - LEFT - RIGHT) / max(span / s, 1) >= 70), 3600)
        t = 0.0
        while t <= span + 1e-6:
            x = self.x_of(t)
            p.setPen(QPen(QColor(0, 0, 0, 14), 1))
            p.drawLine(QPointF(x, TOP), QPointF(x, bottom))
            p.setPen(muted)
            p.drawText(QRectF(x - 30, bottom + 2, 60, AXIS_H - 4), Qt.AlignmentFlag.AlignCenter,
                       clock(t))
            t += step
        if self.call is None:
            return
        for s in self.call.speech:
            row = s.speaker if s.speaker in ("customer", "agent") else "agent"
            y = self.y_of(row)
            x0, x1 = self.x_of(s.start), self.x_of(s.end)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(COLOURS[row])
            p.drawRoundedRect(QRectF(x0, y - 7, max(x1 - x0, 2.0), 14), 3, 3)
        lanes_end: dict[tuple[str, int], float] = {}
        for m in sorted(self._markers, key=lambda m: m.at):
            x, y = self.x_of(m.at), self.y_of(m.row)
            colour = COLOURS[m.row]
            p.setPen(QPen(colour.darker(120), 1))
            p.setBrush(colour)
            path = QPainterPath()
            if m.row == "step":
                path.moveTo(x, y - 7)
                path.lineTo(x + 7, y)
                path.lineTo(x, y + 7)
                path.lineTo(x - 7, y)
            elif m.row == "warning":
                path.moveTo(x, y - 7)
                path.lineTo(x + 7, y + 6)
                path.lineTo(x - 7, y + 6)
            elif m.row == "upset":
                half = 2 + 3 * m.strength
                path.addRect(QRectF(x - 4, y - half, 8, 2 * half))
            elif m.row == "note":
                path.addRect(QRectF(x - 4, y - 6, 8, 12))
            else:
                path.addEllipse(QPointF(x, y), 4.5, 4.5)
            path.closeSubpath()
            p.drawPath(path)
            if m.row in ("step", "warning"):
                label = m.label if m.row == "warning" else m.label.split()[0]
                w = fm.horizontalAdvance(label)
                # The upper lane first, then the lower one; a label with no room is left to
                # the tooltip rather than drawn over another.
                for lane, dy in ((0, -LANE), (1, LANE)):
                    if x + 9 > lanes_end.get((m.row, lane), -1.0) and x + 9 + w < self.width():
                        p.setPen(colour.darker(140))
                        p.drawText(QPointF(x + 9, y + dy + fm.ascent() / 2 - 1), label)
                        lanes_end[(m.row, lane)] = x + 15 + w
                        break

    def _marker_at(self, pos: QPointF) -> Marker | None:
        best = None
        for m in self._markers:
            d = abs(self.x_of(m.at) - pos.x()) + abs(self.y_of(m.row) - pos.y())
            if d < 12 and (best is None or d < best[0]):
                best = (d, m)
        return best[1] if best else None

    def _time_at(self, x: float) -> float:
        width = max(1.0, self.width() - LEFT - RIGHT)
        return min(max((x - LEFT) / width, 0.0), 1.0) * self._duration

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        m = self._marker_at(event.position())
        if m:
            QToolTip.showText(event.globalPosition().toPoint(), plain_tooltip(m.tip), self)
        else:
            QToolTip.hideText()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.call is None or event.position().x() < LEFT:
            return
        m = self._marker_at(event.position())
        self.timeClicked.emit(m.at if m else self._time_at(event.position().x()))
