"""Reliability findings H8 (zip bomb), D4 (an archive whose folder names another installed
model) and C13 (a mirror that is not a URL)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from callassist.cli import main


def test_h8_a_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path, model_zip, capsys):
    bomb = tmp_path / "bomb.zip"
    buf = io.BytesIO(model_zip(top="bomb"))
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb/zeros", b"\0" * (200 * 1024**2))  # 200 MB in about 200 KB
    bomb.write_bytes(buf.getvalue())
    assert main(["models", "download", str(bomb), "--dest", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "zip bomb" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "d" / "bomb").exists()


def test_d4_an_archive_named_like_another_installed_model_does_not_replace_it(
    tmp_path, model_zip, make_model, capsys
):
    dest = tmp_path / "shadow"
    installed = make_model(dest / "vosk-model-small-en-us-0.15")
    (installed / "MARKER").write_text("the user's model")
    innocent = tmp_path / "innocent.zip"
    innocent.write_bytes(model_zip(top="vosk-model-small-en-us-0.15"))
    assert main(["models", "download", str(innocent), "--dest", str(dest)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (installed / "MARKER").read_text() == "the user's model"
    assert main(["models", "download", str(innocent), "--dest", str(dest), "--force"]) == 0
    assert not (Path(installed) / "MARKER").exists()


def test_c13_a_mirror_that_is_not_a_url_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CALLASSIST_MODEL_MIRROR", "not a url")
    code = main(["models", "download", "vosk-model-small-en-us-0.15", "--dest", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "not an http" in err and len(err.strip().splitlines()) == 1
