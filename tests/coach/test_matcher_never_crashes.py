"""Property: any text at all, including junk a recogniser never prints, goes through the coach."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callassist.coach.rules import analyse
from callassist.coach.session import CallSession
from callassist.coach.text import normalize

WORDS = st.sampled_from(
    [
        "i'm",
        "sorry",
        "not",
        "our",
        "fault",
        "that's",
        "on",
        "us",
        "calm",
        "down",
        "please",
        "hold",
        "transfer",
        "you",
        "can't",
        "but",
        "courier",
        "policy",
        "frustrating",
        "i'll",
        "send",
        "refund",
        "'",
        "''",
        "n't",
        "'s",
        "~",
        "(",
        ")",
        "[",
        "]",
        "|",
        "{",
        "}",
        "*",
        "0",
        "9",
    ]
)
TEXT = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=40).map(" ".join))


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TEXT)
def test_arbitrary_text_never_crashes_the_matcher(playbook, text):
    result = analyse(playbook, normalize(text))
    n = len(result.text.words)
    for m in [*result.steps.values(), *result.warnings.values()]:
        assert 0 <= m.start < m.end <= n


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.sampled_from(["agent", "customer"]), TEXT, st.floats(0, 600, allow_nan=False)),
        max_size=12,
    )
)
def test_arbitrary_turns_never_crash_a_session_and_always_report(playbook, turns):
    session = CallSession(playbook, monitors=[])
    for speaker, text, start in sorted(turns, key=lambda t: t[2]):
        session.feed_partial(speaker, text, start, start + 0.5)
        session.feed_utterance(speaker, text, start, start + 1.0)
    session.end()
    report = session.report()
    assert set(report["steps"]) == {
        "apologize",
        "sympathize",
        "accept_responsibility",
        "take_action",
    }
