"""The tone figures in the terminal report of `callassist analyze`."""

from __future__ import annotations

from pathlib import Path

from callassist.cli import main
from callassist.coach.tone_text import tone_lines


def test_the_terminal_report_shows_pace_talk_and_the_customers_anger(capsys):
    call = Path(__file__).parents[2] / "corpus" / "dev-013.json"
    assert main(["analyze", str(call)]) == 0
    out = capsys.readouterr().out
    block = out[out.index("\nTone\n"):].splitlines()
    assert block[2] == "  pace 156 words a minute on average, peak 156"
    assert block[3] == "  longest stretch of talk 8 s"
    assert block[4] == '  the customer said "furious", "unacceptable"'


def test_a_recordings_figures_read_as_one_line_each():
    tone = {
        "loudness": {"baseline_dbfs": -25.5, "call_baseline_dbfs": -25.5,
                     "prior_baseline_dbfs": None, "average_dbfs": -21.6, "voiced_s": 37.6,
                     "loud_s": 20.8, "peak_rise_db": 11.3, "too_loud": 1},
        "pace": {"average_wpm": 196, "peak_wpm": 248, "words": 97, "speech_s": 33.1,
                 "fast_s": 15.0, "too_fast": 1},
        "monologue": {"longest_s": 41.8, "monologue": 1},
        "customer": {"baseline_dbfs": -24.0, "average_dbfs": -20.0, "loud_s": 3.2,
                     "anger_words": [], "apologize_now": 1},
    }
    assert tone_lines(tone) == [
        "",
        "Tone",
        "  pace 196 words a minute on average, peak 248, too fast for 15 s",
        "  voice -21.6 dBFS (usual -25.5), raised for 21 s",
        "  longest stretch of talk 42 s",
        "  the customer raised their voice for 3 s",
    ]


def test_a_call_with_no_tone_figures_prints_no_tone_block():
    assert tone_lines({}) == []
    assert tone_lines({"pace": {"average_wpm": None}, "monologue": {"longest_s": 0.0}}) == []
