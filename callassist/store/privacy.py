"""What may be written: long digit runs redacted, and the retention mode applied. Every text
that enters the store passes through here (events, reports, titles, sources, notes).

Card, account and phone numbers reach the store as digits ("4421 9876") or, far more often,
as a recogniser prints them: "four four two one nine eight". A run of MIN_RUN or more
consecutive digit tokens (digits, digit words, hyphenated number words such as "forty-four",
"oh", "double"/"triple" and the recogniser's homophones "for", "to", "won", "ate" inside a run)
becomes REDACTED. Shorter runs ("two or three days", "ten four") are kept. Digits inside a token
("#4421987654321235", "number:4421...", "4421x9876x5432x1237", a file name) are redacted too,
as are IBANs, and a number read in pieces over consecutive utterances of one speaker
(`SpeakerRuns`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

REDACTED = "[number]"
MIN_RUN = 4

_DIGIT_WORDS = {
    "zero", "oh", "o", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
    "ninety", "hundred",
}
# Words that continue a run already started but never start one ("oh" alone is an interjection;
# "for", "to", "too", "won", "ate" are how recognisers often write four, two, one and eight).
_CONTINUE_ONLY = {"oh", "o", "double", "triple", "hundred", "for", "to", "too", "won", "ate"}
_TOKEN = re.compile(r"\S+")
_DIGITS = re.compile(r"\d")
_DIGIT_TOKEN = re.compile(r"^[\d\-.,/()+:;]*\d[\d\-.,/()+:;]*$")
# Digits inside a token, with the separators people type between groups (x, _, *, ., :, ;).
_INNER_DIGITS = re.compile(r"\d(?:[-.,/()+x_*:;]?\d)*")
# A clock time (9:30, 10:30:15): `:`-groups of one or two digits are not a number to hide.
_CLOCK = re.compile(r"^\d{1,2}(?::\d{2}){1,2}$")
# Letters typed for digits inside a number ("98O6", "l237"): O for 0, l and I for 1.
_LOOKALIKE_TOKEN = re.compile(r"^(?=(?:.*\d){2})[\dOoIl]+$")
_LOOKALIKES = str.maketrans("OoIl", "0011")
# A card's security code or a PIN: short, but secret ("cvv is 123").
_SECRET = re.compile(r"(?i)\b(cvv2?|cvc2?|cv2|csc|security code|pin)\b(\D{0,12}?)\d{3,4}\b")
# An IBAN: country code, check digits, then 11 to 30 letters and digits (spaces allowed).
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")

# Anything a run, an IBAN or a code could be made of; text without it is left as it is.
_MAYBE_NUMBER = re.compile(
    r"\d|\b(?:" + "|".join(sorted(_DIGIT_WORDS | _CONTINUE_ONLY | {"double", "triple"})) + r")\b",
    re.IGNORECASE)


def _weight(token: str, in_run: bool) -> int:
    """How many digits a token adds to a run (0 = it ends the run)."""
    bare = token.strip(".,;:!?\"'")
    if _LOOKALIKE_TOKEN.match(bare):
        bare = bare.translate(_LOOKALIKES)
    word = bare.lower()
    if _CLOCK.match(word):
        return 0
    if _DIGIT_TOKEN.match(word):
        return len(_DIGITS.findall(word))
    if word in _CONTINUE_ONLY:
        return 1 if in_run else 0
    parts = word.split("-")
    # "forty-four", and a number spelt with homophones ("four-for-two-won")
    if (len(parts) > 1 and all(p in _DIGIT_WORDS or p in _CONTINUE_ONLY for p in parts)
            and any(p in _DIGIT_WORDS for p in parts)):
        return len(parts)
    return 1 if word in _DIGIT_WORDS or word in ("double", "triple") else 0


def _inner(text: str) -> str:
    """Long digit runs inside tokens, IBANs and security codes, redacted."""
    text = _IBAN.sub(REDACTED, text)
    text = _SECRET.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
    return _INNER_DIGITS.sub(
        lambda m: REDACTED if (len(_DIGITS.findall(m.group())) >= MIN_RUN
                               and not _CLOCK.match(m.group())) else m.group(), text)


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
    # Unpaired surrogates (a file name that is not UTF-8) cannot be stored as text (C10).
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = unicodedata.normalize("NFKC", text)  # fullwidth digits, no-break spaces
    # Zero-width and other format characters (class Cf), as pasted text often holds between
    # digits, would split a number into pieces too short to redact (W5).
    if any(unicodedata.category(c) == "Cf" for c in text):
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    if not _MAYBE_NUMBER.search(text):
        return text  # no digit and no number word: nothing to redact (most text; H7)
    matches = list(_TOKEN.finditer(text))
    runs = _runs([m.group() for m in matches])
    if not runs:
        return _inner(text)
    parts, pos = [], 0
    for a, b in runs:
        parts.append(text[pos:matches[a].start()])
        parts.append(REDACTED)
        pos = matches[b - 1].end()
    parts.append(text[pos:])
    return _inner("".join(parts))


def redact_words(words: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Recogniser words ({"text"|"word", start, end, ...}) with digit runs' words redacted."""
    key = "text" if words and "text" in words[0] else "word"
    tokens = [str(w.get(key, "")) for w in words]
    out = [dict(w) for w in words]
    if not _MAYBE_NUMBER.search(" ".join(tokens)):
        return out
    runs = _runs(tokens)
    for a, b in runs:
        for w in out[a:b]:
            w[key] = REDACTED
    return out


