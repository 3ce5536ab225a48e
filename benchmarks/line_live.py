"""How soon a warning is on the overlay's compact line after its words, in a call heard live
by the default engine (issue 22: every warning within 1.5 s).

Each labelled dev call that expects a phrase warning, and the UX review's heated call, is spoken
by espeak-ng into a stereo recording (agent left, customer right) and played in real time
through the real speech pipeline (Whisper tiny.en unless --engine says otherwise) into the real
overlay window (offscreen). A warning is timed from the end of the words that raise it (their
place in the spoken recording, spread evenly over the sentence) to the moment the window shows
it on the line (its `warning_shown` signal, sent once the line has it), on the card's clock.

    .venv/bin/python benchmarks/line_live.py [--engine whisper|pocketsphinx] [--calls N]
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from _harness import percentile, print_table, scratch

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="whisper", choices=("whisper", "pocketsphinx"))
    parser.add_argument("--calls", type=int, default=0, help="at most this many dev calls")
    args = parser.parse_args()
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    tmp = scratch("line-live")

    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from callassist.app.sources import SpeechSource
    from callassist.audio.speak import speak_transcript
    from callassist.coach.events import WarningEvent
    from callassist.coach.kinds import PHRASE_WARNINGS
    from callassist.coach.playbook import load_playbook
    from callassist.replay import _words_end
    from callassist.speech.engine import load_engine
    from callassist.transcript import Transcript, Turn, load_transcript
    from callassist.ui.app import application
    from callassist.ui.overlay import OverlayWindow

    app = application()
    playbook = load_playbook()
    engine = load_engine(args.engine, playbook=playbook)
    settings = QSettings(str(tmp / "overlay.ini"), QSettings.Format.IniFormat)
    paths = [p for p in sorted((ROOT / "tests" / "corpus").glob("dev-*.json"))
             if set(json.loads(p.read_text())["expect"].get("warnings", [])) & set(PHRASE_WARNINGS)]
    if args.calls:
        paths = paths[:args.calls]
    paths.append(ROOT / "tests" / "app" / "data" / "ux-heated-call1.json")
    delays: list[float] = []
    rows = []
    for path in paths:
        transcript = load_transcript(path)
        wav = tmp / f"{transcript.id}.wav"
        spoken = speak_transcript(transcript, wav)
        heard = Transcript(transcript.id, "", tuple(
            Turn(s.turn.speaker, s.start, s.end, s.turn.text) for s in spoken))
        source = SpeechSource(playbook, wav, customer_channel="right", loaded=engine)
        window = OverlayWindow(source, playbook, settings)
        window.show()
        # (kind, the event's time, the card's clock once the line shows it)
        shown: list[tuple[str, float, float]] = []
        window.events_applied.connect(lambda events, w=window, s=shown: s.extend(
            (e.kind, e.at, w.call_time()) for e in events
            if isinstance(e, WarningEvent) and e.kind in PHRASE_WARNINGS))
        loop = QEventLoop()
        window.call_finished.connect(loop.quit)
        QTimer.singleShot(300_000, loop.quit)
        window.start_call()
        loop.exec()
        window.shutdown()
        app.processEvents()
        mine = []
        for kind, at, at_line in shown:
            end = _words_end(playbook, heard, kind, at)
            if end is None:  # the engine's words differ from the script's: the sentence's end
                end = next((t.end for t in heard.turns if t.start - 0.5 <= at <= t.end + 0.5),
                           None)
            if end is not None:
                mine.append(max(0.0, at_line - end))
        delays += mine
        expected = json.loads(path.read_text()).get("expect", {}).get("warnings", [])
        rows.append((transcript.id, ", ".join(expected) or "(heated call)",
                     ", ".join(k for k, *_ in shown) or "none",
                     " ".join(f"{d:.2f}" for d in mine) or "-"))
    print_table(("call", "expected", "on the line", "after the words, s"), rows)
    print()
    print_table(("engine", "warnings timed", "p50 s", "p95 s", "max s", f"<= {TARGET_S} s"),
                [(args.engine, len(delays), f"{percentile(delays, 50):.2f}",
                  f"{percentile(delays, 95):.2f}", f"{max(delays, default=0):.2f}",
                  f"{sum(d <= TARGET_S for d in delays)}/{len(delays)}")])


if __name__ == "__main__":
    main()
