"""User settings: who the agent is, what is kept of each call, and where calls are stored.

They live in `settings.toml` in the platform's config folder (`callassist.paths.config_dir()`):

    agent = "Dana Smith"          # the name calls are stored under (default: the login name)
    retention = "full"            # full | checklist | none (see callassist.store)
    store = ""                    # "" = SQLite in the data folder; or a file path, sqlite:///path,
                                  # or postgresql://user:pass@host/db for a team server
    model = ""                    # "" = the installed English Vosk model; or a model's name
                                  # (`callassist models list`) or folder
    retention_days = 0            # this machine's own (SQLite) store: delete calls older than
                                  # this many days at start-up (0: keep); never a team store,
                                  # whose admin sets its retention (`callassist store retention`)
    partials = "agent"            # Whisper's partial results: for the agent (default), both
                                  # speakers, or off (finals only: least CPU, later ticks)
    whisper_window = "short"      # Whisper's decode window: "short" follows the utterance (a
                                  # quarter of the CPU), "full" always encodes 30 s as Whisper
                                  # was trained (docs/speech-short-window.md has the figures)
    silence_ends_call = 20        # with a customer input, calls start when both sides have
                                  # spoken and end after this many seconds of silence on both
                                  # (3 to 3600; 0: calls start and end by hand only)
    above_fullscreen = false      # X11: the overlay bypasses the window manager so that it
                                  # stays above full-screen windows (docs/admin.md)

Environment variables override the file: CALLASSIST_AGENT, CALLASSIST_RETENTION, CALLASSIST_STORE,
CALLASSIST_MODEL, CALLASSIST_RETENTION_DAYS, CALLASSIST_PARTIALS, CALLASSIST_WHISPER_WINDOW,
CALLASSIST_SILENCE_ENDS_CALL, CALLASSIST_ABOVE_FULLSCREEN.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callassist import validate
from callassist.errors import CallAssistError
from callassist.paths import config_dir

RETENTION_MODES = ("full", "checklist", "none")
ENV = {
    "agent": "CALLASSIST_AGENT",
    "retention": "CALLASSIST_RETENTION",
    "store": "CALLASSIST_STORE",
    "model": "CALLASSIST_MODEL",
    "retention_days": "CALLASSIST_RETENTION_DAYS",
    "partials": "CALLASSIST_PARTIALS",
    "whisper_window": "CALLASSIST_WHISPER_WINDOW",
    "silence_ends_call": "CALLASSIST_SILENCE_ENDS_CALL",
    "above_fullscreen": "CALLASSIST_ABOVE_FULLSCREEN",
}
YES, NO = ("true", "yes", "on", "1"), ("false", "no", "off", "0", "")
PARTIALS = ("agent", "both", "off")
WHISPER_WINDOWS = ("short", "full")
MAX_RETENTION_DAYS = 36500
# The longest each text setting may be: a name, a path or URL, a model name or folder.
MAX_SETTING_CHARS = {"agent": validate.MAX_NAME_CHARS, "store": 4096, "model": 4096}
# Seconds of silence on both sides that end a call by voice: shorter than a few seconds would
# cut calls at every pause; 0 turns calls by voice off.
DEFAULT_SILENCE_ENDS_CALL = 20.0
SILENCE_ENDS_CALL_RANGE = (3.0, 3600.0)


class SettingsError(CallAssistError):
    pass


@dataclass(frozen=True)
class Settings:
    agent: str
    retention: str = "full"
    store: str = ""
    model: str = ""
    retention_days: int = 0
    partials: str = "agent"
    whisper_window: str = "short"
    silence_ends_call: float = DEFAULT_SILENCE_ENDS_CALL
    above_fullscreen: bool = False

    @property
    def partial_speakers(self) -> tuple[str, ...]:
        return {"agent": ("agent",), "both": ("agent", "customer"), "off": ()}[self.partials]


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def _default_agent() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "agent"


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as e:
        raise SettingsError(f"{path}: cannot read settings: {e}") from None
    return validate.toml_document(text, str(path),
                                  lambda m: SettingsError(f"{m}; fix or delete the file"),
                                  invalid="invalid TOML")


def load_settings(path: Path | None = None) -> Settings:
    """The settings file merged with environment overrides, checked."""
    path = path or settings_path()
    raw = _read_file(path)
    unknown = sorted(set(raw) - set(ENV))
    if unknown:
        raise SettingsError(
            f"{path}: unknown setting '{unknown[0]}' (known: {', '.join(ENV)})"
        )
    values: dict[str, object] = {}
    where: dict[str, str] = {}
    for key, var in ENV.items():
        if os.environ.get(var) is not None:
            values[key], where[key] = os.environ[var].strip(), var
        elif key in raw:
            values[key] = raw[key].strip() if isinstance(raw[key], str) else raw[key]
            where[key] = str(path)

    def fail(field: str, problem: str) -> SettingsError:
        # Names the field, and where it was set: the file or the environment variable.
        return SettingsError(f"{field} {problem} (set in {where.get(field, path)}; "
                             f"{ENV[field]} overrides the file)")

    def text(key: str, default: str = "") -> str:
        if key not in values:
            return default
        return validate.line(values[key], key, fail, MAX_SETTING_CHARS[key]) or default

    return Settings(
        agent=text("agent") or _default_agent(),
        retention=validate.choice(values.get("retention") or "full", "retention", fail,
                                  RETENTION_MODES),
        store=text("store"),
        model=text("model"),
        retention_days=validate.whole(values.get("retention_days") or 0, "retention_days",
                                      fail, 0, MAX_RETENTION_DAYS, "days (0 keeps every call)"),
        partials=validate.choice(values.get("partials") or "agent", "partials", fail,
                                 PARTIALS),
        whisper_window=validate.choice(values.get("whisper_window") or "short",
                                       "whisper_window", fail, WHISPER_WINDOWS),
        silence_ends_call=_silence(values.get("silence_ends_call", ""), fail),
        above_fullscreen=_yes_no(values.get("above_fullscreen", ""), "above_fullscreen", fail),
    )


def _yes_no(value: object, key: str, fail: validate.Fail) -> bool:
    if isinstance(value, bool):
        return value
    text = validate.line(value, key, fail, 10).lower()
    if text not in YES + NO:
        raise fail(key, f"'{text}' is not true or false")
    return text in YES


def _silence(value: object, fail: validate.Fail) -> float:
    if value == "":
        return DEFAULT_SILENCE_ENDS_CALL
    low, high = SILENCE_ENDS_CALL_RANGE
    choice = f"0 (calls by hand only) or {low:g} to {high:g} seconds"
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise fail("silence_ends_call", f"{validate.short(value)} is not {choice}"
                       ) from None
    seconds = validate.finite(value, "silence_ends_call", fail, 0.0, high, "a number of seconds")
    if 0 < seconds < low:
        raise fail("silence_ends_call", f"{seconds:g} would end calls at every pause: use "
                                        f"{choice}")
    return seconds


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Writes the settings file (used by the apps' settings dialogs)."""
    path = path or settings_path()

    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    text = (
        f"agent = {q(settings.agent)}\n"
        f"retention = {q(settings.retention)}\n"
        f"store = {q(settings.store)}\n"
        f"model = {q(settings.model)}\n"
        f"retention_days = {int(settings.retention_days)}\n"
        f"partials = {q(settings.partials)}\n"
        f"whisper_window = {q(settings.whisper_window)}\n"
        f"silence_ends_call = {settings.silence_ends_call:g}\n"
        f"above_fullscreen = {'true' if settings.above_fullscreen else 'false'}\n"
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, "utf-8")
        tmp.replace(path)
    except OSError as e:
        raise SettingsError(f"{path}: cannot write settings: {e}") from None
    return path
