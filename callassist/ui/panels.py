"""The expanded view (each step with its time and words, tone lights, warnings with advice, the
live transcript) and the end-of-call summary."""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from callassist.coach.checklist import StepState, checklist
from callassist.coach.events import StepEvent, TranscriptEvent, WarningEvent
from callassist.coach.report import Report
from callassist.format import clock
from callassist.ui import theme
from callassist.ui.plain import Label, rich_label
from callassist.ui.widgets import ToneLight, WrapLabel

# How each checklist state shows on the end-of-call summary.
_STATE_MARKS = {StepState.COVERED: ("✓", theme.STEP_ON), StepState.MISSED: ("○", theme.TONE_ALERT),
                StepState.NOT_NEEDED: ("·", theme.MUTED)}

TONE_LIGHTS = (("too_loud", "Volume"), ("too_fast", "Pace"), ("monologue", "Turn-taking"))
TONE_CALM_AFTER_S = 20.0
TICKER_LINES = 3


def _title(text: str) -> Label:
    label = Label(text.upper())
    label.setObjectName("sectionTitle")
    return label


def _divider() -> QFrame:
    line = QFrame()
    line.setObjectName("divider")
    return line


class WarningCard(QFrame):
    def __init__(self, title: str, event: WarningEvent, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("warningCard")
        self.kind = event.kind
        self.at = event.at
        self.title = title
        self.withdrawn = ""
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 7)
        lay.setSpacing(2)
        head = QHBoxLayout()
        kind = Label(title)
        kind.setObjectName("warningKind")
        self.kind_label = kind
        at = Label(clock(event.at))
        at.setObjectName("stepTime")
        head.addWidget(kind)
        head.addStretch(1)
        head.addWidget(at)
        lay.addLayout(head)
        if event.evidence:
            said = WrapLabel(f"“{event.evidence}”")
            said.setObjectName("evidence")
            lay.addWidget(said)
        self.advice = WrapLabel(event.advice)
        self.advice.setObjectName("advice")
        lay.addWidget(self.advice)

    def withdraw(self, note: str) -> None:
        """Taken back (owned right after, or not said after all): it stays, marked so."""
        self.withdrawn = note
        self.setObjectName("withdrawnCard")
        self.kind_label.setObjectName("withdrawnKind")
        self.kind_label.setText(f"{self.title} withdrawn: {note}")
        for w in (self, self.kind_label):
            w.style().unpolish(w)
            w.style().polish(w)


class WarningsArea(QScrollArea):
    """The warning cards, newest first. It asks for the height of all of them (the window
    grows to show them whole, as far as the screen allows) and never gets smaller than the
    newest card: its advice is always shown whole; older cards scroll."""

    def _content_height(self, newest_only: bool) -> int:
        box = self.widget()
        width = max(1, self.viewport().width() or self.width())
        lay = box.layout()
        cards = [lay.itemAt(i).widget() for i in range(lay.count())]
        # A card just added is shown by Qt a moment later: only what was hidden on purpose
        # (the "None so far." line) is left out.
        explicit = Qt.WidgetAttribute.WA_WState_ExplicitShowHide
        cards = [c for c in cards if c is not None
                 and not (c.isHidden() and c.testAttribute(explicit))]
        if newest_only:
            cards = cards[:1]
        m = lay.contentsMargins()
        inner = width - m.left() - m.right()
        heights = [c.heightForWidth(inner) if c.hasHeightForWidth() else c.sizeHint().height()
                   for c in cards]
        return (sum(heights) + lay.spacing() * max(0, len(heights) - 1)
                + m.top() + m.bottom() + 2 * self.frameWidth())

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._content_height(newest_only=False))

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), self._content_height(newest_only=True))


