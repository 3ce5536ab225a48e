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
from callassist.store.db import Connection, StoreError, StoreUnreachable
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
# While the store cannot be reached (a server restart or failover, a SQLite store held by a
# long delete), a call's batches wait in memory and are sent when it answers again (D3, D4):
# tried every RETRY_S; a call's end waits up to OUTAGE_S for it; beyond MAX_PENDING rows
# (hours of a call) the recorder gives up on the call rather than grow without bound.
RETRY_S = 0.5
OUTAGE_S = 120.0
MAX_PENDING = 200_000
# Batches committed this recently are sent again after a lost connection: PostgreSQL's
# asynchronous commit may lose the last ~0.6 s of them when the server crashes. Sending one
# twice is harmless (rows are keyed by call and sequence number).
RESEND_S = 3.0


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
_INSERT = ("INSERT INTO events (call_id, seq, at, type, data) VALUES (?, ?, ?, ?, ?) "
           "ON CONFLICT (call_id, seq) DO NOTHING")


@dataclass
class _Batch:
    """One write: new event rows, rewrites of stored ones, the call's length so far (with a
    heartbeat) when it moved."""

    rows: list[tuple[Any, ...]]
    updates: list[tuple[Any, ...]]
    clock: float | None
    sent: float = 0.0  # monotonic time of its commit


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
        self._lock = threading.RLock()
        self._pending: list[_Batch] = []  # not sent yet, in order
        self._pending_rows = 0
        self._recent: list[_Batch] = []  # sent within RESEND_S
        self._down = False
        self._down_since = 0.0
        self._up = threading.Event()  # set when the store answers again
        self._closing = threading.Event()  # stops the retry thread
        self._failed = False
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
        if self._failed:
            raise StoreError(f"call {self.call_id} can no longer be saved (it was deleted "
                             "from the store, or this role lost its rights)")
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
        if beat or progress:
            self._heartbeat = now
            self._stored_clock = max(self._stored_clock, self._clock)
        with self._lock:
            self._pending.append(_Batch(rows, updates, self._clock if beat or progress else None))
            self._pending_rows += len(rows) + len(updates)
            if self._pending_rows > MAX_PENDING:
                raise StoreError(f"the call store has not answered for "
                                 f"{time.monotonic() - self._down_since:.0f} s and this call's "
                                 f"{self._pending_rows} unsent events fill the buffer")
            if not self._down:
                self._send_pending()

    def _send_pending(self) -> None:
        """Sends the waiting batches in order (the caller holds `_lock`). A store that
        cannot be reached keeps them waiting and starts the retry thread; any other error
        is the caller's."""
        try:
            while self._pending:
                batch = self._pending[0]
                self._send(batch)
                self._pending.pop(0)
                self._pending_rows -= len(batch.rows) + len(batch.updates)
                batch.sent = time.monotonic()
                self._recent.append(batch)
            while self._recent and self._recent[0].sent < time.monotonic() - RESEND_S:
                self._recent.pop(0)
        except StoreUnreachable:
            self._went_down()

    def _send(self, batch: _Batch) -> None:
        with self.conn.transaction():
            if batch.updates:
                self.conn.executemany(
                    "UPDATE events SET data = ? WHERE call_id = ? AND seq = ?", batch.updates)
            if batch.rows:
                self.conn.executemany(_INSERT, batch.rows)
                # The live floor view wakes on this instead of polling (PostgreSQL only); no
                # payload, as any database user may listen (S3).
                self.conn.notify(FLOOR_CHANNEL, "")
            if batch.clock is not None:
                # the length so far: what an interrupted call is closed with (D3); the
                # heartbeat by the store's clock (W1)
                self.conn.execute(
                    f"UPDATE calls SET heartbeat = {self.conn.now_sql}, {_LONGER} WHERE id = ?",
                    (batch.clock, batch.clock, self.call_id))
        self._dirty.set()

    def _went_down(self) -> None:
        if not self._down:
            self._down = True
            self._down_since = time.monotonic()
            self._up.clear()
            threading.Thread(target=self._retry_loop, daemon=True,
                             name=f"callassist-store-retry-{self.call_id}").start()

    def _retry_loop(self) -> None:
        """Until the store answers again: then the last few seconds' batches are sent again
        (a crashed server may have lost them) and the waiting ones after them."""
        while not self._closing.wait(RETRY_S):
            with self._lock:
                try:
                    self.conn.execute("SELECT 1")  # a new connection if the old one is gone
                    for batch in self._recent:
                        self._send(batch)
                except StoreUnreachable:
                    continue
                except StoreError:
                    self._failed = True  # e.g. the call was deleted meanwhile: give up
                    self._up.set()
                    return
                self._down = False
                self._send_pending()  # if the store went away again, a new thread waits
                if not self._down:
                    self._up.set()
                return

    @property
    def waiting(self) -> int:
        """Rows not yet in the store (the store could not be reached)."""
        return self._pending_rows

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
        if self.retention == "none":
            self._shut()
            return None
        with self._lock:
            if rows:
                self._pending.append(_Batch(rows, [], None))
                self._pending_rows += len(rows)
            if not self._down:
                self._send_pending()
        deadline = time.monotonic() + OUTAGE_S
        try:
            if self._down and not self._up.wait(OUTAGE_S):
                raise StoreError(f"the call store has not answered for {OUTAGE_S:g} s; the "
                                 f"last {self._pending_rows} events of call {self.call_id} "
                                 "were not saved")
            if self._failed:
                raise StoreError(f"call {self.call_id} can no longer be saved")
            while True:  # the report too: the store's own connection may need making again
                try:
                    self._finish_call(self.call_id, report, status)
                    break
                except StoreUnreachable:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(RETRY_S)
        finally:
            self._shut()
        return self.call_id

    def close(self) -> None:
        """Stops writing without finishing: the call is closed as interrupted, with a report
        rebuilt from its events (or on the next open, if the store cannot be reached now)."""
        if self.finished:
            return
        if self.retention != "none" and not self._down:
            with self._lock, contextlib.suppress(StoreError):
                self._send_pending()  # what is still waiting goes first, if it can
        self._shut()
        if self.retention != "none":
            with contextlib.suppress(StoreError):
                self._finish_call(self.call_id, None, "interrupted")

    def _shut(self) -> None:
        self.finished = True
        self._stop.set()
        self._closing.set()
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
        if self.pace is None or self._started is None or self._down:
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
