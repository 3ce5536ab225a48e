"""Download, verify and install Vosk models.

The archive is fetched into `DEST/.downloads/NAME.zip.part`; an interrupted download (a cut
connection, Ctrl+C, the `stop` event, a full disk) keeps the part file and the next attempt asks
the server for the rest with an HTTP Range request. The finished archive is checked (size, then
SHA-256), unpacked into a staging folder beside the destination with every entry checked first
(absolute paths, `..` and symbolic links are refused), checked to be a Vosk model, and only then
renamed into place, so a model folder is either complete or absent.

How checksums are pinned: an entry of KNOWN_MODELS carries the archive's exact size and SHA-256
where they are known. The machine this was built on has no route to alphacephei.com, so the
pinned values were not measured here: they are the values several independent public packaging
recipes pin for the same archives (a Yocto recipe and Arch AUR PKGBUILDs, among others), which
agree with each other. An entry without a pin is checked against the size the server announces
and against a `NAME.zip.sha256` file published beside the archive when the server offers one,
and the SHA-256 computed is reported so it can be pinned here or passed with `--sha256`.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import http.client
import os
import re
import shutil
import stat
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from callassist import __version__, paths
from callassist.errors import CallAssistError
from callassist.format import size
from callassist.speech.models import (
    MODEL_DIR_ENV,
    ModelInfo,
    installed_models,
    is_model_folder,
    missing_parts,
)

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; concurrent downloads of one model are rare
    fcntl = None  # type: ignore[assignment]

Progress = Callable[[int, int | None], None]

OFFICIAL_BASE = "https://alphacephei.com/vosk/models/"
MIRROR_ENV = "CALLASSIST_MODEL_MIRROR"
CHUNK = 64 * 1024
TIMEOUT_S = 30.0
# Consecutive attempts that receive nothing before giving up; an attempt that makes progress
# resets the count, so a flaky link still finishes a long download.
MAX_STALLED_ATTEMPTS = 4
RETRY_PAUSE_S = 0.5


@dataclass(frozen=True)
class KnownModel:
    """An official Vosk model the downloader can fetch by name."""

    name: str
    lang: str
    approx_size: str  # as listed on the Vosk models page, shown before downloading
    description: str
    size_bytes: int | None = None  # exact archive size, when pinned
    sha256: str | None = None  # archive SHA-256, when pinned

    @property
    def url(self) -> str:
        base = os.environ.get(MIRROR_ENV) or OFFICIAL_BASE
        return base.rstrip("/") + "/" + self.name + ".zip"


DEFAULT_MODEL = "vosk-model-small-en-us-0.15"

KNOWN_MODELS = (
    KnownModel(DEFAULT_MODEL, "en-us", "40 MB",
               "small US English: loads in seconds, keeps up in real time on a laptop",
               41_205_931, "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"),
    KnownModel("vosk-model-en-us-0.22-lgraph", "en-us", "128 MB",
               "US English, more accurate, still light on memory",
               130_557_655, "d9838b4aaa82a75c4a17f5aca300eaca129aaab2a7cbf951bafbb500eb9c4334"),
    KnownModel("vosk-model-en-us-0.22", "en-us", "1.8 GB",
               "US English, most accurate; needs several GB of memory"),
    KnownModel("vosk-model-small-en-in-0.4", "en-in", "36 MB", "small Indian English"),
)


class DownloadCancelled(CallAssistError):
    """The caller set the stop event; the part file is kept for a later resume."""


@dataclass(frozen=True)
class InstallResult:
    path: Path
    sha256: str  # of the archive that was installed ("" when already installed)
    verified: str  # how the archive was checked: "pinned", "published", "size only", ...
    already_installed: bool = False


@dataclass(frozen=True)
class _Source:
    name: str
    url: str | None  # None for a local archive
    archive: Path | None
    size_bytes: int | None
    sha256: str | None


def known_model(name: str) -> KnownModel | None:
    return next((m for m in KNOWN_MODELS if m.name == name), None)


def default_install_dir() -> Path:
    """`models/` in a source checkout, else the user data folder."""
    project = paths.project_models_dir()
    if (project.parent / "pyproject.toml").is_file():
        return project
    return paths.user_models_dir()


def download_model(
    name_or_url: str = DEFAULT_MODEL,
    dest: Path | str | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    *,
    sha256: str | None = None,
    force: bool = False,
) -> Path:
    """Download (or take from a local .zip), verify and install a model; return its folder.

    `name_or_url` is a KNOWN_MODELS name, an http(s) URL of a zip, or a local zip path.
    `progress(done_bytes, total_bytes_or_None)` is called as bytes arrive, from this thread.
    Setting `stop` ends the download with DownloadCancelled; calling again resumes it.
    Every failure raises CallAssistError with a one-line message.
    """
    return install_model(name_or_url, dest, progress, stop, sha256=sha256, force=force).path


def install_model(
    name_or_url: str = DEFAULT_MODEL,
    dest: Path | str | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    *,
    sha256: str | None = None,
    force: bool = False,
) -> InstallResult:
    """download_model, also saying how the archive was verified and its SHA-256."""
    source = _resolve(name_or_url, sha256)
    dest = Path(dest).expanduser() if dest else default_install_dir()
    target = dest / source.name
    if is_model_folder(target) and not force:
        return InstallResult(target, "", "already installed", already_installed=True)
    work = dest / ".downloads"
    try:
        work.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CallAssistError(
            f"cannot create {work}: {e.strerror}; choose another --dest"
        ) from None
    with _lock(work / f"{source.name}.lock", source.name):
        if source.archive is not None:
            archive = source.archive
            digest, verified = _verify_local(archive, source)
        else:
            archive = work / f"{source.name}.zip.part"
            _fetch(source, archive, progress, stop)
            digest, verified = _verify_download(archive, source)
        path = _unpack_and_install(archive, source, dest, work)
        if source.archive is None:
            archive.unlink(missing_ok=True)
    return InstallResult(path, digest, verified)


def _resolve(name_or_url: str, sha256: str | None) -> _Source:
    if sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
        raise CallAssistError(f"--sha256 {sha256!r} is not a SHA-256 (64 hexadecimal digits)")
    pin = sha256.lower() if sha256 else None
    known = known_model(name_or_url)
    if known:
        return _Source(known.name, known.url, None, known.size_bytes, pin or known.sha256)
    parsed = urllib.parse.urlparse(name_or_url)
    if parsed.scheme in ("http", "https"):
        stem = _archive_stem(PurePosixPath(urllib.parse.unquote(parsed.path)).name)
        return _Source(stem, name_or_url, None, None, pin)
    local = Path(name_or_url).expanduser()
    if local.is_file():
        return _Source(_archive_stem(local.name), None, local.resolve(), None, pin)
    if name_or_url.endswith(".zip") or os.sep in name_or_url:
        raise CallAssistError(f"{name_or_url}: file not found")
    names = ", ".join(m.name for m in KNOWN_MODELS)
    raise CallAssistError(
        f"unknown model {name_or_url!r}; known models: {names} (or give a URL or a .zip file)"
    )


def _archive_stem(filename: str) -> str:
    stem = filename[:-4] if filename.lower().endswith(".zip") else filename
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", stem).lstrip(".")
    return stem or "model"


@contextlib.contextmanager
def _lock(path: Path, name: str) -> Iterator[None]:
    try:
        f = path.open("a")
    except OSError as e:
        raise CallAssistError(f"cannot write in {path.parent}: {e.strerror}; choose another "
                              f"--dest") from None
    with f:
        if fcntl is not None:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise CallAssistError(
                    f"another download of {name} is running; wait for it to finish"
                ) from None
        yield


# -- fetching ---------------------------------------------------------------------------------

class _Cut(Exception):
    """The connection ended before the whole body arrived."""


def _fetch(source: _Source, part: Path, progress: Progress | None,
           stop: threading.Event | None) -> None:
    assert source.url is not None
    host = urllib.parse.urlparse(source.url).netloc
    stalled = 0
    received_any = False
    while True:
        have = part.stat().st_size if part.exists() else 0
        request = urllib.request.Request(
            source.url, headers={"User-Agent": f"callassist/{__version__}"}
        )
        if have:
            request.add_header("Range", f"bytes={have}-")
        before = have
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                _receive(response, part, have, source, progress, stop)
            return
        except urllib.error.HTTPError as e:
            if e.code == 416 and have and _range_total(e.headers.get("Content-Range")) == have:
                return  # the part file already holds the whole archive
            if e.code == 416:  # the part file does not belong to this archive: start again
                part.unlink(missing_ok=True)
                reason: object = "the server refused to resume"
            else:
                raise CallAssistError(
                    f"{host} answered {e.code} {e.reason} for {source.url}; check the model "
                    f"name or URL"
                ) from None
        except urllib.error.URLError as e:
            if not received_any:
                raise CallAssistError(_unreachable(host, source.url, e.reason)) from None
            reason = e.reason
        except (_Cut, http.client.HTTPException, OSError) as e:
            reason = e
        now = part.stat().st_size if part.exists() else 0
        if now > before:
            received_any = True
            stalled = 0
        else:
            stalled += 1
        if stalled >= MAX_STALLED_ATTEMPTS:
            raise CallAssistError(
                f"download of {source.name} from {host} keeps failing ({reason}); "
                f"{size(now)} kept, run the same command again to resume"
            )
        pause = RETRY_PAUSE_S * (stalled + 1)
        if stop is None:
            time.sleep(pause)
        elif stop.wait(pause):
            raise DownloadCancelled(_stopped_message(source.name, now, None))


def _receive(response: http.client.HTTPResponse, part: Path, have: int, source: _Source,
             progress: Progress | None, stop: threading.Event | None) -> int:
    """Write the response body into `part` (appending after a 206); return the bytes held."""
    if have and response.status == 206:
        start = _range_start(response.headers.get("Content-Range"))
        total = _range_total(response.headers.get("Content-Range"))
        if start != have:
            part.unlink(missing_ok=True)
            raise _Cut(f"server resumed at byte {start}, not {have}")
        mode = "ab"
    else:
        have, mode = 0, "wb"  # a 200 answer to a Range request: the server sends it all again
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
    if source.size_bytes is not None and total is not None and total != source.size_bytes:
        raise CallAssistError(
            f"{source.url} is {total} bytes, expected {source.size_bytes}; the server offers a "
            f"different file, nothing was installed"
        )
    if total is not None:
        _check_free_space(part.parent, total - have, f"downloading {source.name}")
    if progress:
        progress(have, total)
    try:
        f = part.open(mode)
    except OSError as e:
        raise CallAssistError(f"cannot write {part}: {e.strerror}; choose another --dest") from None
    with f:
        while True:
            if stop is not None and stop.is_set():
                raise DownloadCancelled(_stopped_message(source.name, have, total))
            chunk = response.read(CHUNK)
            if not chunk:
                break
            _write(f, chunk, part, source.name)
            have += len(chunk)
            if progress:
                progress(have, total)
    if total is not None and have < total:
        raise _Cut(f"connection closed at {have} of {total} bytes")
    return have


def _write(f: BinaryIO, chunk: bytes, part: Path, name: str) -> None:
    try:
        f.write(chunk)
        f.flush()
    except OSError as e:
        if e.errno == errno.ENOSPC:
            raise CallAssistError(
                f"disk full while downloading {name} into {part.parent}: free some space and "
                f"run the same command again to resume"
            ) from None
        raise CallAssistError(f"cannot write {part}: {e.strerror}") from None


def _range_start(content_range: str | None) -> int | None:
    m = re.match(r"bytes (\d+)-", content_range or "")
    return int(m.group(1)) if m else None


def _range_total(content_range: str | None) -> int | None:
    m = re.search(r"/(\d+)\s*$", content_range or "")
    return int(m.group(1)) if m else None


def _unreachable(host: str, url: str, reason: object) -> str:
    why = getattr(reason, "strerror", None) or str(reason)
    return (
        f"cannot reach {host} ({why}): check the network connection, or download {url} on "
        f"another machine and run `callassist models download FILE.zip`"
    )


def _stopped_message(name: str, have: int, total: int | None) -> str:
    of = f" of {size(total)}" if total else ""
    return f"download of {name} stopped at {size(have)}{of}; run it again to resume"


def _check_free_space(folder: Path, needed: int, doing: str) -> None:
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise CallAssistError(
            f"not enough disk space for {doing}: {size(needed)} needed, "
            f"{size(free)} free in {folder}; free some space or choose another --dest"
        )


# -- verifying ----------------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            h.update(block)
    return h.hexdigest()


def _verify_download(part: Path, source: _Source) -> tuple[str, str]:
    size = part.stat().st_size
    if source.size_bytes is not None and size != source.size_bytes:
        part.unlink()
        raise CallAssistError(
            f"{source.name}: downloaded {size} bytes, expected {source.size_bytes}; the download "
            f"was deleted, run the command again"
        )
    digest = sha256_of(part)
    expected, how = source.sha256, "pinned"
    if expected is None:
        expected, how = _published_sha256(source.url or ""), "published"
    if expected is None:
        return digest, "size only"
    if digest != expected:
        part.unlink()
        raise CallAssistError(
            f"checksum mismatch for {source.name}: expected SHA-256 {expected}, got {digest}; "
            f"the download was deleted and nothing was installed"
        )
    return digest, how


def _verify_local(archive: Path, source: _Source) -> tuple[str, str]:
    digest = sha256_of(archive)
    if source.sha256 is None:
        return digest, "not checked"
    if digest != source.sha256:
        raise CallAssistError(
            f"checksum mismatch for {archive}: expected SHA-256 {source.sha256}, got {digest}; "
            f"nothing was installed"
        )
    return digest, "pinned"


def _published_sha256(url: str) -> str | None:
    """The digest in `URL.sha256` (`sha256sum` format) if the server publishes one."""
    try:
        with urllib.request.urlopen(url + ".sha256", timeout=TIMEOUT_S) as response:
            text = response.read(4096).decode("ascii", errors="replace")
    except (OSError, http.client.HTTPException, ValueError):
        return None
    m = re.match(r"\s*([0-9a-fA-F]{64})\b", text)
    return m.group(1).lower() if m else None


# -- unpacking and installing ---------------------------------------------------------------------

def _unpack_and_install(archive: Path, source: _Source, dest: Path, work: Path) -> Path:
    staging = Path(tempfile.mkdtemp(prefix=f"{source.name}.unpack-", dir=work))
    try:
        _safe_extract(archive, staging, source)
        root, name = _model_root(staging, archive, source)
        return _put_in_place(root, dest / name, work)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _safe_extract(archive: Path, staging: Path, source: _Source) -> None:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as e:
        _drop_download(archive, source)
        what = f"{archive} is not" if source.archive else f"{source.url} did not send"
        raise CallAssistError(f"{what} a zip archive ({e}); nothing was installed") from None
    with zf:
        members = zf.infolist()
        for info in members:
            problem = unsafe_entry(info)
            if problem:
                _drop_download(archive, source)
                raise CallAssistError(
                    f"refusing to unpack {source.name}: archive entry {info.filename!r} "
                    f"{problem}; nothing was installed"
                )
        _check_free_space(staging, sum(i.file_size for i in members), f"unpacking {source.name}")
        try:
            for info in members:
                _extract_one(zf, info, staging)
        except zipfile.BadZipFile as e:
            _drop_download(archive, source)
            raise CallAssistError(
                f"{source.name}: the archive is damaged ({e}); nothing was installed"
            ) from None
        except OSError as e:
            if e.errno == errno.ENOSPC:
                raise CallAssistError(
                    f"disk full while unpacking {source.name} into {staging.parent.parent}: "
                    f"free some space and run the command again; nothing was installed"
                ) from None
            raise CallAssistError(f"cannot unpack {source.name}: {e}") from None


def unsafe_entry(info: zipfile.ZipInfo) -> str | None:
    """Why an archive entry must not be unpacked, or None when it is safe."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "has an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "would be written outside the model folder"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "is a symbolic link"
    return None


