"""How CallAssist copes with very large calls (reliability finding H7): time and peak memory of
`analyze`, `analyze --save`, `calls show` and `calls export --format html` on one generated call
of N turns (agent and customer in turn, one warning in every other agent turn), each run as the
real command in a process of its own.

The review measured, before the fix: a 25,000-turn call took 64 s to `calls show` and 47 s to
export as HTML (quadratic in turns x warnings); a 53 MB transcript took 110 s and 2.2 GB.

    .venv/bin/python benchmarks/big_calls.py [--turns 25000] [--rules-only]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _harness import print_table, scratch

AGENT = ["i am so sorry about that", "i understand how frustrating that is",
         "that is not our fault it is the courier", "let me check on that"]
CUSTOMER = ["my order never arrived and i am angry", "this is the third time i call",
            "okay thank you"]


def make_call(turns: int, path: Path) -> None:
    out, t = [], 0.0
    for i in range(turns):
        speaker = "agent" if i % 2 else "customer"
        lines = AGENT if speaker == "agent" else CUSTOMER
        out.append({"speaker": speaker, "start": round(t, 2), "end": round(t + 2, 2),
                    "text": lines[(i // 2) % len(lines)]})
        t += 2.5
    path.write_text(json.dumps({"id": "big", "title": "big call", "turns": out}))


def run(args: list[str], env: dict) -> tuple[float, float]:
    """Seconds and peak memory (MB) of one command in a process of its own."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "callassist", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed with exit status {proc.returncode}")
    return took, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=25_000)
    parser.add_argument("--rules-only", action="store_true",
                        help="coach by the playbook's phrases alone (no sentence model)")
    args = parser.parse_args()
    folder = scratch("big-calls")
    call = folder / "big.json"
    make_call(args.turns, call)
    env = {**os.environ, "CALLASSIST_STORE": str(folder / "calls.sqlite3"),
           "CALLASSIST_RETENTION": "full"}
    extra = ["--rules-only"] if args.rules_only else []
    rows = []
    for label, cmd in [
        ("analyze", ["analyze", str(call), *extra]),
        ("analyze --save", ["analyze", str(call), "--save", *extra]),
        ("calls show", ["calls", "show", "1"]),
        ("calls export --format html", ["calls", "export", "1", "--format", "html", "-o",
                                        str(folder / "big.html")]),
        ("calls list", ["calls", "list"]),
    ]:
        took, peak = run(cmd, env)
        rows.append((label, f"{took:.1f} s", f"{peak:.0f} MB"))
    size = call.stat().st_size / 2**20
    print(f"one call of {args.turns:,} turns ({size:.1f} MB transcript)"
          f"{', rules only' if args.rules_only else ''}")
    print_table(["command", "time", "peak memory"], rows)


if __name__ == "__main__":
    main()
