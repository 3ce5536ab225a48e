"""The call, run on a worker thread: the source feeds a CallSession, every batch of events goes
to the GUI through a Qt signal and to the call record (disk writes stay on this thread).

The GUI never touches the session: manual ticks are queued here and applied between two batches,
so the session only ever runs on the worker thread. Events and reports travel the other way
through an outbox (a thread-safe queue) announced by an argument-less signal: Python objects
never ride a queued Qt connection across threads, so their reference counts are only ever
touched under the interpreter's own lock."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QObject, Signal, Slot

from callassist.coach.events import Event
from callassist.coach.playbook import Playbook
from callassist.coach.session import CallSession
from callassist.coach.tone import monitors_for
from callassist.errors import CallAssistError
from callassist.ui.sources import CallSource, InputUnavailable


class CallRecord(Protocol):
    def write(self, events: Sequence[Event]) -> None: ...

    def finish(self, report: dict) -> object: ...


# Opens the record of a new call (or returns None when calls are not stored).
RecordFactory = Callable[[CallSource], CallRecord | None]

# How a call ended: the agent (or quitting) stopped it, the input file played to its end, or
# the source failed before the call could run (no microphone, unreadable file).
STOPPED, INPUT_ENDED, FAILED = "stopped", "input_ended", "failed"


class CallWorker(QObject):
    status = Signal(str, str)           # state, message (see sources.StatusFn)
    call_started = Signal(float)        # call seconds per wall-clock second
    posted = Signal()                   # the outbox has something: the GUI calls take()
    record_problem = Signal(str)        # the call record could not be written

    def __init__(
        self,
        source: CallSource,
        playbook: Playbook,
        records: RecordFactory | None = None,
    ):
        super().__init__()
        self.source = source
        self.playbook = playbook
        self._records = records
        self._stop = threading.Event()
        self._manual: queue.SimpleQueue[tuple[str, bool]] = queue.SimpleQueue()
        # ("events", perf_counter when the batch left the coach, events) or
        # ("ended", report, how the call ended)
        self._outbox: queue.SimpleQueue[tuple] = queue.SimpleQueue()
        self.last_report: dict | None = None
        self.last_outcome = ""
        self._running = threading.Event()
        self._closed = threading.Event()
        self._prepared = False

    # -- called from the GUI thread (thread-safe) --------------------------------------------

    def request_stop(self) -> None:
        self._stop.set()

    def arm(self) -> None:
        """Called by the GUI as it asks for a call: an End pressed before the call gets going
        (the engine still loading) then still ends it."""
        self._stop.clear()
        while not self._manual.empty():
            self._manual.get_nowait()

    def close(self) -> None:
        """Ends the running call and refuses new ones: the application is quitting."""
        self._closed.set()
        self._stop.set()

    def reload_engine(self) -> None:
        """A model was installed: prepare the source again before the next call."""
        forget = getattr(self.source, "forget_engine", None)
        if forget is not None:
            forget()
        self._prepared = False

    def use_source(self, source: CallSource) -> None:
        """The next call listens to `source` (a practice call, or back to the microphone)."""
        self.source = source
        self._prepared = False

    def request_tick(self, step: str, covered: bool) -> None:
        """Tick (covered=True) or untick a step by hand in the running call."""
        self._manual.put((step, covered))

    def take(self) -> list[tuple]:
        """Everything the worker has posted since the last take, in order (GUI thread)."""
        out = []
        while True:
            try:
                out.append(self._outbox.get_nowait())
            except queue.Empty:
                return out

    @property
    def running(self) -> bool:
        return self._running.is_set()

    # -- slots run on the worker thread ---------------------------------------------------

    @Slot()
    def prepare(self) -> None:
        if self._prepared:
            return
        try:
            self.source.prepare(self.status.emit)
            self._prepared = True
        except CallAssistError as e:
            self.status.emit("error", str(e))

    @Slot()
    def run_call(self) -> None:
        if self._running.is_set() or self._closed.is_set():
            return
        self._running.set()
        try:
            self.prepare()
            self._run_one()
        finally:
            self._running.clear()

    def _run_one(self) -> None:
        session = CallSession(self.playbook, monitors_for(self.playbook, self._voice_level()))
        record: CallRecord | None = None
        opened = False

        def emit(batch: Sequence[Event]) -> None:
            nonlocal record, opened
            out = list(batch) + self._apply_manual(session)
            if not out:
                return
            self._outbox.put(("events", time.perf_counter(), out))
            self.posted.emit()
            if not opened:
                # Opened with the first events, so a call that never started (no microphone)
                # leaves no empty record behind.
                opened = True
                record = self._open_record()
            if record is not None:
                try:
                    record.write(out)
                except (OSError, CallAssistError) as e:
                    self.record_problem.emit(f"this call is not being saved: {e}")
                    record = None

        self.call_started.emit(self.source.speed)
        outcome = STOPPED
        try:
            if not self._prepared:
                outcome = FAILED  # the engine did not load; the banner already says why
            elif not self._stop.is_set():
                self.source.run_call(session, emit, self._stop, self.status.emit)
                if not self._stop.is_set():
                    outcome = INPUT_ENDED
        except InputUnavailable as e:
            self.status.emit("no_mic", str(e))
            outcome = FAILED
        except CallAssistError as e:
            self.status.emit("error", str(e))
            outcome = FAILED
        except Exception as e:  # the GUI must hear that the call ended, whatever happened
            self.status.emit("error", f"the call stopped unexpectedly: {type(e).__name__}: {e}")
            outcome = FAILED
        emit(session.end())
        # A practice call's source adds its scorecard to the report.
        finish = getattr(self.source, "report", None)
        report = finish(session) if finish is not None else session.report()
        if record is not None:
            try:
                record.finish(report)
            except (OSError, CallAssistError) as e:
                self.record_problem.emit(f"this call could not be saved: {e}")
        self.last_report, self.last_outcome = report, outcome
        self._outbox.put(("ended", report, outcome))
        self.posted.emit()

    def _apply_manual(self, session: CallSession) -> list[Event]:
        out: list[Event] = []
        while not self._manual.empty():
            step, covered = self._manual.get_nowait()
            at = session.now
            out += session.tick(step, at) if covered else session.untick(step, at)
        return out

    def _voice_level(self) -> float | None:
        """The agent's usual level remembered by the store, so the loudness cue compares this
        call with the agent's other calls from the first word (None: learn it in the call)."""
        remembered = getattr(self._records, "voice_level", None)
        if remembered is None:
            return None
        try:
            return remembered()
        except (OSError, CallAssistError):
            return None  # the record itself will say the store is unavailable

    def _open_record(self) -> CallRecord | None:
        if self._records is None:
            return None
        try:
            return self._records(self.source)
        except (OSError, CallAssistError) as e:
            self.record_problem.emit(f"this call is not being saved: {e}")
            return None

