"""A call being written when its process is killed: everything written is there, and the next
open closes the call as interrupted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from callassist.coach.events import event_to_dict
from callassist.store import open_store

WRITER = Path(__file__).with_name("crash_writer.py")


def _run_and_kill(url: str, lines_before_kill: int) -> tuple[int, list[dict]]:
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline()
        assert first, proc.stderr.read()
        call_id = json.loads(first)["call_id"]
        printed = []
        while len(printed) < lines_before_kill:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            printed.append(json.loads(line))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # Lines the writer printed before it died were also written; read them too.
    printed += [json.loads(line) for line in proc.stdout.read().splitlines() if line.strip()]
    return call_id, printed


def test_kill_9_mid_call_loses_no_written_event_and_next_open_marks_it_interrupted(
    store_url, settings
):
    with open_store(store_url, settings=settings):
        pass  # the schema exists before the writer starts, as it would in real use
    call_id, printed = _run_and_kill(store_url, lines_before_kill=60)
    assert printed[-1]["type"] in ("transcript", "step", "warning", "reminder")

    with open_store(store_url, settings=settings) as store:
        assert call_id in store.recovered
        call = store.get_call(call_id)
        assert call.row.status == "interrupted"
        assert call.row.agent == "Crash Test"
        stored = [event_to_dict(e) for e in call.events if e.type != "speech"]
        assert len(stored) >= len(printed)
        for want, got in zip(printed, stored, strict=False):
            assert got["type"] == want["type"]
            assert got.get("text", got.get("evidence")) == want.get("text", want.get("evidence"))
        # The rebuilt report reads like a finished one: steps ticked before the kill are there.
        assert call.report["ended"] is False
        assert call.report["steps"]["apologize"]["covered"]
        assert call.row.duration > 0
        assert call.row.steps_covered == 4

    with open_store(store_url, settings=settings) as store:
        assert store.recovered == []


def test_a_call_still_being_written_is_not_marked_interrupted_by_another_open(
    store_url, settings
):
    with open_store(store_url, settings=settings) as writer:
        from callassist.coach.events import StepEvent

        rec = writer.begin_call()
        rec.write([StepEvent("apologize", 2.0, "i am so sorry")])  # a call with words in it
        with open_store(store_url, settings=settings) as reader:
            assert reader.recovered == []
            assert reader.get_call(rec.call_id).row.status == "live"
        rec.finish(None)
        assert writer.get_call(rec.call_id).row.status == "complete"


def test_a_recorder_left_without_finish_closes_its_call_as_interrupted_at_once(
    store_url, settings
):
    from callassist.coach.events import StepEvent

    with open_store(store_url, settings=settings) as store:
        with store.begin_call(agent="Dana") as rec:
            rec.write([StepEvent("apologize", 2.0, "i am so sorry")])
        call = store.get_call(rec.call_id)
        assert call.row.status == "interrupted"
        assert call.report["steps"]["apologize"]["covered"]


def test_a_live_calls_events_reach_the_database_file_itself_within_about_a_second(
    tmp_path, settings
):
    """What a power cut would keep: the main file read on its own, ignoring the WAL."""
    import sqlite3
    import time

    from callassist.coach.events import StepEvent

    path = tmp_path / "calls.sqlite3"
    with open_store(str(path), settings=settings) as store:
        rec = store.begin_call()
        rec.write([StepEvent("apologize", 1.0, "i am so sorry")])
        deadline = time.monotonic() + 3.0
        found = 0
        while time.monotonic() < deadline and not found:
            time.sleep(0.2)
            main_only = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
            try:
                found = main_only.execute("SELECT COUNT(*) FROM events").fetchone()[0]
            except sqlite3.DatabaseError:
                # Not even the tables are in the main file yet, or the checkpoint is copying
                # pages in at this moment (an immutable read then sees a malformed file).
                found = 0
            finally:
                main_only.close()
        assert found == 1
        rec.finish(None)
