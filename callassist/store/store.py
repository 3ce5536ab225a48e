"""The call store: opening it, recording calls, and the queries the review window and the
`calls` command use."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from callassist.coach.assessment import assess
from callassist.coach.events import Event, SpeechEvent, event_to_dict
from callassist.coach.kinds import STEP_IDS
from callassist.coach.report import Report, report_events
from callassist.settings import RETENTION_MODES, Settings, load_settings
from callassist.store.access import Member, whoami
from callassist.store.coaching import Coaching
from callassist.store.corrections import Corrections
from callassist.store.db import (
    Connection,
    StoreError,
    StoreLocation,
    connect,
    parse_url,
)
from callassist.store.deletion import Purge, delete_calls, purge
from callassist.store.migrations import LATEST, current_version, migrate, table_exists, verify
from callassist.store.privacy import event_for_store, redact, redact_turns, report_for_store
from callassist.store.query import (
    CALL_COLUMNS,
    SORT_KEYS,
    CallFilter,
    CallRow,
    StoredCall,
    call_row,
)
from callassist.store.recorder import FLOOR_CHANNEL, CallRecorder
from callassist.store.summary import STEP_BITS, decode_events, figures, report_from_events

# A live call on another machine is taken as interrupted after this long without a heartbeat
# (both times by the store's clock: the server's on PostgreSQL, W1).
STALE_S = 120.0
RETENTION_POLICY = "retention_days"


def default_path() -> Path:
    from callassist.paths import data_dir

    return data_dir() / "calls.sqlite3"


def _host() -> str:
    """This machine and boot: a pid from an earlier boot says nothing about a live process."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8]
    except OSError:
        boot = ""
    return f"{socket.gethostname()}/{boot}"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        # A killed child nobody has reaped yet is no longer writing.
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return True


NO_SPEECH = "no speech"  # a call's status when nobody spoke: in the list, in no figure


def _spoke(report: Mapping[str, Any]) -> bool:
    """Whether anyone said anything in the call: words heard, a step or warning (words heard
    too), or a voice the level meter measured (the agent's voiced level, with retention
    modes that keep no words)."""
    tone = (report.get("summary") or {}).get("tone") or {}
    voiced = isinstance(tone, dict) and isinstance(tone.get("loudness"), dict) and (
        tone["loudness"].get("baseline_dbfs") is not None)
    return voiced or any(str(t.get("text") or "").strip() for t in report.get("transcript", [])
                         if isinstance(t, dict)) or bool(report.get("warnings")) or any(
        isinstance(s, dict) and s.get("covered") for s in (report.get("steps") or {}).values())


class _NeedsUpgrade(StoreError):
    """A store opened to read has an older schema: it is opened to be upgraded instead."""


