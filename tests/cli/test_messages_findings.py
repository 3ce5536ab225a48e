"""P2: messages that misled (reliability review 2026-12-06). P2.1, P2.2 and P2.7 are tested
with S4 and S7/S8 (tests/practice/test_scenario_findings.py, tests/app/test_runtime_folder.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from callassist.cli import main
from callassist.settings import Settings
from callassist.speech.whisper_model import TINY_EN, bundled_folder

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_P2_3_a_damaged_model_folder_of_the_users_is_not_told_to_reinstall_a_package(
        tmp_path):
    from callassist.errors import CallAssistError
    from callassist.speech.whisper_model import verify

    folder = tmp_path / "base.en"  # a base.en folder without MANIFEST.json, as in the review
    shutil.copytree(bundled_folder(), folder)
    (folder / "model.bin").write_bytes(b"x" * 1024)
    with pytest.raises(CallAssistError) as e:
        verify(folder, TINY_EN)
    message = str(e.value)
    assert "pip install" not in message and "without MANIFEST.json" in message, message


def test_P2_4_a_download_elsewhere_says_to_use_its_folder(tmp_path, monkeypatch, capsys):
    from callassist.speech import whisper_download as wd

    class Result:
        path = tmp_path / "m" / "faster-whisper-base.en"
        verified = "recorded at first download"
        already_installed = False

    monkeypatch.setattr(wd, "install_whisper", lambda *a, **k: Result)
    assert main(["models", "download", "base.en", "--dest", str(tmp_path / "m")]) == 0
    out = capsys.readouterr().out
    assert f"use it with --model {Result.path}" in out


def test_P2_5_deleting_a_call_being_recorded_is_refused_without_force(tmp_path, monkeypatch,
                                                                      capsys):
    from callassist.store import open_store

    path = tmp_path / "calls.sqlite3"
    monkeypatch.setenv("CALLASSIST_STORE", str(path))
    with open_store(str(path), settings=Settings(agent="A")) as store:
        live = store.begin_call()
        assert main(["calls", "delete", str(live.call_id), "--yes"]) == 2
        err = capsys.readouterr().err
        assert "is being recorded now" in err and "nothing was deleted" in err
        assert main(["calls", "delete", str(live.call_id), "--yes", "--force"]) == 0


@pytest.mark.parametrize("command", [["analyze"], ["run", "--input"]])
def test_P2_6_customer_channel_with_a_transcript_is_refused(capsys, command):
    assert main([*command, str(CORPUS / "dev-008.json"), "--customer-channel", "right"]) == 2
    err = capsys.readouterr().err
    assert "--customer-channel is for a stereo recording" in err and err.count("\n") == 1
