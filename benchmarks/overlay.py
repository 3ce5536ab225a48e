"""How quickly the overlay shows what the coach says, what it weighs, and what it costs idle.

- Latency: every step event of the 24 labelled dev calls, replayed (partials, then finals) at
  12x real time through the real window, timed from the moment the worker thread hands the
  batch on (right after the CallSession returned it) to the end of the chip's repaint.
  Warnings are timed the same way to the end of the message line's repaint.
- Memory: the process's resident set size with the window up, and its peak after the calls.
- CPU while idle in a call: the whole process (GUI and worker thread) over 20 s of a call in
  which nobody speaks: the coach's clock advancing ten times a second and the call timer
  ticking. A second row does the same through the real speech pipeline: 20 s of a silent WAV
  read in real time and recognised by the engine (--engine: whisper, the default, or
  pocketsphinx), levels and all; the memory peak with that engine loaded is measured there.

    .venv/bin/python benchmarks/overlay.py                   # offscreen Qt
    DISPLAY=:99 .venv/bin/python benchmarks/overlay.py --platform xcb    # a real X server
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

from _harness import percentile, print_table, scratch

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
SPEED = 12.0
IDLE_S = 20.0


def rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")




def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", default="offscreen", help="Qt platform (offscreen, xcb)")
    parser.add_argument("--calls", type=int, default=24, help="how many dev calls to replay")
    parser.add_argument("--engine", default="whisper", choices=("whisper", "pocketsphinx"),
                        help="the speech engine of the pipeline rows (default whisper)")
    args = parser.parse_args()
    os.environ["QT_QPA_PLATFORM"] = args.platform
    tmp = scratch("overlay")

    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from callassist.app.sources import SpeechSource, TranscriptSource
    from callassist.coach.playbook import load_playbook
    from callassist.transcript import Transcript, Turn
    from callassist.ui import widgets
    from callassist.ui.app import application
    from callassist.ui.overlay import OverlayWindow

    rss_before_qt = rss_mb()
    app = application()
    playbook = load_playbook()
    settings = QSettings(str(tmp / "overlay.ini"), QSettings.Format.IniFormat)

    step_ms: list[float] = []
    warning_ms: list[float] = []
    chip_paint = widgets.StepChip.paintEvent
    line_paint = widgets.MessageLine.paintEvent

    def timed_chip_paint(chip, event):
        chip_paint(chip, event)
        if chip.changed_at is not None:
            step_ms.append((time.perf_counter() - chip.changed_at) * 1000)
            chip.changed_at = None

    def timed_line_paint(line, event):
        line_paint(line, event)
        if line.changed_at is not None and line.kind == "warning":
            warning_ms.append((time.perf_counter() - line.changed_at) * 1000)
            line.changed_at = None

    widgets.StepChip.paintEvent = timed_chip_paint
    widgets.MessageLine.paintEvent = timed_line_paint

    def wait_for(signal, timeout_s: float) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        loop.exec()
        signal.disconnect(loop.quit)

    def run_window(source) -> OverlayWindow:
        window = OverlayWindow(source, playbook, settings)
        window.show()
        app.processEvents()
        window.start_call()
        wait_for(window.call_finished, 120)
        return window

    first = TranscriptSource(CORPUS / "dev-001.json", SPEED)
    window = OverlayWindow(first, playbook, settings)
    window.show()
    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)
    rss_window = rss_mb()
    window.shutdown()
    window.deleteLater()

    calls = sorted(CORPUS.glob("dev-*.json"))[: args.calls]
    t0 = time.perf_counter()
    for path in calls:
        w = run_window(TranscriptSource(path, SPEED))
        w.shutdown()
        w.deleteLater()
        app.processEvents()
    replay_s = time.perf_counter() - t0
    rss_after = rss_mb()
    rss_peak = rss_mb("VmHWM")

    def idle_cpu(source, warmup_s: float = 2.0) -> float:
        w = OverlayWindow(source, playbook, settings)
        w.show()
        w.start_call()
        settle = QEventLoop()
        QTimer.singleShot(int(warmup_s * 1000), settle.quit)
        settle.exec()
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        w0 = time.monotonic()
        loop = QEventLoop()
        QTimer.singleShot(int(IDLE_S * 1000), loop.quit)
        loop.exec()
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        wall = time.monotonic() - w0
        w.shutdown()
        w.deleteLater()
        app.processEvents()
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        return 100.0 * cpu / wall

    silent_call = tmp / "silent-call.json"
    silent_call.write_text(json.dumps(Transcript("silent", "nobody speaks for an hour", (
        Turn("customer", 3600.0, 3601.0, "hello"),)).to_dict()))
    cpu_coach = idle_cpu(TranscriptSource(silent_call, 1.0))

    import numpy as np

    from callassist.audio.wavfile import write_wav

    silent_wav = tmp / "silence.wav"
    rng = np.random.default_rng(1)
    write_wav(silent_wav, (rng.normal(0, 30, int(16000 * (IDLE_S + 10)))).astype(np.int16))
    cpu_pipeline = idle_cpu(SpeechSource(playbook, silent_wav, engine=args.engine),
                            warmup_s=4.0)
    rss_engine = rss_mb("VmHWM")

    widgets.StepChip.paintEvent = chip_paint
    widgets.MessageLine.paintEvent = line_paint
    QApplication.processEvents()

    rows = [
        ("event -> chip repainted, p50", f"{statistics.median(step_ms):.1f} ms", ""),
        ("event -> chip repainted, p95", f"{percentile(step_ms, 95):.1f} ms", "< 50 ms"),
        ("event -> chip repainted, max", f"{max(step_ms):.1f} ms", ""),
        ("step events timed", f"{len(step_ms)}", f"{len(calls)} calls at {SPEED:g}x"),
        ("warning -> line repainted, p95",
         f"{percentile(warning_ms, 95):.1f} ms" if warning_ms else "n/a",
         f"{len(warning_ms)} timed"),
        ("RSS before the window (Python, Qt loaded)", f"{rss_before_qt:.0f} MB", ""),
        ("RSS with the window up", f"{rss_window:.0f} MB", ""),
        ("RSS after the calls / peak", f"{rss_after:.0f} / {rss_peak:.0f} MB", ""),
        (f"RSS peak with {args.engine} loaded", f"{rss_engine:.0f} MB", "<= 600 MB"),
        ("CPU idle in a call (overlay + coach)", f"{cpu_coach:.2f} % of a core", "< 3 %"),
        (f"CPU idle in a call (+ pipeline, {args.engine})", f"{cpu_pipeline:.2f} % of a core",
         "silent WAV"),
        ("replay wall time", f"{replay_s:.1f} s", ""),
    ]
    print(f"Overlay benchmark (Qt platform: {args.platform}, {os.cpu_count()} cores)")
    print_table(("measure", "value", "note"), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
