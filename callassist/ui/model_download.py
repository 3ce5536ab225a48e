"""Downloading a Vosk model from the overlay: on its own thread, with progress reported to the
window through Qt signals and a stop event the window sets when the agent cancels or quits."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from callassist.errors import CallAssistError

PROGRESS_STEPS = 200  # progress signals per download, at most


class ModelDownload(QObject):
    progress = Signal(float, float)  # bytes done, bytes in all (0 when the server does not say)
    installed = Signal(str)        # the model folder
    failed = Signal(str)           # a one-line message

    def __init__(self, name: str | None = None, dest: Path | None = None):
        super().__init__()
        from callassist.speech.download import DEFAULT_MODEL

        self.name = name or DEFAULT_MODEL
        self.dest = dest
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_step = -1

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._last_step = -1
        self._thread = threading.Thread(target=self._run, name="callassist-download",
                                        daemon=True)
        self._thread.start()

    def cancel(self, wait_s: float = 0.0) -> None:
        """Stops the download; the part file stays, so the next start resumes it."""
        self._stop.set()
        if self._thread is not None and wait_s > 0:
            self._thread.join(wait_s)

    def _progress(self, done: int, total: int | None) -> None:
        step = done * PROGRESS_STEPS // total if total else done // (1 << 20)
        if step != self._last_step:
            self._last_step = step
            self.progress.emit(done, total or 0)

    def _run(self) -> None:
        from callassist.speech.download import DownloadCancelled, download_model

        try:
            path = download_model(self.name, self.dest, progress=self._progress, stop=self._stop)
        except DownloadCancelled:
            self.failed.emit("download paused: press Download again to resume")
        except CallAssistError as e:
            self.failed.emit(str(e))
        except OSError as e:
            self.failed.emit(f"download failed: {e}")
        else:
            self.installed.emit(str(path))
