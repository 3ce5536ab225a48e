"""What may be written: long digit runs redacted, and the retention mode applied.

Card, account and phone numbers reach the store as digits ("4421 9876") or, far more often,
as a recogniser prints them: "four four two one nine eight". A run of MIN_RUN or more
consecutive digit tokens (digits, digit words, "oh", "double"/"triple" inside a run) becomes
REDACTED. Shorter runs ("two or three days", "ten four") are kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

REDACTED = "[number]"
MIN_RUN = 4

_DIGIT_WORDS = {
    "zero", "oh", "o", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
    "ninety", "hundred",
}
# Words that continue a run already started but never start one ("oh" alone is an interjection).
_CONTINUE_ONLY = {"oh", "o", "double", "triple", "hundred"}
_TOKEN = re.compile(r"\S+")
_DIGITS = re.compile(r"\d")
_DIGIT_TOKEN = re.compile(r"^[\d\-.,/()+]*\d[\d\-.,/()+]*$")


def _weight(token: str, in_run: bool) -> int:
    """How many digits a token adds to a run (0 = it ends the run)."""
    word = token.lower().strip(".,;:!?\"'")
    if _DIGIT_TOKEN.match(word):
        return len(_DIGITS.findall(word))
    if word in _CONTINUE_ONLY:
        return 1 if in_run else 0
    return 1 if word in _DIGIT_WORDS or word in ("double", "triple") else 0


def _runs(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """[start, end) index ranges of tokens forming a long digit run."""
    out = []
    i = 0
    while i < len(tokens):
        # "oh"/"double" open a run only when a digit follows ("oh seven seven ...").
        starts = _weight(tokens[i], False) > 0 or (
            _weight(tokens[i], True) > 0 and i + 1 < len(tokens)
            and _weight(tokens[i + 1], True) > 0
        )
        if not starts:
            i += 1
            continue
        j, digits = i, 0
        while j < len(tokens):
            w = _weight(tokens[j], True)
            if w == 0:
                break
            digits += w
            j += 1
        if digits >= MIN_RUN:
            out.append((i, j))
        i = max(j, i + 1)
    return out


def redact(text: str) -> str:
    """`text` with each long digit run replaced by REDACTED."""
    if not text:
        return text
    matches = list(_TOKEN.finditer(text))
    runs = _runs([m.group() for m in matches])
    if not runs:
        return text
    parts, pos = [], 0
    for a, b in runs:
        parts.append(text[pos:matches[a].start()])
        parts.append(REDACTED)
        pos = matches[b - 1].end()
    parts.append(text[pos:])
    return "".join(parts)


def redact_words(words: Sequence[dict]) -> list[dict]:
    """Recogniser words ({"text"|"word", start, end, ...}) with digit runs' words redacted."""
    key = "text" if words and "text" in words[0] else "word"
    runs = _runs([str(w.get(key, "")) for w in words])
    out = [dict(w) for w in words]
    for a, b in runs:
        for w in out[a:b]:
            w[key] = REDACTED
    return out


def redact_all(value: object) -> object:
    """Every string inside a JSON-like value redacted (word lists as runs across words)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list | tuple):
        if value and all(isinstance(w, dict) and ("word" in w or "text" in w) and "start" in w
                         and "speaker" not in w for w in value):
            return [redact_all(w) for w in redact_words(value)]
        return [redact_all(v) for v in value]
    if isinstance(value, dict):
        return {k: redact_all(v) for k, v in value.items()}
    return value


def event_for_store(event: dict, retention: str) -> dict | None:
    """An event dict as it may be stored under `retention`, or None if it is not kept."""
    if retention == "none":
        return None
    if event["type"] == "transcript" and (retention != "full" or not event.get("final")):
        return None
    event = dict(event)
    if retention == "checklist" and "evidence" in event:
        event["evidence"] = ""
    return redact_all(event)  # type: ignore[return-value]


def report_for_store(report: dict, retention: str) -> dict:
    """A coach report as it may be stored under `retention` (no transcript or evidence text
    unless full), redacted."""
    report = dict(report)
    if retention != "full":
        report["transcript"] = []
        report["steps"] = {
            sid: {**s, "evidence": None if s.get("evidence") is None else ""}
            for sid, s in report.get("steps", {}).items()
        }
        report["warnings"] = [{**w, "evidence": ""} for w in report.get("warnings", [])]
        summary = dict(report.get("summary") or {})
        tone = dict(summary.get("tone") or {})
        if isinstance(tone.get("customer"), dict):
            customer = dict(tone["customer"])
            customer["anger_words"] = []
            customer["moments"] = [{**m, "evidence": ""} for m in customer.get("moments", [])
                                   if isinstance(m, dict)]
            tone["customer"] = customer
            summary["tone"] = tone
            report["summary"] = summary
    return redact_all(report)  # type: ignore[return-value]
