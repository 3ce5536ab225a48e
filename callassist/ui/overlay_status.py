"""The machine's state in the overlay's banner (loading the engine, the fallback engine, no
microphone, audio dropped, an error) and the model download it offers. A mixin of
OverlayWindow (ui/overlay.py)."""

from __future__ import annotations

from PySide6.QtCore import QTimer

from callassist.ui.plain import plain_tooltip


def sentence(message: str) -> str:
    """A message as the banner shows it: a capital first letter."""
    return message[:1].upper() + message[1:] if message else message


class MachineStatus:
    """The banner: what the machine is doing, and the model download."""

    def _on_status(self, state: str, message: str) -> None:
        if state == "ready":
            self.caption.set_full_text(self.source.label)
            if self._fallback_note and not self._downloading():
                self._show_fallback()
            elif self.banner.state in ("loading", "note", "no_mic", "error", "lost"):
                self.banner.clear()
        elif state == "loading":
            if not self._downloading():
                self.banner.show_state(state, sentence(message or "loading the speech model…"),
                                       busy=True)
        elif state == "fallback":
            self._fallback_note = message or "the basic fallback engine is in use"
            self._show_fallback()
        elif state == "note":
            self.banner.show_state(state, sentence(message.split(":")[0]), level="problem")
        elif state == "no_mic":
            # The agent's words, not the command line's ("pass --input FILE"): A12.
            self.banner.show_state(state, "No microphone found: plug in a headset, then press "
                                   "Retry.", level="error", button="Retry")
            self.banner.setToolTip(plain_tooltip(sentence(message)))
        elif state == "overflow":
            self.banner.show_state(state, sentence(message), level="problem")
            QTimer.singleShot(10_000, lambda: self.banner.state == "overflow"
                              and self.banner.clear())
        else:
            self.banner.show_state(state, sentence(message), level="error")

    def _show_fallback(self) -> None:
        note = self._fallback_note.split(":")[0]
        self.banner.show_state(
            "fallback", f"{sentence(note)}. Install the Vosk model for better recognition.",
            level="problem", button="Download model",
        )

    def _downloading(self) -> bool:
        return self.download is not None and self.download.running

    def _banner_action(self) -> None:
        state = self.banner.state
        if state == "quit":
            self.quit()
        elif state == "no_mic":
            self.banner.clear()
            self.start_call()
        elif state == "fallback":
            self.start_download()
        elif state == "download":
            if self._downloading():
                self.download.cancel()
            else:
                self.start_download()

    def start_download(self) -> None:
        """Fetches the default Vosk model in the background, progress in the banner."""
        if self._downloading():
            return
        if self.download is None:
            from callassist.ui.model_download import ModelDownload

            self.download = ModelDownload(*self.download_target)
            self.download.progress.connect(self._on_download_progress)
            self.download.installed.connect(self._on_model_installed)
            self.download.failed.connect(self._on_download_failed)
        self.banner.show_state("download", f"Downloading {self.download.name}…",
                               level="info", button="Cancel", busy=True)
        self.download.start()

    def _on_download_progress(self, done: float, total: float) -> None:
        if self.banner.state != "download":
            return
        mb = done / 1e6
        of = f" of {total / 1e6:.0f} MB" if total else " MB"
        self.banner.text.setText(f"Downloading {self.download.name}: {mb:.0f}{of}")
        self.banner.show_progress(done, total)

    def _on_model_installed(self, path: str) -> None:
        self._fallback_note = ""
        self.worker.reload_engine()
        when = "the next call" if self.in_call else "now"
        self.banner.show_state("installed", f"Model installed: it is used from {when}.")
        QTimer.singleShot(8_000, lambda: self.banner.state == "installed" and self.banner.clear())
        if not self.in_call:
            self._prepare_requested.emit()

    def _on_download_failed(self, message: str) -> None:
        self.banner.show_state("download", sentence(message), level="error", button="Download")
