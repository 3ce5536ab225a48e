"""`callassist calls list|show|export` and `analyze --save`, run as a user would."""

from __future__ import annotations

import csv
import io
import json

import pytest

from callassist.cli import main
from callassist.store import open_store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_analyze_save_stores_the_call_under_the_settings_agent(capsys, monkeypatch):
    monkeypatch.setenv("CALLASSIST_AGENT", "Dana Smith")
    code, out, _ = run(capsys, "analyze", "tests/corpus/dev-004.json", "--save", "--json")
    assert code == 0
    call_id = json.loads(out)["call_id"]
    with open_store() as store:
        call = store.get_call(call_id)
    assert call.row.agent == "Dana Smith" and call.row.source == "tests/corpus/dev-004.json"
    assert [w["kind"] for w in call.report["warnings"]] == ["hold_without_handoff"]
    assert call.report["transcript"][0]["speaker"] == "customer"


def test_list_shows_calls_newest_first_and_filters_by_agent_and_dates(capsys, filled_store):
    code, out, _ = run(capsys, "calls", "list", "--store", str(filled_store), "--limit", "5")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["id", "started", "agent"]
    assert lines[1].split()[0] == "24"
    assert "(5 of 24 calls shown" in lines[-1]
    code, out, _ = run(capsys, "calls", "list", "--store", str(filled_store), "--agent",
                       "Lee Park", "--since", "2026-11-03", "--until", "2026-11-08")
    rows = out.splitlines()[1:]
    assert [r.split()[0] for r in rows] == ["5", "2"]  # 3 and 6 November, newest first


def test_list_filters_by_missed_step_and_warning_kind(capsys, filled_store):
    _, out, _ = run(capsys, "calls", "list", "--store", str(filled_store), "--warning", "blame")
    rows = out.splitlines()[1:]
    assert rows
    with open_store(str(filled_store)) as store:
        blamed = {c.row.id for c in store.iter_calls() if "blame" in
                  c.report["summary"]["warnings_by_kind"]}
        missed = {c.row.id for c in store.iter_calls() if not c.row.covered("sympathize")}
    assert {int(r.split()[0]) for r in rows} == blamed
    _, out, _ = run(capsys, "calls", "list", "--store", str(filled_store), "--missed",
                    "sympathize")
    assert {int(r.split()[0]) for r in out.splitlines()[1:]} == missed


def test_show_prints_checklist_warnings_and_transcript_with_evidence_marked(capsys, filled_store):
    code, out, _ = run(capsys, "calls", "show", "4", "--store", str(filled_store))
    assert code == 0
    assert out.startswith("Call 4 — Cold hold without handoff")
    assert out.splitlines()[1].strip().startswith("Dana Smith · 2026-11-05")
    assert "ASAP checklist" in out and "hold without handoff" in out
    assert "Transcript" in out and "[Hold without handoff]" in out


def test_export_csv_has_one_row_per_call_with_each_step_and_warning_count(capsys, filled_store):
    code, out, _ = run(capsys, "calls", "export", "--store", str(filled_store), "--agent",
                       "Sam Rivera")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 8 and {r["agent"] for r in rows} == {"Sam Rivera"}
    for col in ("apologize_at", "sympathize_at", "accept_responsibility_at", "take_action_at",
                "warnings_blame", "warnings_hold_without_handoff", "warnings"):
        assert col in rows[0]
    by_id = {int(r["call_id"]): r for r in rows}
    with open_store(str(filled_store)) as store:
        for call_id, r in by_id.items():
            rep = store.get_call(call_id).report
            assert int(r["warnings"]) == len(rep["warnings"])
            assert (r["apologize_at"] != "") == rep["steps"]["apologize"]["covered"]