def _edge(tokens: Sequence[str], leading: bool) -> tuple[int, int]:
    """(tokens, digits) in the digit run at the start (or end) of tokens."""
    order = tokens if leading else list(reversed(tokens))
    n = digits = 0
    for t in order:
        w = _weight(t, True)
        if w == 0:
            break
        n, digits = n + 1, digits + w
    return n, digits


def _redact_edge(text: str, leading: bool) -> str:
    matches = list(_TOKEN.finditer(text))
    n, _ = _edge([m.group() for m in matches], leading)
    if not n:
        return text
    if leading:
        return REDACTED + text[matches[n - 1].end():]
    return text[:matches[-n].start()] + REDACTED


class SpeakerRuns:
    """A number read in pieces ("four four two" / "one nine eight" / "seven six five"): each
    utterance alone is too short to redact, so the digits at the end of each speaker's last
    utterance are carried over to the next one. `feed` takes a stored utterance (an event or
    transcript turn: speaker, text, words) and returns it as it may be stored, and the
    speaker's previous utterance again, redacted, when it must be rewritten (else None)."""

    def __init__(self) -> None:
        # speaker -> (stored, trailing digits)
        self._last: dict[str, tuple[dict[str, Any], int]] = {}

    def feed(self, utt: dict[str, Any], raw_text: str
             ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        speaker = str(utt.get("speaker", ""))
        tokens = _TOKEN.findall(raw_text)
        lead_n, lead = _edge(tokens, True)
        _, trail = _edge(tokens, False)
        prev, carry = self._last.get(speaker, (None, 0))
        again = None
        if prev is not None and lead and carry and lead + carry >= MIN_RUN:
            again = _edge_redacted(prev, leading=False)
            utt = _edge_redacted(utt, leading=True)
        whole = bool(tokens) and lead_n == len(tokens)
        self._last[speaker] = (utt, carry + lead if whole else trail)
        return utt, again


def _edge_redacted(utt: dict[str, Any], leading: bool) -> dict[str, Any]:
    out = dict(utt)
    out["text"] = _redact_edge(str(utt.get("text") or ""), leading)
    words = utt.get("words")
    if isinstance(words, list) and words and isinstance(words[0], dict):
        key = "text" if "text" in words[0] else "word"
        n, _ = _edge([str(w.get(key, "")) for w in words], leading)
        edge = range(n) if leading else range(len(words) - n, len(words))
        out["words"] = [{**w, key: REDACTED} if i in edge else w for i, w in enumerate(words)]
    return out


def redact_turns(turns: list[Any]) -> list[Any]:
    """A report's transcript turns with numbers read across one speaker's turns redacted."""
    runs = SpeakerRuns()
    out: list[Any] = []
    last: dict[str, int] = {}
    for turn in turns:
        if not isinstance(turn, dict):
            out.append(turn)
            continue
        stored, again = runs.feed(_redact_dict(turn), str(turn.get("text") or ""))
        speaker = str(turn.get("speaker", ""))
        if again is not None and speaker in last:
            out[last[speaker]] = again
        last[speaker] = len(out)
        out.append(stored)
    return out


def _redact_dict(d: dict[str, Any]) -> dict[str, Any]:
    return {k: redact_all(v) for k, v in d.items()}


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


def event_for_store(event: dict[str, Any], retention: str) -> dict[str, Any] | None:
    """An event dict as it may be stored under `retention`, or None if it is not kept."""
    if retention == "none":
        return None
    if event["type"] == "transcript" and (retention != "full" or not event.get("final")):
        return None
    event = dict(event)
    if retention == "checklist" and "evidence" in event:
        event["evidence"] = ""
    if event["type"] == "tone" and retention != "full":
        event["figures"] = _tone_without_words(event.get("figures") or {})
    return redact_all(event)  # type: ignore[return-value]


def _tone_without_words(tone: dict[str, Any]) -> dict[str, Any]:
    """The tone figures with the customer's words taken out (kept only under `full`)."""
    tone = dict(tone)
    if isinstance(tone.get("customer"), dict):
        customer = dict(tone["customer"])
        customer["anger_words"] = []
        customer["moments"] = [{**m, "evidence": ""} for m in customer.get("moments", [])
                               if isinstance(m, dict)]
        tone["customer"] = customer
    return tone


def report_for_store(report: dict[str, Any], retention: str) -> dict[str, Any]:
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
        summary["tone"] = _tone_without_words(dict(summary.get("tone") or {}))
        report["summary"] = summary
    report = redact_all(report)  # type: ignore[assignment]
    if isinstance(report.get("transcript"), list):
        report["transcript"] = redact_turns(report["transcript"])
    return report
