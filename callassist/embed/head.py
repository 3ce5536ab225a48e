"""The trained head shipped with CallAssist (head.npz, built by scripts/train_coach.py): saved,
loaded and checked against the sentence model it was trained on."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from callassist.coach.classifier import Head
from callassist.coach.meaning import LEARNED_KINDS
from callassist.embed.minilm import MODEL
from callassist.errors import CallAssistError

HEAD = "head.npz"


def save_head(head: Head, path: Path, fingerprint: str, about: dict[str, Any]) -> None:
    """The weights as float32, with what they were trained from (`fingerprint`: the hash of
    the training lines and settings) so a stale build is found without training again."""
    arrays: dict[str, Any] = {f"p{i}": p.astype(np.float32) for i, p in enumerate(head.params)}
    np.savez_compressed(path, **arrays, kinds=np.array(head.kinds),
                        calibration=head.calibration.astype(np.float32),
                        thresholds=head.thresholds.astype(np.float32),
                        buckets=np.array(head.buckets),
                        model=np.array(MODEL.sha256), fingerprint=np.array(fingerprint),
                        about=np.array(json.dumps(about, sort_keys=True)))


def head_fingerprint(path: Path | None = None) -> str:
    source = path or Path(str(resources.files("callassist.embed").joinpath(HEAD)))
    if not source.is_file():
        return ""
    with np.load(source, allow_pickle=False) as z:
        return str(z["fingerprint"])


def load_head(path: Path | None = None) -> Head | None:
    """The shipped head (or the one at `path`); None when there is none or it was trained on
    another sentence model's vectors."""
    source = path or Path(str(resources.files("callassist.embed").joinpath(HEAD)))
    if not source.is_file():
        return None
    try:
        with np.load(source, allow_pickle=False) as z:
            if str(z["model"]) != MODEL.sha256:
                return None
            n = sum(1 for k in z.files if k[0] == "p" and k[1:].isdigit())
            params = tuple(z[f"p{i}"].astype(np.float32) for i in range(n))
            kinds = tuple(str(k) for k in z["kinds"])
            head = Head(kinds, params, z["calibration"].astype(np.float32),
                        z["thresholds"].astype(np.float32), int(z["buckets"]))
    except (OSError, KeyError, ValueError) as e:
        raise CallAssistError(f"{source}: not a trained coach head ({e}); rebuild it: "
                              "python scripts/train_coach.py") from None
    if set(kinds) != set(LEARNED_KINDS) or n not in (2, 4):
        raise CallAssistError(f"{source}: a head for {kinds}, not the coach's kinds; rebuild "
                              "it: python scripts/train_coach.py")
    return head
