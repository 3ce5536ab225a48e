"""The overlay under a real window manager: Xvfb with openbox, an xterm standing in for the
agent's CRM, the overlay as the agent runs it (`callassist run`), and xdotool, wmctrl and
xprop looking from outside, as the agent's desktop would. Needs xvfb, openbox, xdotool,
wmctrl, xterm and x11-utils (scripts/setup.sh installs them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOOLS = ("Xvfb", "openbox", "xdotool", "wmctrl", "xterm", "xprop", "xwininfo")


def _run(env: dict, *args: str) -> str:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=20).stdout.strip()


def _wait(check, timeout: float = 15.0, step: float = 0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s waiting for {check.__doc__ or check}")


@pytest.fixture(scope="module")
def desktop():
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run scripts/setup.sh")
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24",
                             "-nolisten", "tcp"], pass_fds=(write,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    env = {**os.environ, "DISPLAY": f":{number}", "QT_QPA_PLATFORM": "xcb"}
    wm = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    _wait(lambda: "Openbox" in _run(env, "wmctrl", "-m"))
    crm = subprocess.Popen(["xterm", "-title", "CRM", "-geometry", "200x60+0+0"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    crm_id = _wait(lambda: _run(env, "xdotool", "search", "--name", "^CRM$").split()[:1])[0]
    yield env, crm_id
    for p in (crm, wm, xvfb):
        p.terminate()
        p.wait(10)


@pytest.fixture
def overlay(desktop):
    """The overlay playing a dev call in real time, started while the CRM has the focus."""
    env, crm = desktop
    home = Path(tempfile.mkdtemp(prefix="ca-wm-"))
    env = {**env, "CALLASSIST_CONFIG_DIR": str(home / "config"),
           "CALLASSIST_DATA_DIR": str(home / "data"), "CALLASSIST_RUNTIME_DIR": str(home / "run")}
    _run(env, "xdotool", "windowactivate", "--sync", crm)
    proc = subprocess.Popen([sys.executable, "-m", "callassist", "run", "--input",
                             str(REPO / "tests" / "corpus" / "dev-003.json")],
                            env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)

    def window():
        """the overlay's window"""
        return _run(env, "xdotool", "search", "--onlyvisible", "--name",
                    "^CallAssist$").split()[:1]

    wid = _wait(window)[0]
    _wait(lambda: "in a call" in _status(env))
    yield env, crm, wid
    proc.terminate()
    proc.wait(15)


def _status(env: dict) -> str:
    return subprocess.run([sys.executable, "-m", "callassist", "call", "status"], env=env,
                          cwd=REPO, capture_output=True, text=True, timeout=20).stdout


def _focus(env: dict) -> str:
    return _run(env, "xdotool", "getwindowfocus")


def test_the_overlay_is_on_top_on_every_desktop_and_never_takes_the_focus(overlay):
    env, crm, wid = overlay
    state = _run(env, "xprop", "-id", wid, "_NET_WM_STATE", "_NET_WM_DESKTOP")
    assert "_NET_WM_STATE_ABOVE" in state
    assert "_NET_WM_DESKTOP(CARDINAL) = 4294967295" in state  # on all desktops (sticky)
    # The call runs (reminders, the next step, dev-003's defensive line at 5-7 s): the CRM
    # keeps the keyboard the whole time.
    samples = []
    for _ in range(16):
        samples.append(_focus(env))
        time.sleep(0.5)
    assert set(samples) == {crm}
    stacking = _run(env, "xprop", "-root", "_NET_CLIENT_LIST_STACKING").split("#")[-1]
    order = [int(w, 16) for w in stacking.replace(",", " ").split()]
    assert order.index(int(wid)) > order.index(int(crm))  # above the CRM
    # Another virtual desktop: the overlay comes along.
    _run(env, "wmctrl", "-s", "1")
    try:
        assert "IsViewable" in _run(env, "xwininfo", "-id", wid)
    finally:
        _run(env, "wmctrl", "-s", "0")


