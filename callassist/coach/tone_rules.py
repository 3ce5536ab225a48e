"""The playbook's `[tone]` table, read and checked: thresholds, advice and texts of the tone,
pace, monologue and customer cues.

The playbook loader passes `[tone]` through untouched; this module refuses a malformed one with
one line naming the entry, e.g. ``my.toml: tone.too_fast.max_wpm: must be a number >= 1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from string import Formatter
from typing import Any

from callassist.coach.kinds import STEP_IDS
from callassist.coach.patterns import PhraseSet
from callassist.coach.playbook import Playbook, load_playbook
from callassist.coach.playbook_reader import PlaybookReader


@dataclass(frozen=True)
class LevelRule:
    """When a voice counts as raised: its own usual level, learned from the first voiced
    seconds, plus rise_db, held for sustain_s of voiced speech; calm again below clear_db."""

    baseline_s: float
    rise_db: float
    clear_db: float
    smooth_s: float
    sustain_s: float


@dataclass(frozen=True)
class LoudRule:
    label: str
    advice: str
    evidence: str
    level: LevelRule
    baseline_blend: float
    cooldown_s: float


@dataclass(frozen=True)
class PaceRule:
    label: str
    advice: str
    evidence: str
    window_s: float
    min_speech_s: float
    min_words: int
    max_wpm: float
    clear_wpm: float
    pause_gap_s: float
    cooldown_s: float


@dataclass(frozen=True)
class MonologueRule:
    label: str
    advice: str
    evidence: str
    max_s: float
    pause_s: float
    customer_s: float
    cooldown_s: float


@dataclass(frozen=True)
class CustomerRule:
    kind: str
    text: str
    words_reason: str
    loud_reason: str
    steps: tuple[str, ...]
    anger: PhraseSet
    complaint: PhraseSet
    level: LevelRule
    cooldown_s: float


@dataclass(frozen=True)
class ToneRules:
    too_loud: LoudRule
    too_fast: PaceRule
    monologue: MonologueRule
    customer: CustomerRule


_LEVEL_KEYS = {"baseline_s", "rise_db", "clear_db", "smooth_s", "sustain_s"}
_LOUD_KEYS = {"label", "advice", "evidence", "baseline_blend", "cooldown_s", *_LEVEL_KEYS}
_PACE_KEYS = {
    "label", "advice", "evidence", "window_s", "min_speech_s", "min_words", "max_wpm",
    "clear_wpm", "pause_gap_s", "cooldown_s",
}
_MONOLOGUE_KEYS = {"label", "advice", "evidence", "max_s", "pause_s", "customer_s", "cooldown_s"}
_CUSTOMER_KEYS = {
    "kind", "text", "words_reason", "loud_reason", "steps", "anger", "complaint", "cooldown_s",
    *_LEVEL_KEYS,
}
_TONE_KEYS = {"too_loud", "too_fast", "monologue", "customer"}


class _ToneReader(PlaybookReader):
    def template(self, data: dict[str, Any], key: str, entry: str, fields: tuple[str, ...]) -> str:
        """A text with {placeholders}; only the named ones may appear."""
        value = self.text(data, key, entry)
        try:
            parsed = [(name, spec, conv) for _, name, spec, conv in Formatter().parse(value)
                      if name is not None]
        except ValueError as e:
            raise self.fail(f"{entry}.{key}", f"bad placeholder: {e}") from None
        for name, spec, conv in parsed:
            if spec or conv:
                # {wpm:s} or {wpm!z} would pass here and crash mid-call; {wpm:>300000000}
                # would build a 300 MB string (C7).
                raise self.fail(f"{entry}.{key}", f"placeholder {{{name}}} takes no format "
                                "spec or conversion (write it as {" + name + "})")
            if name not in fields:
                allowed = ", ".join("{" + f + "}" for f in fields) or "none"
                raise self.fail(
                    f"{entry}.{key}", f"unknown placeholder {{{name}}} (allowed: {allowed})"
                )
        return value

    def level(self, data: dict[str, Any], entry: str) -> LevelRule:
        rule = LevelRule(
            baseline_s=self.number(data, "baseline_s", entry, 0.0, minimum=0.5),
            rise_db=self.number(data, "rise_db", entry, 0.0, minimum=0.5),
            clear_db=self.number(data, "clear_db", entry, 0.0),
            smooth_s=self.number(data, "smooth_s", entry, 0.0, minimum=0.1),
            sustain_s=self.number(data, "sustain_s", entry, 0.0, minimum=0.1),
        )
        if rule.clear_db >= rule.rise_db:
            raise self.fail(f"{entry}.clear_db", "must be below rise_db (the calm-again level)")
        return rule


def _merged(raw: Any, fallback: dict[str, Any], r: PlaybookReader) -> dict[str, dict[str, Any]]:
    """The playbook's tone tables over the built-in ones: a playbook written before tone cues
    existed, or one that changes a single threshold, keeps every other built-in value."""
    tone = r.table(raw, "tone", _TONE_KEYS, set())
    merged = {}
    for name in sorted(_TONE_KEYS):
        own = tone.get(name, {})
        if not isinstance(own, dict):
            raise r.fail(f"tone.{name}", "must be a table")
        merged[name] = {**fallback.get(name, {}), **own}
    return merged


def parse_tone(raw: Any, source: str, fallback: dict[str, Any] | None = None) -> ToneRules:
    """The `[tone]` table of the playbook from `source`, checked. Tables and keys it leaves out
    come from `fallback` (the built-in playbook's `[tone]`)."""
    r = _ToneReader(source, {})
    tone = _merged(raw, fallback or {}, r)

    e = "tone.too_loud"
    t = r.table(tone["too_loud"], e, _LOUD_KEYS, _LOUD_KEYS)
    too_loud = LoudRule(
        label=r.text(t, "label", e),
        advice=r.text(t, "advice", e),
        evidence=r.template(t, "evidence", e, ("rise", "seconds", "dbfs", "baseline")),
        level=r.level(t, e),
        baseline_blend=r.number(t, "baseline_blend", e, 0.0),
        cooldown_s=r.number(t, "cooldown_s", e, 0.0),
    )
    if too_loud.baseline_blend > 1:
        raise r.fail(f"{e}.baseline_blend", "must be a number from 0 to 1")

    e = "tone.too_fast"
    t = r.table(tone["too_fast"], e, _PACE_KEYS, _PACE_KEYS)
    too_fast = PaceRule(
        label=r.text(t, "label", e),
        advice=r.text(t, "advice", e),
        evidence=r.template(t, "evidence", e, ("wpm",)),
        window_s=r.number(t, "window_s", e, 0.0, minimum=1),
        min_speech_s=r.number(t, "min_speech_s", e, 0.0, minimum=0.5),
        min_words=int(r.number(t, "min_words", e, 0.0, minimum=1)),
        max_wpm=r.number(t, "max_wpm", e, 0.0, minimum=1),
        clear_wpm=r.number(t, "clear_wpm", e, 0.0, minimum=1),
        pause_gap_s=r.number(t, "pause_gap_s", e, 0.0),
        cooldown_s=r.number(t, "cooldown_s", e, 0.0),
    )
    if too_fast.clear_wpm >= too_fast.max_wpm:
        raise r.fail(f"{e}.clear_wpm", "must be below max_wpm (the calm-again pace)")
    if too_fast.min_speech_s > too_fast.window_s:
        raise r.fail(f"{e}.min_speech_s", "must not exceed window_s")

    e = "tone.monologue"
    t = r.table(tone["monologue"], e, _MONOLOGUE_KEYS, _MONOLOGUE_KEYS)
    monologue = MonologueRule(
        label=r.text(t, "label", e),
        advice=r.text(t, "advice", e),
        evidence=r.template(t, "evidence", e, ("seconds",)),
        max_s=r.number(t, "max_s", e, 0.0, minimum=1),
        pause_s=r.number(t, "pause_s", e, 0.0, minimum=0.1),
        customer_s=r.number(t, "customer_s", e, 0.0),
        cooldown_s=r.number(t, "cooldown_s", e, 0.0),
    )

    e = "tone.customer"
    t = r.table(tone["customer"], e, _CUSTOMER_KEYS, _CUSTOMER_KEYS)
    kind = r.text(t, "kind", e)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", kind):
        raise r.fail(f"{e}.kind", "must be a lowercase name like apologize_now")
    steps = r.names(t, "steps", e, STEP_IDS)
    if not steps:
        raise r.fail(f"{e}.steps", "needs at least one step")
    customer = CustomerRule(
        kind=kind,
        text=r.template(t, "text", e, ("reason", "steps")),
        words_reason=r.template(t, "words_reason", e, ("words",)),
        loud_reason=r.template(t, "loud_reason", e, ()),
        steps=steps,
        anger=r.phrases(t, "anger", e, required=True),
        complaint=r.phrases(t, "complaint", e),
        level=r.level(t, e),
        cooldown_s=r.number(t, "cooldown_s", e, 0.0),
    )
    return ToneRules(too_loud, too_fast, monologue, customer)


@cache
@cache
def _built_in_tone() -> dict[str, Any]:
    return load_playbook().tone


# Parsed once per playbook (every call's session asks); the playbook is kept with its rules so
# an id is never reused while the entry stands.
_PARSED: dict[int, tuple[Playbook, ToneRules]] = {}


def tone_rules(playbook: Playbook) -> ToneRules:
    """The tone rules of a playbook, with the built-in values for whatever it leaves out."""
    if id(playbook) not in _PARSED:
        _PARSED[id(playbook)] = (playbook, parse_tone(playbook.tone, playbook.source,
                                                      _built_in_tone()))
    return _PARSED[id(playbook)][1]
