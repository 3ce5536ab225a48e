"""The local command interface: `callassist call start|end|status [--id CALL_ID]` tells the
running overlay that a phone call started or ended, so a softphone or CTI system can drive it.

One request a connection, one line of JSON each way, over Qt's local sockets (QLocalServer /
QLocalSocket: a Unix-domain socket in the user's private runtime folder on Linux and macOS, a
named pipe on Windows), for this user only:

    -> {"command": "start", "call_id": "4711"}
    <- {"ok": true, "message": "call 4711 started"}

The server lives on the thread that creates it (the overlay's GUI thread) and is driven by its
event loop: every connection reads on its own, so a client that stalls cannot hold up the
others (it is dropped after REQUEST_DEADLINE_S), and any request that cannot be read (too
long, not JSON, nested too deep) is answered as a bad request while the server keeps serving.
The client uses the blocking calls, so the command needs no display and no event loop."""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from callassist.errors import CallAssistError
from callassist.paths import data_dir

COMMANDS = ("start", "end", "status")
SOCKET_NAME = "control.sock"
TIMEOUT_S = 5.0             # the client's wait for the overlay's answer
REQUEST_DEADLINE_S = 2.0    # a whole request line must arrive within this
MAX_REQUEST = 4096
SLICE_MS = 20               # the client's blocking waits, in slices (see _wait)
# A Unix socket's path, with its closing NUL, fits in sun_path (108 bytes on Linux, 104 on
# macOS and the BSDs); a longer one fails in QLocalServer::listen as a bare "Name error".
MAX_SOCKET_PATH = (107 if sys.platform.startswith("linux") else 103)


class ControlError(CallAssistError):
    pass


def _is_private(folder: Path) -> bool:
    """A real folder (not a link) of this user that no one else may enter."""
    try:
        st = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def socket_path() -> Path:
    """The socket, in a folder only this user can enter. CALLASSIST_RUNTIME_DIR is used as is
    when it is such a folder (or does not exist yet), and otherwise (a shared folder, S8)
    holds a `callassist-UID` folder of ours; likewise XDG_RUNTIME_DIR holds `callassist`.
    Without a private XDG_RUNTIME_DIR (su, ssh, cron) the socket lives in the data folder: never in
    /tmp/runtime-UID, which another user may have made first (S7)."""
    named = os.environ.get("CALLASSIST_RUNTIME_DIR")
    if named:
        base = Path(named)
        # a folder still to be made is made private (0700) by the server
        fresh = not os.path.lexists(base)
        folder = base if fresh or _is_private(base) else base / f"callassist-{os.getuid()}"
    else:
        xdg = os.environ.get("XDG_RUNTIME_DIR", "")
        if xdg and Path(xdg).is_absolute() and _is_private(Path(xdg)):
            folder = Path(xdg) / "callassist"
        else:
            folder = data_dir() / "run"
    return folder / SOCKET_NAME


def server_name(path: Path | None = None) -> str:
    """The name QLocalServer listens on: the socket's full path (POSIX), or a pipe name of
    this user's (Windows, where local sockets are named pipes)."""
    if sys.platform == "win32":
        return f"callassist-control-{getpass.getuser()}"
    return str(path or socket_path())


# (command, call id or None) -> (ok, message); called on the server's thread.
Handler = Callable[[str, str | None], tuple[bool, str]]


def _private_folder(folder: Path) -> None:
    """Makes the socket's folder, born 0700. An existing one is used only if it is this
    user's and private; one CallAssist named itself may be tightened, but a folder the user
    named is never chmodded (S8: that was /tmp's fate with CALLASSIST_RUNTIME_DIR=/tmp)."""
    with contextlib.suppress(FileExistsError):
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=stat.S_IRWXU)
    ours = folder.name in ("callassist", "run") or folder.name.startswith("callassist-")
    try:
        st = folder.lstat()
    except OSError as e:
        raise ControlError(f"{folder}: cannot make the folder for `callassist call`: "
                           f"{e.strerror or e}") from None
    if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and ours and st.st_mode & 0o077:
        os.chmod(folder, stat.S_IRWXU)
    elif not _is_private(folder):
        raise ControlError(
            f"{folder}: not a private folder of this user (owner uid {st.st_uid}, mode "
            f"{stat.S_IMODE(st.st_mode):04o}), so `callassist call` is not served; set "
            "CALLASSIST_RUNTIME_DIR to a folder only you can enter")


def _fits(path: Path) -> None:
    """A socket path a Unix socket can take, or a ControlError saying what to do."""
    size = len(os.fsencode(path))
    if size > MAX_SOCKET_PATH:
        raise ControlError(
            f"{path}: too long for a Unix socket ({size} bytes, at most {MAX_SOCKET_PATH}), "
            "so `callassist call` is not served; set CALLASSIST_RUNTIME_DIR to a shorter "
            "folder only you can enter")


