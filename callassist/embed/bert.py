"""A BERT encoder's forward pass on onnxruntime, for sentence embeddings without torch.

Written for the sentence-transformers MiniLM layout (post-LayerNorm BERT, exact GELU,
absolute positions) and its pooling: the mean of each sentence's token vectors, scaled to unit
length, as sentence-transformers' Pooling and Normalize modules do. The graph is built in
memory from the safetensors weights (onnx_proto.py); onnxruntime already comes with
faster-whisper, and on one core it runs the graph about twice as fast as the same products
in numpy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from callassist.embed import onnx_proto as pb

_EPS = 1e-12
_OPSET = 20  # LayerNormalization (17) and the exact Gelu (20)
_IR_VERSION = 10


def _graph(weights: Mapping[str, np.ndarray], heads: int) -> tuple[bytes, int]:
    """The ONNX model: embedded tokens (T, hidden), the attention bias (1, T, T) and the
    pooling matrix (sentences, T) in; each sentence's mean token vector out."""
    def w(name: str) -> np.ndarray:
        return np.asarray(weights[name], dtype=np.float32)

    hidden = int(w("embeddings.word_embeddings.weight").shape[1])
    size = hidden // heads
    inits = [pb.tensor("qkv_shape", np.array([-1, 3, heads, size], dtype=np.int64)),
             pb.tensor("hidden_shape", np.array([-1, hidden], dtype=np.int64)),
             *(pb.tensor(f"index{i}", np.array(i, dtype=np.int64)) for i in range(3)),
             pb.tensor("ln_w", w("embeddings.LayerNorm.weight")),
             pb.tensor("ln_b", w("embeddings.LayerNorm.bias"))]
    nodes = [pb.node("LayerNormalization", ["x", "ln_w", "ln_b"], ["h"], axis=-1,
                     epsilon=_EPS)]
    h = "h"
    scale = np.float32(1.0 / np.sqrt(size))
    layers = 0
    while f"encoder.layer.{layers}.attention.self.query.weight" in weights:
        p = f"encoder.layer.{layers}."
        a = p + "attention."
        n = f"l{layers}_"
        # Query, key and value in one product; the query pre-scaled by 1/sqrt(head size).
        qkv_w = np.concatenate([w(a + "self.query.weight") * scale, w(a + "self.key.weight"),
                                w(a + "self.value.weight")]).T
        qkv_b = np.concatenate([w(a + "self.query.bias") * scale, w(a + "self.key.bias"),
                                w(a + "self.value.bias")])
        inits += [
            pb.tensor(n + "qkv_w", qkv_w), pb.tensor(n + "qkv_b", qkv_b),
            pb.tensor(n + "out_w", w(a + "output.dense.weight").T),
            pb.tensor(n + "out_b", w(a + "output.dense.bias")),
            pb.tensor(n + "ln1_w", w(a + "output.LayerNorm.weight")),
            pb.tensor(n + "ln1_b", w(a + "output.LayerNorm.bias")),
            pb.tensor(n + "up_w", w(p + "intermediate.dense.weight").T),
            pb.tensor(n + "up_b", w(p + "intermediate.dense.bias")),
            pb.tensor(n + "down_w", w(p + "output.dense.weight").T),
            pb.tensor(n + "down_b", w(p + "output.dense.bias")),
            pb.tensor(n + "ln2_w", w(p + "output.LayerNorm.weight")),
            pb.tensor(n + "ln2_b", w(p + "output.LayerNorm.bias")),
        ]
        nodes += [
            pb.node("MatMul", [h, n + "qkv_w"], [n + "qkv0"]),
            pb.node("Add", [n + "qkv0", n + "qkv_b"], [n + "qkv1"]),
            pb.node("Reshape", [n + "qkv1", "qkv_shape"], [n + "qkv2"]),
            pb.node("Transpose", [n + "qkv2"], [n + "qkv"], perm=[1, 2, 0, 3]),  # 3, heads, T
            pb.node("Gather", [n + "qkv", "index0"], [n + "q"], axis=0),
            pb.node("Gather", [n + "qkv", "index1"], [n + "k"], axis=0),
            pb.node("Gather", [n + "qkv", "index2"], [n + "v"], axis=0),
            pb.node("Transpose", [n + "k"], [n + "kt"], perm=[0, 2, 1]),
            pb.node("MatMul", [n + "q", n + "kt"], [n + "s0"]),
            pb.node("Add", [n + "s0", "bias"], [n + "s1"]),
            pb.node("Softmax", [n + "s1"], [n + "s"], axis=-1),
            pb.node("MatMul", [n + "s", n + "v"], [n + "c0"]),
            pb.node("Transpose", [n + "c0"], [n + "c1"], perm=[1, 0, 2]),
            pb.node("Reshape", [n + "c1", "hidden_shape"], [n + "c"]),
            pb.node("MatMul", [n + "c", n + "out_w"], [n + "o0"]),
            pb.node("Add", [n + "o0", n + "out_b"], [n + "o1"]),
            pb.node("Add", [n + "o1", h], [n + "o2"]),
            pb.node("LayerNormalization", [n + "o2", n + "ln1_w", n + "ln1_b"], [n + "a"],
                    axis=-1, epsilon=_EPS),
            pb.node("MatMul", [n + "a", n + "up_w"], [n + "u0"]),
            pb.node("Add", [n + "u0", n + "up_b"], [n + "u1"]),
            pb.node("Gelu", [n + "u1"], [n + "u"]),
            pb.node("MatMul", [n + "u", n + "down_w"], [n + "d0"]),
            pb.node("Add", [n + "d0", n + "down_b"], [n + "d1"]),
            pb.node("Add", [n + "d1", n + "a"], [n + "d2"]),
            pb.node("LayerNormalization", [n + "d2", n + "ln2_w", n + "ln2_b"], [n + "h"],
                    axis=-1, epsilon=_EPS),
        ]
        h = n + "h"
        layers += 1
    if not layers:
        raise ValueError("no encoder layers in the weights")
    nodes.append(pb.node("MatMul", ["pool", h], ["pooled"]))
    model = pb.model(
        nodes, inits,
        [pb.value_info("x", pb.FLOAT, ["tokens", hidden]),
         pb.value_info("bias", pb.FLOAT, [1, "tokens", "tokens"]),
         pb.value_info("pool", pb.FLOAT, ["sentences", "tokens"])],
        [pb.value_info("pooled", pb.FLOAT, ["sentences", hidden])],
        _OPSET, _IR_VERSION,
    )
    return model, hidden


