"""Downloading faster-whisper models, several files each, from a local HTTP server standing in
for the official repository (its URLs: /Systran/faster-whisper-NAME/resolve/REVISION/FILE).
tiny.en is served with its real files, so its pins are checked for real."""

from __future__ import annotations

import json

import pytest

from callassist.cli import main
from callassist.errors import CallAssistError
from callassist.speech import whisper_download as wd
from callassist.speech.whisper_model import TINY_EN, bundled_folder


def _serve(server, spec, files: dict[str, bytes]) -> None:
    for name, body in files.items():
        server.files[f"/{spec.repo}/resolve/{spec.revision}/{name}"] = body


@pytest.fixture
def mirror(server, monkeypatch):
    monkeypatch.setenv(wd.MIRROR_ENV, server.base)
    return server


@pytest.fixture(scope="module")
def tiny_files() -> dict[str, bytes]:
    return {f.name: (bundled_folder() / f.name).read_bytes() for f in TINY_EN.files}


def test_tiny_en_is_downloaded_whole_checked_against_its_pins_and_loads(mirror, tiny_files,
                                                                       tmp_path, capsys):
    _serve(mirror, TINY_EN, tiny_files)
    mirror.cut_once_after[f"/{TINY_EN.repo}/resolve/{TINY_EN.revision}/model.bin"] = 5_000_000
    dest = tmp_path / "models"
    assert main(["models", "download", "tiny.en", "--dest", str(dest)]) == 0
    out = capsys.readouterr()
    target = dest / "faster-whisper-tiny.en"
    assert f"installed the Whisper model tiny.en at {target}" in out.out and "pinned" in out.out
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [*(f.name for f in TINY_EN.files), "MANIFEST.json"])
    assert not (dest / ".downloads" / "faster-whisper-tiny.en").exists()
    resumed = [r for p, r in mirror.requests if p.endswith("model.bin") and r]
    assert resumed == ["bytes=5000000-"]  # the cut download resumed where it stopped
    from callassist.speech.engine import load_engine

    engine = load_engine("whisper", model=target)
    assert engine.model == "tiny.en"


def test_a_file_that_does_not_match_its_pin_installs_nothing(mirror, tiny_files, tmp_path):
    bad = dict(tiny_files)
    bad["config.json"] = bad["config.json"].replace(b"{", b"{ ", 1)[: len(bad["config.json"])]
    _serve(mirror, TINY_EN, bad)
    dest = tmp_path / "models"
    with pytest.raises(CallAssistError, match=r"config\.json"):
        wd.install_whisper("tiny.en", dest)
    assert not (dest / "faster-whisper-tiny.en").exists()


def test_an_unpinned_model_is_recorded_at_download_and_checked_at_every_load(
        mirror, tmp_path, tiny_files):
    """The server sends a real, loadable model (tiny.en's files stand in for base.en's, which
    cannot be downloaded here): it loads, so its hashes are recorded."""
    spec = wd.DOWNLOADS["base.en"]
    files = tiny_files
    _serve(mirror, spec, files)
    dest = tmp_path / "models"
    result = wd.install_whisper("base.en", dest)
    assert result.verified == "recorded at first download"
    manifest = json.loads((result.path / "MANIFEST.json").read_text())
    assert {f["name"] for f in manifest["files"]} == set(files)
    from callassist.speech.whisper_model import verify

    verify(result.path, spec)
    (result.path / "tokenizer.json").write_bytes(b"changed")
    with pytest.raises(CallAssistError, match=r"tokenizer\.json"):
        verify(result.path, spec)
    # Installed already: nothing is fetched again, and without --force nothing is replaced.
    with pytest.raises(CallAssistError, match=r"tokenizer\.json"):
        wd.install_whisper("base.en", dest)
    fixed = wd.install_whisper("base.en", dest, force=True)
    verify(fixed.path, spec)


def test_an_unknown_whisper_name_and_a_missing_file_are_one_line_errors(mirror, tmp_path, capsys):
    spec = wd.DOWNLOADS["small.en"]
    _serve(mirror, spec, {"model.bin": b"x" * 100})  # the other files are missing
    code = main(["models", "download", "small.en", "--dest", str(tmp_path / "m")])
    last = capsys.readouterr().err.splitlines()[-1]  # after the progress lines
    assert code == 2 and last.startswith("callassist: error:") and "404" in last
    assert not (tmp_path / "m" / "faster-whisper-small.en").exists()


@pytest.mark.parametrize(("body", "why"), [
    (b"<html><body>Please log in to the proxy</body></html>", "is a web page"),
    (b"", "config.json is not JSON"),
    (bytes(range(256)) * 4, "config.json is not JSON"),
])
def test_W3_what_does_not_load_is_neither_installed_nor_pinned(mirror, tmp_path, capsys, body,
                                                              why):
    spec = wd.DOWNLOADS["base.en"]
    _serve(mirror, spec, {f.name: body for f in spec.files})
    dest = tmp_path / "models"
    assert main(["models", "download", "base.en", "--dest", str(dest)]) == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("callassist: error: the downloaded Whisper base.en files are not "
                           "a model (") and why in last and "nothing was installed" in last
    assert not (dest / "faster-whisper-base.en").exists()
    assert not list((dest / ".downloads").glob("faster-whisper-base.en/*"))


def test_W3_a_json_config_with_a_broken_model_does_not_load(mirror, tmp_path, tiny_files):
    spec = wd.DOWNLOADS["small.en"]
    files = dict(tiny_files)
    files["model.bin"] = files["model.bin"][:4096]  # a cut, or another file's bytes
    _serve(mirror, spec, files)
    with pytest.raises(CallAssistError, match="faster-whisper cannot load them"):
        wd.install_whisper("small.en", tmp_path / "models")
    assert not (tmp_path / "models" / "faster-whisper-small.en").exists()


def test_W3_unpinned_downloads_come_from_fixed_revisions():
    for spec in wd.DOWNLOADS.values():
        assert len(spec.revision) == 40 and int(spec.revision, 16) >= 0, spec
