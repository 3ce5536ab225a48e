"""The overlay: a frameless, always-on-top, translucent card the agent glances at during a call.

Compact mode shows the four ASAP chips, the call timer, the microphone level and one line for
the current warning or reminder; expanded mode adds each step's time and words, tone lights,
the warnings with their advice and a live transcript. The call itself runs on a CallWorker in
its own thread; this window only reacts to its signals and never waits on it (except when
quitting, to end the call cleanly)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QElapsedTimer,
    QPoint,
    QRect,
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
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizeGrip,
    QVBoxLayout,
    QWidget,
)

from callassist.app.records import RecordFactory
from callassist.app.runner import FAILED
from callassist.app.sources import CallSource
from callassist.coach.events import (
    LevelEvent,
    ReminderEvent,
    StepEvent,
    TranscriptEvent,
    WarningEvent,
    WithdrawnEvent,
)
from callassist.coach.kinds import STEP_IDS
from callassist.coach.playbook import Playbook
from callassist.format import clock
from callassist.ui import theme
from callassist.ui.attention import (
    HOLD_S,
    AttentionQueue,
    Item,
    Urgency,
    compact_advice,
)
from callassist.ui.desktop import kept_on_screen, pin_on_x11, screen_areas
from callassist.ui.hotkeys import GlobalHotkeys
from callassist.ui.panels import ExpandedPanel, SummaryPanel
from callassist.ui.widgets import ElidedLabel, LevelMeter, MessageLine, StatusBanner, StepChip
from callassist.ui.worker import CallWorker

COMPACT, EXPANDED = "compact", "expanded"
DEFAULT_SIZES = {COMPACT: QSize(470, 150), EXPANDED: QSize(470, 560)}
MIN_WIDTH = 400
QUIT_WAIT_MS = 10_000
QUIT_ASK_MS = 8_000  # how long "A call is running: quit?" waits for its answer
ON_TOP_EVERY_MS = 1_000  # above_fullscreen: back on top of a window that raised itself

SHORTCUTS = {
    "start": "Ctrl+Shift+S",
    "end": "Ctrl+Shift+E",
    "mode": "Ctrl+Shift+X",
    "dismiss": "Esc",
    "quit": "Ctrl+Q",
}

def warning_titles(playbook: Playbook) -> dict[str, str]:
    titles = {kind: rule.label for kind, rule in playbook.warnings.items()}
    titles["hold_without_handoff"] = playbook.hold.label
    for kind, table in playbook.tone.items():
        if isinstance(table, dict) and isinstance(table.get("label"), str):
            titles[kind] = table["label"]
    return titles


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] if message else message


class OverlayWindow(QWidget):
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
        self.in_call = False
        self.waiting = False  # calls by voice: listening for the next call to start
        self.quitting = False
        self.last_report: dict | None = None
        self._home_source: CallSource | None = None  # while a practice call borrows the window
        self._next_source: CallSource | None = None
        self.practice_pick: Callable[[str], None] | None = None  # scenario id -> practice call
        self.tray = None
        self.phone = None  # the local command interface (ui/commands.py), when listening
        self.download = None
        self.download_target: tuple[str | None, Path | None] = (None, None)
        self._fallback_note = ""
        self._phone_next: tuple[str | None] | None = None  # a call to start once this one ends
        self._wait_for_phone = False  # ended by the phone system: no automatic next call
        self._speed = 1.0
        self._clock = QElapsedTimer()
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

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(14, 10, 14, 12)
        root.setSpacing(8)

        header = QHBoxLayout()
        header.setSpacing(8)
        self.live_dot = QLabel("●")
        self.live_dot.setToolTip("Not in a call")
        self.timer_label = QLabel("0:00")
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
            chip.setToolTip(label)
            chip.clicked.connect(self.tick_step)
            chip.untick_requested.connect(self.untick_step)
            chips.addWidget(chip)
            self.chips[sid] = chip
        root.addLayout(chips)

        self.message = MessageLine()
        self.message.dismissed.connect(self.dismiss_message)
        self.message.changed.connect(self._refit_later)
        root.addWidget(self.message)
        self.attention = AttentionQueue()
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
        self._set_in_call(False)

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

    # -- calls ------------------------------------------------------------------------------

    def start_call(self) -> None:
        """Starts a call; with calls by voice, listens for one (and, while listening, starts
        it at once: the agent pressed Start)."""
        if self.waiting:
            self.worker.start_now()
            return
        if self.in_call or self.worker.running or self.quitting:
            return
        if self.summary.isVisible():
            self.dismiss_summary()
        self._reset_call_view()
        self._begin()

    def _begin(self) -> None:
        if getattr(self.source, "starts_by_voice", False):
            self._set_waiting(True)
        else:
            self._set_in_call(True)
        self.worker.arm()
        self._run_requested.emit()

    def end_call(self) -> None:
        if self.in_call:
            self.worker.request_stop()

    def phone_start(self, call_id: str | None) -> None:
        """`callassist call start [--id]`: a new phone call. One still running ends first, so
        two customers never share a record."""
        if self.waiting:
            self._set_phone_call_id(call_id)
            self.worker.start_now()
            return
        if self.in_call or self.worker.running:
            self._phone_next = (call_id,)
            self.end_call()
            return
        self._set_phone_call_id(call_id)
        self.start_call()

    def phone_end(self) -> None:
        """`callassist call end`: the phone call is over; the next starts with `call start`."""
        self._wait_for_phone = True
        self.end_call()

    def _set_phone_call_id(self, call_id: str | None) -> None:
        if hasattr(self.source, "phone_call_id"):
            self.source.phone_call_id = call_id

    def practise(self, source: CallSource) -> None:
        """A practice call in this window (the Practice menu): the current call ends first;
        when the practice ends, the window goes back to its own source."""
        if self._home_source is None:
            self._home_source = self.source
        self._next_source = source
        if self.waiting:
            self.worker.request_stop()  # _on_idle switches over
        elif self.in_call:
            self.end_call()  # _on_call_ended switches over
        else:
            self._switch_source()

    def contextMenuEvent(self, event) -> None:
        """Right-click: the Practice entry (when the application offers practice calls)."""
        if self.practice_pick is None or self.quitting:
            return
        from callassist.ui.practice_menu import practice_menu

        menu = QMenu(self)
        menu.addMenu(practice_menu(menu, self.practice_pick))
        menu.exec(event.globalPos())

    def _switch_source(self) -> bool:
        """Starts the practice call asked for, or goes back from a practice call to the
        window's own source; True when a call was started."""
        nxt, self._next_source = self._next_source, None
        start = nxt is not None
        if nxt is None:
            if self._home_source is None or self.source is self._home_source:
                return False
            nxt = self._home_source
        self.source = nxt
        self.worker.use_source(nxt)
        self.caption.set_full_text(nxt.label)
        if start:
            self.start_call()
        return start

    def tick_step(self, sid: str) -> None:
        """Tick a step by hand (a click, or its number key); the chip changes when the session
        confirms it. A tick is never undone by a click: see untick_step."""
        if self.in_call and not self.chips[sid].covered:
            self.worker.request_tick(sid, True)

    def untick_step(self, sid: str) -> None:
        """Untick a step by hand: only from the chip's right-click menu, a deliberate act."""
        if self.in_call and self.chips[sid].covered:
            self.worker.request_tick(sid, False)

    def _call_button_clicked(self) -> None:
        if self.in_call:
            self.end_call()
        else:
            self.start_call()

    def _set_waiting(self, waiting: bool) -> None:
        """Calls by voice: listening for a call (Start starts it at once)."""
        self.waiting = waiting
        self._set_in_call(False)

    def _set_in_call(self, in_call: bool) -> None:
        self.in_call = in_call
        if in_call:
            self.waiting = False
        self.call_button.setText("End call" if in_call else "Start call")
        self.call_button.setToolTip(
            f"End the call ({SHORTCUTS['end']})" if in_call
            else f"Start a call ({SHORTCUTS['start']})"
        )
        self.call_button.setProperty("inCall", "true" if in_call else "false")
        self.call_button.style().unpolish(self.call_button)
        self.call_button.style().polish(self.call_button)
        color = theme.WARNING if in_call else theme.STEP_ON if self.waiting else theme.FAINT
        self.live_dot.setStyleSheet(f"color: {color.name()}; font-size: 9pt;")
        self.live_dot.setToolTip("In a call" if in_call else "Listening for a call"
                                 if self.waiting else "Not in a call")
        if self.tray is not None:
            self.tray.set_in_call(in_call)
        self._update_hint()

    def _update_hint(self) -> None:
        missing = [sid for sid, chip in self.chips.items() if not chip.covered]
        if self.waiting:
            self.message.set_hint("Listening: the call starts when you and the caller speak.")
        elif not self.in_call:
            self.message.set_hint(f"Start call ({SHORTCUTS['start']}) when the call begins.")
        elif missing:
            step = self.playbook.steps[missing[0]]
            self.message.set_hint(f"Next: {step.label}. {step.prompt}")
        else:
            self.message.set_hint("All four steps covered.")

    def _reset_call_view(self) -> None:
        for chip in self.chips.values():
            chip.set_state(False)
        self.attention.clear()
        self._show_attention()
        self._update_hint()
        self.details.reset()
        self.timer_label.setText("0:00")
        if self.mode == EXPANDED:
            self._refit_later()

    def _on_call_started(self, speed: float) -> None:
        if self.waiting:  # a call by voice: the caller and the agent have both spoken
            if self.summary.isVisible():
                self.dismiss_summary()
            self._reset_call_view()
            self._set_in_call(True)
        self._speed = speed
        self._clock.start()
        if not hasattr(self, "_tick_timer"):
            self._tick_timer = QTimer(self)
            self._tick_timer.setInterval(250)
            self._tick_timer.timeout.connect(self._update_timer)
        self._tick_timer.start()
        # The first seconds of a call are when the apology matters: the next step shows
        # before the gentle reminders.
        missing = [sid for sid, chip in self.chips.items() if not chip.covered]
        if missing:
            step = self.playbook.steps[missing[0]]
            self._attend(Item(Urgency.NEXT_STEP, "next", "Next", f"{step.label}. {step.prompt}",
                              HOLD_S[Urgency.NEXT_STEP], key=("next", missing[0])))
        self.call_started.emit()

    def call_time(self) -> float:
        return self._clock.elapsed() / 1000.0 * self._speed if self._clock.isValid() else 0.0

    def _update_timer(self) -> None:
        text = clock(self.call_time())
        if self.timer_label.text() != text:
            self.timer_label.setText(text)

    def _take_posted(self) -> None:
        for kind, a, b in self.worker.take():
            if kind == "events":
                self._on_events(a, b)
            elif kind == "idle":
                self._on_idle()
            else:
                self._on_call_ended(a, b)

    def _on_events(self, sent_at: float, events: list) -> None:
        for e in events:
            if isinstance(e, StepEvent):
                self._on_step(sent_at, e)
            elif isinstance(e, WarningEvent):
                title = self.titles.get(e.kind, e.kind.replace("_", " ").capitalize())
                self.message.changed_at = sent_at
                self._attend(Item(Urgency.WARNING, e.kind, title, compact_advice(e.advice),
                                  HOLD_S[Urgency.WARNING], key=(e.kind, e.at),
                                  tooltip=e.advice))
                self.details.add_warning(title, e)
                self.warning_shown.emit(e.kind)
            elif isinstance(e, WithdrawnEvent):
                title = self.titles.get(e.kind, e.kind.replace("_", " ").capitalize())
                self.attention.withdraw((e.kind, e.raised_at), f"{title} withdrawn",
                                        _sentence(e.note) + ".", time.monotonic())
                self.details.withdraw_warning(e.kind, e.raised_at, e.note)
                self._show_attention()
            elif isinstance(e, ReminderEvent):
                if e.kind in self.playbook.reminders:
                    self._attend(Item(Urgency.REMINDER, e.kind, "", e.text,
                                      HOLD_S[Urgency.REMINDER]))
                else:
                    # A monitor's prompt to act now (the caller is angry): before reminders.
                    self._attend(Item(Urgency.ACT_NOW, e.kind, "Now", e.text,
                                      HOLD_S[Urgency.ACT_NOW]))
            elif isinstance(e, TranscriptEvent):
                self.details.add_transcript(e)
            elif isinstance(e, LevelEvent) and e.speaker == "agent":
                self.meter.set_dbfs(e.dbfs)
        if self.mode == EXPANDED and any(
                isinstance(e, StepEvent | WarningEvent | WithdrawnEvent) for e in events):
            self._refit_later()  # the expanded view shows them whole
        self.events_applied.emit(events)

    def _on_step(self, sent_at: float, e: StepEvent) -> None:
        chip = self.chips.get(e.step)
        if chip is None:
            return
        taken_back = "" if e.covered or e.manual else e.evidence
        chip.changed_at = sent_at
        chip.set_state(e.covered, e.manual, taken_back)
        self.details.set_step(e.step, e if e.covered else None, taken_back)
        if e.covered:
            self.attention.drop("next", time.monotonic())
            self._show_attention()
        elif taken_back:
            # A step lit a moment ago goes dark: say why, so the agent is not left guessing.
            self._attend(Item(Urgency.NOTE, "taken_back", f"{chip.label} taken back",
                              _sentence(taken_back), HOLD_S[Urgency.NOTE]))
        self._update_hint()
        if e.covered and self.summary.isVisible():
            self.dismiss_summary()  # the next call is under way
        self.step_changed.emit(e.step, e.covered, e.manual)

    # -- the message line: what the agent needs to see now ------------------------------------

    def _attend(self, item: Item) -> None:
        self.attention.push(item, time.monotonic())
        self._show_attention()

    def _show_attention(self) -> None:
        now = time.monotonic()
        item = self.attention.current(now)
        if item is None:
            self.message.show_hint()
        else:
            accent = {"withdrawn": theme.STEP_ON, "taken_back": theme.TONE_ALERT}.get(
                item.kind, theme.WARNING if item.is_warning else (
                    theme.TONE_ALERT if item.urgency == Urgency.ACT_NOW else theme.REMINDER))
            self.message.show_item(
                "warning" if item.is_warning else (
                    "note" if item.urgency == Urgency.NOTE else "reminder"),
                item.title, item.text, accent,
                more=self.attention.more_warnings() if item.is_warning else 0,
                warning_kind=item.kind if item.is_warning else "",
                tooltip=item.tooltip)
        due = self.attention.next_change()
        if due is not None:
            self._attention_timer.start(max(10, round((due - now) * 1000)))
        else:
            self._attention_timer.stop()

    def dismiss_message(self) -> None:
        self.attention.dismiss(time.monotonic())
        self._show_attention()

    def _on_call_ended(self, report: dict, outcome: str) -> None:
        self.call_ending.emit(report, outcome)
        if hasattr(self, "_tick_timer"):
            self._tick_timer.stop()
        self.timer_label.setText(clock(report.get("duration")))
        self._set_in_call(False)
        self.last_report = report
        if outcome != FAILED:
            self.attention.clear()  # the summary lists the warnings now
            self._show_attention()
            live = (self.source.live and not self.quitting and not self._wait_for_phone) or (
                self._phone_next is not None)
            by_voice = getattr(self.source, "starts_by_voice", False)
            note = ("Listening for the next call: it starts when you and the caller speak."
                    if by_voice else "Next call started: listening.") if live else (
                f"{SHORTCUTS['start']} starts the next call.")
            if report.get("practice"):  # a practice call's scorecard
                from callassist.practice.scorecard import scorecard_note

                note = scorecard_note(report)
            self.summary.show_report(report, self.step_labels, self.titles, note,
                                     next_button=not live)
            if not live:
                self.message.hide()  # the summary lists the warnings and says how to go on
            self._fit_content()
        self.call_finished.emit(report, outcome)
        self._set_phone_call_id(None)
        if self._phone_next is not None and not self.quitting:
            (call_id,), self._phone_next = self._phone_next, None
            self._wait_for_phone = False
            self._set_phone_call_id(call_id)
            self._start_next_call()
            return
        if self._wait_for_phone:
            self._wait_for_phone = False
            return
        if not self.quitting and self._switch_source():
            return
        if outcome != FAILED and self.source.live and not self.quitting:
            self._start_next_call()

    def _start_next_call(self) -> None:
        """Straight after a call ended: the worker is still finishing it, and runs the next
        call (or listens for it) as soon as it is free. With calls by voice the summary of the
        call just ended stays until the next one starts."""
        if not getattr(self.source, "starts_by_voice", False):
            self._reset_call_view()
        self._begin()

    def _on_idle(self) -> None:
        """Listening for a call stopped with no call: for a practice call, on quitting, or
        because the input ended."""
        self._set_waiting(False)
        if not self.quitting:
            self._switch_source()

    def _on_record_problem(self, message: str) -> None:
        self.banner.show_state("record", _sentence(message), level="error")

    # -- status -----------------------------------------------------------------------------

    def _on_status(self, state: str, message: str) -> None:
        if state == "ready":
            self.caption.set_full_text(self.source.label)
            if self._fallback_note and not self._downloading():
                self._show_fallback()
            elif self.banner.state in ("loading", "note", "no_mic", "error", "lost"):
                self.banner.clear()
        elif state == "loading":
            if not self._downloading():
                self.banner.show_state(state, _sentence(message or "loading the speech model…"),
                                       busy=True)
        elif state == "fallback":
            self._fallback_note = message or "the basic fallback engine is in use"
            self._show_fallback()
        elif state == "note":
            self.banner.show_state(state, _sentence(message.split(":")[0]), level="problem")
        elif state == "no_mic":
            # The agent's words, not the command line's ("pass --input FILE"): A12.
            self.banner.show_state(state, "No microphone found: plug in a headset, then press "
                                   "Retry.", level="error", button="Retry")
            self.banner.setToolTip(_sentence(message))
        elif state == "overflow":
            self.banner.show_state(state, _sentence(message), level="problem")
            QTimer.singleShot(10_000, lambda: self.banner.state == "overflow"
                              and self.banner.clear())
        else:
            self.banner.show_state(state, _sentence(message), level="error")

    def _show_fallback(self) -> None:
        note = self._fallback_note.split(":")[0]
        self.banner.show_state(
            "fallback", f"{_sentence(note)}. Install the Vosk model for better recognition.",
            level="problem", button="Download model",
        )

    def _downloading(self) -> bool:
        return self.download is not None and self.download.running

    def _banner_action(self) -> None:
        state = self.banner.state
        if state == "quit":
            self.quit()
        elif state == "no_mic":
            self.banner.clear()
            self.start_call()
        elif state == "fallback":
            self.start_download()
        elif state == "download":
            if self._downloading():
                self.download.cancel()
            else:
                self.start_download()

    def start_download(self) -> None:
        """Fetches the default Vosk model in the background, progress in the banner."""
        if self._downloading():
            return
        if self.download is None:
            from callassist.ui.model_download import ModelDownload

            self.download = ModelDownload(*self.download_target)
            self.download.progress.connect(self._on_download_progress)
            self.download.installed.connect(self._on_model_installed)
            self.download.failed.connect(self._on_download_failed)
        self.banner.show_state("download", f"Downloading {self.download.name}…",
                               level="info", button="Cancel", busy=True)
        self.download.start()

    def _on_download_progress(self, done: float, total: float) -> None:
        if self.banner.state != "download":
            return
        mb = done / 1e6
        of = f" of {total / 1e6:.0f} MB" if total else " MB"
        self.banner.text.setText(f"Downloading {self.download.name}: {mb:.0f}{of}")
        self.banner.show_progress(done, total)

    def _on_model_installed(self, path: str) -> None:
        self._fallback_note = ""
        self.worker.reload_engine()
        when = "the next call" if self.in_call else "now"
        self.banner.show_state("installed", f"Model installed: it is used from {when}.")
        QTimer.singleShot(8_000, lambda: self.banner.state == "installed" and self.banner.clear())
        if not self.in_call:
            self._prepare_requested.emit()

    def _on_download_failed(self, message: str) -> None:
        self.banner.show_state("download", _sentence(message), level="error", button="Download")

    # -- modes, dismissal -------------------------------------------------------------------

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
            f"{'Compact' if expanded else 'Expanded'} view ({SHORTCUTS['mode']})")
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

    def dismiss(self) -> None:
        if self.message.kind:
            self.dismiss_message()
        elif self.summary.isVisible():
            self.dismiss_summary()

    def dismiss_summary(self) -> None:
        self.summary.hide()
        self.message.show()
        self._fit_content()

    # -- position, size and drag --------------------------------------------------------------

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
        self.quitting = True
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
