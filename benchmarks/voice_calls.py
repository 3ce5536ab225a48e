"""Calls that start and end by voice: how the decision does on every labelled call, and what
listening between calls costs on real audio.

1. Every labelled call (tests/corpus, tests/corpus_extra) as voice-activity frames (0.1 s
   blocks, voiced inside each turn), with 5 s of silence before and 60 s after, through the
   CallDetector at the default silence (20 s); a CallSession hears each turn as it ends, so a
   silent hold ("please hold", then nothing) is known as one. Counted: calls started, how long
   after the second voice began, whether the opening (the first words) is in the call, calls
   split in two by a pause (an end before the last turn), with and without the hold rule, and
   when the end comes after the last words.
2. With --live (needs scripts/start-pulse.sh): two PulseAudio null-sink monitors as the agent's
   and the customer's inputs; CPU used while listening to 20 s of silence, and the delay from
   the customer's first words (paplay) to the call starting, over 3 calls.

    .venv/bin/python benchmarks/voice_calls.py [--live]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from _harness import percentile, print_table

from callassist.app.call_detector import END, START, CallDetector, Frame
from callassist.coach.playbook import load_playbook
from callassist.coach.session import CallSession
from callassist.settings import DEFAULT_SILENCE_ENDS_CALL
from callassist.transcript import load_transcript

TESTS = Path(__file__).resolve().parent.parent / "tests"
BLOCK, BEFORE, AFTER, FINAL_LAG = 0.1, 5.0, 60.0, 0.5


def replay(transcript, playbook, hold_rule: bool) -> dict:
    detector = CallDetector(silence_s=DEFAULT_SILENCE_ENDS_CALL)
    session = CallSession(playbook)
    turns = sorted(transcript.turns, key=lambda t: t.end)
    heard = 0
    out = {"start": None, "ends": [], "call_from": None}
    end_time = max(t.end for t in turns) + BEFORE + AFTER
    for i in range(round(end_time / BLOCK)):
        at = i * BLOCK
        while heard < len(turns) and turns[heard].end + BEFORE + FINAL_LAG <= at:
            t = turns[heard]
            session.feed_utterance(t.speaker, t.text, t.start + BEFORE, t.end + BEFORE)
            heard += 1
        for sp in ("agent", "customer"):
            voiced = any(t.speaker == sp and t.start + BEFORE <= at < t.end + BEFORE
                         for t in turns)
            decision = detector.feed(Frame(sp, at, at + BLOCK, voiced),
                                     hold_rule and session.on_hold)
            if decision == START and out["start"] is None:
                out["start"], out["call_from"] = at + BLOCK, detector.call_from
            elif decision == END:
                out["ends"].append(at + BLOCK)
    return out


def decisions() -> None:
    playbook = load_playbook()
    calls = [load_transcript(p) for folder in ("corpus", "corpus_extra")
             for p in sorted((TESTS / folder).glob("*.json"))]
    rows = []
    for hold_rule in (True, False):
        started = opening = split = 0
        delays, tails = [], []
        two_sided = [c for c in calls if {t.speaker for t in c.turns} >= {"agent", "customer"}]
        for c in two_sided:
            r = replay(c, playbook, hold_rule)
            if r["start"] is None:
                continue
            started += 1
            second = max(min(t.start for t in c.turns if t.speaker == sp)
                         for sp in ("agent", "customer")) + BEFORE
            delays.append(r["start"] - second)
            first = min(t.start for t in c.turns) + BEFORE
            opening += r["call_from"] <= first
            last = max(t.end for t in c.turns) + BEFORE
            split += any(e < last for e in r["ends"])
            tails += [e - last for e in r["ends"] if e >= last]
        rows.append([
            "on" if hold_rule else "off", f"{started}/{len(two_sided)}",
            f"{percentile(delays, 50):.1f} s / {max(delays):.1f} s",
            f"{opening}/{started}", f"{split}/{started}",
            f"{percentile(tails, 50):.1f} s",
        ])
    print("Labelled calls as voice activity, "
          f"silence_ends_call = {DEFAULT_SILENCE_ENDS_CALL:g} s\n")
    print_table(["hold rule", "calls started", "start after the 2nd voice, p50 / max",
                 "opening in the call", "split by a pause", "end after the last words, p50"],
                rows)


def live(runs: int = 3) -> None:
    from callassist.app.voice_calls import VoiceCalls
    from callassist.audio.sources import open_source
    from callassist.audio.speak import speak_text
    from callassist.audio.wavfile import write_wav

    folder = Path(tempfile.mkdtemp(prefix="callassist-bench-voice-"))
    greeting, answer = folder / "greeting.wav", folder / "answer.wav"
    write_wav(greeting, speak_text("thank you for calling how can i help", "en-us"))
    write_wav(answer, speak_text("my parcel arrived broken", "en-gb"))

    def inputs():
        return open_source(device="callassist_test.monitor",
                           customer_device="callassist_customer.monitor")

    # CPU while listening: 20 s of silence on both inputs, no call (after 3 s for PortAudio
    # to open both streams).
    calls, stop = VoiceCalls(DEFAULT_SILENCE_ENDS_CALL), threading.Event()
    waiter = threading.Thread(target=calls.wait, args=(inputs(), stop))
    waiter.start()
    time.sleep(3)
    t0, c0 = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
    time.sleep(20)
    c1, t1 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    stop.set()
    waiter.join(10)
    cpu = (c1.ru_utime - c0.ru_utime + c1.ru_stime - c0.ru_stime) / (t1 - t0) * 100

    delays = []
    for _ in range(runs):
        calls, stop = VoiceCalls(DEFAULT_SILENCE_ENDS_CALL), threading.Event()
        started = threading.Event()
        def listen(calls=calls, stop=stop, started=started) -> None:
            if calls.wait(inputs(), stop):
                started.set()

        waiter = threading.Thread(target=listen)
        waiter.start()
        time.sleep(1.5)
        subprocess.run(["paplay", "--device=callassist_test", str(greeting)], check=True)
        time.sleep(0.3)
        said = time.monotonic()
        player = subprocess.Popen(["paplay", "--device=callassist_customer", str(answer)])
        started.wait(10)
        delays.append(time.monotonic() - said)
        player.wait(10)
        stop.set()
        waiter.join(10)
        for _ in calls.blocks(stop):  # the call's opening; then the inputs close
            pass
    print("\nReal audio: two PulseAudio null-sink monitors, espeak-ng speech played with paplay\n")
    print_table(["measure", "value"], [
        ["CPU while listening between calls (2 inputs, VAD only)", f"{cpu:.1f} % of a core"],
        [f"customer's first words -> call started, {runs} calls (p50 / max)",
         f"{percentile(delays, 50):.2f} s / {max(delays):.2f} s"],
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", action="store_true",
                        help="also measure on real audio through PulseAudio")
    args = parser.parse_args()
    decisions()
    if args.live:
        live()


if __name__ == "__main__":
    main()
