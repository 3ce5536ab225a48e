"""Sentence vectors of the playbook's own examples, kept between starts (H3: 3,000 examples a
supervisor added made every start embed them again, 14 s instead of 2 s).

One file per sentence model in the user's cache folder, `example-vectors-<model>.npz`, maps
the SHA-256 of each sentence (the sentence itself is not stored: examples may quote calls) to
its vector. The folder is 0700 and the file 0600. A damaged or foreign file is ignored and
made again; the cache is only ever a shortcut, never the truth.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from pathlib import Path

import numpy as np

from callassist.paths import cache_dir

MAX_ENTRIES = 50_000  # ~77 MB of float32 vectors: far beyond any playbook
DIM = 384


def key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_file(model_sha256: str) -> Path:
    return cache_dir() / f"example-vectors-{model_sha256[:16]}.npz"


def load(model_sha256: str) -> dict[str, np.ndarray]:
    """Sentence hash -> vector, or nothing when there is no usable cache."""
    path = cache_file(model_sha256)
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["model"]) != model_sha256:
                return {}
            keys, vectors = z["keys"], z["vectors"]
            if vectors.ndim != 2 or vectors.shape != (len(keys), DIM):
                return {}
            return dict(zip((str(k) for k in keys), vectors.astype(np.float32), strict=True))
    except (OSError, ValueError, KeyError, EOFError):  # none yet, or damaged: made again
        return {}


def save(model_sha256: str, entries: dict[str, np.ndarray]) -> None:
    """Writes the cache atomically, 0600 in a 0700 folder; a failure only costs time."""
    folder = cache_dir()
    items = list(entries.items())[-MAX_ENTRIES:]
    with contextlib.suppress(OSError):
        _private_folder(folder)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".vectors-", suffix=".npz")  # 0600
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, model=np.array(model_sha256),
                         keys=np.array([k for k, _ in items], dtype="U64"),
                         vectors=np.array([v for _, v in items], dtype=np.float32).reshape(
                             len(items), DIM))
            os.replace(tmp, cache_file(model_sha256))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _private_folder(folder: Path) -> None:
    if not folder.is_dir():
        folder.mkdir(mode=stat.S_IRWXU, parents=True)
        os.chmod(folder, stat.S_IRWXU)  # mkdir's mode is narrowed by the umask, not widened
