"""Practice scenarios: one TOML file each, read and checked here.

A scenario is data a trainer writes without code (see scenarios/lost-parcel.toml): the caller's
situation, mood, opening lines, the lines and mood changes that answer each coach event, the
voice and the speaking rate. Anything a scenario leaves out comes from scenarios/_defaults.toml,
so a new scenario can be a title, a situation and an opening line. A line is either text the
voice speaks, or a table `{ text = "...", wav = "file.wav" }` naming a recording (relative to
the scenario file) played instead of the synthetic voice.

A malformed scenario is refused with one line naming the file and the entry, e.g.
``broken.toml: reactions.defensive.anger: must be a number``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from callassist import validate
from callassist.audio.wavfile import read_info
from callassist.coach.kinds import STEP_IDS
from callassist.coach.playbook import WARNING_KINDS
from callassist.errors import CallAssistError
from callassist.paths import data_dir

DEFAULTS = "_defaults.toml"
# What the caller reacts to: the coach's steps and warnings, and moments of the call itself.
CALL_MOMENTS = (
    "no_action",  # the trainee stopped talking and no action has been offered yet
    "still_upset",  # nothing new was done this turn
    "on_hold",  # the trainee paused or handed the call over: the caller waits
    "satisfied",  # the caller is calm and has been offered an action: the call ends
    "gives_up",  # too angry, or out of patience: the call ends
)
REACTION_KEYS = (*STEP_IDS, *WARNING_KINDS, *CALL_MOMENTS)
OUTCOMES = ("satisfied", "gives_up")
HANDOFF = "handoff"
# Every line is synthesised before the call opens, so a scenario's size is its start-up time
# and memory (H1: 3,000 lines or one 1 MB line never started). The shipped scenarios have at
# most 40 lines of at most 200 characters; a recorded line is a sentence or two.
MAX_LINES = 200
MAX_LINE_CHARS = 1000
MAX_RECORDING_S = 60.0
MAX_SCENARIO_BYTES = 256 * 1024
# An espeak-ng voice name ("en-us", "en-gb-x-rp+m3"): never an option such as "--stdout".
ESPEAK_VOICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}")


class ScenarioError(CallAssistError):
    pass


@dataclass(frozen=True)
class Line:
    text: str
    wav: Path | None = None


@dataclass(frozen=True)
class Reaction:
    anger: float  # added to the caller's anger (negative calms them)
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Mood:
    anger: float  # at the start, 0 (calm) .. give_up_at
    calm_at: float  # at or below: calm enough to accept what is offered
    give_up_at: float  # at or above: the caller hangs up
    patience_turns: int  # trainee turns before the caller gives up anyway
    silence_s: float  # the trainee's silence (not on hold) before the caller presses again


@dataclass(frozen=True)
class Voice:
    piper: str  # a neural voice name (the bundled one when empty)
    espeak: str  # an espeak-ng voice, e.g. "en-us+m3"
    rate: int  # words a minute


@dataclass(frozen=True)
class Expect:
    """What a trainee who handles the call well ends with (checked by the scripted tests)."""

    outcome: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    situation: str
    caller: str
    mood: Mood
    voice: Voice
    opening: tuple[Line, ...]
    reactions: dict[str, Reaction]
    # what must have happened before the caller is satisfied: steps, or "handoff" (a colleague
    # brought onto the call while the caller stays on the line)
    satisfied_when: tuple[str, ...]
    expect: Expect
    source: str

    def lines(self) -> list[Line]:
        """Every line this caller may say, once each (for synthesising them ahead of time)."""
        seen: dict[Line, None] = dict.fromkeys(self.opening)
        for r in self.reactions.values():
            seen.update(dict.fromkeys(r.lines))
        return list(seen)


class _Reader:
    def __init__(self, source: str, folder: Path | None):
        self.source = source
        self.folder = folder

    def fail(self, entry: str, problem: str) -> ScenarioError:
        return ScenarioError(f"{self.source}: {entry}: {problem}")

    def table(self, data: Any, entry: str, allowed: Iterable[str]) -> dict:
        if not isinstance(data, dict):
            raise self.fail(entry, "must be a table")
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise self.fail(f"{entry}.{unknown[0]}" if entry else unknown[0],
                            f"unknown entry (known: {', '.join(sorted(allowed))})")
        return data

    def text(self, data: Any, entry: str, empty_ok: bool = False) -> str:
        if not isinstance(data, str) or (not empty_ok and not data.strip()):
            raise self.fail(entry, "must be text" if empty_ok else "must be non-empty text")
        return data.strip()

    def number(self, data: Any, entry: str, low: float, high: float) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise self.fail(entry, "must be a number")
        if not low <= data <= high:
            raise self.fail(entry, f"must be between {low:g} and {high:g}, not {data:g}")
        return float(data)

    def spoken(self, data: Any, entry: str) -> str:
        text = self.text(data, entry)
        if len(text) > MAX_LINE_CHARS:
            raise self.fail(entry, f"{len(text):,} characters; a line is at most "
                                   f"{MAX_LINE_CHARS:,}")
        return text

    def line(self, data: Any, entry: str) -> Line:
        if isinstance(data, str):
            return Line(self.spoken(data, entry))
        t = self.table(data, entry, ("text", "wav"))
        if "text" not in t:
            raise self.fail(entry, "a recorded line needs its text too (what the caller says)")
        wav = None
        if "wav" in t:
            name = self.text(t["wav"], f"{entry}.wav")
            wav = (self.folder / name) if self.folder else Path(name)
            if not wav.is_file():
                raise self.fail(f"{entry}.wav", f"recording '{name}' not found beside the scenario")
            try:
                seconds = read_info(wav).duration
            except CallAssistError as e:
                raise self.fail(f"{entry}.wav", str(e)) from None
            if seconds > MAX_RECORDING_S:
                raise self.fail(f"{entry}.wav", f"recording '{name}' lasts {seconds:,.0f} s; "
                                                f"a line is at most {MAX_RECORDING_S:g} s")
        return Line(self.spoken(t["text"], f"{entry}.text"), wav)

    def lines(self, data: Any, entry: str) -> tuple[Line, ...]:
        if not isinstance(data, list) or not data:
            raise self.fail(entry, "must be a list of one or more lines")
        return tuple(self.line(x, f"{entry}[{i}]") for i, x in enumerate(data))

    def names(self, data: Any, entry: str, known: tuple[str, ...]) -> tuple[str, ...]:
        if not isinstance(data, list):
            raise self.fail(entry, "must be a list")
        for i, x in enumerate(data):
            if x not in known:
                raise self.fail(f"{entry}[{i}]", f"'{x}' is not one of {', '.join(known)}")
        return tuple(data)


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _read_toml(path: Path, source: str) -> dict:
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_SCENARIO_BYTES + 1)
        if len(raw) > MAX_SCENARIO_BYTES:
            raise ScenarioError(f"{source}: larger than {MAX_SCENARIO_BYTES // 1024} KB; "
                                "a scenario is a page or two of text")
        return validate.toml_document(raw.decode("utf-8"), source, ScenarioError)
    except UnicodeDecodeError:
        raise ScenarioError(f"{source}: not a text file (TOML is UTF-8 text)") from None
    except OSError as e:
        raise ScenarioError(f"{source}: cannot read: {e.strerror or e}") from None


def _defaults() -> dict:
    return tomllib.loads((shipped_folder() / DEFAULTS).read_text(encoding="utf-8"))


TOP = ("title", "situation", "caller", "mood", "voice", "opening", "reactions", "satisfied_when",
       "expect")


def parse_scenario(data: dict, scenario_id: str, source: str, folder: Path | None) -> Scenario:
    """A scenario from parsed TOML (the defaults are merged in here)."""
    r = _Reader(source, folder)
    r.table(data, "", TOP)
    d = r.table(_merge(_defaults(), data), "", TOP)
    m = r.table(d["mood"], "mood", ("anger", "calm_at", "give_up_at", "patience_turns",
                                    "silence_s"))
    give_up = r.number(m["give_up_at"], "mood.give_up_at", 1, 100)
    mood = Mood(
        anger=r.number(m["anger"], "mood.anger", 0, give_up - 0.5),
        calm_at=r.number(m["calm_at"], "mood.calm_at", 0, give_up - 0.5),
        give_up_at=give_up,
        patience_turns=int(r.number(m["patience_turns"], "mood.patience_turns", 1, 100)),
        silence_s=r.number(m["silence_s"], "mood.silence_s", 1, 600),
    )
    v = r.table(d["voice"], "voice", ("piper", "espeak", "rate"))
    espeak = r.text(v["espeak"], "voice.espeak")
    if not ESPEAK_VOICE.fullmatch(espeak):
        raise r.fail("voice.espeak", f"'{espeak[:40]}' is not an espeak-ng voice name "
                                     "(e.g. \"en-us\", see `espeak-ng --voices=en`)")
    voice = Voice(r.text(v["piper"], "voice.piper", empty_ok=True), espeak,
                  int(r.number(v["rate"], "voice.rate", 80, 400)))
    reactions = {}
    for key, value in r.table(d["reactions"], "reactions", REACTION_KEYS).items():
        entry = f"reactions.{key}"
        t = r.table(value, entry, ("anger", "lines"))
        reactions[key] = Reaction(r.number(t.get("anger", 0), f"{entry}.anger", -100, 100),
                                  r.lines(t.get("lines"), f"{entry}.lines"))
    missing = [k for k in REACTION_KEYS if k not in reactions]
    if missing:
        raise r.fail(f"reactions.{missing[0]}", "missing (every reaction needs lines)")
    e = r.table(d["expect"], "expect", ("outcome", "steps"))
    outcome = e.get("outcome", "satisfied")
    if outcome not in OUTCOMES:
        raise r.fail("expect.outcome", f"'{outcome}' is not one of {', '.join(OUTCOMES)}")
    for key in ("title", "situation", "opening"):
        if key not in data:
            raise r.fail(key, "missing (every scenario says it)")
    scenario = Scenario(
        id=scenario_id,
        title=r.text(d["title"], "title"),
        situation=r.text(d["situation"], "situation"),
        caller=r.text(d.get("caller", "the caller"), "caller"),
        mood=mood,
        voice=voice,
        opening=r.lines(d["opening"], "opening"),
        reactions=reactions,
        satisfied_when=r.names(d["satisfied_when"], "satisfied_when", (*STEP_IDS, HANDOFF)),
        expect=Expect(outcome, r.names(e.get("steps", list(STEP_IDS)), "expect.steps", STEP_IDS)),
        source=source,
    )
    if len(scenario.lines()) > MAX_LINES:
        raise ScenarioError(f"{source}: {len(scenario.lines()):,} different lines; a scenario "
                            f"has at most {MAX_LINES}")
    return scenario


def load_scenario_file(path: str | Path) -> Scenario:
    path = Path(path)
    return parse_scenario(_read_toml(path, path.name), path.stem, path.name, path.parent)


def shipped_folder() -> Path:
    return Path(str(resources.files(__package__).joinpath("scenarios")))


def user_folder() -> Path:
    """Where a trainer's own scenarios go (they add to, or replace, the shipped ones)."""
    return data_dir() / "scenarios"


