"""The local command interface: `callassist call start|end [--id CALL_ID]` tells the running
overlay that a phone call started or ended, so a softphone or CTI system can drive it.

One request a connection, one line of JSON each way, over a Unix-domain socket in the user's
runtime folder (a folder only the user can enter; the socket itself is mode 0600):

    -> {"command": "start", "call_id": "4711"}
    <- {"ok": true, "message": "call 4711 started"}

The server runs on a thread of its own and hands every request to `handle` (which the overlay
answers on its GUI thread); the client is plain Python, so the command needs no display."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from callassist.errors import CallAssistError
from callassist.paths import data_dir

COMMANDS = ("start", "end", "status")
SOCKET_NAME = "control.sock"
TIMEOUT_S = 5.0
MAX_REQUEST = 4096


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


class ControlServer:
    """Listens for commands while the overlay runs. A second overlay finds the socket in use
    and does not listen (`listening` is False); a socket left by a crash is replaced."""

    def __init__(self, handle: Handler, path: Path | None = None):
        self.handle = handle
        self.path = path or socket_path()
        self.listening = False
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._closed = threading.Event()

    def start(self) -> bool:
        if _answering(self.path):
            return False
        _private_folder(self.path.parent)
        self.path.unlink(missing_ok=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # the socket is born 0600: no window where others may connect
        try:
            sock.bind(str(self.path))
        finally:
            os.umask(old)
        sock.listen(4)
        self._sock = sock
        self.listening = True
        self._thread = threading.Thread(target=self._serve, name="callassist-control",
                                        daemon=True)
        self._thread.start()
        return True

    def close(self) -> None:
        self._closed.set()
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()
            self._sock = None
        if self._thread is not None:
            self._thread.join(2.0)
        if self.listening:
            self.path.unlink(missing_ok=True)
            self.listening = False

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._sock.accept()  # type: ignore[union-attr]
            except OSError:
                return  # closed
            with conn:
                conn.settimeout(TIMEOUT_S)
                try:
                    reply = self._answer(_read_line(conn))
                except (OSError, ValueError) as e:
                    reply = {"ok": False, "message": f"bad request: {e}"}
                with contextlib.suppress(OSError):
                    conn.sendall(json.dumps(reply).encode() + b"\n")

    def _answer(self, line: bytes) -> dict[str, Any]:
        request = json.loads(line)
        if not isinstance(request, dict):
            raise ValueError("expected a JSON object")
        command = request.get("command")
        call_id = request.get("call_id")
        if command not in COMMANDS:
            raise ValueError(f"unknown command {command!r} (one of {', '.join(COMMANDS)})")
        if call_id is not None and (not isinstance(call_id, str) or not call_id.strip()):
            raise ValueError("call_id must be a non-empty string")
        ok, message = self.handle(command, call_id)
        return {"ok": ok, "message": message}


def _read_line(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(1024)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST:
            raise ValueError("request too long")
    return data.strip()


def _answering(path: Path) -> bool:
    if not path.exists():
        return False
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    try:
        probe.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        probe.close()


def send_command(command: str, call_id: str | None = None, path: Path | None = None) -> str:
    """Sends one command to the running overlay; returns its answer, or raises ControlError
    (no overlay running, or the overlay refused the command)."""
    path = path or socket_path()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT_S)
    try:
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise ControlError(
                "no CallAssist overlay is running for this user: start it with `callassist run`"
            ) from None
        request = {"command": command}
        if call_id is not None:
            request["call_id"] = call_id
        sock.sendall(json.dumps(request).encode() + b"\n")
        line = _read_line(sock)
    except TimeoutError:
        raise ControlError("the overlay did not answer within 5 s") from None
    except OSError as e:
        raise ControlError(f"cannot talk to the overlay at {path}: {e.strerror or e}") from None
    finally:
        sock.close()
    try:
        reply = json.loads(line)
    except ValueError:
        raise ControlError("the overlay sent an answer that is not JSON") from None
    if not reply.get("ok"):
        raise ControlError(str(reply.get("message", "the overlay refused the command")))
    return str(reply.get("message", ""))
