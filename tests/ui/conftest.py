"""The overlay's tests drive the real window offscreen: a real QApplication, the real worker
thread and a real CallSession fed by a corpus transcript played faster than real time. The
transcript stands in for the agent's voice, which cannot exist here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from callassist.app.sources import TranscriptSource
from callassist.ui.overlay import OverlayWindow

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture
def qsettings(tmp_path):
    """The overlay's own settings file (window place, view), in tmp."""
    return QSettings(str(tmp_path / "overlay.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, playbook, qsettings):
    """An overlay playing a corpus call `speed` times faster than real time."""
    windows: list[OverlayWindow] = []

    def make(call: str = "dev-001", speed: float = 8.0, **kwargs) -> OverlayWindow:
        source = kwargs.pop("source", None) or TranscriptSource(CORPUS / f"{call}.json", speed)
        window = OverlayWindow(source, playbook, kwargs.pop("settings", qsettings), **kwargs)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for w in windows:
        w.shutdown()


@pytest.fixture(scope="session")
def pulse_microphone() -> str:
    """A PulseAudio server with the callassist_test null sink (scripts/start-pulse.sh); its
    monitor serves as the headset microphone. Returns the monitor's name."""
    import shutil
    import subprocess

    if not shutil.which("pulseaudio"):
        pytest.fail("pulseaudio is missing: run scripts/setup.sh")
    os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/callassist-runtime-{os.getuid()}")
    root = Path(__file__).resolve().parents[2]
    subprocess.run(["bash", str(root / "scripts" / "start-pulse.sh")], check=True,
                   capture_output=True, timeout=60)
    return "callassist_test.monitor"
