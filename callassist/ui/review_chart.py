"""The team view's chart: for each ASAP step, how often each agent covered it, week by week.
Drawn with QPainter (QtCharts is not part of PySide6-Essentials)."""

from __future__ import annotations

import itertools
import time

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from callassist.coach.kinds import STEP_IDS
from callassist.coach.labels import LABELS

AGENT_COLOURS = [QColor(c) for c in (
    "#1F77B4", "#E4572E", "#2CA02C", "#9467BD", "#D4A017", "#17BECF", "#8C564B", "#E377C2",
    "#7F7F7F", "#BCBD22",
)]


def agent_colour(index: int) -> QColor:
    return AGENT_COLOURS[index % len(AGENT_COLOURS)]


class CoverageChart(QWidget):
    """`set_rows(Store.coverage(...))`: rows {agent, day, calls, upset, <step>: covered
    count}. Shares are of the upset calls, the only ones that needed the steps."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.agents: list[str] = []
        self.periods: list[int] = []
        self.series: dict[str, dict[str, dict[int, tuple[int, int]]]] = {}
        self.setMinimumSize(560, 380)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_rows(self, rows: list[dict]) -> None:
        self.agents = sorted({r["agent"] for r in rows})
        self.periods = sorted({r["day"] for r in rows})
        self.series = {sid: {a: {} for a in self.agents} for sid in STEP_IDS}
        for r in rows:
            for sid in STEP_IDS:
                self.series[sid][r["agent"]][r["day"]] = (r[sid], r["upset"])
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        fm = QFontMetrics(self.font())
        muted = self.palette().placeholderText().color()
        if not self.agents:
            p.setPen(muted)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No calls in this period.")
            return
        # legend
        x, legend_h = 12.0, fm.height() + 12
        for i, agent in enumerate(self.agents):
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(agent_colour(i))
            p.drawRoundedRect(QRectF(x, 10, 12, 12), 2, 2)
            p.setPen(self.palette().text().color())
            p.drawText(QPointF(x + 17, 10 + fm.ascent() - 1), agent)
            x += 17 + fm.horizontalAdvance(agent) + 18
        area = QRectF(0, legend_h, self.width(), self.height() - legend_h)
        cols = 2
        w, h = area.width() / cols, area.height() / 2
        for k, sid in enumerate(STEP_IDS):
            cell = QRectF(area.x() + (k % cols) * w, area.y() + (k // cols) * h, w, h)
            self._panel(p, cell.adjusted(8, 6, -8, -6), sid, fm, muted)

    def _panel(self, p: QPainter, r: QRectF, sid: str, fm: QFontMetrics, muted: QColor) -> None:
        p.setPen(self.palette().text().color())
        title_font = p.font()
        title_font.setBold(True)
        p.save()
        p.setFont(title_font)
        p.drawText(QPointF(r.x(), r.y() + fm.ascent()), LABELS[sid])
        p.restore()
        plot = QRectF(r.x() + 40, r.y() + fm.height() + 8, r.width() - 52,
                      r.height() - 2 * fm.height() - 16)
        for pct in (0, 50, 100):
            y = plot.bottom() - plot.height() * pct / 100
            p.setPen(QPen(QColor(0, 0, 0, 28 if pct else 60), 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(muted)
            p.drawText(QRectF(r.x(), y - 8, 34, 16),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{pct}%")
        n = len(self.periods)

        def px(i: int) -> float:
            return plot.center().x() if n == 1 else plot.left() + plot.width() * i / (n - 1)

        every = max(1, round(n / max(1, plot.width() / 70)))
        for i, day in enumerate(self.periods):
            if i % every == 0 or i == n - 1:
                p.setPen(muted)
                label = time.strftime("%d %b", time.gmtime(day * 86400))
                p.drawText(QRectF(px(i) - 30, plot.bottom() + 3, 60, fm.height()),
                           Qt.AlignmentFlag.AlignCenter, label)
        for a, agent in enumerate(self.agents):
            colour = agent_colour(a)
            points = []
            for i, day in enumerate(self.periods):
                covered, calls = self.series[sid][agent].get(day, (0, 0))
                if calls:
                    points.append((QPointF(px(i), plot.bottom() - plot.height() * covered / calls),
                                   calls))
            p.setPen(QPen(colour, 2))
            for (p0, _), (p1, _) in itertools.pairwise(points):
                p.drawLine(p0, p1)
            p.setBrush(colour)
            for pt, calls in points:
                radius = 2.5 + min(calls, 9) * 0.35  # bigger dots for weeks with more calls
                p.setPen(QPen(self.palette().base().color(), 1))
                p.drawEllipse(pt, radius, radius)
