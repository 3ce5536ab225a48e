"""Download, verify and install Vosk models: the catalogue, the checks, and the steps in order.

The archive is fetched (fetch.py) into `DEST/.downloads/NAME.zip.part`, resuming an interrupted
download with an HTTP Range request. The finished archive is checked (size, then SHA-256), and
unpacked (unpack.py) into a staging folder beside the destination with every entry checked
first, checked to be a Vosk model, and only then renamed into place, so a model folder is either
complete or absent.

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
import hashlib
import http.client
import os
import re
import shutil
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from callassist import paths
from callassist.errors import CallAssistError
from callassist.speech.fetch import (
    TIMEOUT_S,
    DownloadCancelled,
    Progress,
    Source,
    fetch,
)
from callassist.speech.models import (
    MODEL_DIR_ENV,
    ModelInfo,
    installed_models,
    is_model_folder,
)
from callassist.speech.unpack import archive_stem, unpack_and_install

# What callers use; fetching and unpacking live in fetch.py and unpack.py.
__all__ = ["DEFAULT_MODEL", "KNOWN_MODELS", "DownloadCancelled", "InstallResult", "KnownModel",
           "Progress", "default_install_dir", "download_model", "install_model", "known_model",
           "remove_model", "sha256_of"]

try:
    import fcntl

    _LOCKS = True
except ImportError:  # Windows: no advisory locks; concurrent downloads of one model are rare
    _LOCKS = False


OFFICIAL_BASE = "https://alphacephei.com/vosk/models/"
MIRROR_ENV = "CALLASSIST_MODEL_MIRROR"
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
        if not re.match(r"^https?://[^/\s]+", base):  # C13: was a ValueError traceback
            raise CallAssistError(f"{MIRROR_ENV} '{base}' is not an http:// or https:// URL")
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


@dataclass(frozen=True)
class InstallResult:
    path: Path
    sha256: str  # of the archive that was installed ("" when already installed)
    verified: str  # how the archive was checked: "pinned", "published", "size only", ...
    already_installed: bool = False


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
    with download_lock(work / f"{source.name}.lock", source.name):
        if source.archive is not None:
            archive = source.archive
            digest, verified = _verify_local(archive, source)
        else:
            archive = work / f"{source.name}.zip.part"
            fetch(source, archive, progress, stop)
            digest, verified = verify_download(archive, source)
        path = unpack_and_install(archive, source, dest, work, force=force)
        if source.archive is None:
            archive.unlink(missing_ok=True)
    return InstallResult(path, digest, verified)


def _resolve(name_or_url: str, sha256: str | None) -> Source:
    if sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
        raise CallAssistError(f"--sha256 {sha256!r} is not a SHA-256 (64 hexadecimal digits)")
    pin = sha256.lower() if sha256 else None
    known = known_model(name_or_url)
    if known:
        return Source(known.name, known.url, None, known.size_bytes, pin or known.sha256,
                      known=True)
    parsed = urllib.parse.urlparse(name_or_url)
    if parsed.scheme in ("http", "https"):
        stem = archive_stem(PurePosixPath(urllib.parse.unquote(parsed.path)).name)
        return Source(stem, name_or_url, None, None, pin)
    local = Path(name_or_url).expanduser()
    if local.is_file():
        return Source(archive_stem(local.name), None, local.resolve(), None, pin)
    if name_or_url.endswith(".zip") or os.sep in name_or_url:
        raise CallAssistError(f"{name_or_url}: file not found")
    names = ", ".join(m.name for m in KNOWN_MODELS)
    raise CallAssistError(
        f"unknown model {name_or_url!r}; known models: {names} (or give a URL or a .zip file)"
    )


@contextlib.contextmanager
def download_lock(path: Path, name: str) -> Iterator[None]:
    """Holds NAME.lock while a model is downloaded; the file is deleted when done (P6), by its
    holder, before the lock is let go."""
    while True:
        try:
            f = path.open("a")
        except OSError as e:
            raise CallAssistError(f"cannot write in {path.parent}: {e.strerror}; choose "
                                  f"another --dest") from None
        if not _LOCKS:
            break
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            raise CallAssistError(
                f"another download of {name} is running; wait for it to finish"
            ) from None
        # Locked a file its last holder had already deleted: lock the one at the path now.
        try:
            same = os.stat(path).st_ino == os.fstat(f.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        f.close()
    with f:
        try:
            yield
        finally:
            path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                path.parent.rmdir()  # .downloads, when nothing else is in it


# -- verifying ----------------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            h.update(block)
    return h.hexdigest()


def verify_download(part: Path, source: Source) -> tuple[str, str]:
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


def _verify_local(archive: Path, source: Source) -> tuple[str, str]:
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
