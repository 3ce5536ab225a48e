"""The overlay's end of `callassist call start|end|status`: the control server (app/control.py)
lives on the GUI thread, driven by its event loop, and each request is answered there, so the
window is only ever touched by its own thread."""

from __future__ import annotations

from PySide6.QtCore import QObject

from callassist.app.control import ControlError, ControlServer
from callassist.format import clock


class PhoneControl(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.server = ControlServer(self._do)
        self.server.setParent(self)
        self.problem = ""

    def start(self) -> bool:
        """Listens; False when it cannot, with `problem` saying why (another overlay of
        this user already listens, or the socket's folder is not private)."""
        self.problem = "another overlay answers `callassist call` for this user"
        try:
            return self.server.start()
        except ControlError as e:
            self.problem = str(e)
        except OSError as e:
            self.problem = (f"`callassist call` is not served: {self.server.path}: "
                            f"{e.strerror or e}")
        return False

    def close(self) -> None:
        self.server.close()

    def _do(self, command: str, call_id: str | None) -> tuple[bool, str]:
        w = self.window
        named = f"call {call_id}" if call_id else "call"
        if w.quitting:
            return False, "the overlay is quitting"
        if command == "start":
            was_running = w.in_call
            w.phone_start(call_id)
            return True, (f"ended the call in progress; {named} starts when it has ended"
                          if was_running else f"{named} started")
        if command == "end":
            if not w.in_call:
                return True, "no call in progress"
            w.phone_end()
            return True, "call ended"
        if w.in_call:
            current = getattr(w.source, "phone_call_id", None)
            return True, (f"in a call{f' ({current})' if current else ''}, "
                          f"{clock(w.call_time())}")
        if w.waiting:
            return True, "no call in progress: listening for one to start"
        return True, "no call in progress"