def test_exported_json_is_a_corpus_transcript_that_analyses_to_the_same_checklist(
    capsys, filled_store, tmp_path
):
    out_file = tmp_path / "call-1.json"
    code, _, _ = run(capsys, "calls", "export", "1", "--format", "json", "--store",
                     str(filled_store), "-o", str(out_file))
    assert code == 0
    exported = json.loads(out_file.read_text())
    assert exported["call"]["agent"] == "Dana Smith" and exported["turns"]
    code, out, _ = run(capsys, "analyze", str(out_file), "--json")
    again = json.loads(out)
    with open_store(str(filled_store)) as store:
        stored = store.get_call(1).report
    assert {s: v["covered"] for s, v in again["steps"].items()} == \
        {s: v["covered"] for s, v in stored["steps"].items()}
    assert [w["kind"] for w in again["warnings"]] == [w["kind"] for w in stored["warnings"]]


def test_exporting_several_calls_as_json_writes_one_file_each(capsys, filled_store, tmp_path):
    code, _, err = run(capsys, "calls", "export", "--format", "json", "--store",
                       str(filled_store), "--since", "2026-11-02", "--until", "2026-11-04")
    assert code == 2 and "pass -o FOLDER" in err
    code, _, _ = run(capsys, "calls", "export", "--format", "json", "--store",
                     str(filled_store), "--since", "2026-11-02", "--until", "2026-11-04",
                     "-o", str(tmp_path / "out"))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == \
        ["call-1.json", "call-2.json", "call-3.json"]


def test_html_report_is_self_contained_and_printable(capsys, filled_store, tmp_path):
    page = tmp_path / "report.html"
    code, _, _ = run(capsys, "calls", "export", "--format", "html", "--store",
                     str(filled_store), "--agent", "Lee Park", "-o", str(page))
    assert code == 0
    text = page.read_text()
    assert text.count('<section class="call">') == 8
    assert "<svg" in text and "@media print" in text and "break-before: page" in text
    assert "src=" not in text and "<link" not in text and "<script" not in text
    assert "Transcript" in text and 'class="turn warning"' in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["calls", "list", "--since", "last week"], "--since 'last week' is not a date"),
        (["calls", "list", "--since", "2026-11-05", "--until", "2026-11-01"], "is before"),
        (["calls", "show", "999"], "no call 999"),
        (["calls", "export", "--agent", "Nobody"], "--agent 'Nobody' is not a stored agent"),
    ],
)
def test_bad_requests_are_one_line_errors(capsys, filled_store, argv, message):
    code, _, err = run(capsys, *argv, "--store", str(filled_store))
    assert code == 2
    assert err.startswith("callassist: error:") and message in err
    assert err.count("\n") == 1


def test_a_damaged_store_is_a_one_line_error_from_the_cli(capsys, tmp_path):
    bad = tmp_path / "calls.sqlite3"
    bad.write_bytes(b"\x00garbage" * 1000)
    code, _, err = run(capsys, "calls", "list", "--store", str(bad))
    assert code == 2 and "damaged" in err and err.count("\n") == 1


def test_analyze_save_says_where_the_call_went_or_that_retention_forbids_it(capsys, monkeypatch):
    code, out, _ = run(capsys, "analyze", "tests/corpus/dev-001.json", "--save")
    assert code == 0 and out.rstrip().endswith("(callassist calls show 1)")
    monkeypatch.setenv("CALLASSIST_RETENTION", "none")
    code, out, _ = run(capsys, "analyze", "tests/corpus/dev-001.json", "--save")
    assert code == 0 and "Not saved: the retention setting is 'none'" in out
    with open_store() as store:
        assert store.count_calls() == 1


def test_csv_carries_the_tone_figures_of_each_call(capsys, filled_store):
    _, out, _ = run(capsys, "calls", "export", "--store", str(filled_store))
    rows = list(csv.DictReader(io.StringIO(out)))
    tone_columns = [k for k in rows[0] if k.startswith("tone_")]
    assert tone_columns  # whatever figures the tone monitors report, flattened
    assert any(float(r[k] or 0) > 0 for r in rows for k in tone_columns)
