"""The learned head: a line's sentence vector (and its context's) in, a calibrated probability
for every step and phrase warning out.

Trained by scripts/train_coach.py (callassist/embed/train.py) on the labelled lines in data/;
the weights are handed in (loaded by callassist/embed/head.py): this module only computes.
A logistic layer has one weight matrix, an MLP a hidden layer before it (ReLU). Each kind's
score becomes a probability by its Platt scaling, p = 1 / (1 + exp(-(a z + b))), fitted on
scores the head gave lines it was not trained on; `thresholds` are where a kind counts.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np


def ngrams(text: str, buckets: int) -> np.ndarray:
    """The line's words and word pairs, hashed into `buckets` (crc32: the same in every
    process), each present one 1: the wording the sentence vector blurs ("that is our
    policy", "you should have")."""
    out = np.zeros(buckets, dtype=np.float32)
    if buckets:
        words = text.split()
        for gram in [*words, *(f"{a} {b}" for a, b in pairwise(words))]:
            out[zlib.crc32(gram.encode()) % buckets] = 1.0
    return out


def features(line: np.ndarray, customer: np.ndarray | None, previous: np.ndarray | None,
             ruled: Sequence[bool], text: str = "", buckets: int = 0) -> np.ndarray:
    """What the head reads: the line's vector, the customer's line before and the agent's own
    line before (zeros when not known: a headset hears the agent only), whether each is
    known, which kinds the playbook's phrase rules matched in the line (in the head's order
    of kinds), and the line's hashed words and word pairs (`buckets` of them)."""
    zero = np.zeros_like(line)
    return np.concatenate([
        line, zero if customer is None else customer, zero if previous is None else previous,
        np.array([customer is not None, previous is not None, *ruled], dtype=line.dtype),
        ngrams(text, buckets)])


@dataclass(frozen=True)
class Head:
    kinds: tuple[str, ...]
    params: tuple[np.ndarray, ...]  # (w, b) or (w1, b1, w2, b2)
    calibration: np.ndarray  # (kinds, 2): Platt's a and b
    thresholds: np.ndarray  # (kinds,): the probability at which each kind counts
    buckets: int = 0  # hashed words and word pairs read (features)

    @property
    def inputs(self) -> int:
        return int(self.params[0].shape[0])

    def scores(self, x: np.ndarray) -> np.ndarray:
        p = self.params
        out: np.ndarray = (np.maximum(x @ p[0] + p[1], 0) @ p[2] + p[3] if len(p) == 4
                           else x @ p[0] + p[1])
        return out

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """(lines, kinds) calibrated probabilities for (lines, inputs) features."""
        z = self.scores(x) * self.calibration[:, 0] + self.calibration[:, 1]
        out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
        return out