def _extract_one(zf: zipfile.ZipFile, info: zipfile.ZipInfo, staging: Path) -> None:
    target = staging.joinpath(*PurePosixPath(info.filename.replace("\\", "/")).parts)
    if info.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with zf.open(info) as src, target.open("wb") as out:
        shutil.copyfileobj(src, out, CHUNK)


def _model_root(staging: Path, archive: Path, source: _Source) -> tuple[Path, str]:
    """The unpacked model folder and the name to install it under."""
    if is_model_folder(staging):
        return staging, source.name
    tops = [p for p in staging.iterdir() if p.is_dir() and p.name not in ("__MACOSX",)]
    if len(tops) == 1 and is_model_folder(tops[0]):
        known = known_model(source.name) is not None
        return tops[0], source.name if known else _archive_stem(tops[0].name)
    probe = tops[0] if len(tops) == 1 else staging
    _drop_download(archive, source)
    raise CallAssistError(
        f"{archive.name if source.archive else source.name} is not a Vosk model archive: "
        f"{', '.join(missing_parts(probe))} missing; nothing was installed"
    )


def _put_in_place(root: Path, target: Path, work: Path) -> Path:
    """Rename the checked model into place; an older folder there is swapped out, not merged."""
    old = None
    if target.exists() or target.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f"{target.name}.old-", dir=work))
        os.rename(target, old / target.name)
    try:
        os.rename(root, target)
    except OSError as e:
        if old is not None:
            os.rename(old / target.name, target)
        raise CallAssistError(f"cannot install the model into {target}: {e.strerror}") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def _drop_download(archive: Path, source: _Source) -> None:
    """A complete download that cannot be installed is deleted, so a retry fetches it afresh;
    a local archive the user gave is never touched."""
    if source.archive is None:
        archive.unlink(missing_ok=True)


def remove_model(name_or_path: str) -> ModelInfo:
    """Delete an installed model from the project or user models folder, with any partial
    download of it. It is renamed aside first, so a crash mid-delete leaves no half model."""
    model = next((m for m in installed_models() if name_or_path in (m.name, str(m.path))), None)
    if model is None:
        raise CallAssistError(
            f"no installed model named {name_or_path!r}; `callassist models list` shows them"
        )
    if model.source not in ("project", "user"):
        raise CallAssistError(
            f"{model.path} is not in a callassist models folder (it is found through "
            f"{MODEL_DIR_ENV}); delete it yourself if you mean to"
        )
    work = model.path.parent / ".downloads"
    try:
        work.mkdir(exist_ok=True)
        aside = Path(tempfile.mkdtemp(prefix=f"{model.name}.remove-", dir=work))
        os.rename(model.path, aside / model.name)
    except OSError as e:
        raise CallAssistError(f"cannot remove {model.path}: {e.strerror}") from None
    shutil.rmtree(aside, ignore_errors=True)
    (work / f"{model.name}.zip.part").unlink(missing_ok=True)
    return model
