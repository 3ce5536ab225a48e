"""S7, S8: where the `callassist call` socket lives. A runtime folder another user made first,
or a shared folder named in CALLASSIST_RUNTIME_DIR, neither stops the server nor gets
chmodded; the socket always sits in a folder only this user can enter. (The tests run as
root, so "another user" is a folder chowned to an unused uid.) The server answers on this
thread's event loop, so the clients run on another thread while qtbot waits; the folders are
short ones (mkdtemp), as a Unix socket's path is at most 107 bytes and pytest's tmp_path under
xdist can be longer."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from callassist.app.control import ControlError, ControlServer, send_command, socket_path
from callassist.paths import data_dir

OTHER_UID = 54321
POOL = ThreadPoolExecutor(2)


@pytest.fixture
def short_tmp():
    folder = Path(tempfile.mkdtemp(prefix="ca-rt-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def ask(qtbot, command: str) -> str:
    """A client on another thread while this thread's event loop serves it."""
    future = POOL.submit(send_command, command)
    qtbot.waitUntil(future.done, timeout=10_000)
    return future.result()


def serve():
    server = ControlServer(lambda command, call_id: (True, f"{command} ok"))
    assert server.start()
    return server


def private(folder) -> bool:
    st = folder.lstat()
    return st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) == 0o700


def test_S8_a_shared_folder_is_never_chmodded(qtbot, short_tmp, monkeypatch):
    shared = short_tmp / "sharedtmp"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    monkeypatch.setenv("CALLASSIST_RUNTIME_DIR", str(shared))
    server = serve()
    try:
        assert stat.S_IMODE(shared.stat().st_mode) == 0o1777  # untouched
        assert socket_path().parent == shared / f"callassist-{os.getuid()}"
        assert private(socket_path().parent)
        assert ask(qtbot, "status") == "status ok"
    finally:
        server.close()


def test_S8_a_folder_of_another_user_is_not_taken_over(tmp_path, monkeypatch):
    if os.getuid() != 0:
        pytest.skip("chown to another user needs root")
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, OTHER_UID, OTHER_UID)
    monkeypatch.setenv("CALLASSIST_RUNTIME_DIR", str(theirs))
    (theirs / f"callassist-{os.getuid()}").mkdir(mode=0o777)  # planted by them
    os.chown(theirs / f"callassist-{os.getuid()}", OTHER_UID, OTHER_UID)
    with pytest.raises(ControlError, match="not a private folder of this user") as e:
        ControlServer(lambda c, i: (True, "")).start()
    assert "\n" not in str(e.value)
    assert theirs.stat().st_uid == OTHER_UID and stat.S_IMODE(theirs.stat().st_mode) == 0o700


def test_S7_a_squatted_runtime_folder_does_not_stop_the_server(qtbot, short_tmp, tmp_path,
                                                               monkeypatch):
    """XDG_RUNTIME_DIR made by someone else (as /tmp/runtime-UID can be, when the variable
    is unset): the socket goes to the data folder instead, with no warning or traceback."""
    if os.getuid() != 0:
        pytest.skip("chown to another user needs root")
    monkeypatch.delenv("CALLASSIST_RUNTIME_DIR")
    monkeypatch.setenv("CALLASSIST_DATA_DIR", str(short_tmp / "data"))
    squat = tmp_path / "runtime-squat"
    squat.mkdir(mode=0o777)
    os.chown(squat, OTHER_UID, OTHER_UID)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(squat))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # platformdirs' RuntimeDirWarning was printed (P2.7)
        server = serve()
        try:
            assert socket_path().parent == data_dir() / "run" and private(socket_path().parent)
            assert ask(qtbot, "status") == "status ok"
        finally:
            server.close()
    assert not list(squat.iterdir())


def test_a_socket_path_too_long_for_unix_is_a_one_line_error(short_tmp, monkeypatch):
    """Not QLocalServer's bare "Name error": what is wrong, and what to do."""
    if os.name == "nt":
        pytest.skip("a named pipe on Windows")
    deep = short_tmp / ("d" * 60) / ("e" * 60)
    monkeypatch.setenv("CALLASSIST_RUNTIME_DIR", str(deep))
    with pytest.raises(ControlError, match="too long for a Unix socket") as e:
        ControlServer(lambda c, i: (True, "")).start()
    assert "\n" not in str(e.value) and "CALLASSIST_RUNTIME_DIR" in str(e.value)
    assert not deep.exists()
    with pytest.raises(ControlError, match="too long for a Unix socket"):
        send_command("status")


def test_S7_without_xdg_runtime_dir_the_socket_is_in_the_data_folder(monkeypatch, capsys):
    from callassist.cli import main

    monkeypatch.delenv("CALLASSIST_RUNTIME_DIR")
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert socket_path() == data_dir() / "run" / "control.sock"
        assert main(["call", "status"]) == 2  # no overlay: one line, no traceback
    err = capsys.readouterr().err
    assert err.startswith("callassist: error: no CallAssist overlay is running") and (
        err.count("\n") == 1)


def test_S7_a_private_xdg_runtime_dir_holds_a_callassist_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CALLASSIST_RUNTIME_DIR")
    xdg = tmp_path / "xdg"
    xdg.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(xdg))
    server = serve()
    try:
        assert socket_path().parent == xdg / "callassist" and private(xdg / "callassist")
    finally:
        server.close()
