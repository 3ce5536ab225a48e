"""What to say, in the customer's words: the playbook's `[say]` table names situations by the
words a customer uses ("refund", "charged twice", "arrived broken") and the apology that fits
each ("I'm sorry your refund hasn't come through."). The newest situation heard from the
customer in the last `window_s` picks the sentence; its `{thing}` is the customer's own word
for what went wrong ("parcel", "laptop"). With no fitting words heard, the generic line: never
an example from another kind of problem (UX review M1).

    words = CustomerWords(say_rules(playbook.say, playbook.source))
    words.hear("my refund still hasn't come through", at=12.0)
    fit_advice(rule.advice, words.apology(now=20.0))

Pure Python: the session feeds it the customer's final utterances."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from callassist.coach.playbook_reader import PlaybookReader
from callassist.coach.text import normalize

_SAY_KEYS = {"generic", "things", "default_thing", "window_s", "for", "situations"}
_SITUATION_KEYS = {"heard", "apology"}
_QUOTED = re.compile(r"([\"“])([^\"”]+)([\"”])\s*$")


@dataclass(frozen=True)
class Situation:
    name: str
    heard: tuple[tuple[str, ...], ...]  # each a run of words, as normalised
    apology: str


@dataclass(frozen=True)
class SayRules:
    generic: str
    things: frozenset[str]
    default_thing: str
    window_s: float
    kinds: frozenset[str]  # the warnings whose advice ends with the sentence to say
    situations: tuple[Situation, ...]


def parse_say(raw: object, source: str) -> SayRules:
    r = PlaybookReader(source, {})
    e = "say"
    t = r.table(raw if raw is not None else {}, e, _SAY_KEYS, set())
    situations = []
    table = r.table(t.get("situations", {}), f"{e}.situations", set(t.get("situations", {})),
                    set())
    for name, s in table.items():
        se = f"{e}.situations.{name}"
        s = r.table(s, se, _SITUATION_KEYS, _SITUATION_KEYS)
        heard = tuple(tuple(normalize(p).words) for p in r.strings(s["heard"], f"{se}.heard"))
        situations.append(Situation(name, tuple(h for h in heard if h),
                                    r.text(s, "apology", se)))
    return SayRules(
        generic=r.text(t, "generic", e, "I'm sorry about this, and I'll put it right for you."),
        things=frozenset(w.lower() for w in r.strings(t.get("things", []), f"{e}.things")),
        default_thing=r.text(t, "default_thing", e, "order"),
        window_s=r.number(t, "window_s", e, 120.0),
        kinds=frozenset(r.strings(t.get("for", ["hollow_apology"]), f"{e}.for")),
        situations=tuple(situations),
    )


# Parsed once per playbook's [say] table (the table is kept alive beside its rules, so its id
# is never reused while cached).
_PARSED: dict[int, tuple[dict[str, Any], SayRules]] = {}


def say_rules(say: dict[str, Any], source: str) -> SayRules:
    """The rules of a playbook's [say] table (`playbook.say`, from `playbook.source`)."""
    if id(say) not in _PARSED:
        _PARSED[id(say)] = (say, parse_say(say, source))
    return _PARSED[id(say)][1]


def _contains(words: list[str], run: tuple[str, ...]) -> bool:
    n = len(run)
    return any(tuple(words[i:i + n]) == run for i in range(len(words) - n + 1))


class CustomerWords:
    """The situations and things the customer named, newest last."""

    def __init__(self, rules: SayRules):
        self.rules = rules
        self._heard: list[tuple[float, Situation]] = []
        self._things: list[tuple[float, str]] = []

    def hear(self, text: str, at: float) -> None:
        words = list(normalize(text).words)
        # The first situation in the playbook's order: the problem itself ("smashed") before
        # what came of it ("the third time i am calling").
        for situation in self.rules.situations:
            if any(_contains(words, run) for run in situation.heard):
                self._heard.append((at, situation))
                break
        self._things += [(at, w) for w in words if w in self.rules.things]

    def apology(self, now: float) -> str:
        """The sentence to say now: the newest situation heard in the window, else generic."""
        recent = [s for at, s in self._heard if now - at <= self.rules.window_s]
        if not recent:
            return self.rules.generic
        things = [w for at, w in self._things if now - at <= self.rules.window_s]
        thing = things[-1] if things else self.rules.default_thing
        return recent[-1].apology.replace("{thing}", thing)


def fit_advice(advice: str, sentence: str) -> str:
    """The advice with its closing quoted sentence (the example to say) replaced."""
    m = _QUOTED.search(advice)
    if m is None:
        return advice
    return f"{advice[:m.start()]}{m.group(1)}{sentence}{m.group(3)}"