class Store:
    """`readonly` (commands that only read): nothing is written, so a store on a read-only
    disk or one another program is writing to can be read; see `open_store`."""

    def __init__(self, location: StoreLocation, settings: Settings, timeout: float = 5.0,
                 readonly: bool = False):
        self.location = location
        self.settings = settings
        self.timeout = timeout
        self.readonly = readonly
        self.conn: Connection = connect(location, timeout, readonly)
        self.last_purge: Purge | None = None
        try:
            if readonly:
                self.access = self._check_readable()
                self.recovered = self._recover_own_host()
            else:
                migrate(self.conn)
                self.access = self._member()
                self.recovered = self.recover_interrupted()
            self.purged = 0 if readonly else self._apply_retention()
            self.coaching = Coaching(self.conn)
            self.corrections = Corrections(self.conn)
        except BaseException:
            self.conn.close()
            raise

    def _member(self) -> Member | None:
        """Who this connection is on a store with access control (its member row); their
        name then comes from the store, not from the settings (S1)."""
        member = whoami(self.conn)
        if member is not None and member.kind != "admin":
            self.settings = dataclasses.replace(self.settings, agent=member.agent)
        return member

    def _check_readable(self) -> Member | None:
        """A read-only store must already have this version's schema (an older one needs one
        open with write access to be upgraded)."""
        if not table_exists(self.conn, "schema_version"):
            raise StoreError(f"{self.location.display}: not a CallAssist call store (no "
                             "schema); point --store or the store setting at a call store")
        version = current_version(self.conn)
        if version < LATEST:
            raise _NeedsUpgrade(f"{self.location.display}: schema {version} of {LATEST}")
        verify(self.conn)
        return self._member()

    def _recover_own_host(self) -> list[int]:
        """A read-only open closes only calls of this machine whose process is gone (certain);
        another machine's call is closed only by a write action (W1). Nothing if the store
        cannot be written after all."""
        if not self._dead_calls(other_hosts=False):
            return []
        try:
            with Store(self.location, self.settings, timeout=min(self.timeout, 0.5)) as writer:
                return writer.recovered
        except StoreError:
            return []

    @property
    def retention_days(self) -> int:
        """The store's retention policy, set by its admin (0: keep every call)."""
        rows = self.conn.execute("SELECT value FROM store_policy WHERE name = ?",
                                 (RETENTION_POLICY,))
        return int(rows[0][0]) if rows else 0

    def set_retention_days(self, days: int) -> None:
        """Sets the store's retention policy (0: keep every call). On a team store only its
        admin may: the database refuses everyone else."""
        if not 0 <= int(days) <= 36500:
            raise StoreError(f"retention {days} is not a number of days from 0 (keep) to 36500")
        self._admin_only("change the retention")
        with self.conn.transaction():
            self.conn.execute("DELETE FROM store_policy WHERE name = ?", (RETENTION_POLICY,))
            if days:
                self.conn.execute("INSERT INTO store_policy (name, value) VALUES (?, ?)",
                                  (RETENTION_POLICY, str(int(days))))

    def _apply_retention(self) -> int:
        """On a local (SQLite) store, its own policy, else the owner's `retention_days`
        setting, applied at every open with the purge's safeguards and said aloud. A team
        store's retention is applied by its admin (`callassist calls purge`), never by a
        personal setting (D1)."""
        if self.dialect != "sqlite":
            return 0
        days = self.retention_days or self.settings.retention_days
        if not days:
            return 0
        try:
            done = self._purge(days, None, override=False)
        except StoreError as e:
            # Another program holds the store (old calls go next start), or a safeguard
            # refused: say so and keep every call.
            if "locked" not in str(e):
                print(f"callassist: retention of {days} days not applied: {e}", file=sys.stderr)
            return 0
        if done.deleted:
            print(f"callassist: retention of {days} days: {done.describe()}", file=sys.stderr)
        return done.deleted

    def delete_calls(self, call_ids: list[int]) -> int:
        """Deletes the calls and every trace of their words (store/deletion.py)."""
        self._admin_only("delete calls")
        return delete_calls(self.conn, call_ids)

    def purge(self, older_than_days: float, now: float | None = None,
              override: bool = False) -> int:
        """Deletes every finished call older than this many days; returns how many (whose:
        `last_purge`). `now`: the clock to count from (the store's when None: the server's
        on PostgreSQL). Refuses a purge of most of the store, or on a clock earlier than the
        newest call, unless `override`."""
        return self._purge(older_than_days, now, override).deleted

    def _admin_only(self, what: str) -> None:
        """A clear message first; the database refuses anyway (no DELETE right, S1)."""
        if self.access is not None and self.access.kind != "admin":
            raise StoreError(f"only the store's admin may {what}; you are "
                             f"{self.access.role} ({self.access.kind})")

    def _purge(self, days: float, now: float | None, override: bool) -> Purge:
        self._admin_only("purge calls")
        self.last_purge = purge(self.conn, days, now=now, override=override)
        return self.last_purge

    @property
    def dialect(self) -> str:
        return self.conn.dialect

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------------

    def begin_call(
        self, agent: str | None = None, engine: str = "", model: str = "",
        started_at: float | None = None, source: str = "live", title: str = "",
        retention: str | None = None, pace: float | None = None,
        phone_call_id: str | None = None,
    ) -> CallRecorder:
        """Starts recording a live call; see the package docstring. `pace`: call seconds per
        second for a call in real time (its length is then kept by the clock too), None for
        a file analysed as fast as it goes. `phone_call_id`: the phone system's id, kept as
        given (with its title "Call <id>"): redaction is for what was said."""
        retention = self._retention(retention)
        conn = self._writer_connection()
        try:
            # The store's clock: one clock for every machine of a team (D2).
            started = conn.now() if started_at is None else float(started_at)
        except BaseException:
            conn.close()
            raise
        if retention == "none":
            return CallRecorder(self._finish_call, conn, 0, retention, conn is not self.conn)
        try:
            call_id = self._insert_call(conn, agent, started, "live", source, title, engine, model,
                                        retention, phone_call_id)
        except BaseException:
            conn.close()
            raise
        if conn.dialect == "postgresql":
            # Asynchronous commit: the server writes the WAL within ~0.6 s (3 x wal_writer_delay),
            # which is the "lose at most the last second" promise at a fraction of the cost.
            # If the server crashes, the recorder sends its last seconds again (recorder.py).
            conn.session("SET synchronous_commit TO off")  # type: ignore[attr-defined]
        return CallRecorder(self._finish_call, conn, call_id, retention,
                            conn is not self.conn, pace=pace)

    def save_report(
        self, report: Report | Mapping[str, Any], source: str = "", agent: str | None = None,
        started_at: float | None = None, engine: str = "", model: str = "",
        title: str | None = None, retention: str | None = None,
    ) -> int | None:
        """Stores a finished call from its report (e.g. `callassist analyze --save`).
        Returns the call id, or None when the retention setting is `none`."""
        retention = self._retention(retention)
        if retention == "none":
            return None
        report = Report.from_json(report)
        duration = report.duration or 0.0
        started = (self.conn.now() - duration) if started_at is None else float(started_at)
        # Numbers read across one speaker's turns are redacted before the turns become events.
        redacted = Report.from_json(
            {**report.to_json(), "transcript": redact_turns(report.to_json()["transcript"])})
        with self.conn.transaction():
            call_id = self._insert_call(
                self.conn, agent, started, "live", source,
                title if title is not None else str(report.title or ""),
                engine, model, retention,
            )
            rows: list[tuple[Any, ...]] = []
            for event in report_events(redacted):
                e = event_to_dict(event)
                stored = event_for_store(e, retention) if not isinstance(event, SpeechEvent) else e
                if stored is not None:
                    at = stored.get("at", stored.get("start", 0.0))
                    rows.append((call_id, len(rows) + 1, float(at or 0.0), stored["type"],
                                 json.dumps(stored, separators=(",", ":"))))
            self.conn.executemany(
                "INSERT INTO events (call_id, seq, at, type, data) VALUES (?, ?, ?, ?, ?)", rows
            )
            self._finish_call(call_id, report, status="complete", in_transaction=True)
        return call_id

    def _retention(self, retention: str | None) -> str:
        retention = retention or self.settings.retention
        if retention not in RETENTION_MODES:
            raise StoreError(f"retention '{retention}' is not one of {', '.join(RETENTION_MODES)}")
        return retention

    def _writer_connection(self) -> Connection:
        return connect(self.location, self.timeout)

    def _insert_call(
        self, conn: Connection, agent: str | None, started: float, status: str, source: str,
        title: str, engine: str, model: str, retention: str, phone_call_id: str | None = None,
    ) -> int:
        phone_title = bool(phone_call_id) and title == f"Call {phone_call_id}"
        rows = conn.execute(
            "INSERT INTO calls (agent, started_at, day, status, source, title, engine, model, "
            f"retention, host, pid, heartbeat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            f"{conn.now_sql}) RETURNING id",
            # On a team store with access control the database puts its own name for the
            # agent, whatever is sent here (store/access.py).
            (redact(self._agent(agent)), started, int(started // 86400), status,
             redact(source), title if phone_title else redact(title), engine, model, retention,
             _host(), os.getpid()),
        )
        return int(rows[0][0])

    def _finish_call(
        self, call_id: int, report: Report | Mapping[str, Any] | None, status: str,
        in_transaction: bool = False,
    ) -> None:
        row = self.conn.execute(
            "SELECT retention, started_at, duration, title FROM calls WHERE id = ?", (call_id,)
        )
        if not row:
            raise StoreError(f"no call {call_id} in the store")
        retention, started, so_far, title = row[0]
        if report is None:
            # A call that died: as long as its recorder last said (D3), or its last event.
            report = report_from_events(self._events(call_id), least=float(so_far or 0.0))
        given = Report.from_json(report).to_json()
        stored = report_for_store(given, retention)
        if status == "complete" and not _spoke(stored):
            status = NO_SPEECH  # kept, but left out of every figure (no score)
        if given.get("id") and title == f"Call {given['id']}":
            # A phone system's id (begin_call kept it as given): the report keeps it too.
            stored = {**stored, "id": given["id"], "title": given.get("title") or title}
        typed = Report.from_json(stored)
        fig = figures(typed)
        judged = assess(stored)
        text = "\n".join(t.text for t in typed.transcript)

        def write() -> None:
            self.conn.execute(
                "UPDATE calls SET status = ?, ended_at = ?, duration = ?, steps_mask = ?, "
                "steps_covered = ?, warnings = ?, first_apology = ?, report = ?, "
                "needs_asap = ?, frustration = ?, first_upset = ?, score = ? WHERE id = ?",
                (status, started + fig.duration, fig.duration, fig.steps_mask, fig.steps_covered,
                 fig.warnings, fig.first_apology, json.dumps(stored), int(judged.needs_asap),
                 judged.frustration, judged.first_upset,
                 None if status == NO_SPEECH else judged.score, call_id),
            )
            # Upserts, not delete-and-insert: an agent's role may not delete (S1).
            self.conn.execute(
                "INSERT INTO call_text (call_id, text) VALUES (?, ?) ON CONFLICT (call_id) "
                "DO UPDATE SET text = excluded.text", (call_id, text))
            # Notified with no payload: the channel is readable by any database user (S3).
            self.conn.notify(FLOOR_CHANNEL, "")
            self.conn.execute("UPDATE call_warnings SET n = 0 WHERE call_id = ?", (call_id,))
            if fig.warnings_by_kind:
                self.conn.executemany(
                    "INSERT INTO call_warnings (call_id, kind, n) VALUES (?, ?, ?) "
                    "ON CONFLICT (call_id, kind) DO UPDATE SET n = excluded.n",
                    [(call_id, k, n) for k, n in sorted(fig.warnings_by_kind.items())],
                )

        if in_transaction:
            write()
        else:
            with self.conn.transaction():
                write()

    def recover_interrupted(self) -> list[int]:
        """Closes calls whose recorder died (crash, kill, power cut), marked `interrupted`,
        with a report rebuilt from the events they stored. Returns their ids."""
        dead = self._dead_calls()
        for call_id in dead:
            self._finish_call(call_id, None, status="interrupted")
        return dead

    def _dead_calls(self, other_hosts: bool = True) -> list[int]:
        """Calls still `live` whose recorder is gone, among those this role may write: its
        own on a store with access control, unless it is the admin. Another machine's call
        is gone when its heartbeat, written by the store's clock, is older than STALE_S by
        the same clock: a machine's wrong clock does not matter (W1)."""
        host = _host()
        rows = self.conn.execute(
            f"SELECT id, host, pid, {self.conn.now_sql} - heartbeat, agent FROM calls "
            "WHERE status = 'live'")
        dead = []
        for call_id, call_host, pid, silent, agent in rows:
            if self.access is not None and self.access.kind != "admin" \
                    and agent != self.access.agent:
                continue
            if call_host == host:
                gone = pid != os.getpid() and not _pid_alive(int(pid))
            else:
                gone = other_hosts and float(silent) > STALE_S
            if gone:
                dead.append(int(call_id))
        return dead

    # -- reading ------------------------------------------------------------------------------

    def count_calls(self, flt: CallFilter | None = None) -> int:
        where, params = (flt or CallFilter()).where(self.dialect)
        return int(self.conn.execute(f"SELECT COUNT(*) FROM calls{where}", params)[0][0])

    def list_calls(
        self, flt: CallFilter | None = None, offset: int = 0, limit: int = 200,
        sort: str = "started", descending: bool = True,
    ) -> list[CallRow]:
        """One page, newest first unless `sort` names another of SORT_KEYS."""
        if sort not in SORT_KEYS:
            raise StoreError(f"cannot sort by '{sort}' (one of {', '.join(SORT_KEYS)})")
        where, params = (flt or CallFilter()).where(self.dialect)
        way = "DESC" if descending else "ASC"
        # Calls never scored (interrupted before any report) sort after the scored ones.
        nulls = f"CASE WHEN {SORT_KEYS[sort]} IS NULL THEN 1 ELSE 0 END, "
        rows = self.conn.execute(
            f"SELECT {CALL_COLUMNS} FROM calls{where} "
            f"ORDER BY {nulls}{SORT_KEYS[sort]} {way}, id {way} LIMIT ? OFFSET ?",
            [*params, int(limit), int(offset)],
        )
        return [call_row(r) for r in rows]

    def get_call(self, call_id: int) -> StoredCall:
        rows = self.conn.execute(f"SELECT {CALL_COLUMNS}, report FROM calls WHERE id = ?",
                                 (int(call_id),))
        if not rows:
            raise StoreError(f"no call {call_id} in the store ({self.location.display})")
        row = call_row(rows[0][:-1])
        events = self._events(row.id)
        report = (Report.from_json(json.loads(rows[0][-1])) if rows[0][-1]
                  else report_from_events(events, least=row.duration))
        return StoredCall(row, report, events)

    def iter_calls(
        self, flt: CallFilter | None = None, events: bool = False, page: int = 500,
    ) -> Iterator[StoredCall]:
        """Every matching call with its report (and events if asked), newest first."""
        offset = 0
        while True:
            rows = self.list_calls(flt, offset, page)
            if not rows:
                return
            placeholders = ", ".join("?" for _ in rows)
            reports = dict(self.conn.execute(
                f"SELECT id, report FROM calls WHERE id IN ({placeholders})", [r.id for r in rows]
            ))
            for r in rows:
                if events or not reports.get(r.id):
                    yield self.get_call(r.id)
                else:
                    yield StoredCall(r, Report.from_json(json.loads(reports[r.id])))
            offset += page

    def _events(self, call_id: int) -> list[Event]:
        """The call's stored events in order, decoded (the store's typed boundary). A row
        written by hand, not by a recorder, is skipped: there is nothing to show of it."""
        stored = []
        for (d,) in self.conn.execute(
                "SELECT data FROM events WHERE call_id = ? ORDER BY seq", (call_id,)):
            try:
                event = json.loads(d)
            except ValueError:
                continue
            if isinstance(event, dict) and "type" in event:
                stored.append(event)
        return decode_events(stored)

    def _agent(self, agent: str | None) -> str:
        return agent or self.settings.agent

    def remembered_voice_level(self, agent: str | None = None) -> float | None:
        """The agent's usual voiced level in dBFS, as their latest finished call left it
        (`summary.tone.loudness.baseline_dbfs`): the tone monitors start from it
        (`callassist.coach.tone.monitors_for`) so a call loud from the first word still shows."""
        rows = self.conn.execute(
            "SELECT report FROM calls WHERE agent = ? AND status = 'complete' "
            "AND report IS NOT NULL ORDER BY started_at DESC, id DESC LIMIT 1",
            (agent or self.settings.agent,),
        )
        if not rows:
            return None
        loudness = json.loads(rows[0][0]).get("summary", {}).get("tone", {}).get("loudness", {})
        level = loudness.get("baseline_dbfs")
        return float(level) if isinstance(level, int | float) else None

    def agents(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT agent FROM calls ORDER BY agent")]

    def warning_kinds(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT kind FROM call_warnings WHERE n > 0 ORDER BY kind")]

    def coverage(self, flt: CallFilter | None = None, bucket_days: int = 7) -> list[dict[str, Any]]:
        """Per agent and period: how many calls, how many needed the ASAP steps (the customer
        was upset) and how many of those covered each step. Routine calls never count against
        a step. Rows: {agent, day (first UTC day number of the period), calls, upset, warnings,
        score (average), <step id>: upset calls that covered it}."""
        where, params = (flt or CallFilter()).where(self.dialect)
        sums = ", ".join(
            f"SUM(CASE WHEN needs_asap = 1 AND (steps_mask & {bit}) <> 0 THEN 1 ELSE 0 END)"
            for bit in STEP_BITS.values()
        )
        # The period length is an int written into the SQL: PostgreSQL must see the same
        # expression in SELECT and GROUP BY, which three separate parameters are not.
        # Day 0 (1 Jan 1970) was a Thursday: shift by 3 so weeks start on Mondays.
        shift = 3 if bucket_days == 7 else 0
        bucket = f"(day + {shift}) / {int(bucket_days)}"
        rows = self.conn.execute(
            f"SELECT agent, {bucket}, COUNT(*), SUM(warnings), SUM(needs_asap), AVG(score), "
            f"{sums} FROM calls{where}{' AND' if where else ' WHERE'} status <> '{NO_SPEECH}' "
            f"GROUP BY agent, {bucket} ORDER BY agent, {bucket}",
            params,
        )
        out = []
        for r in rows:
            d = {"agent": r[0], "day": int(r[1]) * bucket_days - shift, "calls": int(r[2]),
                 "warnings": int(r[3]), "upset": int(r[4] or 0),
                 "score": None if r[5] is None else float(r[5])}
            d.update({sid: int(n) for sid, n in zip(STEP_IDS, r[6:], strict=True)})
            out.append(d)
        return out


def _private_data_dir(folder: Path) -> None:
    """CallAssist's own data folder holds the store: this user's alone (S5), made so if an
    older version left it readable by others."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.stat()
        if st.st_uid == os.getuid() and st.st_mode & 0o077:
            folder.chmod(0o700)
    except OSError:
        return  # the store's own open says what is wrong with the folder


def open_store(url: str | None = None, settings: Settings | None = None,
               timeout: float = 5.0, must_exist: bool = False, readonly: bool = False) -> Store:
    """The call store at `url` (default: the `store` setting, else SQLite in the data folder).
    Creates and migrates it if needed; closes calls left live by a crash as interrupted.
    With `must_exist` a SQLite file that is not there is an error, so a mistyped path is
    reported instead of answered with an empty new store.

    `readonly` (commands that only read: calls list, show, export) writes nothing: it needs no
    write access, waits for no writer, and a store named by --store or the store setting must
    exist (P1, P2). Only the default store, not made yet, is created as usual."""
    settings = settings or load_settings()
    named = url if url is not None else settings.store
    location = parse_url(named, default_path())
    if location.kind == "sqlite" and Path(location.target) == default_path():
        _private_data_dir(default_path().parent)
    missing = location.kind == "sqlite" and not Path(location.target).exists()
    if missing and (must_exist or (readonly and (named or "").strip())):
        raise StoreError(
            f"{location.target}: no call store there (check --store or the store setting; "
            "calls are stored by the overlay, `listen --save` or `analyze --save`)"
        )
    if readonly and not missing:
        try:
            return Store(location, settings, timeout, readonly=True)
        except _NeedsUpgrade:
            pass  # migrated below, or its one-line reason why not
    return Store(location, settings, timeout)
