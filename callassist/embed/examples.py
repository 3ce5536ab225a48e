"""The examples the coach learns from, with their sentence vectors, made ready for a call.

Two sources: the labelled data set built from `data/` (`examples.jsonl` here, written by
`scripts/build_examples.py`) and the example sentences in the playbook, which a supervisor
edits. A sentence in both takes the playbook's labels. Vectors come from `vectors.npz` (made
by the same script, keyed by sentence) and any sentence it lacks, such as an example a
supervisor just added, is embedded when the playbook loads.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import numpy as np

from callassist.coach.meaning import LEARNED_KINDS, Embedder, Example, MeaningLayer
from callassist.coach.playbook import NEUTRAL, Playbook
from callassist.coach.text import normalize
from callassist.embed import cache
from callassist.embed.head import load_head
from callassist.embed.minilm import MODEL, default_embedder
from callassist.errors import CallAssistError

HERE = Path(__file__).resolve().parent
EXAMPLES = "examples.jsonl"
VECTORS = "vectors.npz"


def example_text(text: str) -> str:
    """A sentence as the coach reads a line: normalised tokens, one space apart."""
    return normalize(text).text


def dataset_examples() -> list[Example]:
    """The labelled sentences built from data/ and shipped with CallAssist."""
    path = resources.files("callassist.embed").joinpath(EXAMPLES)
    if not path.is_file():
        return []
    out = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            labels = frozenset(row["labels"])
            out.append(Example(str(row["text"]), labels, str(row.get("source", ""))))
        except (ValueError, KeyError, TypeError) as e:
            raise CallAssistError(f"{EXAMPLES}: line {n}: not a labelled example ({e}); "
                                  "rebuild it: python scripts/build_examples.py") from None
        if not labels <= set(LEARNED_KINDS):
            raise CallAssistError(f"{EXAMPLES}: line {n}: unknown label in {sorted(labels)}")
    return out


def playbook_examples(playbook: Playbook) -> list[Example]:
    """The playbook's example sentences; one listed under several kinds shows all of them."""
    labels: dict[str, set[str]] = {}
    for kind, texts in playbook.examples.items():
        for t in texts:
            got = labels.setdefault(example_text(t), set())
            if kind != NEUTRAL:
                got.add(str(kind))
    return [Example(t, frozenset(k), "playbook") for t, k in labels.items() if t]


def all_examples(playbook: Playbook) -> list[Example]:
    merged = {e.text: e for e in dataset_examples() if e.text}
    merged.update({e.text: e for e in playbook_examples(playbook)})
    return list(merged.values())


def load_vectors(path: Path | None = None) -> dict[str, np.ndarray]:
    """The stored sentence vectors by sentence, if they were made with this model."""
    source = path or HERE / VECTORS
    if not source.is_file():
        return {}
    with np.load(source, allow_pickle=False) as z:
        if str(z["model"]) != MODEL.sha256:
            return {}
        return dict(zip((str(t) for t in z["texts"]), z["vectors"].astype(np.float32),
                        strict=True))


def save_vectors(texts: Iterable[str], vectors: np.ndarray, path: Path) -> None:
    np.savez_compressed(path, texts=np.array(list(texts)), vectors=vectors.astype(np.float16),
                        model=np.array(MODEL.sha256))


def vectors_for(texts: list[str], embedder: Embedder,
                stored: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Each sentence's vector: the shipped ones, then the user's cache (embed/cache.py), and
    only what neither holds is embedded (and cached for the next start)."""
    stored = load_vectors() if stored is None else stored
    missing = [t for t in texts if t not in stored]
    if missing:
        model = getattr(embedder, "sha256", None)  # only a pinned model's vectors are kept
        cached = cache.load(model) if model else {}
        found = {t: cached[cache.key(t)] for t in missing if cache.key(t) in cached}
        new = [t for t in missing if t not in found]
        if new:
            made = dict(zip(new, embedder.embed(new), strict=True))
            found.update(made)
            if model:
                cache.save(model, {**cached, **{cache.key(t): v for t, v in made.items()}})
        stored = {**stored, **found}
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.vstack([stored[t] for t in texts]).astype(np.float32)


def meaning_layer(playbook: Playbook, embedder: Embedder | None = None) -> MeaningLayer:
    """With the playbook's [learned] head on: the trained head (head.npz) with the playbook's
    own examples voting beside it (a supervisor's new example counts at once). Off (the
    default): every example votes."""
    embedder = embedder or default_embedder()
    head = load_head() if playbook.learned.head else None
    examples = playbook_examples(playbook) if head is not None else all_examples(playbook)
    vectors = vectors_for([e.text for e in examples], embedder)
    return MeaningLayer(embedder, examples, vectors, playbook.learned, head)


def with_meaning(playbook: Playbook, embedder: Embedder | None = None) -> Playbook:
    """The playbook with its examples' meaning layer attached (unless [learned] is off)."""
    if not playbook.learned_enabled:
        return playbook
    return dataclasses.replace(playbook, meaning=meaning_layer(playbook, embedder))
