"""The call on a worker thread: Qt glue around the one call runner (callassist.app.runner).
Every batch of events goes to the GUI through an outbox, the record is written on this thread.

The GUI never touches the session: manual ticks go to the runner, which applies them between
two batches. Events and reports travel through an outbox (a thread-safe queue) announced by an
argument-less signal: Python objects never ride a queued Qt connection across threads, so their
reference counts are only ever touched under the interpreter's own lock."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal, Slot

from callassist.app.records import RecordFactory
from callassist.app.runner import FAILED, INPUT_ENDED, STOPPED, CallRunner
from callassist.app.sources import CallSource
from callassist.coach.events import Event
from callassist.coach.playbook import Playbook
from callassist.coach.report import Report

__all__ = ["FAILED", "INPUT_ENDED", "STOPPED", "CallWorker"]


class CallWorker(QObject):
    status = Signal(str, str)           # state, message (see app.sources.StatusFn)
    call_started = Signal(float, float)  # call seconds per wall-clock second, call time now
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
        self.runner = CallRunner(playbook, records, status=self.status.emit,
                                 problem=self.record_problem.emit)
        self._stop = threading.Event()
        # ("events", perf_counter when the batch left the coach, events),
        # ("ended", report, how the call ended) or ("idle", None, None): no call started
        # (calls by voice: stopped, or the input ended, while listening for one)
        self._outbox: queue.SimpleQueue[tuple] = queue.SimpleQueue()
        self.last_report: Report | None = None
        self.last_outcome = ""
        self._running = threading.Event()
        self._closed = threading.Event()

    # -- called from the GUI thread (thread-safe) --------------------------------------------

    def request_stop(self) -> None:
        self._stop.set()

    def arm(self) -> None:
        """Called by the GUI as it asks for a call: an End pressed before the call gets going
        (the engine still loading) then still ends it."""
        self._stop.clear()
        self.runner.clear_ticks()

    def close(self) -> None:
        """Ends the running call and refuses new ones: the application is quitting."""
        self._closed.set()
        self._stop.set()

    def reload_engine(self) -> None:
        """A model was installed: prepare the source again before the next call."""
        forget = getattr(self.source, "forget_engine", None)
        if forget is not None:
            forget()
        self.runner.forget(self.source)

    def start_now(self) -> None:
        """Calls by voice: start the call now rather than when both sides have spoken."""
        start = getattr(self.source, "start_now", None)
        if start is not None:
            start()

    def use_source(self, source: CallSource) -> None:
        """The next call listens to `source` (a practice call, or back to the microphone)."""
        self.source = source

    def request_tick(self, step: str, covered: bool) -> None:
        """Tick (covered=True) or untick a step by hand in the running call."""
        self.runner.tick(step, covered)

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
        self.runner.prepare(self.source)

    @Slot()
    def run_call(self) -> None:
        if self._running.is_set() or self._closed.is_set():
            return
        self._running.set()
        try:
            self.runner.prepare(self.source)
            if not self.runner.wait_for_call(self.source, self._stop):
                if not self._stop.is_set():
                    self.status.emit("lost", "the input ended while listening for a call")
                self._outbox.put(("idle", None, None))
                self.posted.emit()
                return
            opening = getattr(self.source, "opening_s", None)
            self.call_started.emit(self.source.speed, opening() if opening is not None else 0.0)
            result = self.runner.run(self.source, self._post, self._stop)
            self.last_report, self.last_outcome = result.report, result.outcome
            self._outbox.put(("ended", result.report, result.outcome))
            self.posted.emit()
        finally:
            self._running.clear()

    def _post(self, events: Sequence[Event]) -> None:
        self._outbox.put(("events", time.perf_counter(), list(events)))
        self.posted.emit()
