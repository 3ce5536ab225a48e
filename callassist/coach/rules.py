"""What one utterance says: which steps it covers and which warnings it raises.

Matching runs on normalised tokens. A step phrase is cancelled by a negation just before it
("it is not our fault"), by an ``unless`` phrase overlapping it ("sorry could you repeat"),
or by an overlapping hollow apology ("i am sorry you feel that way").

Beside the phrases, the meaning layer (meaning.py) may recognise more steps and warnings from
the nearest labelled examples. It only adds, and the rules keep their vetoes over it: a line
with a negation, a filler ``unless`` phrase or a hollow apology ticks no step by example.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callassist.coach.meaning import MeaningLayer, Recognition
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
    # Why each step and warning counts: "rule: <pattern>" or "example: like ..."
    reasons: dict[str, str] = field(default_factory=dict)
    # Steps the examples saw but the rules hold back in this line ("unless phrase": a filler
    # or a transfer; "hollow apology")
    vetoed: dict[str, str] = field(default_factory=dict)
    # What the examples recognised, kept or vetoed (for `playbook try`)
    learned: dict[str, Recognition] = field(default_factory=dict)
    # The trained head's probability of every kind (final lines only), and the kinds it
    # holds likely but below their threshold ("maybe": for a supervisor to confirm)
    confidence: dict[str, float] = field(default_factory=dict)
    maybe: set[str] = field(default_factory=set)


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


def _veto(unless: list[Match], hollow: list[Match]) -> str | None:
    """Why the rules hold a step back anywhere in the line, if they do: an example may not
    tick a step in a line with an `unless` phrase of the step (a filler "sorry could you
    repeat that", a transfer) or a hollow apology.
    (A negated clause is never recognised as a step: MeaningLayer.recognise.)"""
    if unless:
        return "unless phrase"
    if hollow:
        return "hollow apology"
    return None


def _reason(rec: Recognition) -> str:
    """"model: 0.93" (the trained head's probability) or "example: like ..." (the vote)."""
    return rec.reason if rec.probability is not None else "example: " + rec.reason


def _add_learned(
    pb: Playbook, text: TokenText, result: Analysis, meaning: MeaningLayer,
    warning_spans: dict[str, list[Match]], context: tuple[str, str],
) -> None:
    """What is learned beyond the rules: the trained head's judgement of the line in its
    context, and the vote of the playbook's examples. The rules keep the vetoes the playbook
    names ([learned].vetoes): a warning the rules' steps contradict ("this is my fault", read
    as close to "that is not my fault"), and a step in a line with a filler, a hollow
    apology or (every clause) a negation, are not taken."""
    vetoes = pb.learned.vetoes
    line = text.tokens.text
    negators = pb.negators if "negation" in vetoes else frozenset()
    learned = meaning.recognise(line, negators) if meaning.examples else {}
    judgement = meaning.judge(line, frozenset(result.steps) | frozenset(result.warnings),
                              *context)
    if judgement is not None:
        result.confidence = dict(judgement.probability)
        result.maybe = set(judgement.maybe)
        negated = bool(negators) and all(meaning.negated(c, negators)
                                         for c in meaning.clauses(line))
        if pb.learned.overrule:
            # the head read the rules' matches as features and outweighed them
            for found in (result.steps, result.warnings):
                for kind in [k for k in found if k not in judgement.counts]:
                    del found[kind]
                    result.vetoed[kind] = f"model: {judgement.probability[kind]:.2f}"
                    if kind in warning_spans:
                        warning_spans[kind] = []
        for kind in judgement.counts:
            if kind in learned or (negated and kind in pb.steps):
                continue
            learned[kind] = Recognition(kind, judgement.probability[kind], (), line,
                                        judgement.probability[kind])
    result.learned = learned
    whole = Match(0, max(len(text.words), 1))
    ruled = set(result.warnings)
    contradicts = pb.learned.contradicts if "contradicts" in vetoes else {}
    for kind, rec in learned.items():
        if kind not in pb.warnings or kind in result.warnings:
            continue
        contradicted = [s for s in contradicts.get(kind, ()) if s in result.steps]
        if contradicted or ("filler" in vetoes and pb.warnings[kind].unless.find(text)):
            continue
        result.warnings[kind] = whole
        result.reasons[kind] = _reason(rec)
        warning_spans[kind] = [whole]
    for sid, rule in pb.steps.items():
        if sid in result.steps or sid not in learned:
            continue
        hollow = [s for kind in rule.unless_warnings for s in warning_spans[kind]]
        veto = _veto(rule.unless.find(text) if "filler" in vetoes else [],
                     hollow if "hollow" in vetoes else [])
        overruled = [k for k in contradicts.get(sid, ()) if k in ruled]
        if overruled and not veto:
            veto = f"{overruled[0]} rule"
        if veto:
            result.vetoed[sid] = veto
        else:
            result.steps[sid] = whole
            result.reasons[sid] = _reason(learned[sid])


def analyse(pb: Playbook, tokens: Tokens, meaning: MeaningLayer | None = None,
            customer: str = "", previous: str = "") -> Analysis:
    """`customer` and `previous`: the customer's line before and the agent's own, as the
    coach reads a line ("" when not heard); the trained head reads them as context."""
    tokens = pb.vocabulary.correct_tokens(tokens)
    text = TokenText(tokens)
    result = Analysis(text)

    # Every span each warning holds after its own vetoes: a line with one of a step's
    # `unless_warnings` does not tick it ("i am sorry you feel that way").
    warning_spans: dict[str, list[Match]] = {}
    for kind, rule in pb.warnings.items():
        spans = _matches(rule.phrases, text, pb, rule.negatable, rule.unless.find(text))
        if not spans and rule.together:
            found = [p.search(text) for p in rule.together]
            parts = [p for p in found if p is not None]
            if parts and len(parts) == len(found):
                spans = [Match(min(p.start for p in parts), max(p.end for p in parts))]
        warning_spans[kind] = spans
        if spans:
            result.warnings[kind] = spans[0]
            result.reasons[kind] = "rule: " + (
                rule.phrases.which(text, spans[0]) if rule.phrases.find(text) else "together"
            )

    for sid, step in pb.steps.items():
        # A hollow apology anywhere in the line empties the line's apology: "sorry about that,
        # it happens sometimes" and "i'm sorry, we can't do returns" apologise for nothing.
        if any(warning_spans[kind] for kind in step.unless_warnings):
            continue
        m = _first(step.phrases, text, pb, step.negatable, step.unless.find(text))
        if m is not None:
            result.steps[sid] = m
            result.reasons[sid] = "rule: " + step.phrases.which(text, m)

    if meaning is not None:
        _add_learned(pb, text, result, meaning, warning_spans, (customer, previous))

    hold = pb.hold
    result.handoff = _first(hold.handoff, text, pb, True, [])
    result.hold = _first(hold.phrases, text, pb, True, [])
    result.pause = _first(hold.pauses, text, pb, True, [])
    return result
