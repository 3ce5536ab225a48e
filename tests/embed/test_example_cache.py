"""H3: a supervisor's added playbook examples are embedded once, then read from the user's
cache folder at every later start (3,000 of them made each start 14 s instead of 2 s). The
real MiniLM model; a wrapper only counts the sentences it is asked to embed."""

from __future__ import annotations

import dataclasses
import stat

import numpy as np
import pytest

from callassist.embed import cache
from callassist.embed.examples import with_meaning
from callassist.embed.minilm import MODEL, load_minilm
from callassist.paths import cache_dir


class Counting:
    """The real embedder, counting what it embeds."""

    sha256 = MODEL.sha256

    def __init__(self, real):
        self.real, self.embedded = real, 0

    def embed(self, texts):
        self.embedded += len(texts)
        return self.real.embed(texts)


@pytest.fixture(scope="module")
def minilm():
    return load_minilm()


def added(playbook, n: int, offset: int = 0):
    extra = tuple(f"let me sort out order number {i} for you right now" for i in
                  range(offset, offset + n))
    examples = {**playbook.examples,
                "take_action": playbook.examples.get("take_action", ()) + extra}
    return dataclasses.replace(playbook, examples=examples)


def test_H3_added_examples_are_embedded_once_and_cached_privately(playbook, minilm):
    book = added(playbook, 40)
    first = Counting(minilm)
    v1 = with_meaning(book, first).meaning.vectors
    assert first.embedded == 40
    path = cache.cache_file(MODEL.sha256)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache_dir().stat().st_mode) == 0o700
    again = Counting(minilm)
    v2 = with_meaning(book, again).meaning.vectors
    assert again.embedded == 0 and np.array_equal(v1, v2)
    one_more = Counting(minilm)
    with_meaning(added(playbook, 41), one_more)
    assert one_more.embedded == 1  # only the new sentence
    assert b"order number" not in path.read_bytes()  # sentences are kept as hashes only


def test_H3_a_damaged_cache_is_made_again(playbook, minilm):
    book = added(playbook, 5, offset=100)
    with_meaning(book, Counting(minilm))
    cache.cache_file(MODEL.sha256).write_bytes(b"not a numpy file")
    counted = Counting(minilm)
    with_meaning(book, counted)
    assert counted.embedded == 5
    assert cache.load(MODEL.sha256)  # and written again
