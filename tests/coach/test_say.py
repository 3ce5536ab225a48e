"""What to say in the customer's words (coach/say.py, the playbook's [say]): the apology that
fits what the customer described, their word for the thing, a generic line otherwise, and never
an example from another kind of problem (UX review M1)."""

from __future__ import annotations

import pytest

from callassist.coach.events import WarningEvent
from callassist.coach.playbook import parse_playbook_text
from callassist.coach.playbook_reader import PlaybookError
from callassist.coach.say import CustomerWords, fit_advice, parse_say, say_rules
from callassist.coach.session import CallSession


@pytest.mark.parametrize(("customer", "apology"), [
    ("my refund still has not come through", "I'm sorry your refund hasn't come through."),
    ("you took my money twice this month twice", "I'm sorry we charged you twice."),
    ("the laptop arrived with a cracked screen", "I'm sorry your laptop arrived damaged."),
    ("my parcel never arrived", "I'm sorry your parcel hasn't arrived."),
    ("you sent the wrong size shoes", "I'm sorry we sent you the wrong shoes."),
    ("my order arrived completely smashed and this is the third time i am calling",
     "I'm sorry your order arrived damaged."),
    ("hello i have a question about my account", "I'm sorry this happened, and I'll put it "
                                                  "right for you."),
])
def test_the_apology_fits_the_customers_words(playbook, customer, apology):
    words = CustomerWords(say_rules(playbook.say, playbook.source))
    words.hear(customer, at=3.0)
    assert words.apology(now=10.0) == apology


def test_the_newest_situation_in_the_window_counts(playbook):
    rules = say_rules(playbook.say, playbook.source)
    words = CustomerWords(rules)
    words.hear("my parcel never arrived", at=0.0)
    words.hear("and now the refund has not come either", at=30.0)
    assert words.apology(40.0) == "I'm sorry your refund hasn't come through."
    assert words.apology(30.0 + rules.window_s + 1) == rules.generic


def test_fit_advice_replaces_only_the_closing_quoted_sentence():
    advice = 'Apologise with no "but": "I\'m sorry your order arrived damaged."'
    assert fit_advice(advice, "I'm sorry we charged you twice.") == (
        'Apologise with no "but": "I\'m sorry we charged you twice."')
    assert fit_advice("No quote here.", "x") == "No quote here."


def _hollow(session: CallSession) -> WarningEvent:
    events = session.feed_utterance("agent", "we apologize for any inconvenience", 20.0, 22.0)
    return next(e for e in events if isinstance(e, WarningEvent)
                and e.kind == "hollow_apology")


def test_a_billing_call_never_gets_the_damaged_order_sentence(playbook):
    session = CallSession(playbook, monitors=[])
    session.feed_utterance("customer", "you charged me twice and the bank is charging me fees",
                           1.0, 5.0)
    advice = _hollow(session).advice
    assert advice.endswith('"I\'m sorry we charged you twice."')
    assert "damaged" not in advice


def test_with_no_fitting_words_the_generic_line_is_said(playbook):
    session = CallSession(playbook, monitors=[])
    session.feed_utterance("customer", "hi i am calling about my account", 1.0, 3.0)
    assert _hollow(session).advice.endswith(f'"{say_rules(playbook.say, playbook.source).generic}"')


def test_a_bad_say_table_is_one_line_naming_the_entry():
    with pytest.raises(PlaybookError, match=r"say\.situations\.x\.apology: missing"):
        parse_say({"situations": {"x": {"heard": ["a"]}}}, "my.toml")
    with pytest.raises(PlaybookError, match=r"say\.colour: unknown key"):
        parse_say({"colour": 1}, "my.toml")
    with pytest.raises(PlaybookError, match=r"my.toml: say: must be a table"):
        parse_say(3, "my.toml")


def test_a_playbook_with_a_bad_say_table_does_not_load():
    from callassist.coach.playbook import default_playbook_text

    text = default_playbook_text() + '\n[say.situations.odd]\nheard = ["x"]\n'
    with pytest.raises(PlaybookError, match=r"say\.situations\.odd\.apology: missing"):
        parse_playbook_text(text, "my.toml")
