"""The scorecard after a practice call, and practice attempts stored apart from real calls."""

from __future__ import annotations

from callassist.cli import main
from callassist.practice.scorecard import build_scorecard, format_scorecard
from callassist.store import open_store
from callassist.store.query import PRACTICE_SOURCE


def _card(dialogue, lines, name="lost-parcel"):
    d = dialogue(name)
    d.start()
    for line in lines:
        if not d.caller.done:
            d.trainee(line)
    return build_scorecard(d.report(), d.caller.scenario, d.caller)


def test_a_good_attempt_scores_every_step_with_its_time(dialogue):
    card = _card(dialogue, ["I am so sorry, that must be so frustrating.",
                            "This is on us and I will send a replacement today."])
    p = card["practice"]
    assert p["outcome"] == "satisfied" == p["expected_outcome"]
    assert p["anger_end"] < p["anger_start"]
    assert all(card["steps"][s]["covered"] for s in p["expected_steps"])
    text = format_scorecard(card)
    assert "the caller calmed down and was satisfied" in text
    assert "4/4 steps covered" in text and "first apology at 0:06" in text
    assert "Well handled" in text  # the tip when nothing went wrong


def test_a_defensive_attempt_gets_the_warning_with_what_to_say_instead(dialogue, playbook):
    card = _card(dialogue, ["That is our policy, there is nothing I can do.",
                            "You should have read the terms."])
    p = card["practice"]
    assert p["outcome"] == "gives_up"
    text = format_scorecard(card)
    assert "the caller gave up and hung up" in text
    assert playbook.advice("defensive") in text.replace("\n      → ", " ")
    assert "Missed: Apologize, Sympathize" in text
    assert "say what you can do instead" in p["try_next"]


def test_practice_attempts_are_listed_apart_from_real_calls(dialogue, capsys):
    card = _card(dialogue, ["I am so sorry, that must be so frustrating."])
    with open_store() as store:
        real = store.save_report({**card, "practice": None}, source="live")
        attempt = store.save_report(card, source=PRACTICE_SOURCE + "lost-parcel",
                                    title="Lost parcel")
    assert main(["calls", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [int(x.split()[0]) for x in out[1:]] == [real]
    assert main(["calls", "list", "--practice"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [int(x.split()[0]) for x in out[1:]] == [attempt]
    assert "Lost parcel" in out[1]
    assert main(["calls", "show", str(attempt)]) == 0
    shown = capsys.readouterr().out
    assert "Practice: Lost parcel:" in shown and "Try next time" in shown
