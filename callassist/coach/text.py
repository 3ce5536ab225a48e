"""Normalises recogniser output (or typed transcripts) into tokens the phrase patterns match.

Recognisers print lowercase words without punctuation, sometimes drop apostrophes ("im",
"thats") and sometimes keep them ("i'm"). Contractions are expanded so one pattern
("i am sorry") covers every spelling, and each token remembers which input word it came from
so a match can be placed in time with the recogniser's word timings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Irregular contractions, and the ones recognisers print without an apostrophe. Regular
# endings ('m, 've, 'll, 're, 'd, n't) are expanded by rule in _expand.
# fmt: off
_CONTRACTIONS = {
    "im": "i am", "ive": "i have", "youre": "you are", "youve": "you have",
    "youll": "you will", "weve": "we have", "theyre": "they are", "thats": "that is",
    "it's": "it is", "that's": "that is", "there's": "there is", "theres": "there is",
    "here's": "here is", "heres": "here is", "what's": "what is", "whats": "what is",
    "who's": "who is", "he's": "he is", "she's": "she is", "let's": "let us",
    "can't": "cannot", "cant": "cannot", "won't": "will not", "wont": "will not",
    "shan't": "shall not", "ain't": "is not", "ma'am": "madam", "y'all": "you all",
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "lemme": "let me",
    "apologise": "apologize", "apologised": "apologized", "apologising": "apologizing",
    "okay": "ok",
}
_NT_BARE = {
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not",
    "wasnt": "was not", "arent": "are not", "werent": "were not", "havent": "have not",
    "hasnt": "has not", "hadnt": "had not", "couldnt": "could not", "shouldnt": "should not",
    "wouldnt": "would not", "mustnt": "must not", "neednt": "need not",
}
# fmt: on
_NT = re.compile(r"^(\w+)n't$")
_SUFFIXES = (("'ve", "have"), ("'ll", "will"), ("'re", "are"), ("'d", "would"), ("'m", "am"))
_SPLIT = re.compile(r"[^\w']+")


@dataclass(frozen=True)
class Tokens:
    """Normalised tokens of one utterance; origin[i] is the input word token i came from."""

    words: tuple[str, ...]
    origin: tuple[int, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)


def _expand(word: str) -> list[str]:
    if word in _CONTRACTIONS:
        return _CONTRACTIONS[word].split()
    if word in _NT_BARE:
        return _NT_BARE[word].split()
    m = _NT.match(word)
    if m:
        return [m.group(1), "not"]
    for suffix, full in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return [word[: -len(suffix)], full]
    if word.endswith("'s"):
        return [word[:-2]]  # possessive: "the courier's fault" -> "the courier fault"
    return [word.strip("'")] if word.strip("'") else []


def input_words(text: str) -> list[str]:
    """The words of an utterance as a recogniser would print them."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return [w for w in _SPLIT.split(text) if w.strip("'")]


def normalize(text: str) -> Tokens:
    words: list[str] = []
    origin: list[int] = []
    for i, raw in enumerate(input_words(text)):
        for tok in _expand(raw):
            words.append(tok)
            origin.append(i)
    # "can not" and "cannot" are the same refusal
    merged_w: list[str] = []
    merged_o: list[int] = []
    for w, o in zip(words, origin, strict=True):
        if w == "not" and merged_w and merged_w[-1] == "can":
            merged_w[-1] = "cannot"
            continue
        merged_w.append(w)
        merged_o.append(o)
    return Tokens(tuple(merged_w), tuple(merged_o))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping early once it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]
