"""Global hotkeys: start and end a call, and switch the view, while another window (the CRM)
has the keyboard focus. pynput listens to the whole desktop (X11 through its RECORD
extension, Windows and macOS through their own hooks) on a thread of its own; each hotkey
only emits an argument-less Qt signal, so the window acts on its own thread. Where the
desktop offers no such hook (Wayland, a display without RECORD), the keys work only while
the overlay has the focus, and `available` says why."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

READY_S = 2.0


def pynput_key(shortcut: str) -> str:
    """Qt's "Ctrl+Shift+S" as pynput's "<ctrl>+<shift>+s"."""
    parts = [p.strip().lower() for p in shortcut.split("+")]
    return "+".join(p if len(p) == 1 else f"<{p}>" for p in parts)


# The overlay's keys (Qt's key-sequence text); start, end and mode are global where the desktop
# allows it.
SHORTCUTS = {
    "start": "Ctrl+Shift+S",
    "end": "Ctrl+Shift+E",
    "mode": "Ctrl+Shift+X",
    "dismiss": "Esc",
    "quit": "Ctrl+Q",
}


class GlobalHotkeys(QObject):
    start = Signal()
    end = Signal()
    mode = Signal()

    def __init__(self, shortcuts: dict[str, str], parent: QObject | None = None):
        super().__init__(parent)
        self.shortcuts = {name: shortcuts[name] for name in ("start", "end", "mode")}
        self.problem = ""
        self._listener = None

    def begin(self) -> bool:
        """Starts listening; False (and `problem` says why) when the desktop does not allow
        it."""
        try:
            from pynput import keyboard

            signals = {"start": self.start, "end": self.end, "mode": self.mode}
            listener = keyboard.GlobalHotKeys({
                pynput_key(key): signals[name].emit for name, key in self.shortcuts.items()
            })
            listener.start()
            ready = threading.Thread(target=listener.wait, daemon=True)
            ready.start()
            ready.join(READY_S)
            if ready.is_alive() or not listener.running:
                listener.stop()
                self.problem = "the desktop did not let CallAssist listen to the keyboard"
                return False
        except Exception as e:  # pynput raises plain exceptions of its backends (no display)
            self.problem = f"global hotkeys are not available here ({type(e).__name__}: {e})"
            return False
        self._listener = listener
        return True

    @property
    def available(self) -> bool:
        return self._listener is not None

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
