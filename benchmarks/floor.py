"""How fast the supervisor's live floor sees what agents' calls store: event written by an
agent's recorder -> read by the floor feed, with 50 agents on calls at once.

Each simulated agent is its own store connection (as each agent's overlay is), writing one
event batch a second for the length of the run; a separate process holds the agents, so the
feed reads from another process as the review window would. On PostgreSQL the feed wakes on
NOTIFY; on SQLite (one machine's store) it polls. Target (issue 14): p95 <= 2 s.

    .venv/bin/python benchmarks/floor.py [--agents 50] [--seconds 20]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from _harness import percentile, scratch

from callassist.coach.events import TranscriptEvent
from callassist.settings import Settings
from callassist.store import open_store
from callassist.store.db import parse_url
from callassist.store.floor import FloorFeed

REPO = Path(__file__).resolve().parent.parent


# Digits would be redacted as a card number on their way into the store: letters stand in.
STAMP = str.maketrans("0123456789.", "abcdefghijx")
UNSTAMP = str.maketrans("abcdefghijx", "0123456789.")




def agents(url: str, n: int, seconds: float) -> None:
    """The agents' side: n threads, each a live call writing a stamped line every second."""

    def one(i: int) -> None:
        with open_store(url, settings=Settings(agent=f"agent {i:02d}")) as store:
            rec = store.begin_call(source="bench")
            start = time.time()
            time.sleep(i / n)  # spread the agents over the second
            k = 0
            while time.time() - start < seconds:
                k += 1
                stamp = f"{time.time():.6f}".translate(STAMP)
                rec.write([TranscriptEvent("agent", True, f"stamp {stamp}", k - 1.0, float(k))])
                time.sleep(1.0)
            rec.finish()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def measure(url: str, n: int, seconds: float) -> dict:
    open_store(url, settings=Settings(agent="bench")).close()
    feed = FloorFeed(parse_url(url, Path("x")))
    proc = subprocess.Popen([sys.executable, __file__, "--agents-of", url, "--agents", str(n),
                             "--seconds", str(seconds)])
    lags: list[float] = []
    seen_agents: set[str] = set()
    try:
        while proc.poll() is None or feed.calls:
            update = feed.poll(0.5)
            now = time.time()
            for call in update.changed:
                seen_agents.add(call.agent)
                if call.last_line.startswith("stamp "):
                    lags.append(now - float(call.last_line.split()[1].translate(UNSTAMP)))
            if proc.poll() is not None and not update.changed and not feed.calls:
                break
    finally:
        proc.wait()
        feed.close()
    return {"agents": len(seen_agents), "events": len(lags), "p50": percentile(lags, 50),
            "p95": percentile(lags, 95), "max": max(lags), "push": feed.push}


def main() -> int:
    scratch("floor")  # the settings and data of this run only
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--agents-of", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.agents_of:
        agents(args.agents_of, args.agents, args.seconds)
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("SQLite (poll)", measure(str(Path(tmp) / "floor.sqlite3"), args.agents,
                                              args.seconds)))
    pg = os.environ.get("CALLASSIST_TEST_PG_URL") or subprocess.run(
        ["bash", str(REPO / "scripts" / "start-postgres.sh")], capture_output=True,
        text=True).stdout.strip()
    if pg:
        import psycopg

        schema = "bench_" + uuid.uuid4().hex[:8]
        with psycopg.connect(pg, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        try:
            rows.append(("PostgreSQL (LISTEN/NOTIFY)", measure(
                f"{pg}?options=-csearch_path%3D{schema}", args.agents, args.seconds)))
        finally:
            with psycopg.connect(pg, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
    print(f"Live floor: event stored -> seen by the floor feed, {args.agents} agents, "
          f"{args.seconds:.0f} s\n")
    print("| store | agents seen | events | p50 | p95 | max |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in rows:
        print(f"| {name} | {r['agents']} | {r['events']} | {r['p50'] * 1000:.0f} ms | "
              f"{r['p95'] * 1000:.0f} ms | {r['max'] * 1000:.0f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
