"""A BERT encoder's forward pass in numpy, for sentence embeddings without torch.

Written for the sentence-transformers MiniLM layout (post-LayerNorm BERT, GELU, absolute
positions) and its pooling: the mean of the token vectors under the attention mask, then
scaled to unit length, as sentence-transformers' Pooling and Normalize modules do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

_EPS = 1e-12


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    centred = x - x.mean(-1, keepdims=True)
    var = np.einsum("ij,ij->i", centred, centred)[:, None] / np.float32(x.shape[-1])
    centred *= weight / np.sqrt(var + np.float32(_EPS))
    centred += bias
    return centred


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (error below 1.5e-7): numpy has no erf, and BERT's GELU is
    # the exact erf form, not the tanh approximation.
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t
            + 0.254829592) * t
    a *= a
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a
    np.subtract(1.0, poly, out=poly)
    return np.copysign(poly, x, out=poly)


def _gelu(x: np.ndarray) -> np.ndarray:
    return np.float32(0.5) * x * (np.float32(1.0) + _erf(x * np.float32(1.0 / np.sqrt(2.0))))


@dataclass(frozen=True)
class _Layer:
    qkv_w: np.ndarray  # (hidden, 3 * hidden): query, key and value in one product
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_w: np.ndarray
    ln1_b: np.ndarray
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2_w: np.ndarray
    ln2_b: np.ndarray


class BertEncoder:
    """Token ids in, unit-length sentence vectors out."""

    def __init__(self, weights: Mapping[str, np.ndarray], heads: int):
        def w(name: str) -> np.ndarray:
            return np.ascontiguousarray(weights[name], dtype=np.float32)

        self.heads = heads
        self.word = w("embeddings.word_embeddings.weight")
        self.position = w("embeddings.position_embeddings.weight")
        self.token_type = w("embeddings.token_type_embeddings.weight")
        self.ln_w = w("embeddings.LayerNorm.weight")
        self.ln_b = w("embeddings.LayerNorm.bias")
        self.layers: list[_Layer] = []
        i = 0
        while f"encoder.layer.{i}.attention.self.query.weight" in weights:
            p = f"encoder.layer.{i}."
            att = p + "attention."
            self.layers.append(
                _Layer(
                    qkv_w=np.ascontiguousarray(
                        np.concatenate([w(att + f"self.{n}.weight") for n in
                                        ("query", "key", "value")]).T
                    ),
                    qkv_b=np.concatenate([w(att + f"self.{n}.bias") for n in
                                          ("query", "key", "value")]),
                    out_w=np.ascontiguousarray(w(att + "output.dense.weight").T),
                    out_b=w(att + "output.dense.bias"),
                    ln1_w=w(att + "output.LayerNorm.weight"),
                    ln1_b=w(att + "output.LayerNorm.bias"),
                    up_w=np.ascontiguousarray(w(p + "intermediate.dense.weight").T),
                    up_b=w(p + "intermediate.dense.bias"),
                    down_w=np.ascontiguousarray(w(p + "output.dense.weight").T),
                    down_b=w(p + "output.dense.bias"),
                    ln2_w=w(p + "output.LayerNorm.weight"),
                    ln2_b=w(p + "output.LayerNorm.bias"),
                )
            )
            i += 1
        if not self.layers:
            raise ValueError("no encoder layers in the weights")

    def encode(self, sentences: Sequence[Sequence[int]]) -> np.ndarray:
        """Each sentence's token ids in, (len(sentences), hidden) unit vectors out.

        The sentences are packed into one sequence, end to end, with positions restarting at
        each and attention kept within each: the same numbers as encoding them one at a time,
        with no padding, and every weight matrix read once for all of them (for a few short
        clauses the cost is reading the weights, not the arithmetic)."""
        lengths = np.array([len(s) for s in sentences])
        if not len(lengths):
            return np.zeros((0, self.word.shape[1]), dtype=np.float32)
        ids = np.concatenate([np.asarray(s, dtype=np.int64) for s in sentences])
        segment = np.repeat(np.arange(len(lengths)), lengths)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        positions = np.arange(len(ids)) - np.repeat(starts, lengths)
        hidden = self.word.shape[1]
        size = hidden // self.heads
        x = self.word[ids] + self.position[positions] + self.token_type[0]
        x = _layer_norm(x, self.ln_w, self.ln_b)
        # A token of another sentence gets a large negative score: no sentence sees another.
        bias = np.where(segment[:, None] == segment[None, :], np.float32(0),
                        np.float32(-1e9))[None]
        scale = np.float32(1.0 / np.sqrt(size))
        tokens = len(ids)
        for layer in self.layers:
            qkv = x @ layer.qkv_w
            qkv += layer.qkv_b
            qkv = qkv.reshape(tokens, 3, self.heads, size).transpose(1, 2, 0, 3)
            scores = qkv[0] @ qkv[1].transpose(0, 2, 1)
            scores *= scale
            scores += bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ qkv[2]).transpose(1, 0, 2).reshape(tokens, hidden)
            out = context @ layer.out_w
            out += layer.out_b
            out += x
            x = _layer_norm(out, layer.ln1_w, layer.ln1_b)
            up = x @ layer.up_w
            up += layer.up_b
            down = _gelu(up) @ layer.down_w
            down += layer.down_b
            down += x
            x = _layer_norm(down, layer.ln2_w, layer.ln2_b)
        # Each sentence's mean token vector, scaled to unit length.
        pooled = np.add.reduceat(x, starts, axis=0) / lengths[:, None].astype(np.float32)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
