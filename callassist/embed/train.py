"""Training the coach's learned head: numpy only, seeded, the same in the build and the yardstick.

A multi-label classifier over the frozen all-MiniLM-L6-v2 sentence vectors of a line and its
context (coach/classifier.py holds the forward pass the product runs): a logistic layer, or
one hidden layer (an MLP), trained with Adam on the binary cross-entropy of every kind.
Its scores are calibrated per kind (Platt scaling) on out-of-fold scores of the training set
only, and the thresholds are chosen there too: each warning's lowest threshold with precision
>= the target, each step's best F1. Nothing here sees the lines a fold is scored on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from callassist.coach.classifier import Head, features
from callassist.coach.kinds import PHRASE_WARNINGS
from callassist.coach.meaning import LEARNED_KINDS
from callassist.coach.playbook import Playbook
from callassist.embed.dataset import Row, grouped_folds


@dataclass(frozen=True)
class HeadSettings:
    hidden: int = 0  # 0: a logistic layer
    l2: float = 1e-3
    epochs: int = 30
    batch: int = 128
    rate: float = 3e-3
    seed: int = 18
    # Each line with context is also learned without it, so a line with none still reads right.
    context_dropout: bool = True
    inner_folds: int = 5
    warning_precision: float = 0.92
    buckets: int = 0  # hashed words and word pairs as features (0: none)


# The head the yardstick chose (docs/coach-accuracy.md); scripts/train_coach.py trains it.
SHIPPED = HeadSettings()


def label_matrix(rows: Sequence[Row]) -> np.ndarray:
    return np.array([[k in r.labels for k in LEARNED_KINDS] for r in rows], dtype=np.float32)


Ruler = Callable[[str], frozenset[str]]


def row_features(rows: Sequence[Row], vectors: dict[str, np.ndarray], ruler: Ruler,
                 buckets: int, with_context: bool = True) -> np.ndarray:
    """Each line's features; `ruler` names the kinds the phrase rules match in a line."""
    def v(t: str) -> np.ndarray | None:
        return vectors[t] if t and with_context else None

    return np.vstack([features(vectors[r.text], v(r.customer), v(r.previous),
                               [k in ruler(r.text) for k in LEARNED_KINDS], r.text, buckets)
                      for r in rows])


def _adam_fit(x: np.ndarray, y: np.ndarray, s: HeadSettings) -> list[np.ndarray]:
    """Trained on standardised features; the scaling is folded into the first layer after,
    so the product feeds raw features."""
    mean = x.mean(0)
    scale = x.std(0) + 1e-3
    params = _adam_standard((x - mean) / scale, y, s)
    w = params[0] / scale[:, None]
    params[1] = params[1] - mean @ w
    params[0] = w
    return params


