"""How soon a warning shows after the words that raise it, and how often one is withdrawn.

Every labelled call (tests/corpus and tests/corpus_extra) is replayed in real time through the
coach, all at once on their own threads (a transcript replay costs almost no CPU). A phrase
warning (defensive, blame, hollow apology) is timed from the end of the words that raise it to
the moment it leaves the coach. A warning raised from the words so far can be withdrawn: the
agent owned the fault in the next sentence ("owned"), or the whole sentence did not raise it
after all ("heard"). Target (issue 13): every warning within 1 s of its words; withdrawals rare.

    .venv/bin/python benchmarks/warnings.py [--simulated]
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from _harness import percentile, print_table

from callassist.coach.playbook import load_playbook
from callassist.replay import ShownWarning, replay_warnings
from callassist.transcript import load_transcript

TESTS = Path(__file__).resolve().parent.parent / "tests"
SETS = {"dev": TESTS / "corpus", "extra": TESTS / "corpus_extra"}
TARGET_S = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulated", action="store_true",
                        help="replay in simulated time (seconds instead of a minute)")
    args = parser.parse_args()
    playbook = load_playbook()
    calls = {name: [load_transcript(p) for p in sorted(folder.glob("*.json"))]
             for name, folder in SETS.items()}
    results: dict[str, list[ShownWarning]] = {}

    def play(key: str, transcript) -> None:
        results[key] = replay_warnings(transcript, playbook, simulated=args.simulated)

    threads = [threading.Thread(target=play, args=(f"{name}/{t.id}", t))
               for name, ts in calls.items() for t in ts]
    for th in threads:
        th.start()
    for th in threads:
        th.join()

    rows = []
    for name, ts in calls.items():
        shown = [w for key, ws in results.items() if key.startswith(f"{name}/") for w in ws]
        delays = [w.delay for w in shown if w.delay is not None and not w.withdrawn]
        owned = sum(w.withdrawn == "owned" for w in shown)
        heard = sum(w.withdrawn == "heard" for w in shown)
        late = sum(d > TARGET_S for d in delays)
        rows.append([name, len(ts), len(shown), f"{owned} + {heard}",
                     f"{percentile(delays, 50):.2f}", f"{percentile(delays, 95):.2f}",
                     f"{max(delays, default=float('nan')):.2f}", late])
    print(f"replayed {'in simulated time' if args.simulated else 'in real time'}")
    print_table(["set", "calls", "warnings shown", "withdrawn (owned + heard)",
                 "delay p50 s", "delay p95 s", "delay max s", f"over {TARGET_S:.0f} s"], rows)


if __name__ == "__main__":
    main()
