"""The supervisor's commands: routine vs upset calls, scores, notes, flags, the coaching queue,
search, typo-proof filters, exports for people, and deleting calls."""

from __future__ import annotations

import csv
import io
import itertools

import pytest

from callassist.cli import main
from callassist.store import CallFilter, open_store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_tells_routine_calls_from_upset_ones_and_sorts_by_score(capsys, filled_store):
    code, out, _ = run(capsys, "calls", "list", "--store", str(filled_store), "--routine")
    assert code == 0
    rows = out.splitlines()[1:]
    assert rows and all(" routine " in r for r in rows)
    assert any("Polite and clean" in r for r in rows)
    _, out, _ = run(capsys, "calls", "list", "--store", str(filled_store), "--upset",
                    "--sort", "score", "--limit", "3")
    # id, day, time, agent (two words), length, call kind, score
    scores = [int(r.split()[7]) for r in out.splitlines()[1:4]]
    assert scores == sorted(scores, reverse=True) and scores[0] == 100


def test_show_explains_the_score_and_what_upset_the_customer(capsys, filled_store):
    code, out, _ = run(capsys, "calls", "show", "13", "--store", str(filled_store))
    assert code == 0 and "Calm down" in out
    assert "score 0/100: 0 of 4 steps covered, 3 warnings, no apology" in out
    assert "customer upset (angry)" in out and "furious" in out


def test_notes_flags_and_the_coaching_queue(capsys, filled_store):
    s = str(filled_store)
    code, out, _ = run(capsys, "calls", "note", "7", "Blamed the courier; own it",
                       "--at", "0:07", "--author", "Maria", "--store", s)
    assert code == 0 and out.startswith("note 1 added to call 7")
    _, out, _ = run(capsys, "calls", "note", "7", "--store", s)
    assert out.strip() == "0:07  Maria: Blamed the courier; own it"
    code, out, _ = run(capsys, "calls", "flag", "7", "--reason", "blame", "--store", s)
    assert code == 0 and "to do" in out
    run(capsys, "calls", "flag", "13", "--status", "discussed", "--store", s)
    _, out, _ = run(capsys, "calls", "queue", "--store", s)
    assert [line.split()[0] for line in out.splitlines()] == ["13", "7"]
    assert "(blame)" in out
    _, out, _ = run(capsys, "calls", "list", "--flagged", "to do", "--store", s)
    assert [r.split()[0] for r in out.splitlines()[1:]] == ["7"]
    run(capsys, "calls", "flag", "7", "--clear", "--store", s)
    _, out, _ = run(capsys, "calls", "queue", "--store", s)
    assert [line.split()[0] for line in out.splitlines()] == ["13"]


def test_search_finds_calls_by_their_words(capsys, filled_store):
    _, out, _ = run(capsys, "calls", "list", "--search", "calm down", "--store",
                    str(filled_store))
    ids = [int(r.split()[0]) for r in out.splitlines()[1:]]
    with open_store(str(filled_store)) as store:
        assert ids and all("calm down" in " ".join(
            t["text"] for t in store.get_call(i).report["transcript"]) for i in ids)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["calls", "list", "--agent", "Dana Smyth"],
         "--agent 'Dana Smyth' is not a stored agent (valid: Dana Smith, Lee Park, Sam Rivera)"),
        (["calls", "list", "--warning", "blam"], "--warning 'blam' is not a stored warning kind"),
        (["calls", "list", "--flagged", "later"], "--flagged 'later' is not a flag status"),
        (["calls", "note", "7", "x", "--at", "soon"], "--at 'soon' is not a moment of the call"),
        (["calls", "note", "999", "x"], "no call 999"),
        (["calls", "delete", "999", "--yes"], "no call 999"),
        (["calls", "purge", "--older-than", "-3", "--yes"], "is not a number of days"),
    ],
)
def test_typos_are_one_line_errors_with_the_valid_choices(capsys, filled_store, argv, message):
    code, _, err = run(capsys, *argv, "--store", str(filled_store))
    assert code == 2 and err.startswith("callassist: error:") and message in err
    assert err.count("\n") == 1


def test_a_mistyped_store_path_is_an_error_and_creates_nothing(capsys, tmp_path):
    missing = tmp_path / "nothere" / "calls.sqlite3"
    for argv in (["calls", "list"], ["calls", "export"], ["calls", "queue"]):
        code, _, err = run(capsys, *argv, "--store", str(missing))
        assert code == 2 and "no call store there" in err
    assert not missing.parent.exists()


