"""Finding H7: `calls show` and the HTML export of a big call were quadratic (every step and
warning against every turn: 64 s for 25,000 turns). The indexed `annotate_transcript` must mark
exactly the turns the plain definition does; its speed is measured in
benchmarks/big_calls.py, not here."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from callassist.store.summary import annotate_transcript

TEXTS = ["i am so sorry", "that is not our fault", "let me check", ""]


def plain(report: dict) -> list[list[dict]]:
    """The definition, in quadratic time: each mark goes to the agent turn with the best
    score (its text is the evidence: 2, it holds the moment: 1), the earliest on a tie."""
    turns = report["transcript"]
    marks: list[list[dict]] = [[] for _ in turns]
    items = [("step", sid, s) for sid, s in report["steps"].items() if s.get("covered")]
    items += [("warning", w["kind"], w) for w in report["warnings"]]
    for kind, ident, item in items:
        at, evidence = float(item.get("at") or 0.0), item.get("evidence") or ""
        best = None
        for i, t in enumerate(turns):
            if t["speaker"] != "agent":
                continue
            score = (t["text"] == evidence) * 2 + (t["start"] - 0.05 <= at <= t["end"] + 0.05)
            if score and (best is None or score > best[0]):
                best = (score, i)
        if best is not None:
            marks[best[1]].append({"type": kind, "id": ident, "at": at})
    return marks


turn = st.builds(
    lambda speaker, start, length, text: {"speaker": speaker, "start": start,
                                          "end": start + length, "text": text},
    st.sampled_from(["agent", "customer"]), st.floats(0, 60).map(lambda x: round(x, 1)),
    st.floats(0, 8).map(lambda x: round(x, 1)), st.sampled_from(TEXTS))
mark = st.fixed_dictionaries({"at": st.floats(0, 70).map(lambda x: round(x, 2)),
                              "evidence": st.sampled_from([*TEXTS, "never said"])})


@settings(max_examples=300, deadline=None)
@given(st.lists(turn, max_size=30), st.lists(mark, max_size=12), st.lists(mark, max_size=4))
def test_h7_annotations_match_the_plain_definition(turns, warnings, steps):
    turns.sort(key=lambda t: t["start"])
    report = {
        "transcript": turns,
        "warnings": [{"kind": "blame", **w} for w in warnings],
        "steps": {f"s{i}": {"covered": True, **s} for i, s in enumerate(steps)},
    }
    assert annotate_transcript(report) == plain(report)


def test_h7_a_call_of_one_endless_turn_and_many_warnings_stays_bounded():
    """Overlapping turns are looked back over at most MAX_OVERLAP turns: still the right turn
    for a mark inside the last ones."""
    turns = [{"speaker": "agent", "start": 0.0, "end": 1e6, "text": "hold on"}]
    turns += [{"speaker": "agent", "start": float(i), "end": i + 0.5, "text": "okay"}
              for i in range(1, 3000)]
    report = {"transcript": turns, "steps": {},
              "warnings": [{"kind": "blame", "at": 2999.2, "evidence": "okay"}] * 2000}
    marks = annotate_transcript(report)
    assert len(marks[2999]) == 2000


def test_h7_a_transcript_past_the_size_bound_is_refused_before_it_is_parsed(cli, tmp_path):
    """The bound on the file is the bound on memory (about 30 times the file while analysed):
    the review's 53 MB transcript peaked at 2.2 GB; now it is one line, read no further."""
    from callassist.validate import MAX_JSON_BYTES

    turn = '{"speaker": "agent", "start": 0, "end": 1, "text": "hello"},'
    big = tmp_path / "t47_50mb.json"
    with big.open("w") as f:
        f.write('{"turns": [')
        for _ in range(MAX_JSON_BYTES // len(turn) + 1):
            f.write(turn)
        f.write(turn[:-1] + "]}")
    error = cli("analyze", big).error
    assert "too large" in error and "16 MB" in error

