"""A small phrase-pattern language over normalised tokens, compiled to regular expressions.

Playbook authors write phrases the way agents say them:

    i am [so|really|truly] sorry (about|for) ~3 (that|this|the)
    (that|this|it) (is|was) {third_party} fault

- a word matches itself; ``frustrat*`` matches any word starting with ``frustrat``
- ``(a|b c)`` is a choice between word sequences, ``[a|b]`` the same but optional
- ``~N`` skips up to N words
- ``{name}`` is any entry of the playbook's lexicon list ``name``

Patterns are matched on whole tokens, so ``us`` never matches inside ``use``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from callassist.coach.text import Tokens, edit_distance

_TOKEN = re.compile(r"\(|\)|\[|\]|\||[^\s()\[\]|]+")
_WORD = re.compile(r"^[a-z0-9']+\*?$")
GAP = re.compile(r"^~(\d+)$")
LIST = re.compile(r"^\{([a-z_]+)\}$")


def pattern_tokens(pattern: str) -> list[str]:
    """A pattern's tokens: words, ``~N`` gaps, ``{list}`` names and the brackets and bars."""
    return _TOKEN.findall(pattern.lower())


class PatternError(ValueError):
    """A phrase pattern that cannot be compiled; the message says what is wrong."""


@dataclass
class _Parser:
    tokens: list[str]
    lexicon: Mapping[str, list[str]]
    literals: set[str]
    pos: int = 0
    depth: int = 0

    def parse(self) -> str:
        regex = self._alternatives()
        if self.pos != len(self.tokens):
            raise PatternError(f"unexpected '{self.tokens[self.pos]}'")
        return regex

    def _alternatives(self) -> str:
        options = [self._sequence()]
        while self.pos < len(self.tokens) and self.tokens[self.pos] == "|":
            self.pos += 1
            options.append(self._sequence())
        if any(not o for o in options):
            raise PatternError("empty choice")
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"

    def _sequence(self) -> str:
        parts = []
        while self.pos < len(self.tokens) and self.tokens[self.pos] not in ("|", ")", "]"):
            parts.append(self._item())
        return "".join(parts)

    def _group(self, close: str) -> str:
        self.pos += 1
        inner = self._alternatives()
        if self.pos >= len(self.tokens) or self.tokens[self.pos] != close:
            raise PatternError(f"missing '{close}'")
        self.pos += 1
        return f"(?:{inner})"

    def _item(self) -> str:
        tok = self.tokens[self.pos]
        if tok == "(":
            return self._group(")")
        if tok == "[":
            return self._group("]") + "?"
        self.pos += 1
        if m := GAP.match(tok):
            return rf"(?:\S+ ){{0,{int(m.group(1))}}}"
        if m := LIST.match(tok):
            name = m.group(1)
            if name not in self.lexicon:
                raise PatternError(f"unknown lexicon list {{{name}}}")
            if self.depth > 4:
                raise PatternError(f"lexicon list {{{name}}} refers to itself")
            entries = [
                _compile_body(e, self.lexicon, self.literals, self.depth + 1)
                for e in self.lexicon[name]
            ]
            return "(?:" + "|".join(entries) + ")"
        if not _WORD.match(tok):
            raise PatternError(f"'{tok}' is not a word, (choice), [option], ~N gap or {{list}}")
        if tok.endswith("*"):
            return re.escape(tok[:-1]) + r"\S* "
        self.literals.add(tok)
        return re.escape(tok) + " "


def _compile_body(
    pattern: str, lexicon: Mapping[str, list[str]], literals: set[str], depth: int = 0
) -> str:
    tokens = pattern_tokens(pattern)
    if not tokens:
        raise PatternError("empty pattern")
    return _Parser(tokens, lexicon, literals, depth=depth).parse()


@dataclass(frozen=True)
class Match:
    """Tokens [start, end) of an utterance that a phrase set matched."""

    start: int
    end: int

    def overlaps(self, other: Match) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass
class PhraseSet:
    """Any of several phrase patterns, compiled into one regular expression."""

    patterns: tuple[str, ...]
    regex: re.Pattern[str] | None
    literals: frozenset[str] = field(default_factory=frozenset)
    parts: tuple[re.Pattern[str], ...] = ()  # one per pattern, to say which one matched

    @classmethod
    def compile(cls, patterns: Iterable[str], lexicon: Mapping[str, list[str]]) -> PhraseSet:
        patterns = tuple(patterns)
        literals: set[str] = set()
        bodies = []
        for p in patterns:
            try:
                bodies.append(r"(?<!\S)" + _compile_body(p, lexicon, literals))
            except PatternError as e:
                raise PatternError(f"pattern '{p}': {e}") from None
        regex = re.compile("|".join(f"(?:{b})" for b in bodies)) if bodies else None
        return cls(patterns, regex, frozenset(literals), tuple(re.compile(b) for b in bodies))

    def which(self, text: TokenText, match: Match) -> str:
        """The pattern behind a match this set found."""
        at = text.char_at(match.start)
        for pattern, part in zip(self.patterns, self.parts, strict=True):
            if part.match(text.joined, at):
                return pattern
        return self.patterns[0] if self.patterns else ""

    def find(self, text: TokenText) -> list[Match]:
        if self.regex is None:
            return []
        return [text.match(m.start(), m.end()) for m in self.regex.finditer(text.joined)]

    def search(self, text: TokenText, start: int = 0) -> Match | None:
        if self.regex is None:
            return None
        m = self.regex.search(text.joined, text.char_at(start))
        return text.match(m.start(), m.end()) if m else None


class TokenText:
    """Tokens joined for regex search, with a map from characters back to tokens."""

    def __init__(self, tokens: Tokens):
        self.tokens = tokens
        self.words = tokens.words
        self.joined = "".join(w + " " for w in tokens.words)
        self._starts: list[int] = []
        pos = 0
        for w in tokens.words:
            self._starts.append(pos)
            pos += len(w) + 1

    def char_at(self, token_index: int) -> int:
        if token_index >= len(self._starts):
            return len(self.joined)
        return self._starts[token_index]

    def match(self, start_char: int, end_char: int) -> Match:
        start = bisect.bisect_right(self._starts, start_char) - 1
        end = bisect.bisect_left(self._starts, end_char)
        return Match(start, max(end, start + 1))


class Vocabulary:
    """Maps a misrecognised long word to the playbook word it is one or two edits away from.

    Only words of seven letters or more are corrected: shorter words collide too easily
    ("hold"/"told", "where"/"there").
    """

    def __init__(self, words: Iterable[str]):
        self._words = {w for w in words if w.isalpha()}
        self._by_initial: dict[str, list[str]] = {}
        for w in sorted(self._words):
            if len(w) >= 6:
                self._by_initial.setdefault(w[0], []).append(w)
        self._cache: dict[str, str] = {}

    def correct(self, word: str) -> str:
        if len(word) < 7 or word in self._words or not word.isalpha():
            return word
        if word not in self._cache:
            limit = 2 if len(word) >= 10 else 1
            best, best_distance = word, limit + 1
            for cand in self._by_initial.get(word[0], ()):
                distance = edit_distance(word, cand, limit)
                if distance < best_distance:
                    best, best_distance = cand, distance
            self._cache[word] = best
        return self._cache[word]

    def correct_tokens(self, tokens: Tokens) -> Tokens:
        return Tokens(tuple(self.correct(w) for w in tokens.words), tokens.origin)