def test_the_end_hotkey_reaches_the_overlay_while_the_crm_has_the_focus(overlay):
    env, crm, _ = overlay
    _run(env, "xdotool", "windowactivate", "--sync", crm)
    assert _focus(env) == crm
    _run(env, "xdotool", "key", "--clearmodifiers", "ctrl+shift+e")

    def ended():
        """the call to end"""
        return "no call in progress" in _status(env)

    _wait(ended, timeout=10)
    assert _focus(env) == crm


_SCREEN_COLOUR = """
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv[:1])
image = app.primaryScreen().grabWindow(0).toImage()
print(image.pixelColor(int(sys.argv[1]), int(sys.argv[2])).lightnessF())
"""


def _lightness_on_screen(env: dict, x: int, y: int) -> float:
    """How light the screen is at (x, y): what the agent sees there, whichever window it is."""
    out = subprocess.run([sys.executable, "-c", _SCREEN_COLOUR, str(x), str(y)], env=env,
                         capture_output=True, text=True, timeout=30).stdout
    return float(out.strip().splitlines()[-1])


def _origin(env: dict, wid: str) -> tuple[int, int]:
    info = _run(env, "xwininfo", "-id", wid)
    x = int(info.split("Absolute upper-left X:")[1].split()[0])
    y = int(info.split("Absolute upper-left Y:")[1].split()[0])
    return x, y


def test_with_above_fullscreen_the_overlay_shows_over_a_full_screen_crm(desktop):
    """openbox puts a focused full-screen window in a layer above _NET_WM_STATE_ABOVE; with
    the above_fullscreen setting the overlay bypasses the window manager and stays over it
    (the CRM is a white xterm, the overlay a dark card)."""
    env, crm = desktop
    home = Path(tempfile.mkdtemp(prefix="ca-wm-"))
    env = {**env, "CALLASSIST_CONFIG_DIR": str(home / "config"),
           "CALLASSIST_DATA_DIR": str(home / "data"), "CALLASSIST_RUNTIME_DIR": str(home / "run"),
           "CALLASSIST_ABOVE_FULLSCREEN": "true"}
    _run(env, "wmctrl", "-i", "-r", crm, "-b", "add,fullscreen")
    _run(env, "xdotool", "windowactivate", "--sync", crm)
    proc = subprocess.Popen([sys.executable, "-m", "callassist", "run", "--input",
                             str(REPO / "tests" / "corpus" / "dev-003.json")],
                            env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        wid = _wait(lambda: _run(env, "xdotool", "search", "--onlyvisible", "--name",
                                 "^CallAssist$").split()[:1])[0]
        _wait(lambda: "in a call" in _status(env))
        assert "_NET_WM_STATE_FULLSCREEN" in _run(env, "xprop", "-id", crm, "_NET_WM_STATE")
        x, y = _origin(env, wid)
        inside = (x + 60, y + 12)  # on the card, beside the call timer
        assert _lightness_on_screen(env, *inside) < 0.2  # the dark card, not the white CRM
        assert _focus(env) == crm  # showing itself took nothing from the CRM
        # The CRM raised over it again (as a click on it would): back on top within a second.
        _run(env, "xdotool", "windowactivate", "--sync", crm)
        _run(env, "xdotool", "windowraise", crm)
        time.sleep(1.5)
        assert _lightness_on_screen(env, *inside) < 0.2
        assert _focus(env) == crm
        # Another virtual desktop: unmanaged, it is there too.
        _run(env, "wmctrl", "-s", "1")
        try:
            assert "IsViewable" in _run(env, "xwininfo", "-id", wid)
        finally:
            _run(env, "wmctrl", "-s", "0")
        # A click on it gives it the keys, as in the managed window.
        _run(env, "xdotool", "mousemove", str(x + 200), str(y + 115), "click", "1")
        _wait(lambda: _focus(env) == wid, timeout=5)
    finally:
        proc.terminate()
        proc.wait(15)
        _run(env, "wmctrl", "-i", "-r", crm, "-b", "remove,fullscreen")
