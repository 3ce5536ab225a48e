"""One small connection interface over SQLite and PostgreSQL, so the store's SQL and
migrations are the same for both. SQL is written with `?` placeholders; PostgreSQL gets `%s`.

Every database problem a user can meet (a corrupt or foreign file, a lock held too long, a
server that is down, a full disk) becomes a one-line CallAssistError that says what to do.
"""

from __future__ import annotations

import abc
import contextlib
import logging
import os
import re
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callassist.errors import CallAssistError


class StoreError(CallAssistError):
    pass


class StoreUnreachable(StoreError):
    """The store cannot be reached for now (a server restarting or failing over, a SQLite
    store locked by a long delete): what was being written can be kept and sent again."""


# libpq's key=value form: "host=db user=agent password=... dbname=calls".
_KEYWORDS = re.compile(r"^\s*[a-z_]+\s*=", re.I)
_PASSWORD_PARAM = re.compile(r"(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*)")


@dataclass(frozen=True)
class StoreLocation:
    kind: str  # "sqlite" | "postgresql"
    target: str  # a file path, or the connection URL

    @property
    def display(self) -> str:
        """The location without any password, for messages (S6)."""
        return self.scrub(self.target)

    def secrets(self) -> list[str]:
        """Every string of the target that may be a password, longest first: the user info of
        a URL up to its last '@' (a raw '/' or '@' in a password is a common mistake, and
        the URL parser then reads it wrongly) and every password= value."""
        if self.kind != "postgresql":
            return []
        found = [m[2].strip("'") for m in _PASSWORD_PARAM.finditer(self.target)]
        _scheme, sep, rest = self.target.partition("://")
        if sep and "@" in rest:
            userinfo = rest.rpartition("@")[0]
            if ":" in userinfo:
                found.append(userinfo.partition(":")[2])
        return sorted({s for s in found if s}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        """`text` (a message, perhaps quoting the URL) with every password replaced by ***."""
        for secret in self.secrets():
            text = text.replace(secret, "***")
        return _PASSWORD_PARAM.sub(r"\1***", text)


def parse_url(url: str, default_path: Path) -> StoreLocation:
    url = (url or "").strip()
    if not url:
        return StoreLocation("sqlite", str(default_path))
    if url.startswith(("postgresql://", "postgres://")) or (
            _KEYWORDS.match(url) and "/" not in url.split("=", 1)[0]):
        return StoreLocation("postgresql", url)
    if url.startswith("sqlite://"):
        # sqlite:///abs/path and sqlite://relative/path, as SQLAlchemy writes them
        return StoreLocation("sqlite", url[len("sqlite://"):])
    if "://" in url:
        raise StoreError(
            f"store URL '{url}' is not supported: use a file path, sqlite:///path or "
            "postgresql://user:password@host/database"
        )
    return StoreLocation("sqlite", str(Path(url).expanduser()))


class Connection(abc.ABC):
    """A connection in autocommit mode; `transaction()` groups statements. Thread-safe: one
    statement or transaction at a time."""

    dialect: str
    location: StoreLocation
    now_sql: str  # SQL for the epoch seconds now, by the clock that times the store

    def __init__(self, location: StoreLocation):
        self.location = location
        self.lock = threading.RLock()

    @abc.abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    @abc.abstractmethod
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    @abc.abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[None]: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    def now(self) -> float:
        """The store's clock (the server's on PostgreSQL), in epoch seconds."""
        return float(self.execute(f"SELECT {self.now_sql}")[0][0])

    @abc.abstractmethod
    def notify(self, channel: str, payload: str) -> None:
        """Tells listeners on other connections that something changed (PostgreSQL's NOTIFY,
        sent when the surrounding transaction commits)."""

    @abc.abstractmethod
    def listen(self, channel: str) -> bool:
        """Starts receiving `channel`'s notifications; False where the database has none."""

    @abc.abstractmethod
    def wait(self, timeout: float) -> list[str]:
        """The payloads notified since the last call, waiting up to `timeout` seconds for the
        first one. Without notifications it just waits."""


class SQLiteConnection(Connection):
    dialect = "sqlite"
    # The epoch seconds now, by this machine's clock (a local store has no other).
    now_sql = "((julianday('now') - 2440587.5) * 86400.0)"

    def __init__(self, location: StoreLocation, timeout: float = 5.0, readonly: bool = False):
        super().__init__(location)
        self.path = Path(location.target)
        self.timeout = timeout
        self.readonly = readonly
        if self.path.exists() and not self.path.is_file():
            # A folder, /dev/null or a pipe: SQLite would fail late or leave a stray
            # "-journal" beside a device (P2).
            kind = "a folder" if self.path.is_dir() else "not a regular file"
            raise StoreError(f"{self.path}: is {kind}; the store setting must name a call store "
                             "file (or postgresql://...)")
        if not readonly:
            try:
                # Transcripts hold customers' personal data: a folder made for the store is
                # private (S5); a folder that was there is left as its owner set it.
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(
                    f"cannot create the folder for the call store {self.path.parent}: {e}"
                ) from None
        with self.errors(), private_files():
            self.conn = sqlite3.connect(
                self._uri(), timeout=timeout, isolation_level=None, check_same_thread=False,
                uri=True,
            )
        try:
            with self.errors(), private_files():
                self._setup()
        except BaseException:
            self.conn.close()  # a failed open leaves no file open (a disk could not unmount)
            raise
        if not readonly:
            self._make_private()

    def _make_private(self) -> None:
        """A store made readable by others before S5 (0644) is made 0600, with its WAL and
        index: only files this user owns, never someone else's."""
        for f in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            with contextlib.suppress(OSError):
                st = f.stat()
                if st.st_uid == os.getuid() and st.st_mode & 0o077:
                    f.chmod(st.st_mode & 0o700)

    def _setup(self) -> None:
        if self.readonly:
            # Reading needs no write access and waits for no writer (P1): WAL readers see
            # the last commit while a call is being written.
            self.conn.execute("PRAGMA query_only=ON")
            return
        # A WAL database lets the review window read while a call is being written; NORMAL
        # sync keeps a commit cheap and survives any crash of the program (a power cut is
        # covered by the recorder's checkpoint once a second).
        mode = self.conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(
                f"{self.path}: cannot switch the call store to WAL mode (got {mode}); "
                "is it on a network drive? Put it on a local disk"
            )
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        # Deleted rows are overwritten with zeros as they go, so erasing a call needs no
        # VACUUM, which would hold the store for minutes on a large one (D4).
        self.conn.execute("PRAGMA secure_delete=ON")

    def _uri(self) -> str:
        uri = "file:" + urllib.parse.quote(str(self.path.absolute()))
        if not self.readonly:
            return uri
        # On a read-only disk SQLite cannot make the WAL index (-shm) a reader needs; a store
        # closed cleanly has no WAL to read there, so it is opened as the unchanging file it is.
        folder = self.path.parent
        wal = Path(f"{self.path}-wal")
        if not os.access(folder, os.W_OK) and not (wal.exists() and wal.stat().st_size):
            return uri + "?mode=ro&immutable=1"
        return uri + "?mode=ro"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.lock, self.errors():
            return self.conn.execute(sql, tuple(params)).fetchall()

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.lock, self.errors():
            self.conn.executemany(sql, rows)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            with self.errors():
                self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
                raise
            with self.errors():
                self.conn.execute("COMMIT")

    # SQLite has no notifications: a reader of live calls polls (store/floor.py).
    def notify(self, channel: str, payload: str) -> None:
        return None

    def listen(self, channel: str) -> bool:
        return False

    def wait(self, timeout: float) -> list[str]:
        time.sleep(timeout)
        return []

    def close(self) -> None:
        with self.lock, contextlib.suppress(sqlite3.Error):
            self.conn.close()

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.DatabaseError as e:
            text = sqlite_message(self.path, e, self.timeout)
            low = str(e).lower()
            if "locked" in low or "busy" in low:
                raise StoreUnreachable(text) from None
            raise StoreError(text) from None


@contextlib.contextmanager
def private_files() -> Iterator[None]:
    """Files created meanwhile are 0600 (S5): SQLite makes its WAL and index with the umask."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def sqlite_message(path: Path, e: sqlite3.Error, timeout: float) -> str:
    msg = str(e)
    low = msg.lower()
    if "locked" in low or "busy" in low:
        return (
            f"{path}: the call store is locked by another program (waited {timeout:g} s); "
            "close other CallAssist windows or tools using it and try again"
        )
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return (
            f"{path}: the call store is damaged ({msg}); move it aside (it is kept for "
            "recovery) and CallAssist will start a new one, or restore a backup"
        )
    if "disk is full" in low or "full" in low:
        return f"{path}: the disk is full; free some space, nothing has been lost so far"
    if "readonly" in low or "read-only" in low or "unable to open" in low:
        return f"{path}: cannot write the call store ({msg}); check the folder's permissions"
    return f"{path}: call store error: {msg}"


# psycopg logs a lost connection a second time, as a warning on stderr, when it ends a batch
# of statements; the store reports it once, in its own words (and the recorder keeps the rows).
logging.getLogger("psycopg").setLevel(logging.ERROR)


class PostgresConnection(Connection):
    dialect = "postgresql"
    # The epoch seconds now, by the server's clock: every machine's calls and heartbeats are
    # timed by one clock, whatever each machine's own says (D2, W1).
    now_sql = "EXTRACT(EPOCH FROM clock_timestamp())::DOUBLE PRECISION"

    def __init__(self, location: StoreLocation, timeout: float = 5.0, readonly: bool = False):
        super().__init__(location)
        import psycopg

        self._psycopg = psycopg
        self.timeout = timeout
        self._session: list[str] = [f"SET lock_timeout = {max(1, round(timeout * 1000))}"]
        if readonly:
            # A supervisor with SELECT rights only can still list and export (P1).
            self._session.append("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        self._closed = False
        self.conn = self._connect()

    def _connect(self) -> Any:
        """A new connection with this one's session settings (and LISTENs) in place."""
        with self.errors():
            # Bounded waits: connecting (libpq's connect_timeout), a row locked by another
            # program (lock_timeout, as SQLite's busy timeout) and a server that vanished
            # without closing the connection (TCP keepalives: noticed within ~20 s).
            conn = self._psycopg.connect(
                self.location.target, autocommit=True,
                connect_timeout=max(1, round(self.timeout)),
                keepalives=1, keepalives_idle=10, keepalives_interval=5, keepalives_count=2,
            )
        try:
            with self.errors():
                for sql in self._session:
                    conn.execute(sql)
        except BaseException:
            with contextlib.suppress(Exception):
                conn.close()
            raise
        return conn

    def _ready(self) -> Any:
        """The connection, made again if the server closed it (a restart or a failover):
        one attempt, so a server still down is reported at once (StoreUnreachable)."""
        if self._closed:
            raise StoreError(f"{self.location.display}: the connection was closed")
        if self.conn.closed or self.conn.broken:
            with contextlib.suppress(Exception):
                self.conn.close()
            self.conn = self._connect()
        return self.conn

    def session(self, sql: str) -> None:
        """Runs a session setting, and again on every new connection."""
        self.execute(sql)
        self._session.append(sql)

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.lock, self.errors():
            cur = self._ready().execute(self._sql(sql), tuple(params))
            return cur.fetchall() if cur.description is not None else []

    def execute_composed(self, query: Any) -> None:
        """A statement composed with psycopg.sql (identifiers and literals quoted by psycopg,
        for what takes no parameters, such as a role's password): no `?` or `%` in it is
        taken as a placeholder."""
        with self.lock, self.errors():
            self._ready().execute(query)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.lock, self.errors(), self._ready().cursor() as cur:
            cur.executemany(self._sql(sql), rows)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            with self.errors():
                tx = self._ready().transaction()
                tx.__enter__()
            try:
                yield
            except BaseException as e:
                with contextlib.suppress(Exception):
                    tx.__exit__(type(e), e, e.__traceback__)
                raise
            with self.errors():
                tx.__exit__(None, None, None)

    def close(self) -> None:
        with self.lock, contextlib.suppress(Exception):
            self._closed = True
            self.conn.close()

    def notify(self, channel: str, payload: str) -> None:
        self.execute("SELECT pg_notify(?, ?)", (channel, payload))

    def listen(self, channel: str) -> bool:
        self.session(f'LISTEN "{channel}"')
        return True

    def wait(self, timeout: float) -> list[str]:
        with self.lock, self.errors():
            conn = self._ready()
            first = list(conn.notifies(timeout=timeout, stop_after=1))
            # Whatever else arrived with it, without waiting again.
            rest = list(conn.notifies(timeout=0.001)) if first else []
        return [n.payload for n in first + rest]

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        psycopg = self._psycopg
        where = self.location.display
        try:
            yield
        except psycopg.errors.LockNotAvailable:
            raise StoreError(
                f"{where}: the call store is locked by another program "
                f"(waited {self.timeout:g} s); try again when it has finished"
            ) from None
        except psycopg.errors.InsufficientPrivilege as e:
            raise StoreError(f"call store {where}: {self._first(e)} (this database role may "
                             "not do that; see `callassist store whoami`)") from None
        except psycopg.OperationalError as e:
            # libpq's text may quote the URL, password and all (S6).
            raise StoreUnreachable(
                f"cannot use the call store at {where}: {self._first(e)}; check that "
                "the server is running and the store URL in settings.toml"
            ) from None
        except psycopg.Error as e:
            raise StoreError(f"call store {where}: {self._first(e)}") from None

    def _first(self, e: Exception) -> str:
        return self.location.scrub((str(e).strip().splitlines() or ["unknown error"])[0])


def connect(location: StoreLocation, timeout: float = 5.0, readonly: bool = False
            ) -> Connection:
    if location.kind == "postgresql":
        return PostgresConnection(location, timeout, readonly)
    return SQLiteConnection(location, timeout, readonly)
