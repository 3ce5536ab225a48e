"""Files CallAssist writes for the user (exports, reports): written whole or not at all, and
never over the call store, an input of the same command, or another program's database.

A write goes to a temporary file beside the target, is flushed to disk and then renamed over
it, so a full disk or a crash leaves the old file as it was, never a truncated one. A new file
is this user's alone (0600). A device or a pipe (`/dev/null`, `/dev/stdout`) is written in
place, never replaced.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from callassist.errors import CallAssistError

_SQLITE_MAGIC = b"SQLite format 3\x00"


def is_folder_path(raw: str | os.PathLike[str]) -> bool:
    """`-o out/` names a folder even before it exists (Path() drops the trailing slash)."""
    text = os.fsdecode(raw)
    return text.endswith(("/", os.sep)) or Path(text).is_dir()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def check_target(path: Path, protected: Iterable[Path] = (), force: bool = False) -> None:
    """Refuses a target that is the call store (or its journal), one of the command's inputs,
    or (without --force) any existing SQLite database."""
    for keep in protected:
        for guarded in (keep, keep.with_name(keep.name + "-wal"),
                        keep.with_name(keep.name + "-shm"),
                        keep.with_name(keep.name + "-journal")):
            if _same_file(path, guarded):
                raise CallAssistError(
                    f"{path}: refusing to write over {guarded}, which this command reads "
                    "(choose another output file)")
    if force or not path.is_file():
        return
    try:
        with path.open("rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except OSError:
        return
    if head == _SQLITE_MAGIC:
        raise CallAssistError(
            f"{path}: is a SQLite database (perhaps a call store); refusing to write over it "
            "(pass --force if you mean to)")


def write_text(path: Path | None, text: str, protected: Iterable[Path] = (),
               force: bool = False) -> None:
    """Writes `text` to `path` atomically (stdout when path is None)."""
    if path is None:  # data, not display: no escaping of control characters
        getattr(sys.stdout, "unfiltered", sys.stdout).write(text)
        return
    if path.is_dir():
        raise CallAssistError(f"{path}: is a folder; name a file to write")
    if _is_stream(path):
        _write_stream(path, text)
        return
    check_target(path, protected, force)
    folder = path.parent if str(path.parent) else Path(".")
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:50]}.", suffix=".part", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        # Exports hold transcripts, customers' personal data: this user's alone (S5), as
        # mkstemp made it; an existing file keeps the mode its owner gave it.
        with contextlib.suppress(OSError):
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise CallAssistError(f"{path}: cannot write: {e.strerror or e} (nothing was changed)"
                              ) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _is_stream(path: Path) -> bool:
    """A device, a pipe or /dev/std*: written in place, never replaced by a file (D5)."""
    try:
        mode = path.stat().st_mode  # follows /dev/stdout to what it names
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) \
        or stat.S_ISBLK(mode)


def _write_stream(path: Path, text: str) -> None:
    try:
        with path.open("w", encoding="utf-8", newline="") as f:
            f.write(text)
    except OSError as e:
        raise CallAssistError(f"{path}: cannot write: {e.strerror or e}") from None
