"""The one way a call is run, with no GUI: a source feeds a CallSession, every batch of events
goes to the caller's `emit` and to the call record as it comes, and the call ends with a report
whose header ("id", "title", "engine", "model") is filled here, once.

    runner = CallRunner(playbook, records=StoreRecords(), status=show, problem=warn)
    if runner.prepare(source):                 # loads the engine once per source (seconds)
        result = runner.run(source, emit, stop)  # blocks until the input ends or stop is set
    result.report, result.outcome, result.call_id, result.error

The overlay runs it on its worker thread (ui/worker.py is the Qt glue around it); `listen`,
`analyze` and `practice` on a thread of their own or the main thread. Manual ticks
(`tick(step, covered)`, thread-safe) are applied between two batches, so the session only ever
runs on the runner's thread.

The record opens with the call's first events, so a call that never started (no microphone)
leaves no empty record; each batch is one short transaction, so a crash or `kill -9` keeps the
call so far (the store closes it as interrupted on its next open)."""

from __future__ import annotations

import contextlib
import dataclasses
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from callassist.app.records import CallRecord, RecordFactory
from callassist.app.sources import CallSource, EmitFn, InputUnavailable, StatusFn
from callassist.coach.events import Event
from callassist.coach.playbook import Playbook
from callassist.coach.report import Report
from callassist.coach.session import CallSession
from callassist.coach.tone import monitors_for
from callassist.errors import CallAssistError

# How a call ended: stopped (the agent, Ctrl+C or quitting), the input played to its end, or
# the call could not run (no microphone, an engine that did not load, an unreadable file).
STOPPED, INPUT_ENDED, FAILED = "stopped", "input_ended", "failed"


def _ignore(*_: object) -> None:
    pass


@dataclass
class CallResult:
    report: Report
    outcome: str
    call_id: int | None = None
    error: str = ""  # why the call failed, when it did


class CallRunner:
    def __init__(
        self, playbook: Playbook, records: RecordFactory | None = None,
        status: StatusFn = _ignore, problem: Callable[[str], None] = _ignore,
    ):
        self.playbook = playbook
        self.records = records
        self.status = status      # (state, message) for the banner or stderr
        self.problem = problem    # the call record could not be written (one line)
        self._manual: queue.SimpleQueue[tuple[str, bool]] = queue.SimpleQueue()
        self._prepared: set[int] = set()
        self.last_error = ""  # why the last prepare failed

    # -- thread-safe ---------------------------------------------------------------------------

    def tick(self, step: str, covered: bool) -> None:
        """Tick (covered=True) or untick a step by hand in the running call."""
        self._manual.put((step, covered))

    def clear_ticks(self) -> None:
        while not self._manual.empty():
            self._manual.get_nowait()

    # -- on the runner's thread ----------------------------------------------------------------

    def prepare(self, source: CallSource) -> bool:
        """Loads what the source needs, once; False (the status says why) when it failed."""
        if id(source) in self._prepared:
            return True
        try:
            source.prepare(self.status)
        except CallAssistError as e:
            self.last_error = str(e)
            self.status("error", str(e))
            return False
        self._prepared.add(id(source))
        return True

    def forget(self, source: CallSource) -> None:
        """Prepare the source again before its next call (a new model was installed)."""
        self._prepared.discard(id(source))

    def wait_for_call(self, source: CallSource, stop: threading.Event) -> bool:
        """A source whose calls start by voice (SpeechSource with a customer input) listens
        here until both sides have spoken (True), or stop is set or its input ended (False).
        Any other source, or one not prepared (run() then says why), is ready at once."""
        if id(source) not in self._prepared:
            return True
        return source.wait_for_call(stop)

    def run(self, source: CallSource, emit: EmitFn, stop: threading.Event) -> CallResult:
        level = self.remembered_voice_level()
        session = CallSession(self.playbook, monitors_for(self.playbook, level))
        record: CallRecord | None = None
        opened = False

        def out(batch: Sequence[Event]) -> None:
            nonlocal record, opened
            events = list(batch) + self._apply_manual(session)
            if not events:
                return
            emit(events)
            if not opened:
                opened = True
                record = self._open(source)
            if record is not None:
                try:
                    record.write(events)
                except (OSError, CallAssistError) as e:
                    self.problem(f"this call is not being saved: {e}")
                    # what was written is closed as interrupted now if the store still
                    # answers, else by its next start
                    with contextlib.suppress(OSError, CallAssistError):
                        record.close()
                    record = None

        try:
            outcome, error = self._listen(source, session, out, stop)
            out(session.end())
            if not opened and outcome != FAILED:  # a call that started and heard nothing
                # is kept too ("no speech"); one that could not start leaves no record
                opened = True
                record = self._open(source)
            report = self._report(source, session)
        except BaseException:  # Ctrl+C on this thread: the record keeps the call as interrupted
            if record is not None:
                record.close()
            raise
        call_id = None
        if record is not None:
            try:
                # a call an error stopped is kept, as interrupted, never as complete
                call_id = record.finish(report, "interrupted" if outcome == FAILED else "complete")
            except (OSError, CallAssistError) as e:
                self.problem(f"this call could not be saved: {e}")
        return CallResult(report, outcome, call_id, error)

    def _listen(
        self, source: CallSource, session: CallSession, out: EmitFn, stop: threading.Event,
    ) -> tuple[str, str]:
        """Runs the source; returns how the call ended and why it failed, if it did."""
        if id(source) not in self._prepared:
            return FAILED, "the speech engine is not loaded"
        if stop.is_set():
            return STOPPED, ""
        try:
            source.run_call(session, out, stop, self.status)
        except InputUnavailable as e:
            self.status("no_mic", str(e))
            return FAILED, str(e)
        except CallAssistError as e:
            self.status("error", str(e))
            return FAILED, str(e)
        except Exception as e:  # whoever waits must hear that the call ended, whatever happened
            error = f"the call stopped unexpectedly: {type(e).__name__}: {e}"
            self.status("error", error)
            return FAILED, error
        return (STOPPED if stop.is_set() else INPUT_ENDED), ""

    @staticmethod
    def _report(source: CallSource, session: CallSession) -> Report:
        head = source.header()
        report = source.report(session).with_header(head["id"], head["title"], head["engine"],
                                                    head["model"])
        ended = source.last_words_at()
        if ended is not None and ended < (report.duration or 0.0):
            # the silence that ended it is not call time
            report = dataclasses.replace(report, duration=round(ended, 2))
        return report

    def _apply_manual(self, session: CallSession) -> list[Event]:
        out: list[Event] = []
        while not self._manual.empty():
            step, covered = self._manual.get_nowait()
            out += session.tick(step, session.now) if covered else session.untick(step,
                                                                                  session.now)
        return out

    def remembered_voice_level(self) -> float | None:
        """The agent's usual level remembered by the store, so the loudness cue compares this
        call with the agent's other calls from the first word (None: learn it in the call)."""
        if self.records is None:
            return None
        try:
            return self.records.voice_level()
        except (OSError, CallAssistError):
            return None  # the record itself will say the store is unavailable

    def _open(self, source: CallSource) -> CallRecord | None:
        if self.records is None:
            return None
        try:
            return self.records(source)
        except (OSError, CallAssistError) as e:
            self.problem(f"this call is not being saved: {e}")
            return None


def run_to_end(source: CallSource, playbook: Playbook) -> CallResult:
    """One call on this thread, unrecorded, until its input ends (tests, benchmarks, scripts)."""
    runner = CallRunner(playbook)
    if not runner.prepare(source):
        raise CallAssistError(runner.last_error)
    return runner.run(source, _ignore, threading.Event())
