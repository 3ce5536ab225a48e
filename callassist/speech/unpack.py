"""Unpacking a model archive safely and putting it in place: every entry is checked first
(absolute paths, `..` and symbolic links are refused), the model is unpacked into a staging
folder beside the destination, checked to be a model, and only then renamed into place, so a
model folder is either complete or absent."""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from callassist.errors import CallAssistError
from callassist.speech.fetch import CHUNK, Source, check_free_space
from callassist.speech.models import is_model_folder, missing_parts

# A zip bomb (2 MB unpacking to 2 GB) is refused before anything is written: models compress
# about 1.1 to 3 times, and the largest Vosk model unpacks to a few GB.
MAX_UNPACKED = 16 * 1024**3
MAX_RATIO = 50


def unpack_and_install(archive: Path, source: Source, dest: Path, work: Path,
                       force: bool = False) -> Path:
    staging = Path(tempfile.mkdtemp(prefix=f"{source.name}.unpack-", dir=work))
    try:
        _safe_extract(archive, staging, source)
        root, name = _model_root(staging, archive, source)
        target = dest / name
        if name != source.name and (target.exists() or target.is_symlink()) and not force:
            # The archive's folder names another installed model (D4): never replace it
            # silently.
            raise CallAssistError(
                f"{source.name} unpacks as {name}, which is already installed at {target}; "
                "pass --force to replace it; nothing was installed")
        return _put_in_place(root, target, work)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _safe_extract(archive: Path, staging: Path, source: Source) -> None:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as e:
        drop_download(archive, source)
        what = f"{archive} is not" if source.archive else f"{source.url} did not send"
        raise CallAssistError(f"{what} a zip archive ({e}); nothing was installed") from None
    with zf:
        members = zf.infolist()
        for info in members:
            problem = unsafe_entry(info)
            if problem:
                drop_download(archive, source)
                raise CallAssistError(
                    f"refusing to unpack {source.name}: archive entry {info.filename!r} "
                    f"{problem}; nothing was installed"
                )
        unpacked = sum(i.file_size for i in members)
        packed = max(1, sum(i.compress_size for i in members))
        if unpacked > MAX_UNPACKED or (unpacked > 64 * 1024**2 and unpacked / packed > MAX_RATIO):
            drop_download(archive, source)
            raise CallAssistError(
                f"refusing to unpack {source.name}: it would unpack to "
                f"{unpacked / 1024**3:.1f} GB from {packed / 1024**2:.1f} MB (a zip bomb? a "
                f"model unpacks to at most {MAX_UNPACKED // 1024**3} GB, compressed at most "
                f"{MAX_RATIO} times); nothing was installed")
        check_free_space(staging, unpacked, f"unpacking {source.name}")
        try:
            for info in members:
                _extract_one(zf, info, staging)
        except zipfile.BadZipFile as e:
            drop_download(archive, source)
            raise CallAssistError(
                f"{source.name}: the archive is damaged ({e}); nothing was installed"
            ) from None
        except OSError as e:
            kept = "" if source.archive else (
                f"; the download is kept in {archive.parent}, so the next try does not fetch "
                "it again")
            if e.errno in (errno.ENOSPC, errno.EDQUOT):
                raise CallAssistError(
                    f"disk full while unpacking {source.name} into {staging.parent.parent}: "
                    f"free some space and run the command again; nothing was installed{kept}"
                ) from None
            if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise CallAssistError(
                    f"cannot unpack {source.name}: {e.strerror}; nothing was installed{kept}"
                ) from None
            # Anything else comes from the archive itself (a file and a folder of one name,
            # a name too long): fetching it again would not help (P6).
            drop_download(archive, source)
            entry = Path(e.filename or "").name or "an entry"
            raise CallAssistError(
                f"cannot unpack {source.name}: {e.strerror} at {entry} inside the archive; "
                "nothing was installed"
            ) from None


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


def _model_root(staging: Path, archive: Path, source: Source) -> tuple[Path, str]:
    """The unpacked model folder and the name to install it under."""
    if is_model_folder(staging):
        return staging, source.name
    tops = [p for p in staging.iterdir() if p.is_dir() and p.name not in ("__MACOSX",)]
    if len(tops) == 1 and is_model_folder(tops[0]):
        return tops[0], source.name if source.known else archive_stem(tops[0].name)
    probe = tops[0] if len(tops) == 1 else staging
    drop_download(archive, source)
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


def drop_download(archive: Path, source: Source) -> None:
    """A complete download that cannot be installed is deleted, so a retry fetches it afresh;
    a local archive the user gave is never touched."""
    if source.archive is None:
        archive.unlink(missing_ok=True)


def archive_stem(filename: str) -> str:
    stem = filename[:-4] if filename.lower().endswith(".zip") else filename
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", stem).lstrip(".")
    return stem or "model"
