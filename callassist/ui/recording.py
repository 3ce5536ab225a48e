"""Storing the overlay's calls: the call store is opened on the worker thread for each call, so
every write (and the final report) happens there, never on the GUI thread."""

from __future__ import annotations

from collections.abc import Sequence

from callassist.coach.events import Event
from callassist.ui.sources import CallSource


class StoredCall:
    """One call's recorder and the store it writes to; both closed when the call finishes."""

    def __init__(self, store, recorder):
        self.store = store
        self.recorder = recorder
        self.call_id: int | None = None

    def write(self, events: Sequence[Event]) -> None:
        self.recorder.write(events)

    def finish(self, report: dict) -> int:
        try:
            self.call_id = self.recorder.finish(report)
        finally:
            self.store.close()
        return self.call_id


class StoreRecords:
    """The worker's record factory: begins a call in the store configured in the settings
    (`callassist.settings`: agent name, retention, SQLite or PostgreSQL)."""

    def __init__(self, url: str | None = None):
        self.url = url
        self.last: StoredCall | None = None

    def voice_level(self) -> float | None:
        """The agent's usual voice level from their last stored call (tone monitors)."""
        from callassist.store import open_store

        store = open_store(self.url)
        try:
            return store.remembered_voice_level()
        finally:
            store.close()

    def __call__(self, source: CallSource) -> StoredCall:
        from callassist.store import open_store

        store = open_store(self.url)
        try:
            recorder = store.begin_call(
                engine=getattr(source, "engine_name", "") or "transcript",
                model=getattr(source, "model_name", ""),
                source=getattr(source, "record_source", source.label),
                title=getattr(source, "title", ""),
            )
        except BaseException:
            store.close()
            raise
        self.last = StoredCall(store, recorder)
        return self.last
