"""The playbook: steps, warning rules, advice and reminders, loaded from TOML and checked.

A malformed playbook is refused with one line naming the file, the entry and the problem,
e.g. ``my.toml: steps.apologize.phrases[2]: pattern 'i am (sorry': missing ')'``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from callassist import validate
from callassist.coach.kinds import PHRASE_WARNINGS, STEP_IDS, WarningKind
from callassist.coach.meaning import LEARNED_KINDS, MeaningLayer, MeaningSettings
from callassist.coach.patterns import PhraseSet, Vocabulary
from callassist.coach.playbook_reader import PlaybookError, PlaybookReader

HOLD_WARNING = WarningKind.HOLD_WITHOUT_HANDOFF
WARNING_KINDS = tuple(WarningKind)


@dataclass(frozen=True)
class StepRule:
    id: str
    label: str
    prompt: str
    phrases: PhraseSet
    unless: PhraseSet
    unless_warnings: tuple[str, ...]
    negatable: bool


@dataclass(frozen=True)
class WarningRule:
    kind: str
    label: str
    advice: str
    phrases: PhraseSet
    unless: PhraseSet
    together: tuple[PhraseSet, ...]
    cancelled_by: tuple[str, ...]
    cancel_window_s: float
    negatable: bool


@dataclass(frozen=True)
class HoldRule:
    label: str
    advice: str
    phrases: PhraseSet
    handoff: PhraseSet
    pauses: PhraseSet
    handoff_grace_s: float
    handoff_lookback_s: float
    silence_s: float


@dataclass(frozen=True)
class ReminderRule:
    kind: str
    text: str
    at_start: bool
    every_s: float
    after: tuple[str, ...]
    min_gap_s: float


@dataclass(frozen=True)
class Playbook:
    source: str
    negation_window: int
    # A phrase warning heard in a partial result is raised once this many words follow it (the
    # words that could still veto it), or when the sentence ends.
    partial_settle_words: int
    # What a withdrawn warning says: the agent owned the fault after all; the whole sentence,
    # once heard, did not raise it.
    owned_note: str
    heard_note: str
    negators: frozenset[str]
    clause_breaks: frozenset[str]
    steps: dict[str, StepRule]
    warnings: dict[str, WarningRule]
    hold: HoldRule
    reminders: dict[str, ReminderRule]
    tone: dict[str, Any] = field(default_factory=dict)
    # What to say in the customer's words (coach/say.py parses it).
    say: dict[str, Any] = field(default_factory=dict)
    vocabulary: Vocabulary = field(default_factory=lambda: Vocabulary(()))
    # Example sentences by kind (steps, phrase warnings, and NEUTRAL for lines that show
    # nothing), how their vote is counted, and whether they are used at all.
    examples: dict[str, tuple[str, ...]] = field(default_factory=dict)
    learned: MeaningSettings = field(default_factory=MeaningSettings)
    learned_enabled: bool = True
    # The examples' meaning layer, attached by callassist.embed.examples.with_meaning; without
    # it the rules work alone.
    meaning: MeaningLayer | None = field(default=None, compare=False, repr=False)
    # the word lists patterns name as {list}, as written (the speech model samples them)
    lexicon: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def advice(self, kind: str) -> str:
        if kind in self.warnings:
            return self.warnings[kind].advice
        if kind == HOLD_WARNING:
            return self.hold.advice
        return str(self.tone.get(kind, {}).get("advice", ""))

    def label(self, kind: str) -> str:
        if kind in self.steps:
            return self.steps[kind].label
        if kind in self.warnings:
            return self.warnings[kind].label
        if kind == HOLD_WARNING:
            return self.hold.label
        return str(self.tone.get(kind, {}).get("label", kind.replace("_", " ").capitalize()))


NEUTRAL = "neutral"  # the examples that show no step and no warning

_STEP_KEYS = {"label", "prompt", "phrases", "unless", "unless_warnings", "negatable", "examples"}
_WARNING_KEYS = {
    "examples",
    "label",
    "advice",
    "phrases",
    "unless",
    "together",
    "cancelled_by",
    "cancel_window_s",
    "negatable",
}
_HOLD_KEYS = {
    "label", "advice", "phrases", "handoff", "pauses", "handoff_grace_s", "handoff_lookback_s",
    "silence_s",
}
_REMINDER_KEYS = {"text", "at_start", "every_s", "after", "min_gap_s"}
_TOP_KEYS = {
    "version", "settings", "lexicon", "steps", "warnings", "reminders", "tone", "learned",
    "say",
}
_LEARNED_KEYS = {
    "enabled", "neighbours", "temperature", "min_similarity", "min_share", "neutral",
    "split_before", "subordinators", "titles", "compound_weight", "contradicts", "threshold",
    "maybe", "vetoes", "overrule", "head",
}
_VETOES = ("negation", "filler", "hollow", "contradicts")


def _thresholds(r: PlaybookReader, data: dict[str, Any], key: str, default: float
                ) -> tuple[float, dict[str, Any]]:
    """A number for every kind, or a table: {default = .., <kind> = ..}."""
    e = f"learned.{key}"
    value = data.get(key, default)
    if isinstance(value, dict):
        r.table(value, e, {"default", *LEARNED_KINDS}, set())
        per_kind = {k: r.number(value, k, e, default, minimum=0) for k in value
                    if k != "default"}
        return r.number(value, "default", e, default), per_kind
    return r.number(data, key, "learned", default), {}


def _contradicts(r: PlaybookReader, data: Any) -> dict[str, tuple[str, ...]]:
    """A warning overruled by steps, or a step overruled by warnings."""
    r.table(data, "learned.contradicts", set(PHRASE_WARNINGS) | set(STEP_IDS), set())
    return {k: r.names(data, k, "learned.contradicts",
                       STEP_IDS if k in PHRASE_WARNINGS else PHRASE_WARNINGS) for k in data}


def _learned(r: PlaybookReader, data: Any) -> tuple[MeaningSettings, bool, tuple[str, ...]]:
    t = r.table(data, "learned", _LEARNED_KEYS, set())
    sim, sims = _thresholds(r, t, "min_similarity", MeaningSettings.default_min_similarity)
    share, shares = _thresholds(r, t, "min_share", MeaningSettings.default_min_share)
    settings = MeaningSettings(
        neighbours=max(1, int(r.number(t, "neighbours", "learned", 7, minimum=1))),
        temperature=max(0.001, r.number(t, "temperature", "learned", 0.05, minimum=0.001)),
        split_before=tuple(r.strings(t.get("split_before", []), "learned.split_before")),
        subordinators=frozenset(r.strings(t.get("subordinators", []),
                                          "learned.subordinators")),
        titles=frozenset(r.strings(t.get("titles", []), "learned.titles")),
        compound_weight=r.number(t, "compound_weight", "learned", 1.0, minimum=0),
        contradicts=_contradicts(r, t.get("contradicts", {})),
        min_similarity=sims, min_share=shares,
        default_min_similarity=sim, default_min_share=share,
    )
    threshold = r.table(t.get("threshold", {}), "learned.threshold", set(LEARNED_KINDS), set())
    settings = dataclasses.replace(
        settings,
        threshold={k: r.number(threshold, k, "learned.threshold", 0.5, maximum=1)
                   for k in threshold},
        maybe=r.number(t, "maybe", "learned", 0.5, maximum=1),
        overrule=r.flag(t, "overrule", "learned", True),
        head=r.flag(t, "head", "learned", False),
        vetoes=frozenset(r.names(t, "vetoes", "learned", _VETOES) if "vetoes" in t
                         else _VETOES))
    neutral = tuple(r.strings(t.get("neutral", []), "learned.neutral"))
    return settings, r.flag(t, "enabled", "learned", True), neutral


def parse_playbook(data: dict[str, Any], source: str) -> Playbook:
    bare = PlaybookReader(source, {})
    bare.table(data, "playbook", _TOP_KEYS, {"steps", "warnings"})
    if data.get("version", 1) != 1:
        raise bare.fail("version", f"unsupported version {data.get('version')!r} (expected 1)")
    lexicon_raw = bare.table(
        data.get("lexicon", {}), "lexicon", set(data.get("lexicon", {})), set()
    )
    lexicon = {name: bare.strings(v, f"lexicon.{name}") for name, v in lexicon_raw.items()}
    r = PlaybookReader(source, lexicon)
    settings = r.table(data.get("settings", {}), "settings",
                       {"negation_window", "partial_settle_words", "owned_note", "heard_note"},
                       set())

    steps_raw = r.table(data["steps"], "steps", set(STEP_IDS), set(STEP_IDS))
    examples: dict[str, tuple[str, ...]] = {}
    steps: dict[str, StepRule] = {}
    for sid in STEP_IDS:
        e = f"steps.{sid}"
        s = r.table(steps_raw[sid], e, _STEP_KEYS, {"label", "phrases"})
        steps[sid] = StepRule(
            id=sid,
            label=r.text(s, "label", e),
            prompt=r.text(s, "prompt", e, ""),
            phrases=r.phrases(s, "phrases", e, required=True),
            unless=r.phrases(s, "unless", e),
            unless_warnings=r.names(s, "unless_warnings", e, PHRASE_WARNINGS),
            negatable=r.flag(s, "negatable", e, True),
        )
        examples[sid] = tuple(r.strings(s.get("examples", []), f"{e}.examples"))

    warnings_raw = r.table(
        data["warnings"],
        "warnings",
        {*PHRASE_WARNINGS, HOLD_WARNING},
        {*PHRASE_WARNINGS, HOLD_WARNING},
    )
    warnings: dict[str, WarningRule] = {}
    for kind in PHRASE_WARNINGS:
        e = f"warnings.{kind}"
        w = r.table(warnings_raw[kind], e, _WARNING_KEYS, {"label", "advice", "phrases"})
        together_raw = w.get("together", [])
        if not isinstance(together_raw, list) or len(together_raw) == 1:
            raise r.fail(f"{e}.together", "must be a list of two or more phrase lists")
        together = tuple(
            r.phrase_list(part, f"{e}.together[{i}]", required=True)
            for i, part in enumerate(together_raw)
        )
        warnings[kind] = WarningRule(
            kind=kind,
            label=r.text(w, "label", e),
            advice=r.text(w, "advice", e),
            phrases=r.phrases(w, "phrases", e, required=True),
            unless=r.phrases(w, "unless", e),
            together=together,
            cancelled_by=r.names(w, "cancelled_by", e, STEP_IDS),
            cancel_window_s=r.number(w, "cancel_window_s", e, 10.0),
            negatable=r.flag(w, "negatable", e, False),
        )
        examples[kind] = tuple(r.strings(w.get("examples", []), f"{e}.examples"))

    e = f"warnings.{HOLD_WARNING}"
    h = r.table(
        warnings_raw[HOLD_WARNING], e, _HOLD_KEYS, {"label", "advice", "phrases", "handoff"}
    )
    hold = HoldRule(
        label=r.text(h, "label", e),
        advice=r.text(h, "advice", e),
        phrases=r.phrases(h, "phrases", e, required=True),
        handoff=r.phrases(h, "handoff", e, required=True),
        pauses=r.phrases(h, "pauses", e),
        handoff_grace_s=r.number(h, "handoff_grace_s", e, 8.0),
        handoff_lookback_s=r.number(h, "handoff_lookback_s", e, 60.0),
        silence_s=r.number(h, "silence_s", e, 30.0, minimum=1),
    )

    reminders_raw = r.table(
        data.get("reminders", {}), "reminders", set(data.get("reminders", {})), set()
    )
    reminders: dict[str, ReminderRule] = {}
    for name, raw in reminders_raw.items():
        e = f"reminders.{name}"
        m = r.table(raw, e, _REMINDER_KEYS, {"text"})
        reminders[name] = ReminderRule(
            kind=name,
            text=r.text(m, "text", e),
            at_start=r.flag(m, "at_start", e, False),
            every_s=r.number(m, "every_s", e, 0.0),
            after=r.names(m, "after", e, WARNING_KINDS),
            min_gap_s=r.number(m, "min_gap_s", e, 30.0),
        )

    tone = data.get("tone", {})
    if not isinstance(tone, dict):
        raise r.fail("tone", "must be a table")
    say = data.get("say", {})
    from callassist.coach.say import parse_say  # say.py reads tables with PlaybookReader

    parse_say(say, source)  # a mistake in [say] is found when the playbook loads
    learned, learned_enabled, examples[NEUTRAL] = _learned(r, data.get("learned", {}))

    return Playbook(
        source=source,
        negation_window=int(r.number(settings, "negation_window", "settings", 3, maximum=50)),
        partial_settle_words=int(r.number(settings, "partial_settle_words", "settings", 2,
                                          maximum=20)),
        owned_note=r.text(settings, "owned_note", "settings", "owned it: fine"),
        heard_note=r.text(settings, "heard_note", "settings", "heard in full: fine"),
        negators=frozenset(lexicon.get("negators", ())),
        clause_breaks=frozenset(lexicon.get("clause_breaks", ())),
        steps=steps,
        warnings=warnings,
        hold=hold,
        reminders=reminders,
        tone=tone,
        say=say,
        vocabulary=Vocabulary(r.literals),
        examples=examples,
        learned=learned,
        learned_enabled=learned_enabled,
        lexicon={name: tuple(words) for name, words in lexicon.items()},
    )


def parse_playbook_text(text: str, source: str) -> Playbook:
    return parse_playbook(validate.toml_document(text, source, PlaybookError), source)


def default_playbook_text() -> str:
    return resources.files("callassist.coach").joinpath("playbook.toml").read_text("utf-8")


def load_playbook(path: str | Path | None = None) -> Playbook:
    """The playbook at path, or the one shipped with CallAssist."""
    if path is None:
        return parse_playbook_text(default_playbook_text(), "playbook.toml (built in)")
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except FileNotFoundError:
        raise PlaybookError(f"{p}: playbook not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise PlaybookError(f"{p}: cannot read playbook: {e}") from None
    return parse_playbook_text(text, str(p))
