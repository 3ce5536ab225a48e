"""What one utterance says: which steps it covers and which warnings it raises.

Matching runs on normalised tokens. A step phrase is cancelled by a negation just before it
("it is not our fault"), by an ``unless`` phrase overlapping it ("sorry could you repeat"),
or by an overlapping hollow apology ("i am sorry you feel that way").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callassist.coach.patterns import Match, PhraseSet, TokenText
from callassist.coach.playbook import Playbook
from callassist.coach.text import Tokens


@dataclass
class Analysis:
    """Token spans of everything an utterance matched, after vetoes."""

    text: TokenText
    steps: dict[str, Match] = field(default_factory=dict)
    warnings: dict[str, Match] = field(default_factory=dict)
    hold: Match | None = None
    handoff: Match | None = None
    pause: Match | None = None


def _negated(text: TokenText, m: Match, literals: frozenset[str], pb: Playbook) -> bool:
    words = text.words
    if any(w in pb.negators and w not in literals for w in words[m.start : m.end]):
        return True
    for w in reversed(words[max(0, m.start - pb.negation_window) : m.start]):
        if w in pb.clause_breaks:
            return False
        if w in pb.negators:
            return True
    return False


def _matches(
    phrases: PhraseSet,
    text: TokenText,
    pb: Playbook,
    negatable: bool,
    vetoes: list[Match],
) -> list[Match]:
    return [
        m
        for m in phrases.find(text)
        if not (negatable and _negated(text, m, phrases.literals, pb))
        and not any(m.overlaps(v) for v in vetoes)
    ]


def _first(
    phrases: PhraseSet, text: TokenText, pb: Playbook, negatable: bool, vetoes: list[Match]
) -> Match | None:
    found = _matches(phrases, text, pb, negatable, vetoes)
    return found[0] if found else None


def analyse(pb: Playbook, tokens: Tokens) -> Analysis:
    tokens = pb.vocabulary.correct_tokens(tokens)
    text = TokenText(tokens)
    result = Analysis(text)

    # Every span each warning holds after its own vetoes: a step overlapping one of its
    # `unless_warnings` does not count ("i am sorry you feel that way").
    warning_spans: dict[str, list[Match]] = {}
    for kind, rule in pb.warnings.items():
        spans = _matches(rule.phrases, text, pb, rule.negatable, rule.unless.find(text))
        if not spans and rule.together:
            parts = [p.search(text) for p in rule.together]
            if all(parts):
                spans = [Match(min(p.start for p in parts), max(p.end for p in parts))]
        warning_spans[kind] = spans
        if spans:
            result.warnings[kind] = spans[0]

    for sid, rule in pb.steps.items():
        vetoes = rule.unless.find(text)
        for kind in rule.unless_warnings:
            vetoes += warning_spans[kind]
        m = _first(rule.phrases, text, pb, rule.negatable, vetoes)
        if m is not None:
            result.steps[sid] = m

    hold = pb.hold
    result.handoff = _first(hold.handoff, text, pb, True, [])
    result.hold = _first(hold.phrases, text, pb, True, [])
    result.pause = _first(hold.pauses, text, pb, True, [])
    return result
