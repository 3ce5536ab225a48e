"""The compact card's message line in the real window: the sentence to say for every warning
kind, the newest warning with "+1" for the one before, withdrawals and steps taken back that
show, safe quitting. The policy itself is tested without Qt in tests/app/test_current_line.py."""

from __future__ import annotations

import json

import pytest

from callassist.app.call_flow import Phase
from callassist.app.current_line import compact_advice
from callassist.app.sources import TranscriptSource
from callassist.coach.events import ReminderEvent, StepEvent, WarningEvent, WithdrawnEvent
from callassist.coach.kinds import WarningKind
from callassist.ui.overlay import COMPACT, EXPANDED

CALL_TIMEOUT_MS = 15_000


def test_the_hollow_apology_line_says_the_apology_not_the_word_to_avoid(playbook):
    # The playbook's own sentence is the generic one; a call fits it to the customer's words
    # (tests/coach/test_say.py).
    assert compact_advice(playbook.advice("hollow_apology")) == (
        "Say: “I'm sorry this happened, and I'll put it right for you.”")


@pytest.mark.parametrize("kind", list(WarningKind))
def test_every_warning_kinds_line_shows_whole_in_the_compact_card(
    qtbot, make_window, playbook, kind,
):
    window = make_window("dev-001", mode=COMPACT)
    window.flow.phase = Phase.IN_CALL
    advice = playbook.advice(kind)
    window._on_events(0.0, [WarningEvent(kind, 1.0, "what was said", advice)])
    qtbot.wait(50)
    label = window.message.text
    assert window.message.title.text() == playbook.label(kind)
    assert label.full_text() == compact_advice(advice)
    assert label.toolTip() == advice
    # Wrapped, never cut: the label is as tall as its text needs, and inside the window.
    assert label.heightForWidth(label.width()) <= label.height()
    assert window.message.geometry().bottom() < window.height()


def test_two_warnings_show_the_newest_with_plus_one(qtbot, make_window, playbook):
    window = make_window("dev-001", mode=COMPACT)
    window.flow.phase = Phase.IN_CALL
    window._on_events(0.0, [
        WarningEvent("blame", 4.0, "the courier lost it", playbook.advice("blame")),
        WarningEvent("defensive", 4.5, "not my fault", playbook.advice("defensive")),
    ])
    assert window.message.title.text() == "Defensive"
    assert window.message.more.isVisibleTo(window) and window.message.more.text() == "+1"
    window.dismiss()
    assert window.message.title.text() == "Blame"
    assert not window.message.more.isVisibleTo(window)


def test_a_step_taken_back_says_why(qtbot, make_window):
    window = make_window("dev-001", mode=EXPANDED)
    window.flow.phase = Phase.IN_CALL
    why = "hollow apology: “sorry for any inconvenience”"
    window._on_events(0.0, [StepEvent("apologize", 3.0, "we're sorry for"),
                            StepEvent("apologize", 4.4, why, covered=False)])
    chip = window.chips["apologize"]
    assert not chip.covered and why in chip.toolTip()
    assert window.message.title.text() == "Apologize taken back"
    assert window.message.text.full_text() == "Hollow apology: “sorry for any inconvenience”"
    assert window.details._step_rows["apologize"][2].full_text() == f"taken back: {why}"


def test_blame_owned_in_the_next_sentence_withdraws_itself_on_screen(
    qtbot, make_window, tmp_path,
):
    call = tmp_path / "owned.json"
    call.write_text(json.dumps({"id": "owned", "turns": [
        {"speaker": "customer", "start": 0.3, "end": 2.0, "text": "my parcel never came"},
        {"speaker": "agent", "start": 2.5, "end": 4.5,
         "text": "the courier lost it i'm afraid"},
        {"speaker": "agent", "start": 5.0, "end": 7.5,
         "text": "but that's on us and i'll send a new one today"},
    ]}))
    window = make_window(source=TranscriptSource(call, 4), mode=EXPANDED)
    seen: list[tuple[str, str]] = []
    window.events_applied.connect(lambda events: [
        seen.append((window.message.title.text(), window.message.text.full_text()))
        for e in events if isinstance(e, WithdrawnEvent)])
    with qtbot.waitSignal(window.call_finished, timeout=CALL_TIMEOUT_MS) as done:
        window.start_call()
    assert seen == [("Blame withdrawn", "Owned it: fine.")]
    [card] = window.details.warning_cards
    assert card.withdrawn == "owned it: fine"
    assert "withdrawn" in card.kind_label.text()
    report, _ = done.args
    assert not report["warnings"]


def test_an_angry_callers_prompt_comes_before_a_reminder(qtbot, make_window):
    window = make_window("dev-001")
    window.flow.phase = Phase.IN_CALL
    window._on_events(0.0, [ReminderEvent("smile", 0.0, "Smile: it can be heard."),
                            ReminderEvent("apologize_now", 0.1, "The caller said “furious”.")])
    assert window.message.title.text() == "Now"


def test_quitting_mid_call_asks_first_and_a_second_press_quits(qtbot, make_window, monkeypatch):
    window = make_window("dev-015", speed=1)
    quits: list[bool] = []
    monkeypatch.setattr(window, "quit", lambda: quits.append(True))
    window.request_quit()  # not in a call: quits at once
    assert quits == [True]
    window.start_call()
    qtbot.waitUntil(lambda: window.worker.running, timeout=5000)
    window._close_clicked()
    assert quits == [True] and window.banner.state == "quit" and window.banner.isVisible()
    assert window.banner.button.text() == "Quit"
    window.banner.button.click()
    assert quits == [True, True]