class ControlServer(QObject):
    """Listens for commands while the overlay runs. A second overlay finds the name in use
    and does not listen (`listening` is False); a socket left by a crash is replaced."""

    def __init__(self, handle: Handler, path: Path | None = None):
        super().__init__()
        self.handle = handle
        self.path = path or socket_path()
        self.name = server_name(self.path)
        self.listening = False
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._open: set[_Request] = set()  # the connections being read, kept alive here

    def start(self) -> bool:
        if _answering(self.name):
            return False
        if sys.platform != "win32":
            _fits(self.path)
            _private_folder(self.path.parent)
        QLocalServer.removeServer(self.name)  # a socket left by a crash
        if not self._server.listen(self.name):
            raise OSError(self._server.errorString())
        if sys.platform != "win32":
            os.chmod(self.path, stat.S_IRUSR | stat.S_IWUSR)
        self.listening = True
        return True

    def close(self) -> None:
        if self.listening:
            self._server.close()
            self.listening = False

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            conn = self._server.nextPendingConnection()
            self._open.add(_Request(conn, self._answer, self._open.discard))

    def _answer(self, line: bytes) -> dict[str, Any]:
        try:
            request = json.loads(line)
        except (ValueError, RecursionError) as e:  # RecursionError: nested too deep (C2)
            raise ValueError(f"not JSON ({type(e).__name__})") from None
        if not isinstance(request, dict):
            raise ValueError("expected a JSON object")
        command = request.get("command")
        call_id = request.get("call_id")
        if command not in COMMANDS:
            raise ValueError(f"unknown command {str(command)[:40]!r} "
                             f"(one of {', '.join(COMMANDS)})")
        if call_id is not None and (not isinstance(call_id, str) or not call_id.strip()):
            raise ValueError("call_id must be a non-empty string")
        ok, message = self.handle(command, call_id)
        return {"ok": ok, "message": message}


class _Request(QObject):
    """One connection: reads one line (within the deadline), answers it, closes."""

    def __init__(self, conn: QLocalSocket, answer: Callable[[bytes], dict[str, object]],
                 finished: Callable[[_Request], None]):
        super().__init__()
        self.conn = conn
        self.answer = answer
        self.finished = finished
        self.data = b""
        self.done = False
        self.deadline = QTimer(self)
        self.deadline.setSingleShot(True)
        self.deadline.timeout.connect(lambda: self._reply(
            {"ok": False, "message": "bad request: not a whole line within "
                                     f"{REQUEST_DEADLINE_S:g} s"}))
        self.deadline.start(round(REQUEST_DEADLINE_S * 1000))
        conn.readyRead.connect(self._read)
        conn.disconnected.connect(self._closed)
        self._read()

    def _closed(self) -> None:
        self.deadline.stop()
        self.done = True
        self.conn.deleteLater()
        self.finished(self)

    def _read(self) -> None:
        if self.done:
            return
        self.data += bytes(self.conn.readAll().data())
        if len(self.data) > MAX_REQUEST:
            self._reply({"ok": False, "message": "bad request: request too long"})
        elif b"\n" in self.data:
            line = self.data.split(b"\n", 1)[0].strip()
            try:
                reply = self.answer(line)
            except ValueError as e:
                reply = {"ok": False, "message": f"bad request: {e}"}
            except Exception as e:  # one bad request never stops the server
                reply = {"ok": False, "message": f"the overlay could not answer: {e!r}"[:200]}
            self._reply(reply)

    def _reply(self, reply: dict[str, object]) -> None:
        if self.done:
            return
        self.done = True
        self.deadline.stop()
        if self.conn.state() == QLocalSocket.LocalSocketState.ConnectedState:
            self.conn.write(json.dumps(reply).encode() + b"\n")
            self.conn.flush()
            self.conn.disconnectFromServer()
        else:
            self._closed()


def _answering(name: str) -> bool:
    probe = QLocalSocket()
    probe.connectToServer(name)
    try:
        return _wait(probe, probe.waitForConnected, 1.0)
    finally:
        probe.abort()


def _wait(sock: QLocalSocket, step: Callable[[int], bool], seconds: float) -> bool:
    """Calls a blocking Qt wait in short slices, so a Python thread of the same process (a
    test's server) gets the interpreter in between; gives up at once when the socket fails
    (no server: nothing to wait for)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if step(SLICE_MS):
            return True
        if sock.state() == QLocalSocket.LocalSocketState.UnconnectedState:
            return False
    return False


def send_command(command: str, call_id: str | None = None, path: Path | None = None) -> str:
    """Sends one command to the running overlay; returns its answer, or raises ControlError
    (no overlay running, or the overlay refused the command)."""
    if sys.platform != "win32":
        _fits(path or socket_path())
    sock = QLocalSocket()
    sock.connectToServer(server_name(path))
    if not _wait(sock, sock.waitForConnected, TIMEOUT_S):
        if sock.error() in (QLocalSocket.LocalSocketError.ServerNotFoundError,
                            QLocalSocket.LocalSocketError.ConnectionRefusedError):
            raise ControlError(
                "no CallAssist overlay is running for this user: start it with `callassist run`")
        raise ControlError(f"cannot talk to the overlay: {sock.errorString()}")
    request: dict[str, str] = {"command": command}
    if call_id is not None:
        request["call_id"] = call_id
    try:
        sock.write(json.dumps(request).encode() + b"\n")
        _wait(sock, sock.waitForBytesWritten, TIMEOUT_S)
        data = b""
        until = time.monotonic() + TIMEOUT_S
        while b"\n" not in data:
            if time.monotonic() > until:
                raise ControlError(f"the overlay did not answer within {TIMEOUT_S:g} s")
            sock.waitForReadyRead(SLICE_MS)
            data += bytes(sock.readAll().data())
            if sock.state() != QLocalSocket.LocalSocketState.ConnectedState:
                data += bytes(sock.readAll().data())
                break
            if len(data) > MAX_REQUEST:
                raise ControlError("the overlay sent an answer that is too long")
    finally:
        with contextlib.suppress(RuntimeError):
            sock.abort()
    try:
        reply = json.loads(data.split(b"\n", 1)[0])
    except ValueError:
        raise ControlError("the overlay sent an answer that is not JSON") from None
    if not isinstance(reply, dict) or not reply.get("ok"):
        message = reply.get("message") if isinstance(reply, dict) else None
        raise ControlError(str(message or "the overlay refused the command"))
    return str(reply.get("message", ""))
