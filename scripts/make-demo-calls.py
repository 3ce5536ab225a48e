#!/usr/bin/env python3
"""Fills a call store with demo calls: the labelled dev transcripts (tests/corpus) run through the
coach under several agents over the past weeks, some agents dropping lines so steps get missed
(less often as the weeks go by, as coaching would do). For screenshots, demos and benchmarks.

    .venv/bin/python scripts/make-demo-calls.py [--store URL] [--calls 60] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from callassist.coach.playbook import load_playbook  # noqa: E402
from callassist.coach.session import CallSession  # noqa: E402
from callassist.replay import feed_transcript  # noqa: E402
from callassist.store import open_store  # noqa: E402
from callassist.transcript import Transcript, load_transcript  # noqa: E402

AGENTS = {"Dana Smith": 0.97, "Lee Park": 0.84, "Sam Rivera": 0.9, "Alex Chen": 0.78,
          "Priya Nair": 0.93}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="store URL or file (default: the settings' store)")
    ap.add_argument("--calls", type=int, default=60)
    ap.add_argument("--weeks", type=int, default=6)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    playbook = load_playbook()
    corpus = [load_transcript(p) for p in sorted((REPO / "tests" / "corpus").glob("dev-*.json"))]
    covered = {t: len(feed_transcript(t, CallSession(playbook)).covered) for t in corpus}
    now = time.time()
    span = args.weeks * 7 * 86400
    with open_store(args.store) as store:
        for i in range(args.calls):
            agent = rng.choice(list(AGENTS))
            age = rng.random()  # 1 = oldest
            skill = min(0.99, AGENTS[agent] + (1 - age) * 0.15)
            # Better agents mostly take calls the ASAP way: of three scripted calls, they
            # follow the one covering most steps; weaker agents more often any of them.
            picks = rng.sample(corpus, 3)
            base = max(picks, key=covered.get) if rng.random() < skill else picks[0]
            turns = tuple(t for t in base.turns if t.speaker == "customer" or rng.random() < skill)
            transcript = Transcript(base.id, base.title, turns or base.turns)
            report = feed_transcript(transcript, CallSession(playbook)).report()
            day = now - age * span
            started = day - (day % 86400) + rng.uniform(8, 17) * 3600
            if started > now - 900:  # later today: take it a day earlier instead
                started -= 86400
            store.save_report(report, source=f"tests/corpus/{base.id}.json", agent=agent,
                              started_at=started, engine="vosk", model="vosk-model-en-us-0.22",
                              title=base.title)
            if i == 3:
                rec = store.begin_call(agent=agent, started_at=now - 3600, engine="vosk",
                                       model="vosk-model-en-us-0.22")
                session = CallSession(playbook)
                for t in base.turns[:3]:
                    rec.write(session.feed_utterance(t.speaker, t.text, t.start, t.end))
                rec.close()  # left without finishing: stored as interrupted
        print(f"{store.count_calls()} calls in {store.location.display}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
