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
LIST = re.compile(r"^\{([a-z0-9_]+)\}$")

# Bounds that keep every pattern cheap to compile and to match, whatever a playbook says.
MAX_GAP = 50  # ~N skips at most this many words
MAX_NESTING = 50  # ( and [ inside each other
MAX_LIST_DEPTH = 5  # {lists} naming {lists}
MAX_REGEX_CHARS = 200_000  # one pattern with its lists expanded (the built-in ones: < 5,000)
# Python's regex engine backtracks: a pattern that can match the same words in many ways, such
# as "[hello] [hello] [hello] ... zzzz", costs time exponential in its length. Each pattern's
# count of ways (a product over its items: 2 for an [option], N+1 for ~N, the sum over a
# choice's alternatives unless they start with different words) is kept below this, which
# bounds the work per word of an utterance (the built-in patterns: at most 15,730).
MAX_WAYS = 20_000


def pattern_tokens(pattern: str) -> list[str]:
    """A pattern's tokens: words, ``~N`` gaps, ``{list}`` names and the brackets and bars."""
    return _TOKEN.findall(pattern.lower())


class PatternError(ValueError):
    """A phrase pattern that cannot be compiled; the message says what is wrong."""


@dataclass(frozen=True)
class _Part:
    """A compiled piece: its regex, how many ways it can match the same words (counting the
    empty match of an optional piece), the words it starts with when it matches something (None:
    any word), and whether it can match nothing."""

    regex: str
    ways: int
    first: frozenset[str] | None
    nullable: bool = False


@dataclass
class _Parser:
    tokens: list[str]
    lexicon: Mapping[str, list[str]]
    literals: set[str]
    lists: dict[str, _Part]
    list_depth: int = 0
    pos: int = 0
    nesting: int = 0

    def parse(self) -> _Part:
        part = self._alternatives(top=True)
        if self.pos != len(self.tokens):
            raise PatternError(f"unexpected '{self.tokens[self.pos]}'")
        return part

    def _alternatives(self, top: bool = False) -> _Part:
        options = [self._sequence(top)]
        while self.pos < len(self.tokens) and self.tokens[self.pos] == "|":
            self.pos += 1
            options.append(self._sequence(top))
        if any(not o.regex for o in options):
            raise PatternError("empty choice")
        return options[0] if len(options) == 1 else _choice(options)

    def _sequence(self, top: bool) -> _Part:
        parts: list[_Part] = []
        while self.pos < len(self.tokens) and self.tokens[self.pos] not in ("|", ")", "]"):
            item = self._item()
            if parts and _is_gap(parts[-1]) and _is_gap(item):
                item = _gap(_gap_size(parts.pop()) + _gap_size(item))  # ~2 ~3 is ~5
            parts.append(item)
        # Right to left: what may follow each item. After the whole pattern nothing needs to
        # match (the first success ends the search); after a group, anything may follow.
        ways = 1
        first: frozenset[str] | None = frozenset() if top else None
        for p in reversed(parts):
            if not p.nullable:
                ways, first = p.ways * ways, p.first
            elif p.first is not None and first is not None and not _overlap(p.first, first):
                # Taking the optional piece or skipping it start with different words: only
                # one of the two can go on at any word.
                ways, first = max(p.ways - 1, 1) * ways, p.first | first
            else:
                ways, first = p.ways * ways, None
            ways = min(ways, MAX_WAYS + 1)
        return _Part("".join(p.regex for p in parts), ways, first,
                     all(p.nullable for p in parts))

    def _group(self, close: str) -> _Part:
        self.pos += 1
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise PatternError(f"brackets nested more than {MAX_NESTING} deep")
        inner = self._alternatives()
        self.nesting -= 1
        if self.pos >= len(self.tokens) or self.tokens[self.pos] != close:
            raise PatternError(f"missing '{close}'")
        self.pos += 1
        return _Part(f"(?:{inner.regex})", inner.ways, inner.first, inner.nullable)

    def _item(self) -> _Part:
        tok = self.tokens[self.pos]
        if tok == "(":
            return self._group(")")
        if tok == "[":
            inner = self._group("]")
            return _Part(inner.regex + "?", inner.ways + 1, inner.first, True)
        self.pos += 1
        if m := GAP.match(tok):
            n = int(m.group(1)) if len(m.group(1)) <= 4 else MAX_GAP + 1
            if n > MAX_GAP:
                raise PatternError(f"'{tok}': a gap skips at most ~{MAX_GAP} words")
            return _gap(n)
        if m := LIST.match(tok):
            return self._list(m.group(1))
        if not _WORD.match(tok):
            raise PatternError(f"'{tok}' is not a word, (choice), [option], ~N gap or {{list}}")
        if tok.endswith("*"):
            self.literals.add(tok)  # a stem: words it matches are known words too
            return _Part(re.escape(tok[:-1]) + r"\S* ", 1, frozenset((tok,)))
        self.literals.add(tok)
        return _Part(re.escape(tok) + " ", 1, frozenset((tok,)))

    def _list(self, name: str) -> _Part:
        if name not in self.lexicon:
            raise PatternError(f"unknown lexicon list {{{name}}}")
        if name in self.lists:
            return self.lists[name]
        if self.list_depth >= MAX_LIST_DEPTH:
            raise PatternError(
                f"lexicon list {{{name}}}: lists name other lists more than {MAX_LIST_DEPTH} "
                "deep (or a list names itself)")
        entries = [
            _compile_part(e, self.lexicon, self.literals, self.lists, self.list_depth + 1)
            for e in self.lexicon[name]
        ]
        part = _choice(entries) if entries else _Part("(?!)", 1, None)
        if len(part.regex) > MAX_REGEX_CHARS:
            raise PatternError(f"lexicon list {{{name}}} expands to more than "
                               f"{MAX_REGEX_CHARS} characters (lists name lists too often)")
        self.lists[name] = part
        return part


