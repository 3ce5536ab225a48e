"""Step and warning F1 of every English engine available here (Whisper tiny.en with each
`whisper_window` setting, and pocketsphinx with and without the playbook language model) over
the 24 dev calls, spoken by each voice (espeak-ng, and the Piper voice the project ships), clean
and over the telephone (each channel 300-3,400 Hz, 8 kHz G.711 mu-law and back). Agent lines on
the left channel, customer lines on the right (analysed with --customer-channel right), as
`callassist analyze` does.

    .venv/bin/python benchmarks/speech_f1.py [--calls N] [--verbose] [--voices espeak,piper]
        [--conditions clean,telephone] [--windows short,full]

Each call is analysed with a freshly loaded engine, as `callassist analyze` does; the real-time
factor counts decoding only (CPU seconds per second of audio). Prints one line per miss with
--verbose, then a table. The transcript-level figures (the coach
alone, on the text) are printed beside them for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from _harness import print_table
from _speech import CONDITIONS, VOICES, speak, telephone_wav

from callassist.app.runner import run_to_end
from callassist.app.sources import SpeechSource
from callassist.audio.speak import speak_transcript
from callassist.coach.playbook import load_playbook
from callassist.coach.session import CallSession
from callassist.replay import feed_transcript
from callassist.speech.engine import load_engine
from callassist.transcript import load_transcript

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"


class Score:
    def __init__(self) -> None:
        self.s = [0, 0, 0]  # tp, fp, fn
        self.w = [0, 0, 0]
        self.misses: list[str] = []

    def add(self, cid: str, expect: dict, report: dict) -> None:
        got = {k for k, v in report["steps"].items() if v["covered"]}
        want = set(expect["steps"])
        self.s[0] += len(got & want)
        self.s[1] += len(got - want)
        self.s[2] += len(want - got)
        self.misses += [f"{cid}: step {k} ticked, not expected" for k in got - want]
        self.misses += [f"{cid}: step {k} missed" for k in want - got]
        fired = {w["kind"] for w in report["warnings"]}
        for k in expect["warnings"]:
            hit = k in fired
            self.w[0 if hit else 2] += 1
            if not hit:
                self.misses.append(f"{cid}: warning {k} missed")
        for k in expect["absent"]:
            if k in fired:
                self.w[1] += 1
                self.misses.append(f"{cid}: warning {k} fired, must not")

    @staticmethod
    def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=0, help="only the first N calls")
    ap.add_argument("--verbose", action="store_true", help="print every miss")
    ap.add_argument("--keep", metavar="DIR", help="keep the spoken WAVs in DIR")
    ap.add_argument("--biased-only", action="store_true", help="skip the stock language model")
    ap.add_argument("--engines", default="whisper,pocketsphinx",
                    help="comma-separated engines to measure (default: whisper,pocketsphinx)")
    ap.add_argument("--voices", default=",".join(VOICES), help="espeak, piper")
    ap.add_argument("--conditions", default=",".join(CONDITIONS), help="clean, telephone")
    ap.add_argument("--windows", default="short,full", help="Whisper's whisper_window settings")
    a = ap.parse_args()
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}", file=sys.stderr)

    files = sorted(CORPUS.glob("dev-*.json"))
    files = files[: a.calls] if a.calls else files
    playbook = load_playbook()
    tmp = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="callassist-f1-"))
    tmp.mkdir(parents=True, exist_ok=True)
    inputs: dict[tuple[str, str], list[tuple[Path, Path]]] = {}
    for voice in a.voices.split(","):
        for cond in a.conditions.split(","):
            inputs[(voice, cond)] = []
            for f in files:
                clean = tmp / f"{f.stem}-{voice}.wav"
                if not clean.exists():
                    speak_transcript(load_transcript(f), clean,
                                     say=lambda text, speaker, v=voice: speak(text, v, speaker))
                wav = clean if cond == "clean" else tmp / f"{f.stem}-{voice}-{cond}.wav"
                if not wav.exists():
                    telephone_wav(clean, wav)
                inputs[(voice, cond)].append((f, wav))

    rows = []
    text = Score()
    for f in files:
        t = load_transcript(f)
        text.add(t.id, json.loads(f.read_text())["expect"],
                 feed_transcript(t, CallSession(playbook)).report())
    rows.append(("transcript text (no speech)", "-", text, 0.0, 0.0))
    variants = []
    wanted = a.engines.split(",")
    if "whisper" in wanted:
        variants += [(f"whisper tiny.en, {w} window", "whisper", True, w)
                     for w in a.windows.split(",")]
    if "pocketsphinx" in wanted:
        variants.append(("pocketsphinx + playbook LM", "pocketsphinx", True, ""))
        if not a.biased_only:
            variants.append(("pocketsphinx stock LM", "pocketsphinx", False, ""))
    for (voice, cond), wavs in inputs.items():
        for label, name, bias, window in variants:
            os.environ["CALLASSIST_WHISPER_WINDOW"] = window or "short"
            score = Score()
            audio = busy = 0.0
            for f, wav in wavs:
                # A fresh engine per call, as `callassist analyze` has: no adaptation carried.
                engine = load_engine(name, playbook=playbook, bias=bias)
                t0 = time.process_time()
                report = run_to_end(SpeechSource(playbook, wav, customer_channel="right",
                                                 realtime=False, loaded=engine), playbook).report
                busy += time.process_time() - t0
                audio += report["duration"]
                score.add(f.stem, json.loads(f.read_text())["expect"], report)
            rows.append((label, f"{voice}, {cond}", score, audio, busy))
            print(f"  {label} on {voice}, {cond}: steps F1 {score.f1(*score.s)[2]:.2f}, "
                  f"warnings F1 {score.f1(*score.w)[2]:.2f}", file=sys.stderr)

    if a.verbose:
        for label, where, score, _, _ in rows:
            for m in score.misses:
                print(f"[{label}, {where}] {m}")
    print(f"\n{len(files)} dev calls, agent on the left channel, customer on the right "
          "(espeak-ng: agent en-us, customer en-gb; piper: en_US joe on both)\n")
    table = []
    for label, where, score, audio, busy in rows:
        sp, sr, sf = score.f1(*score.s)
        wp, wr, wf = score.f1(*score.w)
        table.append([label, where, f"{sp:.2f}", f"{sr:.2f}", f"{sf:.2f}", f"{wp:.2f}",
                      f"{wr:.2f}", f"{wf:.2f}", f"{busy / audio:.2f}" if audio else "-"])
    print_table(["input", "voice, audio", "steps P", "steps R", "steps F1", "warn P", "warn R",
                 "warn F1", "RTF"], table)
    print(f"\nload average after: {Path('/proc/loadavg').read_text().strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