def test_deleting_asks_first_and_keeps_everything_without_a_yes(capsys, filled_store,
                                                               monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, _, err = run(capsys, "calls", "delete", "3", "4", "--store", str(filled_store))
    assert code == 2 and "--yes" in err
    with open_store(str(filled_store)) as store:
        assert store.count_calls() == 24
    code, out, _ = run(capsys, "calls", "delete", "3", "4", "--yes", "--store",
                       str(filled_store))
    assert code == 0 and out.strip() == "2 calls deleted"
    with open_store(str(filled_store)) as store:
        assert store.count_calls() == 22 and store.count_calls(CallFilter(search="x")) == 0


def test_csv_for_excel_starts_with_a_bom_and_keeps_accents(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CALLASSIST_AGENT", "José Müller")
    path = tmp_path / "s.sqlite3"
    monkeypatch.setenv("CALLASSIST_STORE", str(path))
    run(capsys, "analyze", "tests/corpus/dev-001.json", "--save")
    out = tmp_path / "calls.csv"
    assert run(capsys, "calls", "export", "-o", str(out), "--store", str(path))[0] == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["agent"] == "José Müller"
    assert {"needs_asap", "score", "frustration"} <= set(rows[0])


def test_the_html_report_header_names_the_agent_period_and_filters(capsys, filled_store,
                                                                   tmp_path):
    page = tmp_path / "r.html"
    run(capsys, "calls", "export", "--format", "html", "--agent", "Lee Park", "--since",
        "2026-11-02", "--upset", "--store", str(filled_store), "-o", str(page))
    text = page.read_text()
    assert "agent Lee Park" in text and "2026-11-02 to today" in text and "upset calls" in text


def test_timeline_labels_never_overlap_and_ticks_are_even():
    import re

    from callassist.coach.report import Report
    from callassist.store.export import LABEL_CHAR_PX, axis_ticks, timeline_svg
    from callassist.store.query import CallRow, StoredCall

    kinds = ["hollow_apology", "defensive", "blame", "defensive", "hold_without_handoff"]
    report = {"duration": 14.0, "steps": {
        "apologize": {"covered": True, "at": 8.0}, "sympathize": {"covered": True, "at": 8.2}},
        "warnings": [{"kind": k, "at": 8.0 + 0.3 * i, "evidence": "", "advice": ""}
                     for i, k in enumerate(kinds)], "reminders": [], "transcript": []}
    row = CallRow(1, "A", 0.0, 14.0, 14.0, "complete", "", "", "", "", "full", 3, 2, 5, 8.0)
    svg = timeline_svg(StoredCall(row, Report.from_json(report)))
    labels = [(float(x), float(y), text) for x, y, text in re.findall(
        r'<text x="([\d.]+)" y="([\d.]+)" font-size="10"[^>]*>([^<]+)</text>', svg)
        if not re.fullmatch(r"\d+:\d\d", text)]
    assert labels
    for i, (x0, y0, t0) in enumerate(labels):
        for x1, y1, t1 in labels[i + 1:]:
            if y0 == y1:
                assert x1 >= x0 + len(t0) * LABEL_CHAR_PX or x0 >= x1 + len(t1) * LABEL_CHAR_PX
    ticks = axis_ticks(14.0)
    assert ticks == [0, 5, 10]  # round steps, not 0:00 0:02 0:05 0:07
    assert len({b - a for a, b in itertools.pairwise(ticks)}) == 1


def test_review_without_a_display_is_a_one_line_error(filled_store):
    import os
    import subprocess
    import sys

    # A process of its own: in this one a Qt application (offscreen) already exists.
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "-m", "callassist", "review", "--store",
                           str(filled_store)], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "no display to show the review window on" in proc.stderr
    assert "calls list" in proc.stderr and proc.stderr.count("\n") == 1


def test_show_of_a_routine_call_never_calls_a_step_missed(capsys, filled_store):
    """The checklist is decided once (coach/checklist.py): a routine call's steps read as not
    needed in the checklist, as in the score line above it (review 2026-12-06, §3.2)."""
    with open_store(str(filled_store), readonly=True) as store:
        routine = [c.row.id for c in store.iter_calls() if not c.row.needs_asap
                   and c.row.steps_covered < 4]
    assert routine, "the dev calls include a routine call with steps not covered"
    code, out, _ = run(capsys, "calls", "show", str(routine[0]), "--store", str(filled_store))
    assert code == 0 and "routine call" in out
    assert "missed" not in out and "not needed" in out
