"""Deleting calls for privacy: the named calls, or every call older than a number of days.

Deleting must remove the words, not just hide them. On SQLite every writer has
`secure_delete` on, so deleted rows are overwritten with zeros as they go; the full-text index
is merged so no old segment keeps the words, and the WAL is checkpointed and truncated, so
neither the database file nor its WAL holds the deleted text. There is no `VACUUM`: on a large
store it held the store for minutes and a live call could not be saved meanwhile (D4). On
PostgreSQL the tables are rewritten
(`VACUUM FULL`), so the deleted rows leave the table files; the server's own write-ahead log
keeps them until it recycles its segments, as for any PostgreSQL data. `VACUUM FULL` copies a
deleted row into the new file while any other session of the database still has a snapshot
older than the delete (a long transaction, another store's read, a recorder's write): the row
is only "recently dead" then. So the rewrite first waits, up to `HORIZON_WAIT_S`, until no
session can still see the deleted rows; a session that holds one longer is logged by pid.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from callassist.store.db import Connection, StoreError

# Tables that hold a call's words; rows go with the call through ON DELETE CASCADE.
CALL_TABLES = ("calls", "events", "call_warnings", "notes", "flags", "call_text", "corrections")
MAX_IDS = 10_000
# A purge may delete at most this share of a store's calls unless its admin overrides: a clock
# set far ahead, or a limit typed wrong, deletes most of a store at once (D1, D2).
MOST = 0.5
# A store's clock may be this far behind its newest call (calls timed by other machines).
CLOCK_SLACK_S = 300.0
# PostgreSQL: how long the rewrite waits for older snapshots of other sessions to end.
HORIZON_WAIT_S = 60.0

log = logging.getLogger(__name__)


@dataclass
class Purge:
    """What a purge deleted: how many calls of whom (or why it refused)."""

    cutoff: float
    by_agent: dict[str, int] = field(default_factory=dict)

    @property
    def deleted(self) -> int:
        return sum(self.by_agent.values())

    def describe(self) -> str:
        whose = ", ".join(f"{a} {n}" for a, n in sorted(self.by_agent.items()))
        n = self.deleted
        return f"{n} call{'s' if n != 1 else ''} deleted" + (f" ({whose})" if whose else "")


def delete_calls(conn: Connection, call_ids: list[int]) -> int:
    """Deletes the calls; returns how many there were. Unknown ids are an error, and nothing
    is deleted then."""
    ids = sorted({int(i) for i in call_ids})
    if not ids:
        return 0
    if len(ids) > MAX_IDS:
        raise StoreError(f"at most {MAX_IDS} calls at once; use `calls purge` for more")
    placeholders = ", ".join("?" for _ in ids)
    with conn.transaction():
        found = {int(r[0]) for r in conn.execute(
            f"SELECT id FROM calls WHERE id IN ({placeholders})", ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise StoreError(f"no call {missing[0]} in the store; nothing deleted")
        _delete(conn, f"id IN ({placeholders})", ids)
    erase_freed(conn)
    return len(ids)


def purge(conn: Connection, older_than_days: float, now: float | None = None,
          override: bool = False) -> Purge:
    """Deletes every finished call that started more than `older_than_days` ago, by the
    store's clock (the server's on PostgreSQL) unless `now` is given. Refuses, deleting
    nothing, when that clock is earlier than the newest call or when the purge would delete
    most of the store, unless `override` (an admin who means it)."""
    if not 1 <= older_than_days <= 36500:
        raise StoreError(f"--older-than {older_than_days:g} is not a number of days from 1 to "
                         "36500")
    clock = conn.now() if now is None else float(now)
    cutoff = clock - older_than_days * 86400
    where = "started_at < ? AND status <> 'live'"
    result = Purge(cutoff)
    with conn.transaction():
        total, newest = conn.execute("SELECT COUNT(*), MAX(started_at) FROM calls")[0]
        rows = conn.execute(f"SELECT agent, COUNT(*) FROM calls WHERE {where} GROUP BY agent",
                            (cutoff,))
        result.by_agent = {str(a): int(n) for a, n in rows}
        n = result.deleted
        if n and not override:
            _refuse_unsafe(clock, newest, n, int(total))
        if n:
            _delete(conn, where, [cutoff])
    if result.deleted:
        erase_freed(conn)
    return result


def _refuse_unsafe(clock: float, newest: float | None, n: int, total: int) -> None:
    import datetime as dt

    def day(t: float) -> str:
        return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")

    if newest is not None and clock < float(newest) - CLOCK_SLACK_S:
        raise StoreError(
            f"the clock says {day(clock)}, earlier than the newest call ({day(float(newest))}): "
            "a wrong clock would delete the wrong calls; nothing was deleted (fix the clock, "
            "or an admin can pass --override)")
    if n > MOST * total:
        raise StoreError(
            f"this purge would delete {n} of the store's {total} calls, most of it; nothing "
            "was deleted (check the clock and the number of days, or an admin can pass "
            "--override)")


def _delete(conn: Connection, where: str, params: list[Any]) -> None:
    # Events, notes, flags and text go with their call (ON DELETE CASCADE); on SQLite the
    # cascade fires call_text's trigger, which takes the words out of the full-text index.
    conn.execute(f"DELETE FROM calls WHERE {where}", params)


def erase_freed(conn: Connection) -> None:
    """Leaves no copy of deleted rows in the database's files (see the module docstring)."""
    if conn.dialect == "sqlite":
        # The rows are zeroed already (secure_delete); the index's old segments go with the
        # merge, and the WAL's older copies of the pages with the checkpoint.
        conn.execute("INSERT INTO call_text_fts (call_text_fts) VALUES ('optimize')")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        _wait_for_older_snapshots(conn)
        for table in CALL_TABLES:
            conn.execute(f"VACUUM FULL {table}")


def _wait_for_older_snapshots(conn: Connection, timeout: float = HORIZON_WAIT_S) -> None:
    """Waits until no other session of this database has a snapshot, or a transaction id,
    older than the delete that just committed: `VACUUM FULL` keeps the rows such a session may
    still see, words and all. The sessions of other roles show only to a superuser or a member
    of pg_read_all_stats; the others are not waited for."""
    # Every transaction before this id has ended, the delete included; a session whose xmin
    # (or own xid) is older may still see the deleted rows.
    horizon = str(int(conn.execute(
        "SELECT pg_snapshot_xmax(pg_current_snapshot())::text")[0][0]) % 2**32)
    older = ("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
             "AND pid <> pg_backend_pid() "
             "AND (age(backend_xmin) > age(CAST(? AS xid)) "
             "OR age(backend_xid) > age(CAST(? AS xid)))")
    deadline = time.monotonic() + timeout
    while True:
        pids = [int(r[0]) for r in conn.execute(older, (horizon, horizon))]
        if not pids:
            return
        if time.monotonic() >= deadline:
            log.warning("deleted calls: session(s) %s still hold a snapshot older than the "
                        "delete; the words they can see stay in the table files until the "
                        "next delete or VACUUM FULL", ", ".join(map(str, pids)))
            return
        time.sleep(0.1)
