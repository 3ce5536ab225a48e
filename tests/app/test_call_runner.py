"""The one call runner: every front end records a call the same way, batch by batch, so a call
killed mid-way is kept with what was heard so far."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from callassist.app.records import StoreRecords
from callassist.app.runner import FAILED, INPUT_ENDED, CallRunner
from callassist.app.sources import InputUnavailable, TranscriptSource
from callassist.audio.speak import speak_transcript
from callassist.cli import main
from callassist.coach.events import TranscriptEvent
from callassist.settings import Settings
from callassist.store import open_store
from callassist.transcript import load_transcript

from ..conftest import CORPUS


def test_a_transcript_call_is_recorded_as_it_runs_and_finished_with_its_header(
    playbook, tmp_path
):
    url = str(tmp_path / "calls.sqlite3")
    seen_in_store: list[int] = []
    runner = CallRunner(playbook, records=StoreRecords(url))
    source = TranscriptSource(CORPUS / "dev-004.json", speed=None)

    def emit(events) -> None:
        # while the call runs, what was written before this batch is already in the store
        record = runner.records.last
        if record is not None:
            with open_store(url) as store:
                seen_in_store.append(len(store.get_call(record.recorder.call_id).events))

    assert runner.prepare(source)
    result = runner.run(source, emit, threading.Event())
    assert result.outcome == INPUT_ENDED and result.call_id is not None
    assert seen_in_store[-1] > seen_in_store[0]  # written batch by batch, not at the end
    assert result.report["id"] == "dev-004"
    assert result.report["title"] == "Cold hold without handoff"
    with open_store(url) as store:
        call = store.get_call(result.call_id)
        assert call.row.status == "complete"
        assert call.row.title == "Cold hold without handoff"
        assert call.report["steps"]["apologize"]["covered"]


class _NoMicrophone(TranscriptSource):
    def run_call(self, session, emit, stop, status):
        raise InputUnavailable("no microphone found: plug in a headset or pass --input FILE")


def test_a_call_with_no_microphone_fails_with_the_reason_and_leaves_no_record(
    playbook, tmp_path
):
    url = str(tmp_path / "calls.sqlite3")
    statuses: list[tuple[str, str]] = []
    runner = CallRunner(playbook, records=StoreRecords(url),
                        status=lambda *s: statuses.append(s))
    source = _NoMicrophone(CORPUS / "dev-001.json")
    assert runner.prepare(source)
    result = runner.run(source, lambda events: None, threading.Event())
    assert result.outcome == FAILED and result.error.startswith("no microphone found")
    assert ("no_mic", result.error) in statuses
    with open_store(url) as store:
        assert store.count_calls() == 0


class _BreaksMidCall(TranscriptSource):
    def run_call(self, session, emit, stop, status):
        emit(session.start(0.0))
        emit(session.feed_utterance("agent", "i am so sorry about that", 1.0, 2.5))
        raise ValueError("the engine fell over")


def test_a_call_an_error_stops_is_kept_as_interrupted_with_what_was_heard(playbook, tmp_path):
    """W3: an error mid-call is never stored as a complete call."""
    url = str(tmp_path / "calls.sqlite3")
    runner = CallRunner(playbook, records=StoreRecords(url))
    source = _BreaksMidCall(CORPUS / "dev-001.json")
    assert runner.prepare(source)
    result = runner.run(source, lambda events: None, threading.Event())
    assert result.outcome == FAILED and "ValueError: the engine fell over" in result.error
    with open_store(url) as store:
        call = store.get_call(result.call_id)
    assert call.row.status == "interrupted"
    assert call.report["steps"]["apologize"]["covered"]


def test_manual_ticks_reach_the_session_between_batches(playbook):
    runner = CallRunner(playbook)
    source = TranscriptSource(CORPUS / "dev-004.json", speed=None)
    runner.tick("take_action", True)
    assert runner.prepare(source)
    report = runner.run(source, lambda events: None, threading.Event()).report
    assert report["steps"]["take_action"]["covered"] and report["steps"]["take_action"]["manual"]


def test_analyze_save_stores_the_transcript_under_its_title_and_source(capsys, tmp_path,
                                                                         monkeypatch):
    url = str(tmp_path / "calls.sqlite3")
    monkeypatch.setenv("CALLASSIST_STORE", url)
    path = CORPUS / "dev-004.json"
    assert main(["analyze", str(path), "--save", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    with open_store(url) as store:
        call = store.get_call(report["call_id"])
    assert call.row.title == "Cold hold without handoff" and call.row.source == str(path)
    assert call.report["steps"] == report["steps"]


@pytest.mark.audio
def test_listen_save_killed_mid_call_keeps_the_call_so_far(tmp_path):
    """kill -9 in the middle of `listen --save`: the next open finds the call interrupted, with
    its events, its transcript so far and its length to within a second."""
    wav = tmp_path / "call.wav"
    speak_transcript(load_transcript(CORPUS / "dev-001.json"), wav, stereo=False,
                     speakers=("agent",))
    url = str(tmp_path / "calls.sqlite3")
    env = {**os.environ, "CALLASSIST_STORE": url, "CALLASSIST_RETENTION": "full",
           "CALLASSIST_AGENT": "Kill Test"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "callassist", "listen", "--input", str(wav), "--save", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    printed: list[dict] = []
    try:
        for line in proc.stdout:
            printed.append(json.loads(line))
            if printed[-1]["type"] == "step":
                break
        assert printed, proc.stderr.read()
        time.sleep(1.5)  # the call goes on a little after the step
        os.kill(proc.pid, signal.SIGKILL)
        killed_at = time.time()
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    printed += [json.loads(ln) for ln in proc.stdout.read().splitlines() if ln.startswith("{")]
    with open_store(url, settings=Settings(agent="Kill Test", retention="full")) as store:
        (call_id,) = store.recovered
        call = store.get_call(call_id)
    assert call.row.status == "interrupted" and call.row.agent == "Kill Test"
    kinds = [e.type for e in call.events]
    assert "step" in kinds and "transcript" in kinds
    said = [e.text for e in call.events if isinstance(e, TranscriptEvent)]
    shown = [e["text"] for e in printed if e["type"] == "transcript" and e["final"]]
    # a batch is shown, then written: the kill may fall between the two for the last one
    assert said == shown or said == shown[:-1], (said, shown)
    # The stored length reaches at least the step printed (and awaited) before the kill, and
    # at most the time from when the record opened to the kill. A lower bound of "the wall
    # clock minus 1 s" was timing luck: on a busy machine the engine runs behind the audio
    # and this test failed under load.
    step_at = next(e["at"] for e in printed if e["type"] == "step")
    length = killed_at - call.row.started_at
    assert step_at <= call.row.duration <= length + 0.5, (call.row.duration, step_at, length)
