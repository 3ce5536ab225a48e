"""A language model for pocketsphinx, built at start-up from the playbook.

pocketsphinx's stock model knows general English and nothing about service calls, so "we let
you down and that's on me to fix" comes back as noise and no step ticks. This module samples
sentences from every phrase pattern in the playbook (steps, warnings, hold and handoff
phrases; choices, options, gaps, `{lexicon}` lists and `word*` endings expanded), mixes them
with everyday service-desk sentences (`service_desk.txt`, so speech outside the playbook still
has words to land on), and writes a trigram model in ARPA format with absolute discounting
and back-off. Words the pronunciation dictionary lacks are left out.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

from callassist.coach.patterns import GAP, LIST, pattern_tokens
from callassist.coach.playbook import Playbook

# A gap in a pattern stands for whatever the agent says in between; these fill it.
_GAP_WORDS = ("the", "it", "this", "that", "your", "a", "you", "all", "now", "for you")
# Patterns are written expanded ("i am sorry"); agents say "i'm sorry".
_CONTRACTED = [
    (re.compile(rf"\b{a}\b"), b) for a, b in (
        ("i am", "i'm"), ("i have", "i've"), ("i will", "i'll"), ("i would", "i'd"),
        ("you are", "you're"), ("you have", "you've"), ("you will", "you'll"),
        ("we are", "we're"), ("we have", "we've"), ("we will", "we'll"),
        ("they are", "they're"), ("that is", "that's"), ("it is", "it's"),
        ("there is", "there's"), ("here is", "here's"), ("what is", "what's"),
        ("let us", "let's"), ("cannot", "can't"), ("will not", "won't"), ("do not", "don't"),
        ("does not", "doesn't"), ("did not", "didn't"), ("is not", "isn't"),
        ("was not", "wasn't"), ("are not", "aren't"), ("have not", "haven't"),
        ("could not", "couldn't"), ("would not", "wouldn't"), ("should not", "shouldn't"),
        ("madam", "ma'am"),
    )
]
SAMPLES_PER_PATTERN = 12
GENERIC_WEIGHT = 3  # each service-desk sentence counts this many times
DISCOUNT = 0.7


def playbook_patterns(playbook: Playbook) -> list[str]:
    out: list[str] = []
    for step in playbook.steps.values():
        out += step.phrases.patterns
    for w in playbook.warnings.values():
        out += w.phrases.patterns
        for part in w.together:
            out += part.patterns
    h = playbook.hold
    out += h.phrases.patterns + h.handoff.patterns + h.pauses.patterns
    return out


class _Expander:
    def __init__(self, lexicon: dict[str, list[str]], words: set[str], rng: random.Random):
        self.lexicon = lexicon
        self.rng = rng
        self._by_prefix: dict[str, list[str]] = {}
        self._words = sorted(words)

    def completions(self, prefix: str) -> list[str]:
        if prefix not in self._by_prefix:
            import bisect

            i = bisect.bisect_left(self._words, prefix)
            found = []
            while i < len(self._words) and self._words[i].startswith(prefix):
                w = self._words[i]
                if len(w) <= len(prefix) + 4 and "(" not in w:
                    found.append(w)
                i += 1
            self._by_prefix[prefix] = sorted(found, key=len)[:6] or [prefix]
        return self._by_prefix[prefix]

    def expand(self, pattern: str, depth: int = 0) -> list[str]:
        tokens = pattern_tokens(pattern)
        words, _ = self._alternatives(tokens, 0, depth)
        return words

    def _alternatives(self, tokens: list[str], pos: int, depth: int) -> tuple[list[str], int]:
        options = []
        seq, pos = self._sequence(tokens, pos, depth)
        options.append(seq)
        while pos < len(tokens) and tokens[pos] == "|":
            seq, pos = self._sequence(tokens, pos + 1, depth)
            options.append(seq)
        return self.rng.choice(options), pos

    def _sequence(self, tokens: list[str], pos: int, depth: int) -> tuple[list[str], int]:
        out: list[str] = []
        while pos < len(tokens) and tokens[pos] not in ("|", ")", "]"):
            tok = tokens[pos]
            if tok in ("(", "["):
                inner, pos = self._alternatives(tokens, pos + 1, depth)
                pos += 1  # the closing bracket
                if tok == "(" or self.rng.random() < 0.5:
                    out += inner
                continue
            pos += 1
            if m := GAP.match(tok):
                if self.rng.random() < 0.5:
                    out += self.rng.choice(_GAP_WORDS).split()
            elif m := LIST.match(tok):
                entries = self.lexicon.get(m.group(1))
                if entries and depth < 4:
                    out += self.expand(self.rng.choice(entries), depth + 1)
            elif tok.endswith("*"):
                out.append(self.rng.choice(self.completions(tok[:-1])))
            else:
                out.append(tok)
        return out, pos


def dictionary_words(dict_path: Path) -> set[str]:
    words = set()
    with dict_path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            w = line.split(" ", 1)[0]
            if w and "(" not in w:
                words.add(w)
    return words


def generic_sentences() -> list[str]:
    text = resources.files("callassist.speech").joinpath("service_desk.txt").read_text("utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def contracted(sentence: str) -> str:
    for pattern, short in _CONTRACTED:
        sentence = pattern.sub(short, sentence)
    return sentence


def playbook_sentences(playbook: Playbook, words: set[str], seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    ex = _Expander({k: list(v) for k, v in playbook.lexicon.items()}, words, rng)
    out = []
    for p in playbook_patterns(playbook):
        seen = set()
        for _ in range(SAMPLES_PER_PATTERN):
            s = " ".join(ex.expand(p))
            for variant in (s, contracted(s)):
                if variant and variant not in seen:
                    seen.add(variant)
                    out.append(variant)
    return out


def _arpa(sentences: Iterable[list[str]], vocab: set[str]) -> str:
    """A trigram model with absolute discounting and back-off, as ARPA text."""
    uni: Counter[str] = Counter()
    bi: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    tri: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for s in sentences:
        toks = ["<s>", *s, "</s>"]
        for i in range(1, len(toks)):
            uni[toks[i]] += 1
            bi[(toks[i - 1],)][toks[i]] += 1
            if i >= 2:
                tri[(toks[i - 2], toks[i - 1])][toks[i]] += 1
    words = sorted(vocab | {"</s>"})
    total = sum(uni[w] for w in words) + 0.5 * len(words)
    p1 = {w: (uni[w] + 0.5) / total for w in words}

    def dist(table: dict[tuple[str, ...], Counter[str]]) -> dict[tuple[str, ...], dict[str, float]]:
        out = {}
        for h, c in table.items():
            n = sum(c.values())
            out[h] = {w: (k - DISCOUNT) / n if k > 1 else (k - DISCOUNT / 2) / n
                      for w, k in c.items()}
        return out

    p2, p3 = dist(bi), dist(tri)

    def backoff(seen: dict[str, float], lower: Callable[[str], float]) -> float:
        left = 1.0 - sum(seen.values())
        lower_mass = 1.0 - sum(lower(w) for w in seen)
        return max(left, 1e-9) / max(lower_mass, 1e-9)

    bo1 = {h[0]: backoff(d, lambda w: p1[w]) for h, d in p2.items()}

    def p2_full(h: str, w: str) -> float:
        d = p2.get((h,), {})
        return d[w] if w in d else bo1.get(h, 1.0) * p1[w]

    def p2_of(h: tuple[str, ...]) -> Callable[[str], float]:
        return lambda w: p2_full(h[1], w)

    bo2 = {h: backoff(d, p2_of(h)) for h, d in p3.items()}

    lg = math.log10
    lines = ["\\data\\", f"ngram 1={len(words) + 1}",
             f"ngram 2={sum(len(d) for d in p2.values())}",
             f"ngram 3={sum(len(d) for d in p3.values())}", "", "\\1-grams:"]
    lines.append(f"-99.0000 <s> {lg(bo1.get('<s>', 1.0)):.4f}")
    for w in words:
        lines.append(f"{lg(p1[w]):.4f} {w} {lg(bo1.get(w, 1.0)):.4f}")
    lines += ["", "\\2-grams:"]
    for (h,), d in sorted(p2.items()):
        for w, p in sorted(d.items()):
            bo = bo2.get((h, w))
            lines.append(f"{lg(p):.4f} {h} {w}" + (f" {lg(bo):.4f}" if bo is not None else ""))
    lines += ["", "\\3-grams:"]
    for (h1, h2), d in sorted(p3.items()):
        for w, p in sorted(d.items()):
            lines.append(f"{lg(p):.4f} {h1} {h2} {w}")
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)


def build_corpus(playbook: Playbook, words: set[str]) -> list[list[str]]:
    """Sentences as word lists, keeping only sentences whose words are all pronounceable."""
    sentences = [s.split() for s in playbook_sentences(playbook, words)]
    for s in generic_sentences():
        sentences += [s.lower().split()] * GENERIC_WEIGHT
        if contracted(s) != s:
            sentences += [contracted(s).split()] * GENERIC_WEIGHT
    return [s for s in sentences if s and all(w in words for w in s)]


def write_playbook_lm(playbook: Playbook, dict_path: Path, folder: Path) -> tuple[Path, Path]:
    """Writes `playbook.lm` (ARPA) into folder; returns it and the dictionary to use with it."""
    words = dictionary_words(dict_path)
    corpus = build_corpus(playbook, words)
    vocab = {w for s in corpus for w in s}
    lm = folder / "playbook.lm"
    lm.write_text(_arpa(corpus, vocab), encoding="utf-8")
    return lm, dict_path
