"""The overlay's end of `callassist call start|end|status`: the control server (app/control.py)
runs on its own thread; each request is handed to the GUI thread through an outbox and
answered there, so the window is only ever touched by its own thread."""

from __future__ import annotations

import queue

from PySide6.QtCore import QObject, Signal

from callassist.app.control import ControlError, ControlServer
from callassist.format import clock

ANSWER_WAIT_S = 4.0


class PhoneControl(QObject):
    posted = Signal()  # a request waits in the outbox

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self._outbox: queue.SimpleQueue[tuple[str, str | None, queue.SimpleQueue]] = (
            queue.SimpleQueue())
        self.posted.connect(self._answer_all)
        self.server = ControlServer(self._handle)
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

    def _handle(self, command: str, call_id: str | None) -> tuple[bool, str]:
        """On the server's thread: waits for the GUI thread's answer."""
        answer: queue.SimpleQueue[tuple[bool, str]] = queue.SimpleQueue()
        self._outbox.put((command, call_id, answer))
        self.posted.emit()
        try:
            return answer.get(timeout=ANSWER_WAIT_S)
        except queue.Empty:
            return False, "the overlay is busy: try again"

    def _answer_all(self) -> None:
        while True:
            try:
                command, call_id, answer = self._outbox.get_nowait()
            except queue.Empty:
                return
            answer.put(self._do(command, call_id))

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
