"""Deleting calls for privacy: the named calls, or every call older than a number of days.

Deleting must remove the words, not just hide them. On SQLite the full-text index is merged so
no old segment keeps the words, the file is rebuilt (`VACUUM`, which leaves no freed page
behind) and the WAL is checkpointed and truncated, so neither the database file nor its WAL
holds the deleted text. On PostgreSQL the tables are rewritten
(`VACUUM FULL`), so the deleted rows leave the table files; the server's own write-ahead log
keeps them until it recycles its segments, as for any PostgreSQL data.
"""

from __future__ import annotations

import time
from typing import Any

from callassist.store.db import Connection, StoreError

# Tables that hold a call's words; rows go with the call through ON DELETE CASCADE.
CALL_TABLES = ("calls", "events", "call_warnings", "notes", "flags", "call_text", "corrections")
MAX_IDS = 10_000


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


def purge(conn: Connection, older_than_days: float, now: float | None = None) -> int:
    """Deletes every finished call that started more than `older_than_days` ago."""
    if not 0 < older_than_days <= 36500:
        raise StoreError(f"--older-than {older_than_days:g} is not a number of days from 1 to "
                         "36500")
    cutoff = (time.time() if now is None else now) - older_than_days * 86400
    where = "started_at < ? AND status <> 'live'"
    with conn.transaction():
        n = int(conn.execute(f"SELECT COUNT(*) FROM calls WHERE {where}", (cutoff,))[0][0])
        if n:
            _delete(conn, where, [cutoff])
    if n:
        erase_freed(conn)
    return n


def _delete(conn: Connection, where: str, params: list[Any]) -> None:
    # Events, notes, flags and text go with their call (ON DELETE CASCADE); on SQLite the
    # cascade fires call_text's trigger, which takes the words out of the full-text index.
    conn.execute(f"DELETE FROM calls WHERE {where}", params)


def erase_freed(conn: Connection) -> None:
    """Leaves no copy of deleted rows in the database's files (see the module docstring)."""
    if conn.dialect == "sqlite":
        conn.execute("INSERT INTO call_text_fts (call_text_fts) VALUES ('optimize')")
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        for table in CALL_TABLES:
            conn.execute(f"VACUUM FULL {table}")
