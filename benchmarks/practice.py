"""Practice mode on this machine: how fast the caller answers, and its voices.

    .venv/bin/python benchmarks/practice.py [--turns N] [--skip-latency]

Needs PulseAudio (scripts/start-pulse.sh); it adds a null sink for the caller.

1. Reaction latency, live: a practice call with the default speech engine listening to the
   virtual microphone (the callassist_test sink's monitor) and the caller speaking through
   PortAudio into its own sink. A scripted trainee (espeak-ng) answers each caller line with a
   short sentence played by paplay. Latency = when the caller's answer starts sounding (the
   moment its first sample is handed to the output plus the output's latency) minus when the
   trainee's sentence ended: paplay's start plus the sentence's length (espeak-ng's audio is
   trimmed), which is no later than the real end, so the figure errs on the slow side (a slow
   paplay start counts). Also: from when the microphone last heard the trainee's voice (its
   level, on the call's clock) to the caller sounding; and from the recogniser's end of the
   sentence to the caller's decision.
2. Voices: load time, synthesis time and real-time factor over every line of the shipped
   scenarios, and how much of each voice's speech the fallback recogniser gets right (word
   accuracy, a rough proxy for how clear it is; it is not how natural it sounds).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from _harness import percentile

from callassist.audio.sources import MicrophoneSource
from callassist.coach.playbook import load_playbook
from callassist.coach.text import input_words
from callassist.practice.call import PracticeCall
from callassist.practice.scenario import default_folders, load_scenario_file, load_scenarios
from callassist.practice.scripted import ScriptedTrainee
from callassist.practice.voice import EspeakVoice, PiperVoice
from callassist.speech.engine import load_engine

ROOT = Path(__file__).resolve().parent.parent
CALLER_SINK = "callassist_caller"
# A caller that never settles or hangs up, so every trainee turn draws an answer.
PATIENT = """
title = "Patient caller (benchmark)"
situation = "Answers every sentence, never satisfied, never gives up."
opening = ["I have a problem with my order."]
satisfied_when = ["apologize", "sympathize", "accept_responsibility", "take_action"]
[mood]
anger = 5
calm_at = 0
give_up_at = 100
patience_turns = 100
"""
TRAINEE = ["Okay.", "I see.", "Right, go on.", "Could you tell me more?", "Mm, okay then.",
           "Tell me what happened.", "I understand.", "Go ahead."]




def latency(turns: int) -> None:
    os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/callassist-runtime-{os.getuid()}")
    subprocess.run(["bash", str(ROOT / "scripts" / "start-pulse.sh")], check=True,
                   capture_output=True)
    sinks = subprocess.run(["pactl", "list", "short", "sinks"], capture_output=True,
                           text=True).stdout
    if f"\t{CALLER_SINK}\t" not in sinks:
        subprocess.run(["pactl", "load-module", "module-null-sink",
                        f"sink_name={CALLER_SINK}"], check=True, capture_output=True)
    playbook = load_playbook()
    engine = load_engine(None, None, playbook)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "patient.toml").write_text(PATIENT)
        scenario = load_scenario_file(Path(tmp) / "patient.toml")
        call = PracticeCall(scenario, playbook, engine, MicrophoneSource("callassist_test.monitor"),
                            PiperVoice(), output=CALLER_SINK)
        lines = (TRAINEE * (turns // len(TRAINEE) + 1))[:turns]
        trainee = ScriptedTrainee(lines, "callassist_test", Path(tmp))
        stop = threading.Event()

        def script() -> None:
            trainee.run(call, stop)
            time.sleep(6.0)  # the last answer
            stop.set()

        threading.Thread(target=script, daemon=True).start()
        call.run(stop)
    gaps = []
    for _, _, end in trainee.spoken:
        ended = call.gate.call_time(end)
        after = [r for r in call.reactions if r.sounded is not None and r.sounded > ended]
        if after:
            gaps.append(min(after, key=lambda r: r.sounded).sounded - ended)
    decided = [r.decided - r.heard_end for r in call.reactions]
    voiced = [r.sounded - r.voice_end for r in call.reactions if r.sounded is not None]
    print(f"\nReaction latency, live ({engine.name}, {len(gaps)} of {len(lines)} turns answered)")
    print(f"{'':34}{'p50':>8}{'p95':>8}{'max':>8}")
    print(f"{'trainee stops -> caller sounds':34}{percentile(gaps, 50):7.2f}s"
          f"{percentile(gaps, 95):7.2f}s{max(gaps, default=float('nan')):7.2f}s")
    print(f"{'voice last heard -> caller sounds':34}{percentile(voiced, 50):7.2f}s"
          f"{percentile(voiced, 95):7.2f}s{max(voiced, default=float('nan')):7.2f}s")
    print(f"{'sentence end -> answer decided':34}{percentile(decided, 50):7.2f}s"
          f"{percentile(decided, 95):7.2f}s{max(decided, default=float('nan')):7.2f}s")


def voices() -> None:
    scenarios = load_scenarios(default_folders())
    playbook = load_playbook()
    engine = load_engine("pocketsphinx", None, playbook, bias=False)
    texts = sorted({line.text for s in scenarios for line in s.lines()})
    print(f"\nVoices ({len(texts)} distinct lines of {len(scenarios)} scenarios)")
    print(f"{'voice':<10}{'load':>8}{'synth/line':>12}{'RTF':>8}{'words heard':>13}")
    for make in (PiperVoice, EspeakVoice):
        t0 = time.perf_counter()
        voice = make()
        load = time.perf_counter() - t0
        spent = audio = 0.0
        right = total = 0
        for i, text in enumerate(texts):
            t0 = time.perf_counter()
            x = voice.speak(text, scenarios[i % len(scenarios)])
            spent += time.perf_counter() - t0
            audio += len(x) / 16000
            if i % 3 == 0:  # a third of the lines through the recogniser, to keep it short
                rec = engine.recognizer()
                pad = np.zeros(8000, dtype=np.int16)
                results = rec.accept(np.concatenate([pad, x, pad, pad])) + rec.finish()
                heard = set(" ".join(r.text for r in results if r.final).split())
                said = [w.lower() for w in input_words(text)]
                right += sum(w in heard for w in said)
                total += len(said)
        print(f"{voice.name:<10}{load:7.2f}s{spent / len(texts):11.3f}s{spent / audio:8.3f}"
              f"{right / max(total, 1):12.0%}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--turns", type=int, default=12)
    ap.add_argument("--skip-latency", action="store_true")
    args = ap.parse_args()
    voices()
    if not args.skip_latency:
        latency(args.turns)


if __name__ == "__main__":
    main()
