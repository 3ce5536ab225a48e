"""The fuzz and property suite: generated transcripts, playbook numbers, patterns, WAV headers
and `calls` arguments. Every input gives a correct result or one `callassist: error:` line with
exit status 2, never a traceback or a hang.

CI runs a modest number of examples per test (the "ci" profile, FUZZ_EXAMPLES); a long run sets
CALLASSIST_FUZZ=long (`pytest -m slow tests/cli/test_fuzz_long.py`, docs/developer.md)."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callassist.audio.wavfile import read_info
from callassist.cli import main
from callassist.coach.pace import SpeechWindow, speaking_time
from callassist.coach.patterns import PatternError, PhraseSet, TokenText
from callassist.coach.playbook import default_playbook_text, parse_playbook_text
from callassist.coach.playbook_reader import PlaybookError
from callassist.coach.text import Tokens
from callassist.errors import CallAssistError

LONG = os.environ.get("CALLASSIST_FUZZ") == "long"
FUZZ_EXAMPLES = 2000 if LONG else 25
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=not LONG,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
FAST = settings(FUZZ, max_examples=FUZZ_EXAMPLES * 8)

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**30), 10**30),
    st.sampled_from([0, 1, 2.5, 1e7, 1e300, -0.0]), st.text(max_size=5), st.none(),
    st.booleans(), st.lists(st.integers(), max_size=2))
words = st.sampled_from(["i", "am", "so", "sorry", "understand", "how", "frustrating",
                         "four", "two", "policy", "not", "my", "fault", "\u001b[2J", "", "x" * 50])
turn = st.fixed_dictionaries(
    {"speaker": st.one_of(st.sampled_from(["agent", "customer"]), st.text(max_size=3)),
     "start": numbers, "end": numbers,
     "text": st.one_of(st.lists(words, max_size=30).map(" ".join), numbers)},
    optional={"words": st.lists(st.fixed_dictionaries(
        {"word": words, "start": numbers, "end": numbers},
        optional={"conf": numbers}), max_size=5)})
transcripts = st.one_of(
    st.fixed_dictionaries({"turns": st.lists(turn, max_size=8)},
                          optional={"id": numbers, "title": st.text(max_size=20)}),
    st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=5),
                 lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=3), c,
                                                                        max_size=3)))


def _one_line_or_result(code: int, err: str) -> None:
    assert "Traceback" not in err
    if code != 0:
        lines = err.strip().splitlines()
        assert code == 2 and len(lines) == 1 and lines[0].startswith("callassist: error: "), err


@FUZZ
@given(doc=transcripts)
def test_any_transcript_gives_a_report_or_one_error_line(doc, tmp_path, capsys):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc, allow_nan=True))
    code = main(["analyze", str(path)])
    _one_line_or_result(code, capsys.readouterr().err)


@FUZZ
@given(doc=transcripts)
def test_any_transcript_saves_and_lists(doc, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CALLASSIST_STORE", str(tmp_path / "s.sqlite3"))
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc, allow_nan=True))
    code = main(["analyze", str(path), "--save"])
    _one_line_or_result(code, capsys.readouterr().err)
    if code == 0:
        assert main(["calls", "list"]) == 0
        assert main(["calls", "export", "--format", "html", "-o", str(tmp_path / "r.html")]) == 0


PLAYBOOK_NUMBERS = ["negation_window = 3", "min_words = 12", "max_wpm = 220.0"]
toml_numbers = st.one_of(st.sampled_from(["inf", "-inf", "nan", "1e308", "0", "-1",
                                          "99999999999", '"x"', "true"]),
                         st.floats(allow_nan=False, allow_infinity=False).map(repr),
                         st.integers(-(2**63), 2**63 - 1).map(str))


@FUZZ
@given(which=st.sampled_from(PLAYBOOK_NUMBERS), value=toml_numbers)
def test_any_playbook_number_loads_or_is_refused_naming_it(which, value):
    key = which.split(" = ")[0]
    text = default_playbook_text().replace(which, f"{key} = {value}", 1)
    try:
        parse_playbook_text(text, "p.toml")
    except PlaybookError as e:
        assert key in str(e) and "\n" not in str(e)


pattern_parts = st.sampled_from(["i", "am", "sorry", "[so]", "(a|b)", "[hello]", "hello",
                                 "~3", "~50", "~99", "(", ")", "[", "]", "|", "{x}", "{nope}",
                                 "frustrat*", "*", "~"])


@FAST
@given(parts=st.lists(pattern_parts, min_size=1, max_size=25),
       text=st.lists(st.sampled_from(["hello", "i", "am", "sorry", "so", "a", "b", "zz"]),
                     max_size=60))
def test_any_pattern_compiles_and_matches_or_is_refused(parts, text):
    try:
        phrases = PhraseSet.compile([" ".join(parts)], {"x": ["hello", "[so] sorry"]})
    except PatternError as e:
        assert "\n" not in str(e)
        return
    phrases.find(TokenText(Tokens(tuple(text), tuple(range(len(text))))))


@FAST
@given(tag=st.sampled_from([1, 3, 0xFFFE, 0, 85]), channels=st.integers(0, 0xFFFF),
       rate=st.integers(0, 0xFFFFFFFF), bits=st.sampled_from([0, 8, 12, 16, 24, 32, 64]),
       data_len=st.integers(0, 0xFFFFFFFF), body=st.binary(max_size=64))
def test_any_wav_header_reads_or_is_refused(tmp_path_factory, tag, channels, rate, bits,
                                            data_len, body):
    path: Path = tmp_path_factory.mktemp("wav") / "h.wav"
    fmt = struct.pack("<HHIIHH", tag, channels, rate, 0, 0, bits)
    chunks = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack(
        "<I", data_len) + body
    path.write_bytes(b"RIFF" + struct.pack("<I", len(chunks)) + chunks)
    try:
        info = read_info(path)
    except CallAssistError as e:
        assert "\n" not in str(e)
        return
    assert 1000 <= info.rate <= 768_000 and info.frames > 0


call_args = st.lists(st.sampled_from(
    ["list", "show", "export", "--limit", "0", "-1", "1", "99999999999999999999", "--until",
     "--since", "9999-12-31", "2026-01-01", "--warning", "blame", "bogus", "--agent", "x'--",
     "--format", "csv", "json", "html", "--sort", "score", "--missed", "any", "--search",
     "--flagged", "--practice", "abc", ""]), max_size=6)


@FUZZ
@given(args=call_args)
def test_any_calls_arguments_give_a_result_or_one_error_line(args, tmp_path, capsys,
                                                            monkeypatch):
    monkeypatch.setenv("CALLASSIST_STORE", str(tmp_path / "s.sqlite3"))
    corpus = Path(__file__).resolve().parents[1] / "corpus" / "dev-004.json"
    if not (tmp_path / "s.sqlite3").exists():
        assert main(["analyze", str(corpus), "--save"]) == 0
    monkeypatch.chdir(tmp_path)  # an -o default lands here
    capsys.readouterr()
    try:
        code = main(["calls", *[a for a in args if a != "-o"]])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 2
    _one_line_or_result(code, capsys.readouterr().err)


@FAST
@given(spans=st.lists(st.tuples(st.floats(0, 100), st.floats(0, 3)), max_size=40),
       drop=st.integers(0, 40))
def test_the_pace_window_counts_speech_as_speaking_time_does(spans, drop):
    spans = sorted((s, s + d) for s, d in spans)
    spans = [sp for i, sp in enumerate(spans) if i == 0 or sp[0] >= spans[i - 1][1]]
    window = SpeechWindow(0.7)
    for start, end in spans:
        window.append(start, end)
    drop = min(drop, len(spans))
    for _ in range(drop):
        window.popleft()
    assert abs(window.speech - speaking_time(spans[drop:], 0.7)) < 1e-6
