"""Where a call is recorded: the call store named in the settings (SQLite or PostgreSQL). The
runner opens a record with the call's first events, writes every batch as it comes (so a crash
keeps the call so far) and finishes it with the report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from callassist.app.sources import CallSource
from callassist.coach.events import Event
from callassist.coach.report import Report

if TYPE_CHECKING:
    from callassist.store import Store
    from callassist.store.recorder import CallRecorder


class CallRecord(Protocol):
    def write(self, events: Sequence[Event]) -> None: ...

    def finish(self, report: Report, status: str = "complete") -> int | None:
        """Marks the call complete (or interrupted: an error stopped it); returns its id (None
        when nothing is kept)."""

    def close(self) -> None:
        """Stops without finishing: the call is kept as interrupted."""


class RecordFactory(Protocol):
    """Opens the record of a new call (or returns None when calls are not stored)."""

    def __call__(self, source: CallSource) -> CallRecord | None: ...

    def voice_level(self) -> float | None:
        """The agent's usual voice level from their last stored call (tone monitors)."""


class OpenRecord:
    """One call's recorder and the store it writes to; both closed when the call finishes."""

    def __init__(self, store: Store, recorder: CallRecorder):
        self.store = store
        self.recorder = recorder
        self.call_id: int | None = None

    def write(self, events: Sequence[Event]) -> None:
        self.recorder.write(events)

    def finish(self, report: Report, status: str = "complete") -> int | None:
        try:
            self.call_id = self.recorder.finish(report, status)
        finally:
            self.store.close()
        return self.call_id

    def close(self) -> None:
        try:
            self.recorder.close()
        finally:
            self.store.close()


def _in_real_time(source: CallSource) -> bool:
    """Whether the call runs by the clock (a microphone, a recording or transcript played
    live, a practice call) rather than as fast as a file can be read (`analyze`)."""
    return source.realtime


class StoreRecords:
    """A record factory for the store configured in the settings (`callassist.settings`:
    agent name, retention, SQLite or PostgreSQL), or the one at `url`; `agent` overrides the
    agent setting (a trainee's practice calls)."""

    def __init__(self, url: str | None = None, agent: str | None = None):
        self.url = url
        self.agent = agent
        self.last: OpenRecord | None = None

    def voice_level(self) -> float | None:
        """The agent's usual voice level from their last stored call (tone monitors)."""
        from callassist.store import open_store

        store = open_store(self.url)
        try:
            return store.remembered_voice_level()
        finally:
            store.close()

    def __call__(self, source: CallSource) -> OpenRecord:
        from callassist.store import open_store

        head = source.header()
        store = open_store(self.url)
        try:
            recorder = store.begin_call(
                agent=self.agent, engine=head["engine"] or "transcript", model=head["model"],
                source=head["source"], title=head["title"],
                pace=source.speed if _in_real_time(source) else None,
                phone_call_id=head.get("phone_call_id"),
            )
        except BaseException:
            store.close()
            raise
        self.last = OpenRecord(store, recorder)
        return self.last
