"""Steps and warnings recognised by meaning: the labelled examples nearest a line vote.

Every example is a sentence with the steps and warnings it shows (none for a routine line,
a filler or a question). A line's nearest examples, by the cosine similarity of their
sentence vectors, vote for each kind; a kind is recognised when enough of the vote supports
it and its best supporting example is close enough. The thresholds come from the playbook.

This module only computes: the embedder and the example vectors are handed in (loading and
checking the model and the data files is done outside the coach, in callassist/embed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from callassist.coach.classifier import Head, features
from callassist.coach.kinds import PHRASE_WARNINGS, STEP_IDS

# The kinds examples can teach: the steps and the warnings a single line can show.
LEARNED_KINDS: tuple[str, ...] = (*STEP_IDS, *PHRASE_WARNINGS)


class Embedder(Protocol):
    def embed(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) unit vectors."""
        ...


@dataclass(frozen=True)
class Example:
    text: str
    labels: frozenset[str]
    source: str  # "playbook", or the address the sentence was quoted from


@dataclass(frozen=True)
class Neighbour:
    example: Example
    similarity: float

    def describe(self) -> str:
        return f'"{self.example.text}" ({self.similarity:.2f})'


@dataclass(frozen=True)
class Recognition:
    """One kind recognised in a line (or a clause of it), with the examples that voted."""

    kind: str
    share: float  # the share of the nearest examples' weighted vote that supports the kind
    support: tuple[Neighbour, ...]
    clause: str = ""  # the words that were compared with the examples
    probability: float | None = None  # the trained head's, when it recognised the kind

    @property
    def reason(self) -> str:
        if self.probability is not None:
            return f"model: {self.probability:.2f}"
        return "like " + ", ".join(n.describe() for n in self.support[:2])


@dataclass(frozen=True)
class MeaningSettings:
    """How the vote is counted (the playbook's [learned] table)."""

    neighbours: int = 7
    # How sharply closer examples outweigh farther ones: weight exp(similarity / temperature).
    temperature: float = 0.05
    # A long line is also read clause by clause, split before these words ("... and let me
    # check"), so one behaviour among several is not drowned by the rest of the line.
    split_before: tuple[str, ...] = ()
    min_clause_words: int = 3
    # A negation governs a clause's main verb only before the clause's first subordinate word:
    # "i do not see why you are upset" is negated; in "i am sorry that we have not delivered"
    # the apology stands (a first word is never a subordinator: "that is not our fault").
    subordinators: frozenset[str] = frozenset()
    # Words before a person's name ("mister", "missus"): the title and the name are not
    # compared with the examples.
    titles: frozenset[str] = frozenset()
    # How much an example of several clauses counts against one of a single clause.
    compound_weight: float = 1.0
    # Steps that, matched by a rule in the same line, overrule a warning the examples see.
    contradicts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    min_similarity: Mapping[str, float] = field(default_factory=dict)
    min_share: Mapping[str, float] = field(default_factory=dict)
    default_min_similarity: float = 0.6
    default_min_share: float = 0.5
    # The trained head's probability at which a kind counts (the playbook's [learned]
    # threshold; a kind not named keeps the threshold chosen when the head was trained), and
    # below which a judgement is not even a "maybe".
    threshold: Mapping[str, float] = field(default_factory=dict)
    maybe: float = 0.5
    # The rules' vetoes over what is learned (each earns its place on benchmarks/coach_cv.py):
    # "negation" (a negated clause ticks no step), "filler" (a step's `unless` phrase),
    # "hollow" (a hollow apology empties the apology), "contradicts" (the table above).
    vetoes: frozenset[str] = frozenset({"negation", "filler", "hollow", "contradicts"})
    # Whether the head, on a final line, also takes away a phrase rule's step or warning it
    # holds below its threshold (the rule's match then only places the evidence).
    overrule: bool = True
    # Whether the trained head judges final lines at all (the playbook's [learned] head).
    head: bool = False

    def similarity_for(self, kind: str) -> float:
        return self.min_similarity.get(kind, self.default_min_similarity)

    def share_for(self, kind: str) -> float:
        return self.min_share.get(kind, self.default_min_share)


