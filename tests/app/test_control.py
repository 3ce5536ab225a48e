"""The local command interface: a real Unix socket, a real client, the real CLI."""

from __future__ import annotations

import stat

import pytest

from callassist.app.control import ControlError, ControlServer, send_command, socket_path
from callassist.cli import main


@pytest.fixture
def server():
    calls: list[tuple[str, str | None]] = []

    def handle(command: str, call_id: str | None) -> tuple[bool, str]:
        calls.append((command, call_id))
        return (command != "end", f"{command} {call_id or ''}".strip())

    s = ControlServer(handle)
    assert s.start()
    s.calls = calls
    yield s
    s.close()


def test_a_command_reaches_the_server_with_its_call_id(server):
    assert send_command("start", "4711") == "start 4711"
    assert server.calls == [("start", "4711")]


def test_the_socket_is_for_this_user_only(server):
    path = socket_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_refused_command_is_an_error_with_the_overlays_words(server):
    with pytest.raises(ControlError, match=r"^end$"):
        send_command("end")


def test_a_second_server_does_not_take_over_and_a_stale_socket_is_replaced(server):
    second = ControlServer(lambda c, i: (True, ""))
    assert not second.start()
    server.close()
    assert not socket_path().exists()
    socket_path().touch()  # left behind by a crash
    third = ControlServer(lambda c, i: (True, "third"))
    assert third.start()
    try:
        assert send_command("status") == "third"
    finally:
        third.close()


def test_the_cli_without_an_overlay_says_so_in_one_line(capsys):
    assert main(["call", "start", "--id", "A-1"]) == 2
    err = capsys.readouterr().err
    assert err == ("callassist: error: no CallAssist overlay is running for this user: "
                   "start it with `callassist run`\n")


def test_the_cli_prints_the_overlays_answer(server, capsys):
    assert main(["call", "start", "--id", "A-1"]) == 0
    assert capsys.readouterr().out == "start A-1\n"
