"""Transcript findings C2, C3, C4, C5, H1 (and H5, which C3's bound fixes): each reproduction
gives a correct report or one line naming the field, with exit status 2."""

from __future__ import annotations

import json

import pytest

from callassist.coach.pace import SpeechWindow, speaking_time


def test_c2_an_agent_word_longer_than_the_pace_window_gives_a_report(cli, write_json):
    path = write_json({"turns": [{"speaker": "agent", "start": 0, "end": 16, "text": "okay"}]})
    run = cli("analyze", path, "--json")
    assert run.code == 0
    assert json.loads(run.out)["transcript"][0]["text"] == "okay"


def test_c2_a_word_timing_longer_than_the_window_gives_a_report(cli, write_json):
    path = write_json({"turns": [{"speaker": "agent", "start": 0, "end": 17,
                                  "text": "i am so sorry", "words": [
                                      {"word": "i", "start": 0, "end": 0.3},
                                      {"word": "am", "start": 0.3, "end": 0.5},
                                      {"word": "so", "start": 0.5, "end": 0.6},
                                      {"word": "sorry", "start": 0.6, "end": 17}]}]})
    assert cli("analyze", path).code == 0


@pytest.mark.parametrize(("literal", "field"), [
    ('{"turns":[{"speaker":"agent","start":NaN,"end":2,"text":"hi"}]}', "NaN"),
    ('{"turns":[{"speaker":"agent","start":0,"end":Infinity,"text":"hi"}]}', "Infinity"),
    ('{"turns":[{"speaker":"agent","start":0,"end":1e400,"text":"hi"}]}', "turns[0].end"),
    ('{"turns":[{"speaker":"agent","start":0,"end":1e300,"text":"hi"}]}', "turns[0].end"),
    ('{"turns":[{"speaker":"agent","start":0,"end":' + "9" * 400 + ',"text":"hi"}]}',
     "turns[0].end"),
    ('{"turns":[{"speaker":"agent","start":0,"end":' + "9" * 5000 + ',"text":"hi"}]}',
     "turns[0].end"),
    ('{"turns":[{"speaker":"customer","start":3,"end":1e17,"text":"hmm"}]}', "turns[0].end"),
])
def test_c3_non_finite_and_huge_times_are_one_line_errors(cli, write_json, literal, field):
    error = cli("analyze", write_json(literal)).error
    assert field in error


@pytest.mark.parametrize("conf", ['"high"', "[1]", "2.5", "-1"])
def test_c4_a_wrong_confidence_names_the_field(cli, write_json, conf):
    doc = ('{"turns":[{"speaker":"agent","start":0,"end":2,"text":"i am so sorry",'
           '"words":[{"word":"i","start":0,"end":1,"conf":' + conf + '}]}]}')
    assert "turns[0].words[0].conf" in cli("analyze", write_json(doc)).error


@pytest.mark.parametrize("doc", ["[" * 100000 + "]" * 100000,
                                 '{"turns": ' + "[" * 100000 + "]" * 100000 + "}"])
def test_c5_deeply_nested_json_is_a_one_line_error(cli, write_json, doc):
    assert "nested" in cli("analyze", write_json(doc)).error


def test_h1_dense_speech_is_analysed_in_linear_time(cli, write_json):
    """20,000 agent words in 10 s took 22 s (O(n^2) in the pace window)."""
    doc = {"turns": [{"speaker": "agent", "start": 0, "end": 10, "text": "hello " * 20000}]}
    run = cli("analyze", write_json(doc), "--json")  # the quadratic version took 22 s
    assert run.code == 0
    assert json.loads(run.out)["summary"]["tone"]["pace"]["words"] == 20000


def test_the_sliding_window_counts_speech_as_speaking_time_does():
    window = SpeechWindow(0.7)
    spans = [(0.0, 0.3), (0.4, 0.6), (2.0, 2.5), (2.6, 2.9), (5.0, 5.1), (5.5, 6.0)]
    for i, (start, end) in enumerate(spans):
        window.append(start, end)
        assert window.speech == pytest.approx(speaking_time(spans[: i + 1], 0.7))
    for i in range(1, len(spans)):
        window.popleft()
        assert window.speech == pytest.approx(speaking_time(spans[i:], 0.7))