@dataclass(frozen=True)
class Judgement:
    """What the trained head makes of a line: each kind's probability, the kinds that count
    (at or above their threshold) and the "maybe" ones (below it, above the floor)."""

    probability: Mapping[str, float]
    counts: frozenset[str]
    maybe: frozenset[str]


class MeaningLayer:
    # Lines whose vectors are kept: the customer's line before and the agent's own are read
    # again as context of the next line.
    KEEP = 8

    def __init__(
        self,
        embedder: Embedder,
        examples: Sequence[Example],
        vectors: np.ndarray,
        settings: MeaningSettings,
        head: Head | None = None,
    ):
        if len(examples) != len(vectors):
            raise ValueError(f"{len(examples)} examples but {len(vectors)} vectors")
        self.embedder = embedder
        self.head = head
        self._recent: dict[str, np.ndarray] = {}
        self.examples = tuple(examples)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.settings = settings
        self._labels = np.array(
            [[k in e.labels for k in LEARNED_KINDS] for e in self.examples], dtype=bool
        ).reshape(len(self.examples), len(LEARNED_KINDS))
        # An example of several clauses is a weaker witness for one clause: its labels may
        # come from a clause the line does not have ("i am sorry this has been so frustrating
        # | let me see what i can do" says nothing of an action in "i am sorry this has been
        # so difficult").
        self._witness = np.array([settings.compound_weight if len(self.clauses(e.text)) > 1
                                  else 1.0 for e in self.examples], dtype=np.float64)

    def vector(self, text: str) -> np.ndarray:
        row: np.ndarray = self.vectors_of([text])[0]
        return row

    def vectors_of(self, texts: list[str]) -> np.ndarray:
        """The texts' vectors, those not kept from recent lines embedded in one pass."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._recent]
        if missing:
            self._recent.update(zip(missing, self.embedder.embed(missing), strict=True))
        out = np.vstack([self._recent[t] for t in texts])
        while len(self._recent) > self.KEEP:
            del self._recent[next(iter(self._recent))]
        return out

    def judge(self, text: str, ruled: frozenset[str], customer: str = "",
              previous: str = "") -> Judgement | None:
        """The head's probabilities for a line, given the kinds the phrase rules matched in
        it, the customer's line before and the agent's own ("" when not heard); None without
        a head."""
        if self.head is None or not text:
            return None
        x = features(self.vector(text), self.vector(customer) if customer else None,
                     self.vector(previous) if previous else None,
                     [k in ruled for k in self.head.kinds], text, self.head.buckets)
        p = self.head.probabilities(x[None, :])[0]
        probability = {k: float(v) for k, v in zip(self.head.kinds, p, strict=True)}
        cut = {k: self.settings.threshold.get(k, float(t))
               for k, t in zip(self.head.kinds, self.head.thresholds, strict=True)}
        return Judgement(probability,
                         frozenset(k for k, v in probability.items() if v >= cut[k]),
                         frozenset(k for k, v in probability.items()
                                   if self.settings.maybe <= v < cut[k]))

    def nearest(self, vector: np.ndarray, n: int) -> list[Neighbour]:
        sims = self.vectors @ vector
        return [Neighbour(self.examples[i], float(sims[i])) for i in self._top(sims, n)]

    @staticmethod
    def _top(sims: np.ndarray, n: int) -> np.ndarray:
        """The indices of the `n` largest similarities, largest first."""
        n = min(n, len(sims))
        if n == 0:
            return np.zeros(0, dtype=np.intp)
        top = np.argpartition(-sims, n - 1)[:n]
        return top[np.argsort(-sims[top], kind="stable")]

    def clauses(self, text: str) -> list[str]:
        """The line's clauses (the whole line when it has one)."""
        words = text.split()
        cuts = [0]
        for i in range(1, len(words)):
            for w in self.settings.split_before:
                parts = w.split()
                if words[i : i + len(parts)] == parts and i - cuts[-1] >= \
                        self.settings.min_clause_words:
                    cuts.append(i)
                    break
        if len(words) - cuts[-1] < self.settings.min_clause_words and len(cuts) > 1:
            cuts.pop()
        pieces = [" ".join(words[a:b]) for a, b in zip(cuts, [*cuts[1:], len(words)],
                                                           strict=True)]
        return pieces

    def recognise(
        self, text: str, negators: frozenset[str] = frozenset()
    ) -> dict[str, Recognition]:
        """The kinds the nearest examples vote for in one of the line's clauses (none for a
        line shorter than a clause: "okay sure" and "mhm" are left to the rules). A negated
        clause ticks no step: "i do not see why you are upset" is no sympathy; in "do not
        worry | i will have it for you tomorrow" the promise still counts."""
        text = self.without_names(text)
        if len(text.split()) < self.settings.min_clause_words or not self.examples:
            return {}
        pieces = self.clauses(text)
        # Every clause against every example in one product; the clauses' vectors are kept,
        # so the trained head reads a one-clause line without embedding it again.
        sims = self.vectors_of(pieces) @ self.vectors.T
        found: dict[str, Recognition] = {}
        for piece, row in zip(pieces, sims, strict=True):
            negated = self.negated(piece, negators)
            for kind, rec in self._vote(row, piece).items():
                if negated and kind in STEP_IDS:
                    continue
                if kind not in found or rec.share > found[kind].share:
                    found[kind] = rec
        return found

    def without_names(self, text: str) -> str:
        """The line without a person's name after a title ("mister johnson"): a name the
        line shares with an example says nothing of what either does."""
        words = text.split()
        kept = [w for i, w in enumerate(words)
                if w not in self.settings.titles
                and not (i and words[i - 1] in self.settings.titles)]
        return " ".join(kept)

    def negated(self, clause: str, negators: frozenset[str]) -> bool:
        """Whether a negation governs the clause: a word of `negators` before its first
        subordinate word."""
        words = clause.split()
        for i, w in enumerate(words):
            if w in negators:
                return True
            if i and w in self.settings.subordinators:
                return False
        return False

    def recognise_vector(
        self, vector: np.ndarray, clause: str = "", leave_out: str | None = None
    ) -> dict[str, Recognition]:
        """The vote of the examples nearest `vector`; `leave_out` names an example's own
        text, to ask what the others make of it (`playbook check`)."""
        sims = self.vectors @ vector
        if leave_out is not None:
            sims = np.where([e.text == leave_out for e in self.examples], -np.inf, sims)
        return self._vote(sims, clause)

    def _vote(self, sims: np.ndarray, clause: str) -> dict[str, Recognition]:
        """The vote of the examples nearest a clause, given its similarity to each."""
        top = self._top(sims, self.settings.neighbours)
        if not len(top):
            return {}
        near = sims[top]
        # Closer examples weigh more, sharply: a near copy outvotes several loose likenesses.
        weights = np.exp((near - near[0]) / self.settings.temperature) * self._witness[top]
        labels = self._labels[top]  # (neighbours, kinds)
        shares = weights @ labels / (float(weights.sum()) or 1.0)
        found: dict[str, Recognition] = {}
        for k in np.flatnonzero(labels.any(axis=0)):
            kind = LEARNED_KINDS[k]
            best = float(near[labels[:, k]][0])
            if shares[k] >= self.settings.share_for(kind) and best >= \
                    self.settings.similarity_for(kind):
                support = tuple(Neighbour(self.examples[i], float(sims[i]))
                                for i in top[labels[:, k]])
                found[kind] = Recognition(kind, float(shares[k]), support, clause)
        return found
