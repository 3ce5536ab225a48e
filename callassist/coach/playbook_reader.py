"""Reading a playbook's tables: typed values out of the parsed TOML, each error naming the
entry. Its own module so that what parses a part of the playbook (coach/say.py) needs no
import of the playbook itself."""

from __future__ import annotations

from typing import Any

from callassist import validate
from callassist.coach.patterns import PatternError, PhraseSet
from callassist.errors import CallAssistError
from callassist.validate import MAX_SECONDS


class PlaybookError(CallAssistError):
    pass


class PlaybookReader:
    """Reads typed values out of the parsed TOML, naming the entry in every error."""

    def __init__(self, source: str, lexicon: dict[str, list[str]]):
        self.source = source
        self.lexicon = lexicon
        self.literals: set[str] = set()

    def fail(self, entry: str, problem: str) -> PlaybookError:
        return PlaybookError(f"{self.source}: {entry}: {problem}")

    def table(self, data: Any, entry: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(entry, "must be a table")
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(
                f"{entry}.{unknown[0]}", f"unknown key (allowed: {', '.join(sorted(allowed))})"
            )
        missing = sorted(required - set(data))
        if missing:
            raise self.fail(f"{entry}.{missing[0]}", "missing")
        return data

    def text(self, data: dict[str, Any], key: str, entry: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.fail(f"{entry}.{key}", "must be a non-empty string")
        return value

    def number(self, data: dict[str, Any], key: str, entry: str, default: float, minimum: float = 0,
               maximum: float = MAX_SECONDS) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise self.fail(f"{entry}.{key}", f"must be a number >= {minimum}")
        # nan passes `value < minimum`; inf and huge values would overflow int() later (C6, W4).
        return validate.finite(value, f"{entry}.{key}", lambda f, p: self.fail(f, p),
                               minimum, maximum)

    def flag(self, data: dict[str, Any], key: str, entry: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{entry}.{key}", "must be true or false")
        return value

    def names(self, data: dict[str, Any], key: str, entry: str, known: tuple[str, ...]
              ) -> tuple[str, ...]:
        values = self.strings(data.get(key, []), f"{entry}.{key}")
        for i, v in enumerate(values):
            if v not in known:
                raise self.fail(f"{entry}.{key}[{i}]", f"'{v}' is not one of {', '.join(known)}")
        return tuple(values)

    def strings(self, value: Any, entry: str) -> list[str]:
        if not isinstance(value, list):
            raise self.fail(entry, "must be a list of strings")
        for i, v in enumerate(value):
            if not isinstance(v, str) or not v.strip():
                raise self.fail(f"{entry}[{i}]", "must be a non-empty string")
        return value

    def phrases(self, data: dict[str, Any], key: str, entry: str, required: bool = False
                ) -> PhraseSet:
        if required and key not in data:
            raise self.fail(f"{entry}.{key}", "missing")
        return self.phrase_list(data.get(key, []), f"{entry}.{key}", required)

    def phrase_list(self, value: Any, entry: str, required: bool = False) -> PhraseSet:
        values = self.strings(value, entry)
        if required and not values:
            raise self.fail(entry, "needs at least one phrase")
        for i, v in enumerate(values):
            try:
                PhraseSet.compile([v], self.lexicon)
            except PatternError as e:
                raise self.fail(f"{entry}[{i}]", str(e)) from None
        compiled = PhraseSet.compile(values, self.lexicon)
        self.literals |= compiled.literals
        return compiled
