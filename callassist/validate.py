"""The one input-validation layer: transcripts, playbooks and settings read their values through
these checks, so every value that reaches the coach is of the right type, finite and bounded,
and every refusal is one line naming the field.

The bounds are far above anything a real call or playbook needs; they exist so that no input,
however made, can cost unbounded time or memory further on.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import tomllib
from collections.abc import Callable
from typing import Any

# A call is at most this long: 10^7 s is 115 days, far beyond any call, yet small enough that
# every time in the store and on screen stays a valid date and an exact float.
MAX_SECONDS = 1e7
# One transcript file, one turn's text, the words in one turn, the turns in a call. 16 MB is
# about 170,000 turns, a hundred hours of talk; analysing it takes about 30 times its size in
# memory (H7: a 53 MB transcript took 2.2 GB), so the bound on the file bounds the memory.
MAX_JSON_BYTES = 16 * 1024 * 1024
MAX_TEXT_CHARS = 200_000
MAX_WORDS_PER_TURN = 50_000
MAX_TURNS = 200_000
# JSON nesting: a transcript is 4 levels deep (object, turns, turn, words); 64 leaves room.
MAX_JSON_DEPTH = 64
# TOML nesting (settings, playbooks, scenarios): the deepest real file is 4 levels; tomllib
# recurses once per level, so 3,000 brackets would end in a RecursionError traceback (C3).
MAX_TOML_DEPTH = 64
# Short single-line names (agent, title, call id).
MAX_NAME_CHARS = 500

# fail(field, problem) -> the exception to raise; the message is "<field> <problem>".
Fail = Callable[[str, str], Exception]


def finite(
    value: object, field: str, fail: Fail, minimum: float = 0.0, maximum: float = MAX_SECONDS,
    what: str = "a number",
) -> float:
    """A real (non-bool) int or float, finite, within [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(field, f"must be {what} from {_fmt(minimum)} to {_fmt(maximum)}, "
                          f"not {short(value)}")
    number = float(value) if not isinstance(value, int) or abs(value) < 10**18 else math.inf
    if not math.isfinite(number) or not minimum <= number <= maximum:
        raise fail(field, f"must be a finite {what.removeprefix('a ')} from {_fmt(minimum)} "
                          f"to {_fmt(maximum)}, not {short(value)}")
    return number


def text(value: object, field: str, fail: Fail, maximum: int = MAX_TEXT_CHARS) -> str:
    if not isinstance(value, str):
        raise fail(field, f"must be a string, not {short(value)}")
    if len(value) > maximum:
        raise fail(field, f"is {len(value)} characters long; the limit is {maximum}")
    return value


def line(value: object, field: str, fail: Fail, maximum: int = MAX_NAME_CHARS) -> str:
    """A single line of printable text (a name, a path, a URL): no newline, tab, NUL, escape
    or other control character, at most `maximum` characters."""
    value = text(value, field, fail, maximum)
    bad = next((c for c in value if not c.isprintable() and c != " "), None)
    if bad is not None:
        raise fail(field, f"must be one line of printable characters, not one holding "
                          f"U+{ord(bad):04X}")
    return value


def choice(value: object, field: str, fail: Fail, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        raise fail(field, f"{short(value)} is not one of {', '.join(options)}")
    return value


def whole(value: object, field: str, fail: Fail, minimum: int, maximum: int, what: str) -> int:
    """A whole number given as an int or as digits (an environment variable)."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
        number = int(value)
    if number is None or not minimum <= number <= maximum:
        raise fail(field, f"{short(value)} is not a whole number of {what} from {minimum} "
                          f"to {maximum}")
    return number


def json_document(data: str, source: str, fail: Callable[[str], Exception]) -> object:
    """Parses JSON text, refusing nesting deeper than MAX_JSON_DEPTH before the parser
    recurses, NaN/Infinity literals (JSON has none) and numbers too long to be times."""
    if len(data) > MAX_JSON_BYTES:
        raise fail(f"{source}: {len(data) // 2**20} MB is too large (the limit is "
                   f"{MAX_JSON_BYTES // 2**20} MB)")
    depth = _max_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise fail(f"{source}: JSON nested {depth} levels deep; the limit is {MAX_JSON_DEPTH}")

    def constant(word: str) -> float:
        raise fail(f"{source}: {word} is not a number in JSON; use a finite number")

    def integer(digits: str) -> int | float:
        # 400-digit times overflow float(); beyond 4300 digits int() itself refuses.
        return int(digits) if len(digits) <= 30 else math.inf

    try:
        return json.loads(data, parse_constant=constant, parse_int=integer)
    except json.JSONDecodeError as e:
        raise fail(f"{source}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}"
                   ) from None
    except RecursionError:  # unreachable after the depth check; kept as a last guard
        raise fail(f"{source}: JSON nested too deeply") from None


def toml_document(
    text: str, source: str, fail: Callable[[str], Exception], invalid: str = "not valid TOML",
) -> dict[str, Any]:
    """Parses TOML text; a syntax error or nesting deeper than MAX_TOML_DEPTH is one line
    naming the source. tomllib's recursion is caught (TOML's string and key grammar is too
    rich for a bracket pre-scan), and the parsed depth is checked too: dotted keys
    (`a.b.c...`) nest without recursing, and whoever reads the tables may recurse."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise fail(f"{source}: {invalid}: {e}") from None
    except RecursionError:
        raise fail(f"{source}: nested too deeply (the limit is {MAX_TOML_DEPTH} levels)"
                   ) from None
    if _value_depth(data) > MAX_TOML_DEPTH:
        raise fail(f"{source}: nested too deeply (the limit is {MAX_TOML_DEPTH} levels)")
    return data


def _value_depth(value: object) -> int:
    """The nesting depth of parsed tables and arrays, without recursing."""
    deepest = 0
    todo = [(value, 1)]
    while todo:
        v, depth = todo.pop()
        if isinstance(v, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_TOML_DEPTH:
                todo.extend((x, depth + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


def _max_depth(data: str) -> int:
    """Bracket depth outside strings, in linear time (the string pattern is unrolled, so it
    cannot backtrack)."""
    brackets = _BRACKET.findall(_STRING.sub("", data))
    steps = (1 if b in "[{" else -1 for b in brackets)
    return max(itertools.accumulate(steps), default=0)


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def _fmt(x: float) -> str:
    return f"{x:g}"


def short(value: object) -> str:
    r = repr(value) if not isinstance(value, float) or math.isfinite(value) else str(value)
    return r if len(r) <= 40 else r[:37] + "..."
