"""Fixtures for the tone tests: the built-in playbook and a way to feed a session synthetic
speech (levels per audio block, words with times).

Synthetic numbers stand in for a voice here; the audio tests (test_tone_audio.py) speak real
lines with espeak-ng through the file source and the recogniser.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from callassist.coach import CallSession, Word

BLOCK_S = 0.05




def speak_levels(
    session: CallSession, speaker: str, start: float, seconds: float, dbfs: float,
    jitter_db: float = 2.0, seed: int = 1,
) -> list:
    """Blocks of a voice at about `dbfs`, with the small gaps between words left unvoiced
    (every eighth block), the way a voice activity detector sees speech."""
    rng = random.Random(seed)
    out = []
    n = round(seconds / BLOCK_S)
    for i in range(n):
        at = start + i * BLOCK_S
        voiced = i % 8 != 7
        level = dbfs + rng.uniform(-jitter_db, jitter_db) if voiced else -60.0
        out += session.feed_level(speaker, at, level, voiced)
        session.advance(at)
    return out


def silence_levels(session: CallSession, speaker: str, start: float, seconds: float) -> list:
    out = []
    for i in range(round(seconds / BLOCK_S)):
        at = start + i * BLOCK_S
        out += session.feed_level(speaker, at, -65.0, False)
        session.advance(at)
    return out


def say(
    session: CallSession, speaker: str, start: float, n_words: int, wpm: float,
) -> tuple[list, float]:
    """An utterance of n_words at `wpm`, with word timings as a recogniser gives them
    (a word, then a short gap); returns the events and the end time."""
    per_word = 60.0 / wpm
    words = [
        Word(f"word{i}", start + i * per_word, start + i * per_word + per_word * 0.85)
        for i in range(n_words)
    ]
    end = words[-1].end
    text = " ".join(w.text for w in words)
    return session.feed_utterance(speaker, text, start, end, words), end


@pytest.fixture
def levels() -> Callable:
    return speak_levels


@pytest.fixture
def silence() -> Callable:
    return silence_levels


@pytest.fixture
def utter() -> Callable:
    return say
