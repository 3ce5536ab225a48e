"""How fast the coach is: a 60-minute call transcript end to end, and per-utterance latency.

Targets: with the phrase rules alone (issue 2) the whole hour in under 1 s (over 3,600x real
time) and p99 per-utterance latency under 2 ms; with the learned layer (issue 10: the
all-MiniLM-L6-v2 sentence model reads every final agent utterance, partials stay with the
rules) p99 per final utterance <= 20 ms. The hour is built from the labelled dev calls played
one after another with their own timing, so it has the mix of agent and customer speech,
holds and warnings of real scripted calls.

    .venv/bin/python benchmarks/coach.py
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from _harness import percentile, print_table

from callassist.coach.playbook import Playbook, load_playbook
from callassist.coach.session import CallSession
from callassist.embed.examples import with_meaning
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




def measure(playbook: Playbook, call: Transcript, repeats: int) -> dict[str, float]:
    """The whole call `repeats` times: its duration, and each final and partial's latency."""
    runs: list[float] = []
    finals: list[float] = []
    agent_finals: list[float] = []
    agent_cpu: list[float] = []
    partials: list[float] = []
    for _ in range(repeats):
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
            c1 = time.thread_time()
            session.feed_utterance(turn.speaker, turn.text, turn.start, turn.end)
            p2 = time.perf_counter()
            c2 = time.thread_time()
            partials.append(p1 - p0)
            finals.append(p2 - p1)
            if turn.speaker == "agent":
                agent_finals.append(p2 - p1)
                agent_cpu.append(c2 - c1)
        session.end(call.duration)
        runs.append(time.perf_counter() - t0)
    ms = 1000.0
    return {
        "best": min(runs), "median": statistics.median(runs),
        "final_p50": percentile(finals, 50) * ms, "final_p99": percentile(finals, 99) * ms,
        "agent_p50": percentile(agent_finals, 50) * ms,
        "agent_p99": percentile(agent_finals, 99) * ms,
        "agent_max": max(agent_finals) * ms,
        "agent_cpu_p50": percentile(agent_cpu, 50) * ms,
        "agent_cpu_p99": percentile(agent_cpu, 99) * ms,
        "partial_p99": percentile(partials, 99) * ms,
    }


def main() -> None:
    call = hour_long_call()
    rules = load_playbook()
    t0 = time.perf_counter()
    learned = with_meaning(rules)
    load_s = time.perf_counter() - t0
    assert learned.meaning is not None
    alone = measure(rules, call, repeats=5)
    model = measure(learned, call, repeats=2)
    ms = "ms"
    rows = [
        ("call length", f"{call.duration / 60:.1f} min, {len(call.turns)} utterances", "", ""),
        ("examples the model compares with", "", f"{len(learned.meaning.examples):,}", ""),
        ("loading the model and examples", "", f"{load_s:.2f} s", ""),
        ("whole call (partials + finals), best", f"{alone['best']:.3f} s",
         f"{model['best']:.2f} s", "< 1 s rules"),
        ("speed vs real time", f"{call.duration / alone['best']:,.0f}x",
         f"{call.duration / model['best']:,.0f}x", "> 3,600x rules"),
        ("final utterance p50 (both speakers)", f"{alone['final_p50']:.3f} {ms}",
         f"{model['final_p50']:.2f} {ms}", ""),
        ("final utterance p99 (both speakers)", f"{alone['final_p99']:.3f} {ms}",
         f"{model['final_p99']:.2f} {ms}", "< 2 ms rules, <= 20 ms model"),
        ("agent final p50", f"{alone['agent_p50']:.3f} {ms}", f"{model['agent_p50']:.2f} {ms}",
         ""),
        ("agent final p99", f"{alone['agent_p99']:.3f} {ms}", f"{model['agent_p99']:.2f} {ms}",
         "<= 20 ms"),
        ("agent final max", f"{alone['agent_max']:.3f} {ms}", f"{model['agent_max']:.2f} {ms}",
         ""),
        # The CPU time the coach's own thread spent (the model runs on that one thread): the
        # work itself, without the waits of a machine shared with other jobs.
        ("agent final CPU time p50 / p99", f"{alone['agent_cpu_p50']:.3f} / "
         f"{alone['agent_cpu_p99']:.3f} {ms}",
         f"{model['agent_cpu_p50']:.2f} / {model['agent_cpu_p99']:.2f} {ms}", ""),
        ("partial result p99 (rules alone in both)", f"{alone['partial_p99']:.3f} {ms}",
         f"{model['partial_p99']:.3f} {ms}", ""),
    ]
    print_table(("measure", "rules only", "rules + model", "target"), rows)
    print(f"\nload average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
