"""How fast the coach is: a 60-minute call transcript end to end, and per-utterance latency.

Targets (issue 2): the whole hour in under 1 s (over 3,600x real time) and p99 per-utterance
latency under 2 ms. The hour is built from the labelled dev calls played one after another
with their own timing, so it has the mix of agent and customer speech, holds and warnings
of real scripted calls.

    .venv/bin/python benchmarks/coach.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from _harness import percentile, print_table

from callassist.coach.playbook import load_playbook
from callassist.coach.session import CallSession
from callassist.transcript import Transcript, Turn, load_transcript

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
HOUR = 3600.0


def hour_long_call() -> Transcript:
    calls = [load_transcript(p) for p in sorted(CORPUS.glob("dev-*.json"))]
    turns: list[Turn] = []
    offset = 0.0
    while offset < HOUR:
        for call in calls:
            for t in call.turns:
                turns.append(Turn(t.speaker, t.start + offset, t.end + offset, t.text))
            offset += call.duration + 2.0
            if offset >= HOUR:
                break
    return Transcript("bench-hour", "60-minute call", tuple(turns))




def main() -> None:
    playbook = load_playbook()
    call = hour_long_call()
    runs = []
    latencies: list[float] = []
    partial_latencies: list[float] = []
    for _ in range(5):
        session = CallSession(playbook)
        t0 = time.perf_counter()
        session.start(0.0)
        for turn in call.turns:
            session.advance(turn.start)
            words = turn.text.split()
            p0 = time.perf_counter()
            session.feed_partial(turn.speaker, " ".join(words[: len(words) // 2 + 1]), turn.start,
                                 (turn.start + turn.end) / 2)
            p1 = time.perf_counter()
            session.feed_utterance(turn.speaker, turn.text, turn.start, turn.end)
            p2 = time.perf_counter()
            partial_latencies.append(p1 - p0)
            latencies.append(p2 - p1)
        session.end(call.duration)
        runs.append(time.perf_counter() - t0)
    best = min(runs)
    ms = 1000.0
    rows = [
        ("call length", f"{call.duration / 60:.1f} min, {len(call.turns)} utterances", ""),
        ("whole call (partials + finals), best of 5", f"{best:.3f} s", "< 1 s"),
        ("whole call, median of 5", f"{statistics.median(runs):.3f} s", ""),
        ("speed vs real time", f"{call.duration / best:,.0f}x", "> 3,600x"),
        ("final utterance p50", f"{percentile(latencies, 50) * ms:.3f} ms", ""),
        ("final utterance p99", f"{percentile(latencies, 99) * ms:.3f} ms", "< 2 ms"),
        ("final utterance max", f"{max(latencies) * ms:.3f} ms", ""),
        ("partial result p99", f"{percentile(partial_latencies, 99) * ms:.3f} ms", ""),
    ]
    print_table(("measure", "value", "target"), rows)


if __name__ == "__main__":
    main()
