"""`callassist analyze FILE.json`: the checklist table, the JSON report, and bad input."""

import json
import shutil
from pathlib import Path

import pytest

from callassist.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_analyze_prints_a_readable_checklist(capsys):
    assert main(["analyze", str(CORPUS / "dev-004.json")]) == 0
    out = capsys.readouterr().out
    assert "[x] Apologize" in out
    assert "[ ] Sympathize" in out
    assert "hold without handoff" in out
    assert "→" in out  # the advice is shown


def test_analyze_json_report_has_the_corpus_shape(capsys):
    assert main(["analyze", str(CORPUS / "dev-001.json"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["id"] == "dev-001"
    assert all(report["steps"][s]["covered"] for s in report["steps"])
    assert report["steps"]["apologize"]["evidence"] == "i'm so sorry about that"
    assert report["warnings"] == []
    assert report["transcript"][0]["speaker"] == "customer"


def test_analyze_accepts_a_custom_playbook(tmp_path, capsys):
    from callassist.coach.playbook import default_playbook_text

    mine = tmp_path / "p.toml"
    text = default_playbook_text()
    start = text.index("[warnings.defensive]")
    advice = text.index("advice = ", start)
    end = text.index("\n", advice)
    mine.write_text(text[:advice] + 'advice = "Try: I hear you, let me fix it."' + text[end:])
    assert main(["analyze", str(CORPUS / "dev-003.json"), "--json", "--playbook", str(mine)]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert {w["advice"] for w in warnings if w["kind"] == "defensive"} == {
        "Try: I hear you, let me fix it."
    }


def bad_inputs(tmp_path: Path) -> list[tuple[Path, str]]:
    (tmp_path / "invalid.json").write_text('{"turns": [')
    (tmp_path / "speaker.json").write_text(
        json.dumps({"turns": [{"speaker": "robot", "start": 0, "end": 1, "text": "hi"}]})
    )
    (tmp_path / "times.json").write_text(
        json.dumps({"turns": [{"speaker": "agent", "start": 3, "end": 1, "text": "hi"}]})
    )
    (tmp_path / "text.json").write_text(
        json.dumps({"turns": [{"speaker": "agent", "start": 0, "end": 1, "text": 5}]})
    )
    (tmp_path / "noturns.json").write_text(json.dumps({"id": "x"}))
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "folder").mkdir()
    return [
        (tmp_path / "missing.json", "file not found"),
        (tmp_path / "invalid.json", "invalid JSON at line 1"),
        (tmp_path / "speaker.json", r"turns\[0\]\.speaker must be 'agent' or 'customer'"),
        (tmp_path / "times.json", r"turns\[0\]: end \(1.0\) is before start"),
        (tmp_path / "text.json", r"turns\[0\]\.text must be a string"),
        (tmp_path / "noturns.json", "'turns' must be a list"),
        (tmp_path / "notes.txt", "not a WAV recording or a JSON transcript"),
        (tmp_path / "folder", "is a folder"),
    ]


def test_bad_transcripts_give_one_line_errors_and_exit_2(tmp_path, capsys):
    import re

    for path, message in bad_inputs(tmp_path):
        assert main(["analyze", str(path)]) == 2, path
        err = capsys.readouterr().err
        assert re.search(message, err), (path, err)
        assert err.startswith("callassist: error: ") and err.count("\n") == 1


def test_a_malformed_playbook_on_the_command_line_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[steps")
    assert main(["analyze", str(CORPUS / "dev-001.json"), "--playbook", str(bad)]) == 2
    assert "bad.toml: not valid TOML" in capsys.readouterr().err


@pytest.mark.skipif(
    shutil.which("callassist") is None and not Path(".venv/bin/callassist").exists(),
    reason="the console script is installed by scripts/setup.sh",
)
def test_the_installed_command_scores_the_dev_corpus_above_the_bar():
    """The same check as ../shared/corpus/evaluate.py, through the real console script."""
    import subprocess
    import sys

    exe = shutil.which("callassist") or str(Path(".venv/bin/callassist").resolve())
    proc = subprocess.run(
        [
            sys.executable,
            str(CORPUS / "evaluate.py"),
            str(CORPUS),
            "--min-f1",
            "0.95",
            "--cmd",
            f"{exe} analyze {{file}} --json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "steps P=1.00 R=1.00 F1=1.00 | warnings P=1.00 R=1.00 F1=1.00" in proc.stdout
