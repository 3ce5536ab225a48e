"""Whisper's written English in the form every engine gives the coach: lowercase words, no
punctuation, numbers spelled out.

Whisper prints what a person would type ("I'm sorry, that's $5.", "card 4421-9876", "3 days").
The playbook and the redaction of card and account numbers expect what Vosk and pocketsphinx
print ("i'm sorry that's five dollars", "card four four two one nine eight seven six", "three
days"). Numbers of four digits or more are spelled digit by digit, as they are read out, so a
card or account number stays a run of digit words that redaction always catches; shorter ones
are spelled as words ("twenty five"). A written word that becomes several spoken ones shares
its time span between them.

    >>> spoken_words("I'm sorry, that's $5.")
    ["i'm", 'sorry', "that's", 'five', 'dollars']
"""

from __future__ import annotations

import re

from callassist.coach.events import Word

_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_ORDINAL = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
            "nine": "ninth", "twelve": "twelfth"}
_SYMBOLS = {"&": "and", "%": "percent", "+": "plus", "@": "at", "=": "equals", "#": "number"}
_CURRENCY = {"$": "dollars", "£": "pounds", "€": "euros"}
# Whole numbers shorter than this are said as numbers ("twenty five"); longer ones digit by
# digit, as card, account and phone numbers are read out.
DIGIT_BY_DIGIT = 4
_NUMBER = re.compile(r"^([$£€]?)(\d[\d,]*)(?:\.(\d+))?(st|nd|rd|th|s)?([%]?)$")


def _cardinal(n: int) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        tens, ones = divmod(n, 10)
        return [_TENS[tens]] + ([_ONES[ones]] if ones else [])
    hundreds, rest = divmod(n, 100)
    return [_ONES[hundreds], "hundred"] + (_cardinal(rest) if rest else [])


def _ordinal(words: list[str]) -> list[str]:
    last = words[-1]
    if last in _ORDINAL:
        spoken = _ORDINAL[last]
    elif last.endswith("y"):
        spoken = last[:-1] + "ieth"
    else:
        spoken = last + "th"
    return [*words[:-1], spoken]


def _number(token: str) -> list[str] | None:
    m = _NUMBER.match(token)
    if not m:
        return None
    currency, whole, fraction, suffix, percent = m.groups()
    digits = whole.replace(",", "")
    if len(digits) >= DIGIT_BY_DIGIT:
        words = [_ONES[int(d)] for d in digits]
    else:
        words = _cardinal(int(digits))
    if suffix in ("st", "nd", "rd", "th"):
        words = _ordinal(words)
    elif suffix == "s":  # "the 90s"
        words = [*words[:-1], words[-1][:-1] + "ies" if words[-1].endswith("y")
                 else words[-1] + "s"]
    if fraction:
        if currency:
            cents = _cardinal(int(fraction[:2].ljust(2, "0")))
            return [*words, _CURRENCY[currency], *cents] if cents != ["zero"] else \
                [*words, _CURRENCY[currency]]
        words += ["point", *(_ONES[int(d)] for d in fraction)]
    if currency:
        words.append(_CURRENCY[currency])
    if percent:
        words.append("percent")
    return words


_PHONE_LIKE = re.compile(r"^\+?[\d\-().]+$")
_ABBREVIATION = re.compile(r"^(?:[A-Za-z]\.){2,}$")


def _digits(text: str) -> list[str]:
    return [_ONES[int(d)] for d in text if d.isdigit()]


def _spoken(token: str) -> list[str]:
    """One written word ("$5.", "follow-up", "I'm") as spoken words."""
    token = token.strip().replace("\u2019", "'").replace("\u2018", "'")
    bare = token.strip(",!?;:\"()[]{}…")
    if _ABBREVIATION.match(bare):  # "O.K." -> "ok"
        return [bare.replace(".", "").lower()]
    if _PHONE_LIKE.match(bare.rstrip(".")) and sum(c.isdigit() for c in bare) >= DIGIT_BY_DIGIT \
            and re.search(r"\d[\-().]+\d", bare):
        return _digits(bare)  # "555-1234", "4421-9876-5432": read out digit by digit
    out: list[str] = []
    for part in re.split(r"[-/\u2013\u2014]+", token):
        part = part.strip(".,!?;:\"()[]{}…")
        if not part:
            continue
        number = _number(part.replace("'", ""))
        if number is not None:
            out += number
            continue
        for piece in re.findall(r"[A-Za-z']+|[0-9]+|[&%+@=#]", part):
            if piece in _SYMBOLS:
                out.append(_SYMBOLS[piece])
            elif piece.isdigit():
                # Digits inside a word ("GB82", "A4") are read out one by one.
                out += _digits(piece) if any(c.isalpha() for c in part) else _number(piece) or []
            else:
                word = piece.lower().strip("'")
                if word:
                    out.append(word)
    return out


def spoken_words(text: str) -> list[str]:
    return [w for token in text.split() for w in _spoken(token)]


def spoken_timed(words: list[Word]) -> tuple[Word, ...]:
    """Recogniser words with their times, each written word turned into its spoken words."""
    out: list[Word] = []
    for w in words:
        spoken = _spoken(w.text)
        if not spoken:
            continue
        step = (w.end - w.start) / len(spoken)
        out += [Word(s, w.start + i * step, w.start + (i + 1) * step, w.conf)
                for i, s in enumerate(spoken)]
    return tuple(out)