def _adam_standard(x: np.ndarray, y: np.ndarray, s: HeadSettings) -> list[np.ndarray]:
    rng = np.random.default_rng(s.seed)
    n, d = x.shape
    k = y.shape[1]
    if s.hidden:
        params = [rng.normal(0, np.sqrt(2.0 / d), (d, s.hidden)).astype(np.float32),
                  np.zeros(s.hidden, np.float32),
                  rng.normal(0, np.sqrt(1.0 / s.hidden), (s.hidden, k)).astype(np.float32),
                  np.zeros(k, np.float32)]
    else:
        params = [np.zeros((d, k), np.float32), np.zeros(k, np.float32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    t = 0
    for _ in range(s.epochs):
        order = rng.permutation(n)
        for start in range(0, n, s.batch):
            idx = order[start:start + s.batch]
            xb, yb = x[idx], y[idx]
            if s.hidden:
                w1, c1, w2, c2 = params
                h = np.maximum(xb @ w1 + c1, 0)
                z = h @ w2 + c2
                g = (1 / (1 + np.exp(-np.clip(z, -40, 40))) - yb) / len(idx)
                gh = (g @ w2.T) * (h > 0)
                grads = [xb.T @ gh + s.l2 * w1, gh.sum(0), h.T @ g + s.l2 * w2, g.sum(0)]
            else:
                w, c = params
                z = xb @ w + c
                g = (1 / (1 + np.exp(-np.clip(z, -40, 40))) - yb) / len(idx)
                grads = [xb.T @ g + s.l2 * w, g.sum(0)]
            t += 1
            for i, (p, gr) in enumerate(zip(params, grads, strict=True)):
                m[i] = b1 * m[i] + (1 - b1) * gr
                v[i] = b2 * v[i] + (1 - b2) * gr * gr
                p -= s.rate * (m[i] / (1 - b1 ** t)) / (np.sqrt(v[i] / (1 - b2 ** t)) + eps)
    return params


def _scores(params: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    out: np.ndarray = (np.maximum(x @ params[0] + params[1], 0) @ params[2] + params[3]
                       if len(params) == 4 else x @ params[0] + params[1])
    return out


def platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """a, b of p = 1 / (1 + exp(-(a z + b))), fitted by Newton's method with Platt's targets."""
    pos = float(y.sum())
    neg = len(y) - pos
    t = np.where(y > 0, (pos + 1) / (pos + 2), 1 / (neg + 2))
    a, b = 1.0, 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(a * z + b, -40, 40)))
        w = np.maximum(p * (1 - p), 1e-9)
        g = np.array([np.sum((p - t) * z), np.sum(p - t)])
        h = np.array([[np.sum(w * z * z) + 1e-6, np.sum(w * z)],
                      [np.sum(w * z), np.sum(w) + 1e-6]])
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-7:
            break
    return float(a), float(b)


def choose_threshold(p: np.ndarray, y: np.ndarray, precision: float | None) -> float:
    """With `precision`: the lowest threshold whose lines at or above it reach it (1.0 when
    none does); without: the threshold of the best F1."""
    order = np.argsort(-p)
    ps, ys = p[order], y[order]
    tp = np.cumsum(ys)
    k = np.arange(1, len(ps) + 1)
    prec = tp / k
    rec = tp / max(float(ys.sum()), 1.0)
    # only cut between distinct probabilities
    last = np.r_[ps[1:] != ps[:-1], True]
    if precision is not None:
        ok = np.flatnonzero(last & (prec >= precision) & (ys > 0))
        return float(ps[ok[-1]]) if len(ok) else 1.0
    f1 = np.where(last, 2 * prec * rec / np.maximum(prec + rec, 1e-9), -1)
    best = int(np.argmax(f1))
    return float(ps[best])


def train_head(rows: Sequence[Row], vectors: dict[str, np.ndarray], ruler: Ruler,
               s: HeadSettings) -> Head:
    """The head trained on `rows`, calibrated and thresholded on their own grouped
    out-of-fold scores."""
    y = label_matrix(rows)
    x = row_features(rows, vectors, ruler, s.buckets)
    fold = np.array(grouped_folds([r.group for r in rows], s.inner_folds, s.seed))
    oof = np.zeros_like(y)
    for f in range(s.inner_folds):
        tr = fold != f
        oof[~tr] = _scores(_fit(x[tr], y[tr], [rows[int(i)] for i in np.flatnonzero(tr)], vectors,
                                ruler, s), x[~tr])
    calib = np.array([platt(oof[:, j], y[:, j]) for j in range(y.shape[1])], np.float32)
    p = 1 / (1 + np.exp(-np.clip(oof * calib[:, 0] + calib[:, 1], -40, 40)))
    thresholds = np.array([
        choose_threshold(p[:, j], y[:, j],
                         s.warning_precision if kind in PHRASE_WARNINGS else None)
        for j, kind in enumerate(LEARNED_KINDS)], np.float32)
    params = _fit(x, y, rows, vectors, ruler, s)
    return Head(tuple(LEARNED_KINDS), tuple(params), calib, thresholds, s.buckets)


def _fit(x: np.ndarray, y: np.ndarray, rows: Sequence[Row], vectors: dict[str, np.ndarray],
         ruler: Ruler, s: HeadSettings) -> list[np.ndarray]:
    if s.context_dropout:
        with_ctx = np.array([bool(r.customer or r.previous) for r in rows])
        if with_ctx.any():
            bare = row_features([r for r, c in zip(rows, with_ctx, strict=True) if c], vectors,
                                ruler, s.buckets, with_context=False)
            x, y = np.vstack([x, bare]), np.vstack([y, y[with_ctx]])
    return _adam_fit(x, y, s)


def playbook_ruler(pb: Playbook) -> Ruler:
    """The kinds a playbook's phrase rules match in a line, on their own (cached)."""

    from callassist.coach.rules import analyse
    from callassist.coach.text import normalize

    @functools.cache
    def ruled(text: str) -> frozenset[str]:
        a = analyse(pb, normalize(text))
        return frozenset(a.steps) | frozenset(a.warnings)

    return ruled