class BertEncoder:
    """Token ids in, unit-length sentence vectors out."""

    def __init__(self, weights: Mapping[str, np.ndarray], heads: int):
        import onnxruntime as ort

        self.word = np.ascontiguousarray(weights["embeddings.word_embeddings.weight"],
                                         dtype=np.float32)
        self.position = np.asarray(weights["embeddings.position_embeddings.weight"],
                                   dtype=np.float32)
        self.token_type = np.asarray(weights["embeddings.token_type_embeddings.weight"],
                                     dtype=np.float32)
        model, self.hidden = _graph(weights, heads)
        options = ort.SessionOptions()
        # One thread: the machine is also recognising speech, and for a few dozen tokens
        # threads only add waiting (the same choice as for OpenBLAS in callassist/__init__).
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])

    def encode(self, sentences: Sequence[Sequence[int]]) -> np.ndarray:
        """Each sentence's token ids in, (len(sentences), hidden) unit vectors out.

        The sentences are packed into one sequence, end to end, with positions restarting at
        each and attention kept within each: the same numbers as encoding them one at a time,
        with no padding, and every weight matrix read once for all of them."""
        lengths = np.array([len(s) for s in sentences], dtype=np.int64)
        if not len(lengths):
            return np.zeros((0, self.hidden), dtype=np.float32)
        ids = np.concatenate([np.asarray(s, dtype=np.int64) for s in sentences])
        segment = np.repeat(np.arange(len(lengths)), lengths)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        positions = np.arange(len(ids)) - np.repeat(starts, lengths)
        x = self.word[ids] + self.position[positions] + self.token_type[0]
        # A token of another sentence gets a large negative score: no sentence sees another.
        same = segment[:, None] == segment[None, :]
        bias = np.where(same, np.float32(0), np.float32(-1e9))[None]
        pool = (segment[None, :] == np.arange(len(lengths))[:, None]) / lengths[:, None]
        pooled = self.session.run(["pooled"], {"x": x, "bias": bias,
                                               "pool": pool.astype(np.float32)})[0]
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        out: np.ndarray = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return out
