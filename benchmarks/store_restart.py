"""D3: 50 agents on live calls through a real PostgreSQL restart. Counts the events each
agent's call produced that the store should keep, and the events it kept; target: 0 lost.

Each agent runs the project's CallRunner with StoreRecords, as the overlay does, replaying
three dev calls back to back (54.4 s) in real time; 5 processes of 10 agents. A PostgreSQL
server of the benchmark's own (scripts/start-postgres.sh on a free port, never the shared
one) is killed (`kill`: the postmaster SIGKILLed, a crash) or stopped (`stop`: a clean fast
shutdown) FAULT_AT seconds after every agent's call has started, and started again after
--down seconds.

    .venv/bin/python benchmarks/store_restart.py [--agents 50] [--down 3] [--how kill]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _harness import print_table, scratch

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "start-postgres.sh"
PER_PROCESS = 10
FAULT_AT = 10.0  # seconds after every agent's call has started


def _long_call(folder: Path) -> Path:
    """dev-003, dev-008 and dev-011 back to back: one 54 s call."""
    turns, offset = [], 0.0
    for name in ("dev-003", "dev-008", "dev-011"):
        d = json.loads((REPO / "tests" / "corpus" / f"{name}.json").read_text())
        for t in d["turns"]:
            turns.append({**t, "start": t["start"] + offset, "end": t["end"] + offset})
        offset = turns[-1]["end"] + 1.0
    path = folder / "long3.json"
    path.write_text(json.dumps({"id": "long3", "title": "three calls", "turns": turns}))
    return path


def worker(url: str, first: int, n: int, transcript: str) -> None:
    """n agents in this process; prints {agent: {call_id, expected, problems}} as JSON."""
    from callassist.app.records import StoreRecords
    from callassist.app.runner import CallRunner
    from callassist.app.sources import TranscriptSource
    from callassist.coach.events import LevelEvent, event_to_dict
    from callassist.coach.playbook import load_playbook
    from callassist.store.privacy import event_for_store

    playbook = load_playbook()
    results: dict[int, dict] = {}

    def agent(i: int) -> None:
        problems: list[str] = []
        expected = 0

        def emit(events) -> None:
            nonlocal expected
            for e in events:
                if not isinstance(e, LevelEvent) and event_for_store(event_to_dict(e),
                                                                     "full") is not None:
                    expected += 1

        runner = CallRunner(playbook, records=StoreRecords(url=url, agent=f"agent {i:02d}"),
                            problem=problems.append)
        source = TranscriptSource(transcript, speed=1.0)
        runner.prepare(source)
        result = runner.run(source, emit, threading.Event())
        results[i] = {"call_id": result.call_id, "expected": expected, "problems": problems}

    threads = [threading.Thread(target=agent, args=(i,)) for i in range(first, first + n)]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join()
    print(json.dumps(results))


def _all_live(url: str, n: int) -> None:
    """Waits until every agent's call is recorded: the fault comes in the middle of calls
    (starting 50 processes' worth of agents takes a while on a loaded machine)."""
    import psycopg

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(url) as conn:
                live = conn.execute(
                    "SELECT COUNT(*) FROM calls WHERE status = 'live'").fetchone()
        except psycopg.Error:  # no store yet: the first agent makes it
            live = None
        if live and live[0] >= n:
            return
        time.sleep(0.2)
    raise SystemExit("the agents' calls did not all start within 300 s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agents", type=int, default=50)
    ap.add_argument("--down", type=float, default=3.0, help="seconds the server stays down")
    ap.add_argument("--how", choices=("kill", "stop", "none"), default="kill")
    args = ap.parse_args()

    folder = scratch("store-restart")
    transcript = _long_call(folder)
    pg_dir = tempfile.mkdtemp(prefix="ca-pg-bench-")
    env = {**os.environ, "CALLASSIST_PG_DIR": pg_dir, "CALLASSIST_PG_PORT": str(_free_port())}

    def pg(action: str) -> str:
        return subprocess.run(["bash", str(SCRIPT), action], env=env, check=True,
                              capture_output=True, text=True).stdout.strip()

    url = pg("start")
    try:
        procs = [subprocess.Popen(
            [sys.executable, __file__, "--worker", url, str(first),
             str(min(PER_PROCESS, args.agents - first)), str(transcript)],
            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
            for first in range(0, args.agents, PER_PROCESS)]
        t0 = time.monotonic()
        if args.how != "none":
            _all_live(url, args.agents)
            time.sleep(FAULT_AT)
            pg(args.how)
            time.sleep(args.down)
            pg("start")
        results: dict[str, dict] = {}
        for p in procs:
            out, _ = p.communicate(timeout=600)
            results.update(json.loads(out.strip().splitlines()[-1]))
        wall = time.monotonic() - t0

        from callassist.settings import Settings
        from callassist.store import open_store

        expected = stored = complete = 0
        problems = sum(len(r["problems"]) for r in results.values())
        lengths = []
        with open_store(url, settings=Settings(agent="bench"), readonly=True) as store:
            for r in results.values():
                expected += r["expected"]
                if r["call_id"] is None:
                    continue
                call = store.get_call(r["call_id"])
                stored += sum(1 for e in call.events if e["type"] != "speech")
                complete += call.row.status == "complete"
                lengths.append(call.row.duration)
        for text in sorted({q[:160] for r in results.values() for q in r["problems"]}):
            print(f"problem: {text}", file=sys.stderr)
        fault = "none" if args.how == "none" else f"{args.how}, down {args.down:g} s"
        print_table(
            ["agents", "fault", "calls complete", "events expected", "events stored",
             "events lost", "stored length (avg)", "problems printed", "wall s", "load avg"],
            [[args.agents, fault, f"{complete}/{len(results)}", expected, stored,
              expected - stored, f"{sum(lengths) / max(1, len(lengths)):.1f} s", problems,
              f"{wall:.0f}", Path("/proc/loadavg").read_text().split()[0]]])
    finally:
        pg("stop")
        shutil.rmtree(pg_dir, ignore_errors=True)
        Path(f"{pg_dir}.initdb.log").unlink(missing_ok=True)  # start-postgres.sh's log
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        main()
