"""`callassist call start` / `end` from a phone system, many times over: how many calls are
kept (started, named with the phone system's id, stored under it), with calls by voice on and
the customer input on (UX review H2: 3 of 6 were lost). Target (issue 22): 100 % of 100 cycles.

A real overlay (`callassist run`, offscreen) listens to two PulseAudio null sinks' monitors
(scripts/start-pulse.sh) where nobody speaks, so only the phone system starts and ends calls;
each cycle sends `call start --id`, waits until `call status` names the call, sends `call end`,
and waits until the overlay is listening again. The store is read at the end.

    .venv/bin/python benchmarks/phone_calls.py [--cycles 100]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from _harness import percentile, print_table, scratch

from callassist.app.control import ControlError, send_command
from callassist.store import open_store

AGENT, CUSTOMER = "callassist_test", "callassist_customer"


def _until(check, timeout_s: float = 20.0) -> float | None:
    """Seconds until check() is true, or None."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout_s:
        try:
            if check():
                return time.monotonic() - t0
        except ControlError:
            pass
        time.sleep(0.05)
    return None


def _status() -> str:
    try:
        return send_command("status")
    except ControlError as e:
        return str(e)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=100)
    args = parser.parse_args()
    folder = scratch("phone")
    store = folder / "calls.sqlite3"
    os.environ.update(CALLASSIST_STORE=str(store), CALLASSIST_RUNTIME_DIR=str(folder / "run"),
                      QT_QPA_PLATFORM="offscreen")
    subprocess.run(["bash", "scripts/start-pulse.sh"], check=True, capture_output=True)
    overlay = subprocess.Popen(
        [sys.executable, "-m", "callassist", "run", "--device", f"{AGENT}.monitor",
         "--customer-device", f"{CUSTOMER}.monitor", "--engine", "pocketsphinx"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        if _until(lambda: "listening" in send_command("status"), 120.0) is None:
            raise SystemExit("the overlay did not start listening within 120 s")
        started, lost, to_start, to_end = 0, [], [], []
        for n in range(1, args.cycles + 1):
            call_id = f"P{n:03d}"
            t0 = time.monotonic()
            send_command("start", call_id)
            took = _until(lambda cid=call_id: f"in a call ({cid})" in send_command("status"))
            if took is None:
                lost.append(f"{call_id} ({_status()})")
            else:
                started += 1
                to_start.append(time.monotonic() - t0)
            t1 = time.monotonic()
            send_command("end")
            if _until(lambda: "in a call" not in send_command("status")) is not None:
                to_end.append(time.monotonic() - t1)
    finally:
        overlay.terminate()
        _, err = overlay.communicate(timeout=60)
        if lost and err.strip():
            print("overlay stderr (last lines):", *err.strip().splitlines()[-10:], sep="\n  ")
    with open_store(str(store)) as s:
        titles = {r.title for r in s.list_calls(limit=10_000)}
    stored = sum(f"Call P{n:03d}" in titles for n in range(1, args.cycles + 1))
    print_table(("cycles", "started with its id", "stored under its id", "lost",
                 "start to 'in a call', s (p50 / p95 / max)", "end to listening, s (p50 / max)"),
                [(args.cycles, started, stored, ", ".join(lost) or "none",
                  f"{percentile(to_start, 50):.2f} / {percentile(to_start, 95):.2f} / "
                  f"{max(to_start, default=0):.2f}",
                  f"{percentile(to_end, 50):.2f} / {max(to_end, default=0):.2f}")])


if __name__ == "__main__":
    main()
