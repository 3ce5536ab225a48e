"""Writing one live call as it happens."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from callassist.coach.events import Event, LevelEvent, SpeechEvent, event_from_dict, event_to_dict
from callassist.coach.report import Report
from callassist.store.db import Connection, StoreError
from callassist.store.privacy import SpeakerRuns, event_for_store

# Closes a call in the store: (call id, its report or None to rebuild it, status).
FinishCall = Callable[[int, "Report | Mapping[str, Any] | None", str], None]

HEARTBEAT_S = 20.0
FLOOR_CHANNEL = "callassist_floor"
SYNC_S = 1.0
# Voiced level blocks closer than this belong to one stretch of speech.
SPEECH_GAP_S = 0.6
# How far the call's clock may run ahead of what is stored (D3): the length of a call killed
# mid-speech is within this of the truth.
PROGRESS_S = 0.2
# A stretch of continuous speech is stored in pieces at most this long, so a kill mid-speech
# loses at most this much of the timeline.
MAX_STRETCH_S = 5.0


@dataclass
class _Speech:
    """Turns ~10-30 level events a second into stretches of speech per speaker."""

    start: float | None = None
    last: float = 0.0
    block: float = 0.1
    prev_at: float | None = None
    dbfs: list[float] = field(default_factory=list)

    def feed(self, e: LevelEvent) -> SpeechEvent | None:
        if self.prev_at is not None and 0 < e.at - self.prev_at < 1.0:
            self.block = e.at - self.prev_at
        self.prev_at = e.at
        closed = None
        if self.start is not None and (e.at - self.last > SPEECH_GAP_S
                                       or e.at - self.start >= MAX_STRETCH_S):
            closed = self.close(e.speaker)
        if e.voiced:
            if self.start is None:
                self.start = e.at
            self.last = e.at
            self.dbfs.append(e.dbfs)
        return closed

    def close(self, speaker: str) -> SpeechEvent | None:
        if self.start is None:
            return None
        seg = SpeechEvent(
            speaker, round(self.start, 3), round(self.last + self.block, 3),
            round(sum(self.dbfs) / len(self.dbfs), 1) if self.dbfs else None,
        )
        self.start, self.dbfs = None, []
        return seg


# A live call's length only grows (the clock and the events both move it).
_LONGER = "duration = CASE WHEN duration > ? THEN duration ELSE ? END"


def _event_time(event: Event) -> float:
    """The latest call time an event speaks for (its end, or its moment)."""
    for key in ("end", "at"):
        value = getattr(event, key, None)
        if isinstance(value, int | float):
            return float(value)
    return 0.0


class CallRecorder:
    """Writes a live call's events as they arrive; see the package docstring for the API.

    Each `write` is one short transaction, so everything written before a crash of the program
    is in the store. On SQLite a background checkpoint once a second makes it survive a power
    cut too; on PostgreSQL the server flushes asynchronous commits within a second."""

    def __init__(self, finish_call: FinishCall, conn: Connection, call_id: int, retention: str,
                 owns_conn: bool, pace: float | None = None):
        self._finish_call = finish_call
        self.owns_conn = owns_conn  # a connection of its own, closed with the recorder
        self.conn = conn
        self.call_id = call_id
        self.retention = retention
        self.finished = False
        self._seq = 0
        self._speech: dict[str, _Speech] = {}
        self._runs = SpeakerRuns()
        self._last_seq: dict[str, int] = {}  # each speaker's last stored utterance
        self._heartbeat = time.time()
        self._clock = 0.0  # the call's time, as far as its events have gone
        self._stored_clock = 0.0
        self._dirty = threading.Event()
        self._stop = threading.Event()
        # A call in real time (`pace` call seconds a second: a microphone, a recording played
        # live): its length is also kept by the clock, since the engine may be seconds behind
        # when the program dies (D3). None: a file analysed as fast as it goes.
        self.pace = pace
        self._started: tuple[float, float] | None = None  # (monotonic, call time) at the start
        self._syncer: threading.Thread | None = None
        if retention != "none" and (conn.dialect == "sqlite" or pace is not None):
            self._syncer = threading.Thread(target=self._sync_loop, daemon=True,
                                            name=f"callassist-store-sync-{call_id}")
            self._syncer.start()

    def __enter__(self) -> CallRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(self, events: Iterable[Event | Mapping[str, Any]]) -> None:
        """Stores a batch of coach events (as returned by the session's feed_* calls, or
        their dict form, which is decoded first)."""
        if self.finished:
            raise StoreError(f"call {self.call_id} is already finished; begin a new call")
        rows: list[tuple[Any, ...]] = []
        # earlier utterances that end a number
        rewrites: list[tuple[int | None, dict[str, Any]]] = []
        for given in events:
            event = event_from_dict(given) if isinstance(given, Mapping) else given
            self._clock = max(self._clock, _event_time(event))
            if self._started is None:
                self._started = (time.monotonic(), self._clock)
            if isinstance(event, LevelEvent):
                seg = self._speech.setdefault(event.speaker, _Speech()).feed(event)
                if seg:
                    rows.append(self._row(event_to_dict(seg)))
                continue
            raw = event_to_dict(event)
            stored = event_for_store(raw, self.retention)
            if stored is not None and stored["type"] == "transcript":
                stored, again = self._runs.feed(stored, str(raw.get("text") or ""))
                if again is not None:
                    rewrites.append((self._last_seq.get(str(again.get("speaker", ""))), again))
            if stored is not None:
                rows.append(self._row(stored))
                if stored["type"] == "transcript":
                    self._last_seq[str(stored.get("speaker", ""))] = self._seq
        if self.retention == "none":
            return
        now = time.time()
        beat = now - self._heartbeat > HEARTBEAT_S
        progress = self._clock - self._stored_clock >= PROGRESS_S
        if not rows and not beat and not progress:
            return
        updates = self._rewrites(rewrites, rows)
        with self.conn.transaction():
            if updates:
                self.conn.executemany(
                    "UPDATE events SET data = ? WHERE call_id = ? AND seq = ?", updates)
            if rows:
                self.conn.executemany(
                    "INSERT INTO events (call_id, seq, at, type, data) VALUES (?, ?, ?, ?, ?)", rows
                )
                # The live floor view wakes on this instead of polling (PostgreSQL only).
                self.conn.notify(FLOOR_CHANNEL, str(self.call_id))
            if beat or progress:
                # the length so far: what an interrupted call is closed with (D3)
                self.conn.execute(f"UPDATE calls SET heartbeat = ?, {_LONGER} WHERE id = ?",
                                  (now, self._clock, self._clock, self.call_id))
        if beat or progress:
            self._heartbeat = now
            self._stored_clock = max(self._stored_clock, self._clock)
        self._dirty.set()

    def _rewrites(self, rewrites: list[tuple[int | None, dict[str, Any]]],
                  rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Rewritten utterances: replaced in this batch's rows, or updates of stored rows."""
        updates = []
        for seq, again in rewrites:
            if seq is None:
                continue
            data = json.dumps(again, separators=(",", ":"))
            for i, row in enumerate(rows):
                if row[1] == seq:
                    rows[i] = (*row[:4], data)
                    break
            else:
                updates.append((data, self.call_id, seq))
        return updates

    def _row(self, d: dict[str, Any]) -> tuple[Any, ...]:
        self._seq += 1
        at = d.get("at", d.get("start", 0.0))
        return (self.call_id, self._seq, float(at or 0.0), d["type"],
                json.dumps(d, separators=(",", ":")))

    def finish(self, report: Report | Mapping[str, Any] | None = None,
               status: str = "complete") -> int | None:
        """Ends the call: stores the final report (or one rebuilt from the events) and marks
        the call `status` ("complete", or "interrupted" for a call an error stopped). Returns
        the call id (None under retention `none`)."""
        if self.finished:
            return self.call_id if self.retention != "none" else None
        tail = [s.close(spk) for spk, s in self._speech.items()]
        rows = [self._row(event_to_dict(seg)) for seg in tail if seg]
        if rows and self.retention != "none":
            with self.conn.transaction():
                self.conn.executemany(
                    "INSERT INTO events (call_id, seq, at, type, data) VALUES (?, ?, ?, ?, ?)", rows
                )
        self._shut()
        if self.retention == "none":
            return None
        self._finish_call(self.call_id, report, status)
        return self.call_id

    def close(self) -> None:
        """Stops writing without finishing: the call is closed as interrupted, with a report
        rebuilt from its events (or on the next open, if the store cannot be reached now)."""
        if self.finished:
            return
        self._shut()
        if self.retention != "none":
            with contextlib.suppress(StoreError):
                self._finish_call(self.call_id, None, "interrupted")

    def _shut(self) -> None:
        self.finished = True
        self._stop.set()
        if self._syncer is not None:
            self._syncer.join(timeout=5)
        if self.owns_conn:
            self.conn.close()

    def _sync_loop(self) -> None:
        """Once a second, a checkpoint of SQLite's WAL (what a power cut keeps); every
        PROGRESS_S of a real-time call, its length by the clock (what a kill keeps)."""
        from callassist.store.db import SQLiteConnection

        sync = None
        if isinstance(self.conn, SQLiteConnection):
            try:
                sync = SQLiteConnection(self.conn.location, timeout=1.0)
            except StoreError:
                sync = None
        last_sync = time.monotonic()
        try:
            while not self._stop.wait(PROGRESS_S):
                self._store_clock()
                if sync is not None and time.monotonic() - last_sync >= SYNC_S:
                    last_sync = time.monotonic()
                    if self._dirty.is_set():
                        self._dirty.clear()
                        # A passive checkpoint syncs the WAL to disk without blocking the
                        # writer.
                        try:
                            sync.execute("PRAGMA wal_checkpoint(PASSIVE)")
                        except StoreError:
                            self._dirty.set()
        finally:
            if sync is not None:
                sync.close()

    def _store_clock(self) -> None:
        if self.pace is None or self._started is None:
            return
        wall, at = self._started
        now = max(self._clock, at + (time.monotonic() - wall) * self.pace)
        if now - self._stored_clock < PROGRESS_S:
            return
        try:
            self.conn.execute(f"UPDATE calls SET {_LONGER} WHERE id = ? AND status = 'live'",
                              (round(now, 2), round(now, 2), self.call_id))
        except StoreError:
            return  # the next batch's write reports a store that went away
        self._stored_clock = now
        self._dirty.set()
