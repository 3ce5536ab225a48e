"""Just enough of the ONNX file format to hand onnxruntime a graph built in memory.

onnxruntime runs ONNX models but cannot build one, and the `onnx` package that can is a large
dependency for the few messages needed here. An ONNX model is a protocol-buffers message;
this writes the fields the encoder's graph uses, numbered as in onnx/onnx.proto3.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import numpy as np

# TensorProto.DataType
FLOAT = 1
INT64 = 7
_DTYPES = {np.dtype(np.float32): FLOAT, np.dtype(np.int64): INT64}
# AttributeProto.AttributeType
_A_FLOAT, _A_INT, _A_STRING, _A_INTS = 1, 2, 3, 7


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # a negative int64 is written as its two's complement
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _int(field: int, n: int) -> bytes:
    return _varint(field << 3) + _varint(n)


def _len(field: int, data: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(data)) + data


def _str(field: int, text: str) -> bytes:
    return _len(field, text.encode("utf-8"))


def attribute(name: str, value: float | int | str | Sequence[int]) -> bytes:
    out = _str(1, name)
    if isinstance(value, float):
        out += _varint(2 << 3 | 5) + struct.pack("<f", value) + _int(20, _A_FLOAT)
    elif isinstance(value, int):
        out += _int(3, value) + _int(20, _A_INT)
    elif isinstance(value, str):
        out += _len(4, value.encode("utf-8")) + _int(20, _A_STRING)
    else:
        out += b"".join(_int(8, v) for v in value) + _int(20, _A_INTS)
    return out


def node(op: str, inputs: Sequence[str], outputs: Sequence[str], **attrs: object) -> bytes:
    out = b"".join(_str(1, i) for i in inputs) + b"".join(_str(2, o) for o in outputs)
    out += _str(4, op)
    out += b"".join(_len(5, attribute(k, v)) for k, v in attrs.items())  # type: ignore[arg-type]
    return out


def tensor(name: str, array: np.ndarray) -> bytes:
    array = np.asarray(array)  # not ascontiguousarray: it makes a scalar 1-d
    out = b"".join(_int(1, d) for d in array.shape) + _int(2, _DTYPES[array.dtype])
    return out + _str(8, name) + _len(9, array.astype(array.dtype.newbyteorder("<")).tobytes())


def value_info(name: str, elem_type: int, shape: Sequence[int | str]) -> bytes:
    dims = b"".join(
        _len(1, _int(1, d) if isinstance(d, int) else _str(2, d)) for d in shape
    )
    tensor_type = _int(1, elem_type) + _len(2, dims)
    return _str(1, name) + _len(2, _len(1, tensor_type))


def model(
    nodes: Sequence[bytes],
    initializers: Sequence[bytes],
    inputs: Sequence[bytes],
    outputs: Sequence[bytes],
    opset: int,
    ir_version: int,
) -> bytes:
    graph = b"".join(_len(1, n) for n in nodes) + _str(2, "graph")
    graph += b"".join(_len(5, t) for t in initializers)
    graph += b"".join(_len(11, i) for i in inputs) + b"".join(_len(12, o) for o in outputs)
    return (_int(1, ir_version) + _str(2, "callassist") + _len(7, graph)
            + _len(8, _str(1, "") + _int(2, opset)))
