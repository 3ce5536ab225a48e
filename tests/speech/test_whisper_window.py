"""Whisper's short-window decode on the real tiny.en model: short and long utterances, a decode
that would loop caught and done again over the full window, the full-window setting, and the
faster-whisper and CTranslate2 parts the short window is built on."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from callassist.audio.speak import speak_text
from callassist.speech.whisper_engine import WhisperEngine
from callassist.speech.whisper_model import TINY_EN, bundled_folder
from callassist.speech.whisper_window import SHORT, Window, repeats_itself

pytestmark = pytest.mark.audio

LONG = ("thank you for calling today i can see the order on my screen and i will make sure the "
        "new parcel leaves our warehouse this afternoon so you should have it by thursday")


def _utterance(text: str) -> np.ndarray:
    """As the recognizer's final decode sees it: 0.3 s before the speech, 0.5 s after."""
    speech = speak_text(text).astype(np.float32) / 32768.0
    return np.concatenate([np.zeros(4800, np.float32), speech, np.zeros(8000, np.float32)])


@pytest.fixture(scope="module")
def short_engine() -> WhisperEngine:
    return WhisperEngine(bundled_folder(), TINY_EN, window=SHORT)


@pytest.fixture(scope="module")
def full_engine() -> WhisperEngine:
    return WhisperEngine(bundled_folder(), TINY_EN, window=None)


def test_a_short_utterance_decodes_with_a_short_window_and_timed_words(short_engine,
                                                                       full_engine):
    audio = _utterance("i am so sorry about the delay")
    decoded = short_engine.short.decode(audio, words=True)
    assert decoded.window_s == 10.0 and not decoded.looped
    text, words = short_engine.decode(audio, words=True)
    assert text == "i am so sorry about the delay"
    assert [w.text for w in words] == text.split()
    assert all(a.end <= b.start + 0.01 for a, b in itertools.pairwise(words))
    assert words[0].end > 0.3 and words[-1].end <= len(audio) / 16000
    # the word times are the full window's, give or take a few alignment steps (20 ms each)
    _, full = full_engine.decode(audio, words=True)
    assert [w.text for w in full] == [w.text for w in words]
    for short_word, full_word in zip(words, full, strict=True):
        assert abs(short_word.start - full_word.start) <= 0.3
        assert abs(short_word.end - full_word.end) <= 0.3


def test_a_long_utterance_gets_a_window_as_long_as_itself_plus_the_margin(short_engine):
    audio = _utterance(LONG)
    seconds = len(audio) / 16000
    assert seconds > 10
    decoded = short_engine.short.decode(audio, words=False)
    assert decoded.window_s == pytest.approx(seconds + 1.0) and not decoded.looped
    text, _ = short_engine.decode(audio, words=False)
    for phrase in ("thank you for calling", "new parcel", "this afternoon", "thursday"):
        assert phrase in text


def test_a_decode_that_loops_is_caught_and_done_again_over_the_full_window():
    """With no floor and no margin, tiny.en repeats this phrase until the cap (measured:
    "I really do apologize. I really do apologize. ..."); the guard sees it and the
    full-window decode gives the words once."""
    engine = WhisperEngine(bundled_folder(), TINY_EN, window=Window(floor_s=0.0, margin_s=0.0))
    audio = _utterance("i really do apologize")[:-6400]  # 0.1 s of silence after the speech
    assert engine.short.decode(audio, words=False).looped
    text, words = engine.decode(audio, words=True)
    assert engine.loops == 1
    assert text == "i really do apologize" and len(words) == 4


def test_the_full_window_setting_decodes_over_30_seconds(monkeypatch):
    from callassist.speech.engine import load_engine

    monkeypatch.setenv("CALLASSIST_WHISPER_WINDOW", "full")
    engine = load_engine("whisper")
    assert engine.window == "full" and engine.short is None
    text, words = engine.decode(_utterance("i am so sorry about the delay"), words=True)
    assert text == "i am so sorry about the delay" and len(words) == 7
    monkeypatch.setenv("CALLASSIST_WHISPER_WINDOW", "short")
    assert load_engine("whisper").window == "short"


def test_an_unknown_window_setting_is_a_one_line_error(monkeypatch):
    from callassist.errors import CallAssistError
    from callassist.settings import load_settings

    monkeypatch.setenv("CALLASSIST_WHISPER_WINDOW", "medium")
    with pytest.raises(CallAssistError, match="whisper_window 'medium' is not one of short, full"):
        load_settings()


@pytest.mark.parametrize(("text", "loops"), [
    ("thank you a moment thank you a moment thank you a moment", True),
    ("I really do apologize. I really do apologize. I really do apologize.", True),
    ("no no no", False),
    ("no no no no no no", True),
    ("I really do apologize. I really do apologize. I really do", True),
    ("i am so sorry about that i am so sorry", False),
    ("very very good", False),
    ("thank you thank you", False),
])
def test_a_decode_repeating_itself_is_a_loop(text, loops):
    assert repeats_itself(text) is loops


def test_the_parts_of_faster_whisper_and_ctranslate2_it_uses_are_there():
    """Fails when a faster-whisper or CTranslate2 release moves what the short window reads:
    the loaded model's CTranslate2 model, feature extractor and tokenizer, the tokenizer's
    word split, and an encoder that takes fewer than 3,000 frames."""
    import ctranslate2
    from faster_whisper import WhisperModel
    from faster_whisper.tokenizer import Tokenizer

    model = WhisperModel(str(bundled_folder()), device="cpu", compute_type="int8",
                         cpu_threads=1, local_files_only=True)
    assert isinstance(model.model, ctranslate2.models.Whisper)
    mel = model.feature_extractor(np.zeros(16000, np.float32))
    assert mel.shape == (80, 101)
    tok = Tokenizer(model.hf_tokenizer, False, task="transcribe", language="en")
    words, tokens = tok.split_to_word_tokens([*tok.encode(" I am, sorry."), tok.eot])
    assert "".join(words[:-1]) == " I am, sorry." and len(tokens) == len(words)
    encoded = model.model.encode(ctranslate2.StorageView.from_array(
        np.zeros((1, 80, 1000), np.float32)))
    assert list(encoded.shape) == [1, 500, 384]


def test_the_customers_final_is_the_decode_made_at_the_pause(short_engine):
    """The customer gets no partials, but their utterance is decoded at the first quiet block:
    when the silence lasts, that decode is the final, with no second decode after it."""
    speech = speak_text("this is the third time i have called")
    audio = np.concatenate([np.zeros(8000, np.int16), speech, np.zeros(16000, np.int16)])
    rec = short_engine.recognizer("customer")
    before = short_engine.decodes
    results = []
    for i in range(0, len(audio), 1600):
        results += rec.accept(audio[i:i + 1600])
    assert [r.final for r in results] == [True]
    assert results[0].text == "this is the third time i have called"
    assert short_engine.decodes - before == 1
