"""The local command interface over Qt's local sockets (a Unix-domain socket here, a named pipe
on Windows): a real server on this thread's event loop, real clients on other threads, the
real CLI; malformed, nested, stalled and concurrent requests (reliability review C2, H2)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from PySide6.QtNetwork import QLocalSocket

from callassist.app.control import (
    ControlError,
    ControlServer,
    _wait,
    send_command,
    server_name,
    socket_path,
)
from callassist.cli import main

WAIT_MS = 10_000
POOL = ThreadPoolExecutor(8)


@pytest.fixture
def server(qapp):
    calls: list[tuple[str, str | None]] = []

    def handle(command: str, call_id: str | None) -> tuple[bool, str]:
        calls.append((command, call_id))
        return (command != "end", f"{command} {call_id or ''}".strip())

    s = ControlServer(handle)
    assert s.start()
    s.calls = calls
    yield s
    s.close()


def ask(qtbot, fn, *args) -> Future:
    """Runs a client on another thread while this thread's event loop serves it."""
    future = POOL.submit(fn, *args)
    qtbot.waitUntil(future.done, timeout=WAIT_MS)
    return future


def raw(payload: bytes, wait_answer: bool = True) -> bytes:
    """A client that sends raw bytes (what a buggy hook could send) and reads the answer."""
    sock = QLocalSocket()
    sock.connectToServer(server_name())
    assert _wait(sock, sock.waitForConnected, 5.0)
    sock.write(payload)
    _wait(sock, sock.waitForBytesWritten, 5.0)
    data = b""
    until = time.monotonic() + 5.0
    while wait_answer and b"\n" not in data and time.monotonic() < until:
        sock.waitForReadyRead(20)
        data += bytes(sock.readAll().data())
    sock.abort()
    return data


def test_a_command_reaches_the_server_with_its_call_id(qtbot, server):
    assert ask(qtbot, send_command, "start", "4711").result() == "start 4711"
    assert server.calls == [("start", "4711")]


@pytest.mark.skipif(sys.platform == "win32", reason="a named pipe on Windows")
def test_the_socket_is_for_this_user_only(server):
    path = socket_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_refused_command_is_an_error_with_the_overlays_words(qtbot, server):
    with pytest.raises(ControlError, match=r"^end$"):
        ask(qtbot, send_command, "end").result()


def test_a_second_server_does_not_take_over_and_a_stale_socket_is_replaced(qtbot, server):
    second = ControlServer(lambda c, i: (True, ""))
    assert not second.start()
    server.close()
    socket_path().touch()  # left behind by a crash
    third = ControlServer(lambda c, i: (True, "third"))
    assert third.start()
    try:
        assert ask(qtbot, send_command, "status").result() == "third"
    finally:
        third.close()


def test_the_cli_without_an_overlay_says_so_in_one_line(capsys):
    assert main(["call", "start", "--id", "A-1"]) == 2
    err = capsys.readouterr().err
    assert err == ("callassist: error: no CallAssist overlay is running for this user: "
                   "start it with `callassist run`\n")


def test_the_cli_prints_the_overlays_answer(qtbot, server, capsys):
    assert ask(qtbot, main, ["call", "start", "--id", "A-1"]).result() == 0
    assert capsys.readouterr().out == "start A-1\n"


@pytest.mark.parametrize("payload", [
    b"[" * 2000 + b"]" * 2000 + b"\n",            # C2: nested too deep for json
    b'{"command": ' + b"[" * 5000 + b"\n",       # too long
    b"not json\n", b"[1, 2]\n", b'{"command": "dance"}\n', b'{"command": "start", "call_id": 7}\n',
    b"\xff\xfe\n",
])
def test_a_malformed_request_is_answered_and_the_server_keeps_serving(qtbot, server, payload):
    answer = json.loads(ask(qtbot, raw, payload).result())
    assert answer["ok"] is False and answer["message"].startswith("bad request")
    assert ask(qtbot, send_command, "status").result() == "status"


def test_a_stalled_client_does_not_block_others(qtbot, server):
    """H2: a client that sends one byte and stalls; the others are answered meanwhile, and the
    stalled one is told after the deadline."""
    stalled = POOL.submit(raw, b"{")
    for n in range(5):
        assert ask(qtbot, send_command, "start", f"T{n}").result() == f"start T{n}"
    qtbot.waitUntil(stalled.done, timeout=WAIT_MS)
    assert b"not a whole line" in stalled.result()


MANY_CLIENTS = """
import json, sys
from concurrent.futures import ThreadPoolExecutor
from callassist.app.control import ControlError, send_command

def one(n):
    try:
        return send_command("start", f"C{n}")
    except ControlError as e:
        return f"error: {e}"

with ThreadPoolExecutor(20) as pool:
    print(json.dumps(list(pool.map(one, range(20)))))
"""


def test_many_clients_at_once_are_all_answered(qtbot, server):
    """20 clients connect at once from another process, as `callassist call` does (clients
    on threads of this process would compete with the server for the interpreter, which a
    real client never does), and every one is answered."""
    clients = subprocess.Popen([sys.executable, "-c", MANY_CLIENTS], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        qtbot.waitUntil(lambda: clients.poll() is not None, timeout=6 * WAIT_MS)
    finally:
        if clients.poll() is None:
            clients.kill()
    out, err = clients.communicate()
    assert clients.returncode == 0, err
    assert sorted(json.loads(out)) == sorted(f"start C{n}" for n in range(20))
    assert sorted(server.calls) == sorted(("start", f"C{n}") for n in range(20))