def scenario_files(folders: Iterable[Path]) -> dict[str, Path]:
    """Scenario id -> file; a later folder's scenario replaces an earlier one of the same id."""
    found: dict[str, Path] = {}
    for folder in folders:
        if folder.is_dir():
            for p in sorted(folder.glob("*.toml")):
                if not p.name.startswith("_"):
                    found[p.stem] = p
    return found


def default_folders(extra: str | Path | None = None) -> list[Path]:
    folders = [shipped_folder(), user_folder()]
    if extra is not None:
        extra = Path(extra)
        if not extra.is_dir():
            raise ScenarioError(f"{extra}: not a folder of scenarios")
        folders.append(extra)
    return folders


def scan_scenarios(folders: Iterable[Path]) -> tuple[list[Scenario], list[str]]:
    """Every good scenario in the folders, and one line for each file that is not (P3: a
    trainer's draft must not hide the others)."""
    good, problems = [], []
    for p in scenario_files(folders).values():
        try:
            good.append(load_scenario_file(p))
        except ScenarioError as e:
            problems.append(str(e))
    return good, problems


def load_scenarios(folders: Iterable[Path]) -> list[Scenario]:
    """Every good scenario in the folders (scan_scenarios says which files were skipped)."""
    return scan_scenarios(folders)[0]


def find_scenario(name: str, folders: Iterable[Path]) -> Scenario:
    """A scenario by id ("lost-parcel"), or a TOML file by path."""
    if name.endswith(".toml"):
        return load_scenario_file(name)
    files = scenario_files(folders)
    if name not in files:
        raise ScenarioError(f"no scenario '{name}' (see `callassist practice --list`)")
    return load_scenario_file(files[name])
