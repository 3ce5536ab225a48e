"""The overlay: a frameless, always-on-top, translucent card the agent glances at during a call.

Compact mode shows the four ASAP chips, the call timer, the microphone level and one line for
the current warning or reminder; expanded mode adds each step's time and words, tone lights,
the warnings with their advice and a live transcript. The call itself runs on a CallWorker in
its own thread; this window only reacts to its signals and never waits on it (except when
quitting, to end the call cleanly)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QElapsedTimer,
    QPoint,
    QRectF,
    QSettings,
    QSize,
    Qt,
    QThread,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QSizeGrip,
    QVBoxLayout,
    QWidget,
)

from callassist.app.call_flow import CallFlow, Phase
from callassist.app.current_line import CurrentLine
from callassist.app.records import RecordFactory
from callassist.app.sources import CallSource
from callassist.coach.kinds import STEP_IDS
from callassist.coach.playbook import Playbook
from callassist.coach.tone_rules import tone_rules
from callassist.ui import theme
from callassist.ui.hotkeys import SHORTCUTS, GlobalHotkeys
from callassist.ui.overlay_calls import CallControls
from callassist.ui.overlay_events import EventView
from callassist.ui.overlay_status import MachineStatus
from callassist.ui.panels import ExpandedPanel, SummaryPanel
from callassist.ui.placement import COMPACT, DEFAULT_SIZES, EXPANDED, MIN_WIDTH, WindowPlacement
from callassist.ui.plain import Label, plain_tooltip
from callassist.ui.widgets import ElidedLabel, LevelMeter, MessageLine, StatusBanner, StepChip
from callassist.ui.worker import CallWorker

QUIT_WAIT_MS = 10_000
QUIT_ASK_MS = 8_000  # how long "A call is running: quit?" waits for its answer
ON_TOP_EVERY_MS = 1_000  # above_fullscreen: back on top of a window that raised itself


def warning_titles(playbook: Playbook) -> dict[str, str]:
    titles = {kind: rule.label for kind, rule in playbook.warnings.items()}
    titles["hold_without_handoff"] = playbook.hold.label
    for kind, table in playbook.tone.items():
        if isinstance(table, dict) and isinstance(table.get("label"), str):
            titles[kind] = table["label"]
    return titles


class OverlayWindow(CallControls, EventView, MachineStatus, WindowPlacement, QWidget):
    """The window: its widgets and keys, quitting; each other job is a mixin of its own
    module (calls, events on screen, the banner, the window's place and size)."""

    step_changed = Signal(str, bool, bool)   # step, covered, manual
    warning_shown = Signal(str)              # kind
    call_started = Signal()
    call_ending = Signal(object, str)        # report, how it ended; before the summary shows
    call_finished = Signal(object, str)      # report, how it ended (worker.STOPPED, ...)
    mode_changed = Signal(str)
    events_applied = Signal(object)          # a batch of events, now on screen

    _prepare_requested = Signal()
    _run_requested = Signal()

    def __init__(
        self,
        source: CallSource,
        playbook: Playbook,
        settings: QSettings,
        records: RecordFactory | None = None,
        mode: str | None = None,
        global_hotkeys: bool = False,
        above_fullscreen: bool = False,
    ):
        """With `global_hotkeys`, Start, End and the view switch work while another window
        has the focus (where the desktop allows it: ui/hotkeys.py). With `above_fullscreen`
        (X11) the window bypasses the window manager, which would put a focused full-screen
        window above it (ui/desktop.py)."""
        super().__init__(None)
        self.source = source
        self.playbook = playbook
        self.settings = settings
        self.flow = CallFlow()  # the call lifecycle: idle, listening, in call, ending
        self.last_report: dict | None = None
        self._home_source: CallSource | None = None  # while a practice call borrows the window
        self._next_source: CallSource | None = None
        self.practice_pick: Callable[[str], None] | None = None  # scenario id -> practice call
        self.tray = None
        self.phone = None  # the local command interface (ui/commands.py), when listening
        self.download = None
        self.download_target: tuple[str | None, Path | None] = (None, None)
        self._fallback_note = ""
        self._speed = 1.0
        self._clock = QElapsedTimer()
        self._clock_from = 0.0  # the call time when the clock started
        self._tick_timer = QTimer(self)  # the call timer on the card
        self._tick_timer.setInterval(250)
        self._tick_timer.timeout.connect(self._update_timer)
        self._drag_from: QPoint | None = None
        # Where the agent (or the window itself) put the window: the place remembered. Moves
        # the window manager reports on its own (mapping, reparenting, constraining, tearing
        # down) never change it; saving whatever pos() said at quit once saved (0,0) (A10).
        self._placed: QPoint | None = None
        self.desktop_problem = ""  # why the window could not be pinned to every desktop
        self._dragging = False
        self._drag_poll = QTimer(self)
        self._drag_poll.setInterval(100)
        self._drag_poll.timeout.connect(self._check_drag_end)
        self.step_labels = {sid: playbook.steps[sid].label for sid in STEP_IDS}
        self.titles = warning_titles(playbook)

        self.setWindowTitle("CallAssist")
        self.bypasses_wm = above_fullscreen and QGuiApplication.platformName() == "xcb"
        self.setWindowFlags(
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.Tool
            | (Qt.WindowType.BypassWindowManagerHint if self.bypasses_wm
               else Qt.WindowType.Widget)
        )
        # Unmanaged, it is on every desktop by itself; it goes back on top of a window that
        # raised itself over it (the window manager's layers no longer apply).
        self._stay_on_top = QTimer(self)
        self._stay_on_top.setInterval(ON_TOP_EVERY_MS)
        self._stay_on_top.timeout.connect(self.raise_)
        # Warnings must never pull keyboard focus from the agent's ticketing or CRM window.
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setFont(theme.base_font())
        self.setStyleSheet(theme.stylesheet())
        self.setMinimumWidth(MIN_WIDTH)
        self._build()
        self.hotkeys: GlobalHotkeys | None = None
        self.hotkeys_problem = ""
        if global_hotkeys:
            self._listen_globally()
        self._build_shortcuts()

        self.worker = CallWorker(source, playbook, records=records)
        self.thread = QThread()
        self.thread.setObjectName("callassist-call")
        self.worker.moveToThread(self.thread)
        self._prepare_requested.connect(self.worker.prepare)
        self._run_requested.connect(self.worker.run_call)
        self.worker.status.connect(self._on_status)
        self.worker.call_started.connect(self._on_call_started)
        self.worker.posted.connect(self._take_posted)
        self.worker.record_problem.connect(self._on_record_problem)
        self.thread.start()

        self.mode = mode or str(settings.value("window/mode", COMPACT))
        if self.mode not in (COMPACT, EXPANDED):
            self.mode = COMPACT
        self._apply_mode(restore_size=True)
        self._restore_position()
        for screen in QGuiApplication.screens():
            self._watch_screen(screen)
        app = QGuiApplication.instance()
        app.screenAdded.connect(self._watch_screen)
        app.screenRemoved.connect(lambda _: QTimer.singleShot(0, self.keep_on_screen))
        self._prepare_requested.emit()

    # -- the call flow's phase, as the rest of the window reads it ---------------------------

    @property
    def in_call(self) -> bool:
        return self.flow.in_call

    @property
    def waiting(self) -> bool:
        """Calls by voice: listening for the next call to start."""
        return self.flow.phase == Phase.LISTENING

    @property
    def quitting(self) -> bool:
        return self.flow.quitting

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(14, 10, 14, 12)
        root.setSpacing(8)

        header = QHBoxLayout()
        header.setSpacing(8)
        self.live_dot = Label("●")
        self.live_dot.setToolTip("Not in a call")
        self.timer_label = Label("0:00")
        self.timer_label.setObjectName("timer")
        self.caption = ElidedLabel(self.source.label)
        self.caption.setObjectName("caption")
        self.meter = LevelMeter()
        self.meter.setVisible(self.source.has_audio)
        self.mode_button = self._icon_button("", self.toggle_mode)
        self.call_button = QPushButton()
        self.call_button.setObjectName("callButton")
        self.call_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.call_button.clicked.connect(self._call_button_clicked)
        self.close_button = self._icon_button("×", self._close_clicked)
        header.addWidget(self.live_dot)
        header.addWidget(self.timer_label)
        header.addWidget(self.caption, 1)
        header.addWidget(self.meter)
        header.addSpacing(4)
        header.addWidget(self.mode_button)
        header.addWidget(self.call_button)
        header.addWidget(self.close_button)
        root.addLayout(header)

        self.banner = StatusBanner()
        self.banner.action.connect(self._banner_action)
        self.banner.changed.connect(self._refit_later)
        root.addWidget(self.banner)

        chips = QHBoxLayout()
        chips.setSpacing(6)
        self.chips: dict[str, StepChip] = {}
        for n, (sid, label) in enumerate(self.step_labels.items(), start=1):
            chip = StepChip(sid, label.split()[0], n)
            chip.setToolTip(plain_tooltip(label))
            chip.clicked.connect(self.tick_step)
            chip.untick_requested.connect(self.untick_step)
            chips.addWidget(chip)
            self.chips[sid] = chip
        root.addLayout(chips)

        self.message = MessageLine()
        self.message.dismissed.connect(self.dismiss_message)
        self.message.changed.connect(self._refit_later)
        root.addWidget(self.message)
        self.line = CurrentLine(
            {**self.titles, **{sid: chip.label for sid, chip in self.chips.items()}},
            frozenset(self.playbook.reminders), frozenset(tone_rules(self.playbook).customer.steps))
        self._attention_timer = QTimer(self)
        self._attention_timer.setSingleShot(True)
        self._attention_timer.timeout.connect(self._show_attention)

        self.details = ExpandedPanel(
            self.step_labels, {sid: self.playbook.steps[sid].prompt for sid in STEP_IDS})
        root.addWidget(self.details, 1)

        self.summary = SummaryPanel()
        self.summary.dismissed.connect(self.dismiss_summary)
        self.summary.next_call.connect(self.start_call)
        self.summary.hide()
        root.addWidget(self.summary)

        self.grip = QSizeGrip(self)
        self.grip.setFixedSize(14, 14)
        self.grip.setToolTip("Drag to resize")
        self._chosen = DEFAULT_SIZES[COMPACT]  # the agent's size for the view shown
        self._fitted: QSize | None = None      # the size the window gave itself last
        self._show_phase()

    def _icon_button(self, text: str, slot) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName("iconButton")
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.clicked.connect(slot)
        return b

    def _listen_globally(self) -> None:
        hotkeys = GlobalHotkeys(SHORTCUTS, self)
        if not hotkeys.begin():
            self.hotkeys_problem = hotkeys.problem
            return
        hotkeys.start.connect(self.start_call)
        hotkeys.end.connect(self.end_call)
        hotkeys.mode.connect(self.toggle_mode)
        self.hotkeys = hotkeys

    def _build_shortcuts(self) -> None:
        app_wide = Qt.ShortcutContext.ApplicationShortcut
        keys = [("quit", self.request_quit)]
        if self.hotkeys is None:  # else the desktop-wide keys already do these
            keys += [("start", self.start_call), ("end", self.end_call),
                     ("mode", self.toggle_mode)]
        for key, slot in keys:
            QShortcut(QKeySequence(SHORTCUTS[key]), self, slot, app_wide)
        QShortcut(QKeySequence(SHORTCUTS["dismiss"]), self, self.dismiss)
        for n, sid in enumerate(STEP_IDS, start=1):
            QShortcut(QKeySequence(str(n)), self, lambda s=sid: self.tick_step(s))

    def contextMenuEvent(self, event) -> None:
        """Right-click: the Practice entry (when the application offers practice calls)."""
        if self.practice_pick is None or self.quitting:
            return
        from callassist.ui.practice_menu import practice_menu

        menu = QMenu(self)
        menu.addMenu(practice_menu(menu, self.practice_pick))
        menu.exec(event.globalPos())

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        card = QPainterPath()
        card.addRoundedRect(r, 12, 12)
        p.fillPath(card, theme.CARD)
        p.setPen(QPen(theme.CARD_BORDER, 1.0))
        p.drawPath(card)

    # -- leaving ------------------------------------------------------------------------------

    def _close_clicked(self) -> None:
        if self.tray is not None and self.tray.isVisible():
            self.hide()
        else:
            self.request_quit()

    def request_quit(self) -> None:
        """× (with no tray) or Ctrl+Q: quits at once between calls; during a call it asks
        first, in the window (no dialog to steal focus): a second press or Quit confirms."""
        if not self.in_call or self.banner.state == "quit":
            self.quit()
            return
        self.banner.show_state("quit", "A call is running. Quit and end it?", level="problem",
                               button="Quit")
        QTimer.singleShot(QUIT_ASK_MS, self._forget_quit)

    def _forget_quit(self) -> None:
        if self.banner.state != "quit":
            return
        if self._fallback_note:
            self._show_fallback()
        else:
            self.banner.clear()

    def quit(self) -> None:
        self.shutdown()
        QApplication.quit()

    def shutdown(self) -> None:
        """Ends a running call cleanly (its record finished) and stops the worker thread."""
        if self.quitting:
            return
        self.flow.quit()
        self.save_settings()
        if self.phone is not None:
            self.phone.close()
        if self.hotkeys is not None:
            self.hotkeys.stop()
        self.worker.close()
        if self.download is not None:
            self.download.cancel(wait_s=2.0)
        self.thread.quit()
        self.thread.wait(QUIT_WAIT_MS)
        if self.tray is not None:
            self.tray.hide()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