class ExpandedPanel(QWidget):
    """Shown under the chips in expanded mode."""

    def __init__(
        self, step_labels: dict[str, str], step_prompts: dict[str, str],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.step_labels = step_labels
        self.step_prompts = step_prompts
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)

        lay.addWidget(_title("Steps"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(2, 1)
        self._step_rows: dict[str, tuple[WrapLabel]] = {}
        for row, (sid, label) in enumerate(step_labels.items()):
            name = Label(label)
            at = Label("")
            at.setObjectName("stepTime")
            at.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            at.setMinimumWidth(34)
            said = WrapLabel("")  # the prompt, or the words: whole, never cut
            said.setObjectName("evidence")
            name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            at.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            grid.addWidget(name, row, 0)
            grid.addWidget(at, row, 1)
            grid.addWidget(said, row, 2)
            self._step_rows[sid] = (name, at, said)
        lay.addLayout(grid)

        lay.addWidget(_title("Tone"))
        tones = QHBoxLayout()
        tones.setSpacing(6)
        self.tone_lights = {k: ToneLight(k, label, TONE_CALM_AFTER_S) for k, label in TONE_LIGHTS}
        for light in self.tone_lights.values():
            tones.addWidget(light)
        tones.addStretch(1)
        lay.addLayout(tones)

        lay.addWidget(_title("Warnings"))
        self._warnings_box = QWidget()
        self._warnings_lay = QVBoxLayout(self._warnings_box)
        self._warnings_lay.setContentsMargins(0, 0, 4, 0)
        self._warnings_lay.setSpacing(6)
        self.no_warnings = Label("None so far.")
        self.no_warnings.setObjectName("muted")
        self._warnings_lay.addWidget(self.no_warnings)
        self._warnings_lay.addStretch(1)
        self.warnings_scroll = WarningsArea()
        self.warnings_scroll.setWidgetResizable(True)
        self.warnings_scroll.setWidget(self._warnings_box)
        self.warnings_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.warnings_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        lay.addWidget(self.warnings_scroll, 1)
        self.warning_cards: list[WarningCard] = []

        lay.addWidget(_divider())
        self.ticker = rich_label()
        self.ticker.setObjectName("ticker")
        self.ticker.setWordWrap(True)
        self.ticker.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        lay.addWidget(self.ticker)
        self._finals: list[tuple[str, str]] = []
        self._partial: tuple[str, str] | None = None
        self.reset()

    def reset(self) -> None:
        for sid in self._step_rows:
            self.set_step(sid, None)
        for card in self.warning_cards:
            card.deleteLater()
        self.warning_cards.clear()
        self.no_warnings.show()
        for light in self.tone_lights.values():
            light.calm_down()
        self._finals.clear()
        self._partial = None
        self._render_ticker()

    def set_step(self, sid: str, event: StepEvent | None, taken_back: str = "") -> None:
        name, at, said = self._step_rows[sid]
        if event is None or not event.covered:
            name.setStyleSheet("color: #8C95A3;")
            at.setText("")
            if taken_back:
                said.setStyleSheet(f"color: {theme.TONE_ALERT.name()};")
                said.set_full_text(f"taken back: {taken_back}")
            else:
                said.setStyleSheet(f"color: {theme.MUTED.name()};")
                said.set_full_text(self.step_prompts.get(sid, ""))
            return
        name.setStyleSheet("color: #7FB8E6;" if event.manual else "color: #3CC48F;")
        said.setStyleSheet("")
        at.setText(clock(event.at))
        said.set_full_text("ticked by hand" if event.manual else f"“{event.evidence}”")

    def add_warning(self, title: str, event: WarningEvent) -> None:
        card = WarningCard(title, event)
        self._warnings_lay.insertWidget(0, card)
        self.warning_cards.insert(0, card)
        self.no_warnings.hide()
        self.warnings_scroll.verticalScrollBar().setValue(0)
        light = self.tone_lights.get(event.kind)
        if light is not None:
            light.fire(event.evidence or event.advice)

    def withdraw_warning(self, kind: str, raised_at: float, note: str) -> None:
        for card in self.warning_cards:
            if card.kind == kind and abs(card.at - raised_at) < 1e-6:
                card.withdraw(note)

    def add_transcript(self, event: TranscriptEvent) -> None:
        if event.final:
            self._finals.append((event.speaker, event.text))
            del self._finals[:-TICKER_LINES]
            self._partial = None
        else:
            self._partial = (event.speaker, event.text)
        self._render_ticker()

    def _render_ticker(self) -> None:
        if not self._finals and self._partial is None:
            self.ticker.setText("<span style='color:#808A97'>Transcript appears here.</span>")
            return
        lines = [self._line(s, t, "#C9CED6") for s, t in self._finals]
        if self._partial is not None:
            lines.append(self._line(*self._partial, "#808A97"))
        self.ticker.setText("<br>".join(lines[-TICKER_LINES:]))

    @staticmethod
    def _line(speaker: str, text: str, color: str) -> str:
        who = "You" if speaker == "agent" else "Caller"
        return (f"<span style='color:#808A97'>{who}</span>&nbsp;&nbsp;"
                f"<span style='color:{color}'>{html.escape(text, quote=False)}</span>")


class SummaryPanel(QFrame):
    """The call that just ended: steps covered and missed, warnings, first apology."""

    dismissed = Signal()
    next_call = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("summaryCard")
        self.report: Report | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        lay.setSpacing(6)
        head = QHBoxLayout()
        self.heading = Label()
        self.heading.setStyleSheet("font-weight: 600; font-size: 10.5pt;")
        head.addWidget(self.heading)
        head.addStretch(1)
        self.close_button = QPushButton("×")
        self.close_button.setObjectName("iconButton")
        self.close_button.setToolTip("Dismiss (Esc)")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self.dismissed)
        head.addWidget(self.close_button)
        lay.addLayout(head)
        self.headline = Label()
        self.headline.setObjectName("muted")
        self.headline.setWordWrap(True)
        lay.addWidget(self.headline)
        self.steps = rich_label()
        lay.addWidget(self.steps)
        self.warnings = rich_label()
        self.warnings.setWordWrap(True)
        lay.addWidget(self.warnings)
        foot = QHBoxLayout()
        self.note = Label()
        self.note.setObjectName("caption")
        self.note.setWordWrap(True)  # a practice scorecard says more than one line
        foot.addWidget(self.note, 1)
        self.next_button = QPushButton("Next call")
        self.next_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.next_button.clicked.connect(self.next_call)
        foot.addWidget(self.next_button)
        lay.addLayout(foot)

    def show_report(
        self, report: Report, step_labels: dict[str, str], warning_titles: dict[str, str],
        note: str, next_button: bool,
    ) -> None:
        """Formats the call's checklist (coach/checklist.py): a routine call's steps read as
        not needed, as in `calls show`, the review window and the export."""
        self.report = report = Report.from_json(report)
        steps = checklist(report)
        warnings = report.warnings
        self.heading.setText(f"Call ended · {clock(report.duration)}")
        first = report.summary.time_to_first_apology
        parts = [f"{steps.covered} of {steps.total} steps",
                 f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}",
                 f"first apology at {clock(first)}" if first is not None else "no apology"]
        self.headline.setText(" · ".join(parts))
        rows = []
        for row in steps.rows:
            mark, colour = _STATE_MARKS[row.state]
            label = html.escape(step_labels.get(row.step, row.label))
            when = f"{clock(row.at)}{' (by hand)' if row.manual else ''}" if (
                row.state is StepState.COVERED) else row.state.words
            rows.append(f"<span style='color:{colour.name()}'>{mark}</span>&nbsp; {label}"
                        f" <span style='color:{theme.MUTED.name()}'>{when}</span>")
        self.steps.setText("<br>".join(rows))
        counts = report.summary.warnings_by_kind
        if counts:
            items = [f"{html.escape(warning_titles.get(k, k))} ×{n}" for k, n in counts.items()]
            self.warnings.setText(f"<span style='color:{theme.WARNING.name()}'>Warnings</span>"
                                  "&nbsp; " + ", ".join(items))
        else:
            self.warnings.setText(f"<span style='color:{theme.STEP_ON.name()}'>No warnings</span>")
        self.note.setText(note)
        self.next_button.setVisible(next_button)
        self.show()
