"""Tone monitors: what they cost per audio block and per utterance over a 60-minute call, and
the figures they measure on espeak-ng speech through the real (fallback) engine.

Target: the four tone monitors add under 20 µs per audio block (a block is 100 ms of audio)
and under 200 µs per utterance.

    .venv/bin/python benchmarks/tone.py             # both tables (the audio one takes ~1 min)
    .venv/bin/python benchmarks/tone.py --no-audio  # the cost table only
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

import numpy as np

from callassist.coach import CallSession, Word, load_playbook
from callassist.coach.events import WarningEvent

HOUR = 3600.0
BLOCK_S = 0.1
LINES = (
    "I'm really sorry about the delay with your parcel. I understand how frustrating it is to "
    "wait for something you need. That was our mistake, and I'm going to put it right. Here's "
    "what I'll do. I'll send a replacement today by express delivery, and I'll email you the "
    "tracking number within the hour."
)


def hour_of_feeds() -> list[tuple]:
    """An hour of a two-channel call: levels for both speakers every block, and a 20-word
    utterance with word timings every 8 s, alternating speakers."""
    rng = random.Random(7)
    feeds: list[tuple] = []
    t = 0.0
    turn = 0
    while t < HOUR:
        speaker = "agent" if turn % 2 == 0 else "customer"
        other = "customer" if speaker == "agent" else "agent"
        for i in range(80):
            at = t + i * BLOCK_S
            voiced = i < 70
            level = -28 + rng.uniform(-3, 3) if voiced else -60.0
            feeds.append(("level", speaker, at, level, voiced))
            feeds.append(("level", other, at, -62.0, False))
        words = [Word(f"w{i}", t + i * 0.35, t + i * 0.35 + 0.3) for i in range(20)]
        feeds.append(("utterance", speaker, " ".join(w.text for w in words), t, words[-1].end,
                      words))
        t += 8.0
        turn += 1
    return feeds


def run(feeds: list[tuple], monitors) -> tuple[float, float, int, int]:
    playbook = load_playbook()
    session = CallSession(playbook, monitors=monitors)
    level_s = utt_s = 0.0
    n_level = n_utt = 0
    for f in feeds:
        t0 = time.perf_counter()
        if f[0] == "level":
            session.feed_level(*f[1:])
            session.advance(f[2])
            level_s += time.perf_counter() - t0
            n_level += 1
        else:
            session.feed_utterance(*f[1:])
            utt_s += time.perf_counter() - t0
            n_utt += 1
    return level_s, utt_s, n_level, n_utt


def cost_table() -> None:
    feeds = hour_of_feeds()
    best: dict[str, tuple] = {}
    for name, monitors in (("without tone monitors", []), ("with tone monitors", None)):
        best[name] = min((run(feeds, monitors) for _ in range(3)), key=lambda r: r[0] + r[1])
    base, tone = best["without tone monitors"], best["with tone monitors"]
    per_block = (tone[0] - base[0]) / tone[2] * 1e6
    per_utt = (tone[1] - base[1]) / tone[3] * 1e6
    print(f"60-minute two-channel call: {tone[2]} level blocks, {tone[3]} utterances")
    print(f"{'':24} {'levels total':>13} {'per block':>10} {'utterances total':>17} {'per utt':>9}")
    for name, r in best.items():
        print(f"{name:24} {r[0]:12.2f}s {r[0] / r[2] * 1e6:8.1f}µs {r[1]:16.2f}s "
              f"{r[1] / r[3] * 1e6:7.0f}µs")
    print(f"tone monitors add {per_block:.1f} µs per block (target < 20) and "
          f"{per_utt:.0f} µs per utterance (target < 200)")


def espeak(text: str, wpm: int, amplitude: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", str(wpm), "-a", str(amplitude), "-w",
                        str(out), text], check=True, capture_output=True)
        with wave.open(str(out), "rb") as w:
            return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


def audio_table() -> None:
    from callassist.audio.sources import FileSource
    from callassist.pipeline import run_call
    from callassist.speech.engine import load_engine

    rate, gap = 22050, np.zeros(int(2.5 * 22050), dtype=np.int16)
    playbook = load_playbook()
    n_words = len(LINES.split())
    rows = [
        ("calm", [(150, 70)] * 2), ("rushed", [(260, 70)] * 2), ("raised", [(150, 200)] * 2),
        ("calm, then rushed", [(150, 70), (260, 70), (260, 70)]),
        ("calm, then raised", [(150, 70), (150, 200)]),
    ]
    print()
    print("espeak-ng speaking the same agent lines, through the file source and a fresh "
          "pocketsphinx engine (no Vosk model installed)")
    print(f"{'recording':20} {'espeak -s/-a':>14} {'clock wpm':>10} {'avg wpm':>8} "
          f"{'peak wpm':>9} {'baseline':>9} {'avg dBFS':>9}  cues")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CALLASSIST_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["CALLASSIST_CONFIG_DIR"] = str(Path(tmp) / "config")
        for name, parts in rows:
            clips = [espeak(LINES, s, a) for s, a in parts]
            clock = [n_words / (len(c) / rate) * 60 for c in clips]
            path = Path(tmp) / "call.wav"
            with wave.open(str(path), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(rate)
                w.writeframes(np.concatenate([x for c in clips for x in (c, gap)]).tobytes())
            session = CallSession(playbook)
            engine = load_engine(None, None, playbook)
            run_call(session, engine, FileSource(path), lambda e: None, threading.Event())
            tone = session.report()["summary"]["tone"]
            cues = [f"{e.kind}@{e.at:.1f}s" for e in session.events if isinstance(e, WarningEvent)
                    and e.kind in ("too_loud", "too_fast", "monologue")]
            setting = "+".join(f"{s}/{a}" for s, a in dict.fromkeys(parts))
            by_clock = "/".join(f"{c:.0f}" for c in dict.fromkeys(clock))
            print(f"{name:20} {setting:>14} {by_clock:>10} "
                  f"{tone['pace']['average_wpm']:>8} {tone['pace']['peak_wpm']:>9} "
                  f"{tone['loudness']['baseline_dbfs']:>9} {tone['loudness']['average_dbfs']:>9}  "
                  f"{', '.join(cues) or '-'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-audio", action="store_true", help="skip the espeak-ng table")
    args = parser.parse_args()
    cost_table()
    if not args.no_audio:
        audio_table()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
