"""Call records: every call's events as they happen, its report, and the queries behind the
review window and `callassist calls`.

Where: SQLite in the user data folder (`callassist.paths.data_dir()/calls.sqlite3`, WAL mode) by
default, or whatever the `store` setting names (a file path, `sqlite:///path`, or
`postgresql://user:password@host/db` for a team server). The same code and numbered migrations
(`callassist.store.migrations`) serve both.

Recording a live call (the overlay and `callassist listen`)::

    from callassist.store import open_store

    store = open_store()                      # or open_store("postgresql://...")
    rec = store.begin_call(agent=None,        # None = the `agent` setting
                           engine="vosk", model="vosk-model-small-en-us-0.15",
                           started_at=None)   # epoch seconds; None = now
    rec.write(events)                         # each batch the CallSession returns, as it comes
    ...
    call_id = rec.finish(session.report())    # marks the call complete
    store.close()

`write` is one short transaction (well under 5 ms on SQLite): whatever it stored survives a
crash or `kill -9` of the program; on SQLite a background checkpoint once a second bounds what
a power cut can lose, on PostgreSQL asynchronous commit does the same. LevelEvents are not stored
one by one: they become "speech" stretches per speaker (start, end, mean dBFS) for the review
timeline. Partial transcripts are never stored; finals only under `full` retention. A recorder
is thread-safe and also a context manager (leaving it without `finish` = interrupted). A call
whose recorder died is closed as `interrupted` by the next `open_store` on the same machine (at
once if its process is gone; after 2 minutes without heartbeat for another machine), with a
report rebuilt from its stored events.

If the store cannot be reached mid-call (a server restart or failover, a SQLite store locked
past the busy timeout), `write` does not fail: the batches wait in memory, are sent when the
store answers again (the last seconds' are sent twice, harmlessly) and `finish` waits for them
(store/recorder.py). A team store's access control (roles and row-level security, set up by
`callassist store setup-roles`) is in store/access.py; docs/team-store-security.md has it all.

Storing a finished report (`callassist analyze --save`): `save_report(report, source)` here, or
`Store.save_report(report, source, agent=, started_at=, engine=, model=)`.

Retention (the `retention` setting, or `retention=` per call): `full` keeps everything,
`checklist` keeps steps, warnings (with advice, without evidence text) and reminders but no
transcript, `none` stores nothing (`begin_call` returns a recorder that writes nothing,
`save_report` returns None). In every mode, runs of four or more digits or spoken digits
("four four two one") are replaced by "[number]" before anything is written
(`callassist.store.privacy`).

Deleting old calls: the store's own policy (`Store.retention_days`, set by its admin), applied
by `Store.purge` by the store's clock (the server's on PostgreSQL), which refuses to delete most
of the store or to run on a clock earlier than the newest call unless overridden, and says
whose calls it deleted (`Store.last_purge`). The personal `retention_days` setting applies to a
local SQLite store only, when it opens.

Reading: `Store.list_calls(CallFilter(agent=, since=, until=, missed=, warning=), offset, limit)`
(newest first, paged), `count_calls`, `get_call(id) -> StoredCall(row, report, events)`,
`agents()`, `warning_kinds()`, `coverage(filter, bucket_days)`.

Errors (a damaged or foreign file, a lock held longer than `timeout`, an unreachable server, a
schema from a newer version) raise `StoreError`, a CallAssistError with a one-line message; a
store that cannot be read is never replaced by an empty one.
"""

from __future__ import annotations

from typing import Any

from callassist.store.db import StoreError
from callassist.store.query import CallFilter, CallRow, StoredCall
from callassist.store.recorder import CallRecorder
from callassist.store.store import Store, open_store

__all__ = [
    "CallFilter",
    "CallRecorder",
    "CallRow",
    "Store",
    "StoreError",
    "StoredCall",
    "open_store",
    "save_report",
]


def save_report(report: dict[str, Any], source: str) -> int | None:
    """Stores a finished call's report under the settings' agent and retention (its "engine"
    and "model" keys, when a recording was analysed, go with it); returns the call id (None
    when retention is `none`)."""
    with open_store() as store:
        return store.save_report(report, source=source, engine=str(report.get("engine") or ""),
                                 model=str(report.get("model") or ""))
