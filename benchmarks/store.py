"""How fast the call store is: event write latency during a live call, and how long the review
window's call list takes to load with 100,000 stored calls.

Targets (issue 5): p99 write latency under 5 ms on SQLite; list load under 1 s at 100,000 calls.
A live call is simulated the way the overlay feeds the store: every 50 ms a batch with a level
event per speaker (aggregated into speech stretches, not stored one by one), and every half
second a final transcript with the steps and warnings it raises. PostgreSQL figures are measured
too when a server answers (scripts/start-postgres.sh starts one; or set CALLASSIST_TEST_PG_URL).

    .venv/bin/python benchmarks/store.py [--calls 100000] [--writes 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
os.environ.setdefault("CALLASSIST_CONFIG_DIR", tempfile.mkdtemp(prefix="callassist-bench-cfg-"))

from _harness import percentile  # noqa: E402

from callassist.coach.playbook import load_playbook  # noqa: E402
from callassist.coach.report import Report  # noqa: E402
from callassist.coach.session import CallSession  # noqa: E402
from callassist.replay import feed_transcript  # noqa: E402
from callassist.settings import Settings  # noqa: E402
from callassist.store import CallFilter, open_store  # noqa: E402
from callassist.store.summary import figures  # noqa: E402
from callassist.transcript import load_transcript  # noqa: E402

SETTINGS = Settings(agent="Bench", retention="full")
CORPUS = sorted((REPO / "tests" / "corpus").glob("dev-*.json"))




def live_batches(n: int) -> list[list]:
    """n batches as a live call produces them (levels every 50 ms, a final now and then)."""
    playbook = load_playbook()
    session = CallSession(playbook)
    turns = [t for p in CORPUS for t in load_transcript(p).turns]
    batches, t, k = [], 0.0, 0
    for i in range(n):
        batch = session.feed_level("agent", t, -24.0, i % 40 < 25)
        batch += session.feed_level("customer", t, -30.0, i % 40 >= 28)
        if i % 10 == 9:
            turn = turns[k % len(turns)]
            k += 1
            batch += session.feed_utterance(turn.speaker, turn.text, t - 1.5, t)
        batch += session.advance(t)
        batches.append(batch)
        t += 0.05
    return batches


def write_latency(url: str, batches: list[list]) -> tuple[list[float], list[float], float]:
    """Latency of every write, of the writes that stored something, and a fresh open."""
    with open_store(url, settings=SETTINGS) as store:
        rec = store.begin_call(engine="bench", model="bench")
        all_ms, stored_ms = [], []
        for batch in batches:
            storing = any(e.type != "level" for e in batch)
            t0 = time.perf_counter()
            rec.write(batch)
            dt = (time.perf_counter() - t0) * 1000
            all_ms.append(dt)
            if storing:
                stored_ms.append(dt)
            time.sleep(0.002)  # a little room for the background checkpoint, as in a real call
        t0 = time.perf_counter()
        rec.finish(None)
        finish_ms = (time.perf_counter() - t0) * 1000
    return all_ms, stored_ms, finish_ms


def sample_reports() -> list[Report]:
    playbook = load_playbook()
    return [feed_transcript(load_transcript(p), CallSession(playbook)).report() for p in CORPUS]


def fill(url: str, calls: int) -> None:
    """`calls` stored calls over a year, 40 agents, with real reports from the dev corpus."""
    rng = random.Random(5)
    reports = sample_reports()
    blobs = [json.dumps(r.to_json()) for r in reports]
    figs = [figures(r) for r in reports]
    start = time.time() - 365 * 86400
    with open_store(url, settings=SETTINGS) as store:
        if store.count_calls() >= calls:
            return
        conn = store.conn
        done = store.count_calls()
        while done < calls:
            chunk = min(10_000, calls - done)
            with conn.transaction():
                rows, warn_rows = [], []
                first_id = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM calls")[0][0]) + 1
                for j in range(chunk):
                    k = rng.randrange(len(reports))
                    f = figs[k]
                    at = start + (done + j) * (365 * 86400 / calls)
                    rows.append((first_id + j, f"Agent {rng.randrange(40):02d}", at,
                                 at + f.duration, int(at // 86400), f.duration, "complete",
                                 CORPUS[k].name, "full", f.steps_mask, f.steps_covered,
                                 f.warnings, f.first_apology, blobs[k]))
                    warn_rows += [(first_id + j, kind, n) for kind, n in
                                  f.warnings_by_kind.items()]
                conn.executemany(
                    "INSERT INTO calls (id, agent, started_at, ended_at, day, duration, status, "
                    "source, retention, steps_mask, steps_covered, warnings, first_apology, "
                    "report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                conn.executemany("INSERT INTO call_warnings (call_id, kind, n) VALUES (?, ?, ?)",
                                 warn_rows)
            done += chunk
        if conn.dialect == "postgresql":
            conn.execute("SELECT setval(pg_get_serial_sequence('calls', 'id'), "
                         "(SELECT MAX(id) FROM calls))")
            conn.execute("ANALYZE")


def list_load(url: str) -> list[tuple[str, float]]:
    """Seconds from opening the store to the review list's first page, per filter; and the
    whole review window up to its first call shown."""
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from callassist.ui.review import ReviewWindow
    from callassist.ui.review_models import CallListModel

    qInstallMessageHandler(lambda *_: None)  # the offscreen platform's size-hint notices
    app = QApplication.instance() or QApplication([])
    out = []
    cases = [
        ("all calls", CallFilter()),
        ("one agent", CallFilter(agent="Agent 07")),
        ("missed a step", CallFilter(missed="sympathize")),
        ("warning kind", CallFilter(warning="blame")),
        ("last 30 days + agent", CallFilter(agent="Agent 07", since=time.time() - 30 * 86400)),
    ]
    for name, flt in cases:
        t0 = time.perf_counter()
        with open_store(url, settings=SETTINGS) as store:
            model = CallListModel(store, flt)
            assert model.rowCount() > 0
            out.append((f"list: {name} ({model.total:,} calls)", time.perf_counter() - t0))
    t0 = time.perf_counter()
    with open_store(url, settings=SETTINGS) as store:
        window = ReviewWindow(store)
        window.show()
        app.processEvents()
        assert window.call_view.call is not None
        out.append(("review window open, first call shown", time.perf_counter() - t0))
        t0 = time.perf_counter()
        window.tabs.setCurrentWidget(window.team)
        app.processEvents()
        out.append(("team view (coverage of every call)", time.perf_counter() - t0))
        window.close()
    return out


def pg_url() -> tuple[str, str, str] | None:
    url = os.environ.get("CALLASSIST_TEST_PG_URL")
    if not url:
        proc = subprocess.run(["bash", str(REPO / "scripts" / "start-postgres.sh")],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"(PostgreSQL skipped: {proc.stderr.strip()})", file=sys.stderr)
            return None
        url = proc.stdout.strip().splitlines()[-1]
    import psycopg

    schema = "bench_" + uuid.uuid4().hex[:8]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{url}?options=-csearch_path%3D{schema}", schema, url


def main() -> int:
    ap = argparse.ArgumentParser(description="call store benchmark")
    ap.add_argument("--calls", type=int, default=100_000)
    ap.add_argument("--writes", type=int, default=2000)
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="callassist-bench-"))
    backends = [("SQLite", str(tmp / "calls.sqlite3"))]
    pg = None if args.no_postgres else pg_url()
    if pg:
        backends.append(("PostgreSQL", pg[0]))
    batches = live_batches(args.writes)
    print(f"Event writes: {args.writes} batches of a live call (levels every 50 ms, finals, "
          "steps, warnings)")
    print(f"{'store':<11} {'writes':<18} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, url in backends:
        all_ms, stored_ms, finish_ms = write_latency(url, batches)
        for label, values in (("every write", all_ms), ("writes that store", stored_ms)):
            p50, p99 = percentile(values, 50), percentile(values, 99)
            print(f"{name:<11} {label:<18} {p50:>8.3f} {p99:>8.3f} {max(values):>8.3f}")
        print(f"{name:<11} {'finish (report)':<18} {finish_ms:>8.3f}")
    print()
    print(f"Review list load with {args.calls:,} stored calls (open store + count + first page)")
    print(f"{'store':<11} {'what':<46} {'seconds':>8}")
    for name, url in backends:
        t0 = time.perf_counter()
        fill(url, args.calls)
        print(f"{name:<11} {'(filling the store)':<46} {time.perf_counter() - t0:>8.2f}")
        for label, seconds in list_load(url):
            print(f"{name:<11} {label:<46} {seconds:>8.3f}")
    if pg:
        import psycopg

        with psycopg.connect(pg[2], autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {pg[1]} CASCADE")
    for p in tmp.iterdir():
        p.unlink()
    tmp.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
