"""Running the overlay as an application: the Qt application, the settings file, the tray, the
first call, and the `--screenshot` / `--exit-after` plumbing `callassist run` offers."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from callassist import paths
from callassist.app.records import RecordFactory
from callassist.app.runner import FAILED, INPUT_ENDED
from callassist.app.sources import CallSource
from callassist.coach.playbook import Playbook
from callassist.errors import CallAssistError
from callassist.ui.overlay import OverlayWindow
from callassist.ui.tray import app_icon, make_tray

SETTINGS_FILE = "overlay.ini"


def overlay_settings() -> QSettings:
    """The window's position, size and mode, in the platform's config folder."""
    folder = paths.config_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CallAssistError(f"cannot create the settings folder {folder}: {e.strerror}") from None
    return QSettings(str(folder / SETTINGS_FILE), QSettings.Format.IniFormat)


def scratch_copy(settings: QSettings, folder: Path) -> QSettings:
    """The agent's window settings in a throw-away file in `folder`: a scripted run (run.sh's
    demo, a screenshot) opens where the agent's overlay does but never moves it (UX M10)."""
    copy = QSettings(str(folder / SETTINGS_FILE), QSettings.Format.IniFormat)
    for key in settings.allKeys():
        copy.setValue(key, settings.value(key))
    return copy


@dataclass
class Screenshot:
    """Save a picture of the window: when the input ends ("end"), once the end-of-call summary
    shows ("summary"), or at a moment of the call (seconds)."""

    path: Path
    at: str | float = "end"


def check_display(
    window: str = "the overlay",
    instead: str = "`callassist listen` for coaching in the terminal",
) -> None:
    """Qt aborts the whole process when it has no display: say what to do instead."""
    if QApplication.instance() is not None or os.environ.get("QT_QPA_PLATFORM"):
        return
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        raise CallAssistError(
            f"no display to show {window} on: run it in the desktop session, or use {instead}"
        )


def application() -> QApplication:
    check_display()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("CallAssist")
    app.setStyle("Fusion")
    app.setWindowIcon(app_icon())
    # The overlay hides to the tray; quitting is explicit (menu, Ctrl+Q, window's ×).
    app.setQuitOnLastWindowClosed(False)
    return app


class Session:
    """Wires one overlay window to the options of `callassist run`."""

    def __init__(
        self,
        window: OverlayWindow,
        screenshot: Screenshot | None,
        exit_after: bool,
    ):
        self.window = window
        self.screenshot = screenshot
        self.exit_after = exit_after
        self.exit_code = 0
        self.error = ""
        self.saved: Path | None = None
        window.worker.status.connect(self._on_status)
        window.call_ending.connect(self._on_call_ending)
        window.call_finished.connect(self._on_call_finished)
        if screenshot is not None and not isinstance(screenshot.at, str):
            self._poll = QTimer(window)
            self._poll.setInterval(50)
            self._poll.timeout.connect(self._check_moment)
            self._poll.start()

    def _on_status(self, state: str, message: str) -> None:
        if state in ("error", "no_mic"):
            self.error = message

    def _check_moment(self) -> None:
        if self.window.in_call and self.window.call_time() >= float(self.screenshot.at):
            self._poll.stop()
            self._take()

    def _on_call_ending(self, report: dict, outcome: str) -> None:
        if self.screenshot is None or outcome == FAILED or self.saved is not None:
            return
        # A moment later than the call lasted means its last moment.
        if self.screenshot.at == "end" or not isinstance(self.screenshot.at, str):
            if hasattr(self, "_poll"):
                self._poll.stop()
            self._take()

    def _on_call_finished(self, report: dict, outcome: str) -> None:
        if outcome == FAILED and self.exit_after:
            self.exit_code = 2
            if self.screenshot is not None:
                QTimer.singleShot(150, self._take)
            else:
                self._finish()
        elif self.screenshot is not None and self.screenshot.at == "summary":
            QTimer.singleShot(150, self._take)
        elif self.exit_after and outcome == INPUT_ENDED and self.screenshot is None:
            self._finish()

    def _take(self) -> None:
        path = self.screenshot.path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Layouts and widgets shown by the latest events settle in posted events: let them.
        QApplication.sendPostedEvents()
        if not self.window.grab().save(str(path)):
            self.error = f"cannot save the screenshot to {path}"
            self.exit_code = 2
            self.saved = None
        else:
            self.saved = path
        if self.exit_after:
            self._finish()

    def _finish(self) -> None:
        QTimer.singleShot(0, self.window.quit)


def run_overlay(
    source: CallSource,
    playbook: Playbook,
    *,
    mode: str | None = None,
    screenshot: Screenshot | None = None,
    exit_after: bool = False,
    records: RecordFactory | None = None,
    above_fullscreen: bool = False,
) -> int:
    app = application()
    settings = overlay_settings()
    scratch = None
    if exit_after or screenshot is not None:
        scratch = tempfile.TemporaryDirectory(prefix="callassist-scripted-")
        settings = scratch_copy(settings, Path(scratch.name))
    window = OverlayWindow(source, playbook, settings, records=records, mode=mode,
                           global_hotkeys=True, above_fullscreen=above_fullscreen)
    if window.hotkeys_problem:
        print(f"callassist: note: {window.hotkeys_problem}; the keys work while the overlay "
              "has the focus", file=sys.stderr)
    from callassist.practice.source import practice_source

    window.practice_pick = lambda sid: window.practise(practice_source(sid, source, playbook))
    window.tray = make_tray(window, window.start_call, window.end_call, window.quit,
                            window.practice_pick)
    from callassist.ui.commands import PhoneControl

    window.phone = PhoneControl(window)
    if not window.phone.start():  # the overlay runs on without it
        print(f"callassist: note: {window.phone.problem}", file=sys.stderr)
        window.phone = None
    session = Session(window, screenshot, exit_after)
    # Ctrl+C in the terminal ends the call cleanly too; the timer lets Python see the signal.
    signal.signal(signal.SIGINT, lambda *_: window.quit())
    wake = QTimer(window)
    wake.start(250)
    wake.timeout.connect(lambda: None)
    window.show()
    window.start_call()
    app.exec()
    window.shutdown()
    if scratch is not None:
        scratch.cleanup()
    if session.exit_code and session.error:
        raise CallAssistError(session.error)
    if session.saved is not None:
        print(f"screenshot saved to {session.saved}")
    return session.exit_code