def _choice(options: list[_Part]) -> _Part:
    # Alternatives starting with different words cannot both match the same words: only those
    # that may start with the same word (or with anything) add up.
    anywhere = sum(o.ways for o in options if o.first is None)
    literal: dict[str, int] = {}
    prefixes: dict[str, int] = {}  # wildcard words (frustrat*) by prefix
    for o in options:
        for word in o.first or ():
            into = prefixes if word.endswith("*") else literal
            key = word.rstrip("*")
            into[key] = into.get(key, 0) + o.ways
    if len(prefixes) * (len(prefixes) + len(literal)) > 1_000_000:
        worst = sum(literal.values()) + sum(prefixes.values())  # too many to compare: assume all
    else:
        worst = max([literal.get(w, 0) + sum(n for p, n in prefixes.items() if w.startswith(p))
                     for w in literal]
                    + [sum(n for q, n in prefixes.items() if q.startswith(p) or p.startswith(q))
                       + sum(n for w, n in literal.items() if w.startswith(p))
                       for p in prefixes], default=0)
    first = None if anywhere else frozenset(w for o in options for w in o.first or ())
    return _Part("(?:" + "|".join(o.regex for o in options) + ")",
                 min(anywhere + worst, MAX_WAYS + 1), first, any(o.nullable for o in options))


def _overlap(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether some word could start both: equal words, or a word under a wildcard's prefix."""
    if a & b:
        return True
    wild_a = [w[:-1] for w in a if w.endswith("*")]
    wild_b = [w[:-1] for w in b if w.endswith("*")]
    return any(w.startswith(p) for p in wild_a for w in b) or any(
        w.startswith(p) for p in wild_b for w in a)


def _gap(n: int) -> _Part:
    return _Part(rf"(?:\S+ ){{0,{n}}}", n + 1, None, True)


def _gap_size(part: _Part) -> int:
    return part.ways - 1


def _is_gap(part: _Part) -> bool:
    return part.regex.startswith(r"(?:\S+ ){0,")


def _compile_part(
    pattern: str, lexicon: Mapping[str, list[str]], literals: set[str],
    lists: dict[str, _Part], list_depth: int = 0,
) -> _Part:
    tokens = pattern_tokens(pattern)
    if not tokens:
        raise PatternError("empty pattern")
    return _Parser(tokens, lexicon, literals, lists, list_depth).parse()


def _compile_body(pattern: str, lexicon: Mapping[str, list[str]], literals: set[str]) -> str:
    part = _compile_part(pattern, lexicon, literals, {})
    if part.ways > MAX_WAYS:
        raise PatternError(
            f"can match the same words in more than {MAX_WAYS} ways, which makes matching "
            "slow: use fewer [optional] words, ~N gaps or overlapping choices in a row")
    if len(part.regex) > MAX_REGEX_CHARS:
        raise PatternError(f"expands to more than {MAX_REGEX_CHARS} characters (its lists "
                           "name lists too often)")
    return part.regex


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
    ("hold"/"told", "where"/"there"). A word a playbook stem matches ("contact*") is a
    playbook word itself, corrected only within its stem.
    """

    def __init__(self, words: Iterable[str]):
        words = set(words)
        self._words = {w for w in words if w.isalpha()}
        self._stems = tuple(sorted({w[:-1] for w in words
                                    if w.endswith("*") and w[:-1].isalpha()}))
        self._by_initial: dict[str, list[str]] = {}
        for w in sorted(self._words):
            if len(w) >= 6:
                self._by_initial.setdefault(w[0], []).append(w)
        self._cache: dict[str, str] = {}

    def correct(self, word: str) -> str:
        if len(word) < 7 or word in self._words or not word.isalpha():
            return word
        if word not in self._cache:
            # A word a stem matches may only become a word of the same stem ("apologyze" ->
            # "apologize" under "apolog*", never "contacting" -> "connecting").
            stems = tuple(st for st in self._stems if word.startswith(st))
            limit = 2 if len(word) >= 10 else 1
            best, best_distance = word, limit + 1
            for cand in self._by_initial.get(word[0], ()):
                if stems and not cand.startswith(stems):
                    continue
                distance = edit_distance(word, cand, limit)
                if distance < best_distance:
                    best, best_distance = cand, distance
            self._cache[word] = best
        return self._cache[word]

    def correct_tokens(self, tokens: Tokens) -> Tokens:
        return Tokens(tuple(self.correct(w) for w in tokens.words), tokens.origin)
