"""Whisper's decode window, measured: the full 30 s window against short windows that follow the
utterance (callassist/speech/whisper_window.py), on single utterances in two voices, clean and
over the telephone. This is the table that chose the default window (docs/speech-short-window.md).

    .venv/bin/python benchmarks/speech_window.py [--utterances N] [--voices espeak,piper]

The utterances are the dev calls' turns (tests/corpus) of 1 to 5 s, every k-th one so that both
speakers and every call are in; each is decoded as the recognizer's final decode sees it (0.3 s
of silence before, 0.5 s after), with word timings. Per window: WER over all utterances and
over the telephone ones, decode time p50/p95 (wall clock), CPU per decode, and how many short
decodes looped (the loop guard then decoded them again over the full window; their time and
CPU include both decodes).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from _harness import percentile, print_table
from _speech import CONDITIONS, VOICES, speak, telephone, wer

from callassist.speech.whisper_engine import WhisperEngine
from callassist.speech.whisper_model import TINY_EN, bundled_folder
from callassist.speech.whisper_window import SHORT, Window

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
WINDOWS: list[tuple[str, Window | None]] = [
    ("full 30 s (faster-whisper)", None),
    ("max(utt+1 s, 10 s), cap 8/s+8", SHORT),
    ("max(utt+1 s, 5 s), cap 8/s+8", Window(floor_s=5.0)),
    ("utt+1 s (no floor), cap 8/s+8", Window(floor_s=0.0)),
]


def utterances(n: int) -> list[tuple[str, str]]:
    """(speaker, text) of n turns of 3 to 14 words, spread over the dev calls."""
    turns = []
    for f in sorted(CORPUS.glob("dev-*.json")):
        for t in json.loads(f.read_text())["turns"]:
            if 3 <= len(t["text"].split()) <= 14:
                turns.append((t["speaker"], t["text"]))
    step = max(1, len(turns) // n)
    return turns[::step][:n]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--utterances", type=int, default=24, help="turns per voice and condition")
    ap.add_argument("--voices", default=",".join(VOICES))
    a = ap.parse_args()
    voices = a.voices.split(",")
    folder = bundled_folder()
    assert folder is not None, "run scripts/setup.sh"

    audio: list[tuple[str, str, str, np.ndarray]] = []  # voice, condition, text, float32
    pad0, pad1 = np.zeros(int(0.3 * 16000), np.int16), np.zeros(int(0.5 * 16000), np.int16)
    for speaker, text in utterances(a.utterances):
        for voice in voices:
            clean = np.concatenate([pad0, speak(text, voice, speaker), pad1])
            for cond in CONDITIONS:
                x = clean if cond == "clean" else telephone(clean)
                audio.append((voice, cond, text, x.astype(np.float32) / 32768.0))
    seconds = [len(x) / 16000 - 0.8 for *_, x in audio]
    print(f"{len(audio)} utterances ({min(seconds):.1f}-{max(seconds):.1f} s of speech), "
          f"voices {', '.join(voices)}, clean and telephone", file=sys.stderr)

    rows = []
    for label, window in WINDOWS:
        engine = WhisperEngine(folder, TINY_EN, window=window)
        engine.decode(audio[0][3], words=True)  # first decode warms the caches
        engine.loops = 0
        walls, cpus, pairs = [], [], {}
        for voice, cond, text, x in audio:
            w0, c0 = time.perf_counter(), time.process_time()
            got, _ = engine.decode(x, words=True)
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
            pairs.setdefault((voice, cond), []).append((text, got))
        every = [p for ps in pairs.values() for p in ps]
        cells = [f"{100 * wer(every):.1f}"]
        cells += [f"{100 * wer(pairs.get((v, c), [])):.1f}" for v in voices for c in CONDITIONS]
        rows.append([label, *cells, f"{1000 * percentile(walls, 50):.0f}",
                     f"{1000 * percentile(walls, 95):.0f}",
                     f"{1000 * float(np.mean(cpus)):.0f}", f"{engine.loops}/{len(audio)}"])
        print(f"  {label}: done", file=sys.stderr)
    heads = ["window", "WER %"] + [f"{v} {c} %" for v in voices for c in CONDITIONS]
    print_table([*heads, "p50 ms", "p95 ms", "CPU ms/decode", "looped"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
