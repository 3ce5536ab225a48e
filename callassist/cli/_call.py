"""Running a call from the terminal: the one call runner on a thread of its own, so Ctrl+C on
the main thread ends the call (and the checklist still prints); status lines on stderr."""

from __future__ import annotations

import sys
import threading

from callassist.app.runner import FAILED, CallResult, CallRunner
from callassist.app.sources import CallSource, EmitFn
from callassist.errors import CallAssistError

# Statuses a terminal user must see; "error" and "no_mic" come back as the call's error.
NOTES = ("fallback", "note", "lost", "overflow")


def quiet_status(kind: str, message: str) -> None:
    """Notes only: for `analyze`, whose output is the report."""
    if kind in NOTES:
        print(f"callassist: note: {message}", file=sys.stderr, flush=True)


def loading_status(kind: str, message: str) -> None:
    """Model loading takes seconds before anything is heard: say so, then the notes."""
    if kind == "loading":
        print(message, file=sys.stderr, flush=True)
    else:
        quiet_status(kind, message)


class SaveProblem:
    """The call record could not be written (P3): the call goes on and its report is still
    printed; afterwards `check` turns the first problem into the command's one error line, so
    a script sees exit status 2 and a person sees why nothing was saved. `live` (listen) also
    says so at once, since the call may go on for minutes."""

    def __init__(self, live: bool = False):
        self.live = live
        self.first = ""

    def __call__(self, message: str) -> None:
        if self.live:
            print(f"callassist: warning: {message}", file=sys.stderr, flush=True)
        self.first = self.first or message

    def check(self) -> None:
        if self.first:
            raise CallAssistError(f"{self.first} (the report above is complete)")


def run_in_terminal(runner: CallRunner, source: CallSource, emit: EmitFn) -> CallResult:
    """Prepares the source and runs one call until its input ends or Ctrl+C; a call that
    could not run raises its one-line error."""
    if not runner.prepare(source):
        raise CallAssistError(runner.last_error or "the speech engine could not be loaded")
    stop = threading.Event()
    done = threading.Event()
    result: list[CallResult] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            result.append(runner.run(source, emit, stop))
        except BaseException as e:  # re-raised on the main thread
            failure.append(e)
        finally:
            done.set()

    threading.Thread(target=work, name="callassist-call", daemon=True).start()
    # An Event, not Thread.join: a join interrupted by Ctrl+C may return early next time.
    try:
        while not done.wait(0.2):
            pass
    except KeyboardInterrupt:
        stop.set()
        done.wait()
    if failure:
        raise failure[0]
    if result[0].outcome == FAILED:
        raise CallAssistError(result[0].error)
    return result[0]
