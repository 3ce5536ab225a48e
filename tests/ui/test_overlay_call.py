"""A scripted call through the real overlay window."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from callassist.app.runner import INPUT_ENDED, STOPPED
from callassist.app.sources import TranscriptSource
from callassist.coach.kinds import STEP_IDS
from callassist.ui.overlay import COMPACT, EXPANDED

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CALL_TIMEOUT_MS = 15_000
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _focus(qtbot, window):
    """The agent clicks the overlay: it becomes the active window and its keys work."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)


def _finished(qtbot, window):
    with qtbot.waitSignal(window.call_finished, timeout=CALL_TIMEOUT_MS) as blocker:
        pass
    return blocker.args


def test_chips_light_in_the_order_the_agent_covers_the_steps(qtbot, make_window):
    window = make_window("dev-001", speed=8)
    lit: list[str] = []
    window.step_changed.connect(lambda step, covered, manual: covered and lit.append(step))
    assert not any(chip.covered for chip in window.chips.values())
    with qtbot.waitSignal(window.call_finished, timeout=CALL_TIMEOUT_MS) as done:
        window.start_call()
    report, outcome = done.args
    assert outcome == INPUT_ENDED
    assert lit == list(STEP_IDS)
    assert all(chip.covered and not chip.manual for chip in window.chips.values())
    assert report["summary"]["steps_covered"] == list(STEP_IDS)


def test_the_summary_shows_when_the_input_ends_and_start_plays_a_new_call(qtbot, make_window):
    window = make_window("dev-001", speed=10)
    with qtbot.waitSignal(window.call_finished, timeout=CALL_TIMEOUT_MS):
        window.start_call()
    assert window.summary.isVisible()
    assert window.summary.headline.text().startswith("4 of 4 steps · 0 warnings")
    assert "No warnings" in window.summary.warnings.text()
    assert not window.in_call and window.call_button.text() == "Start call"
    with qtbot.waitSignal(window.call_started, timeout=CALL_TIMEOUT_MS):
        window.start_call()
    assert not window.summary.isVisible()
    assert not any(chip.covered for chip in window.chips.values())


def test_a_blame_warning_appears_at_once_with_what_to_say_instead(qtbot, make_window, playbook):
    window = make_window("dev-007", speed=8, mode=EXPANDED)
    shown: list[tuple[str, str, str]] = []
    window.warning_shown.connect(lambda kind: shown.append(
        (kind, window.message.title.text(), window.message.text.full_text())))
    window.start_call()
    with qtbot.waitSignal(window.warning_shown, timeout=CALL_TIMEOUT_MS,
                          check_params_cb=lambda kind: kind == "blame"):
        pass
    _, title, text = next(s for s in shown if s[0] == "blame")
    assert title == "Blame"
    assert text == "Say: “That's on us, and here's how I'll fix it.”"
    card = next(c for c in window.details.warning_cards if c.kind == "blame")
    assert card.advice.text() == playbook.warnings["blame"].advice
    qtbot.waitUntil(card.isVisible, timeout=1000)


def test_a_hold_without_handoff_warning_shows_its_advice(qtbot, make_window, playbook):
    window = make_window("dev-004", speed=8)
    shown: list[tuple[str, str, str]] = []
    window.warning_shown.connect(lambda kind: shown.append(
        (window.message.title.text(), window.message.text.full_text(),
         window.message.text.toolTip())))
    with qtbot.waitSignal(window.warning_shown, timeout=CALL_TIMEOUT_MS):
        window.start_call()
    advice = playbook.hold.advice
    do = "Bring your colleague onto the call and brief them while the customer listens."
    assert shown == [("Hold without handoff", do, advice)]


def test_the_call_opens_on_the_next_step_and_a_dismissed_warning_gives_it_back(
    qtbot, make_window,
):
    window = make_window("dev-003", speed=4)
    window.start_call()
    qtbot.waitUntil(lambda: window.message.title.text() == "Next", timeout=CALL_TIMEOUT_MS)
    assert window.message.text.full_text().startswith("Apologize. ")
    with qtbot.waitSignal(window.warning_shown, timeout=CALL_TIMEOUT_MS):
        pass
    assert window.message.kind == "warning"
    assert window.message.title.text() == "Defensive"
    _focus(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.message.kind == "reminder"
    assert window.message.title.text() == "Next"  # pushed aside by the warning, not lost


def test_a_warning_never_takes_the_keyboard_focus_from_another_window(qtbot, make_window):
    window = make_window("dev-007", speed=8)
    other = QLineEdit()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    window.start_call()
    with qtbot.waitSignal(window.warning_shown, timeout=CALL_TIMEOUT_MS):
        pass
    qtbot.wait(100)
    assert other.hasFocus()
    assert not window.isActiveWindow()


def test_a_step_ticked_by_hand_is_recorded_as_manual(qtbot, make_window):
    window = make_window("dev-004", speed=6)
    window.start_call()
    qtbot.waitUntil(lambda: window.chips["apologize"].covered, timeout=CALL_TIMEOUT_MS)
    _focus(qtbot, window)
    with qtbot.waitSignal(window.step_changed, timeout=2000,
                          check_params_cb=lambda s, covered, manual: s == "take_action"):
        qtbot.keyClick(window, Qt.Key.Key_4)
    chip = window.chips["take_action"]
    assert chip.covered and chip.manual
    with qtbot.waitSignal(window.step_changed, timeout=2000,
                          check_params_cb=lambda s, covered, manual: s == "sympathize"):
        qtbot.mouseClick(window.chips["sympathize"], Qt.MouseButton.LeftButton)
    # A stray click or key on a lit chip leaves it lit; its right-click "Untick" unticks it.
    qtbot.mouseClick(window.chips["sympathize"], Qt.MouseButton.LeftButton)
    qtbot.keyClick(window, Qt.Key.Key_2)
    qtbot.wait(300)
    assert window.chips["sympathize"].covered
    with qtbot.waitSignal(window.step_changed, timeout=2000,
                          check_params_cb=lambda s, covered, manual: not covered):
        window.chips["sympathize"].untick_requested.emit("sympathize")
    assert not window.chips["sympathize"].covered
    report, _ = _finished(qtbot, window)
    steps = report["steps"]
    assert steps["take_action"]["covered"] and steps["take_action"]["manual"]
    assert not steps["sympathize"]["covered"]
    assert steps["apologize"]["covered"] and not steps["apologize"]["manual"]
    assert "hold_without_handoff" in report["summary"]["warnings_by_kind"]


def test_ending_the_call_with_the_shortcut_produces_its_summary(qtbot, make_window):
    window = make_window("dev-015", speed=4)
    window.start_call()
    qtbot.waitUntil(lambda: window.chips["sympathize"].covered, timeout=CALL_TIMEOUT_MS)
    _focus(qtbot, window)
    with qtbot.waitSignal(window.call_finished, timeout=CALL_TIMEOUT_MS) as done:
        qtbot.keyClick(window, Qt.Key.Key_E, CTRL_SHIFT)
    report, outcome = done.args
    assert outcome == STOPPED
    assert report["ended"] and report["duration"] < 30
    assert report["steps"]["sympathize"]["covered"]
    assert not report["steps"]["take_action"]["covered"]
    assert window.summary.isVisible()
    assert "1 of 4 steps" in window.summary.headline.text()
    assert "missed" in window.summary.steps.text()


def test_the_start_shortcut_starts_a_call(qtbot, make_window):
    window = make_window("dev-001", speed=8)
    _focus(qtbot, window)
    with qtbot.waitSignal(window.call_started, timeout=CALL_TIMEOUT_MS):
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL_SHIFT)
    assert window.in_call and window.call_button.text() == "End call"


def test_the_transcript_ticker_shows_partials_in_grey_then_the_final_text(qtbot, make_window):
    window = make_window("dev-001", speed=4, mode=EXPANDED)
    window.start_call()
    qtbot.waitUntil(lambda: "#808A97'>hi my" in window.details.ticker.text(),
                    timeout=CALL_TIMEOUT_MS)
    qtbot.waitUntil(lambda: "i'm so sorry about that</span>" in window.details.ticker.text()
                    and "#C9CED6'>i'm so sorry" in window.details.ticker.text(),
                    timeout=CALL_TIMEOUT_MS)
    assert window.details.isVisible()


def test_quitting_mid_call_ends_the_call_cleanly(qtbot, make_window):
    window = make_window("dev-015", speed=1)
    window.start_call()
    qtbot.waitUntil(lambda: window.worker.running, timeout=5000)
    window.shutdown()
    assert not window.thread.isRunning()
    report = window.worker.last_report
    assert window.worker.last_outcome == STOPPED
    assert report["ended"] and report["duration"] < 10


def test_the_window_remembers_its_position_size_and_mode(qtbot, make_window, qsettings):
    window = make_window("dev-001")
    assert window.mode == COMPACT
    window.toggle_mode()
    assert window.details.isVisible()
    window.resize(480, 420)  # fits the offscreen 800x800 screen, so nothing moves it
    window.place(QPoint(123, 77))
    window.move(0, 0)  # the window manager's own report (A10): not where the agent put it
    window.shutdown()
    again = make_window("dev-001")
    assert again.mode == EXPANDED
    assert (again.width(), again.height()) == (480, 420)
    assert (again.pos().x(), again.pos().y()) == (123, 77)
    again.toggle_mode()
    assert not again.details.isVisible() and again.height() < 300


def test_the_window_floats_on_top_without_a_frame_and_without_taking_focus(make_window):
    window = make_window("dev-001")
    flags = window.windowFlags()
    assert flags & Qt.WindowType.WindowStaysOnTopHint
    assert flags & Qt.WindowType.FramelessWindowHint
    assert window.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert window.testAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)


class _LiveTranscript(TranscriptSource):
    """Stands in for the microphone (no voice exists here): a live source, so ending a call
    starts the next one."""

    live = True


def test_ending_a_live_call_shows_its_summary_and_starts_the_next_call(
    qtbot, make_window,
):
    window = make_window(source=_LiveTranscript(CORPUS / "dev-001.json", 8))
    window.start_call()
    qtbot.waitUntil(lambda: window.chips["apologize"].covered, timeout=CALL_TIMEOUT_MS)
    with qtbot.waitSignals([window.call_finished, window.call_started],
                           timeout=CALL_TIMEOUT_MS):
        window.end_call()
    assert window.summary.isVisible()
    assert window.summary.note.text() == "Next call started: listening."
    assert not window.summary.next_button.isVisible()
    assert window.in_call
    assert not window.chips["take_action"].covered
    qtbot.waitUntil(lambda: window.chips["apologize"].covered, timeout=CALL_TIMEOUT_MS)
    assert not window.summary.isVisible(), "the next call's first step clears the summary"


def test_end_pressed_before_the_call_gets_going_still_ends_it(qtbot, make_window):
    window = make_window("dev-015", speed=1)
    with qtbot.waitSignal(window.call_finished, timeout=CALL_TIMEOUT_MS) as done:
        window.start_call()
        window.end_call()
    assert done.args[1] == STOPPED
    assert done.args[0]["duration"] < 2


def test_an_angry_caller_brings_a_prompt_to_apologize_now(qtbot, make_window):
    window = make_window("dev-013", speed=8)
    prompts: list[tuple[str, str]] = []
    window.events_applied.connect(lambda events: prompts.extend(
        (window.message.title.text(), window.message.text.full_text())
        for e in events if e.type == "reminder" and e.kind == "apologize_now"))
    with qtbot.waitSignal(window.call_finished, timeout=CALL_TIMEOUT_MS):
        window.start_call()
    assert prompts and prompts[0][0] == "Now"
    assert "apologize and sympathize now" in prompts[0][1]


def test_talking_too_fast_lights_the_pace_light_with_its_advice(qtbot, make_window, tmp_path):
    said = ("i am so sorry about that let me explain exactly what happened with your order and "
            "what i am going to do about it right now because i know this has been really "
            "frustrating for you and you deserve a proper answer today")
    words = said.split(" ")
    call = tmp_path / "fast-agent.json"
    call.write_text(json.dumps({"id": "fast-agent", "turns": [
        {"speaker": "customer", "start": 0.5, "end": 2.5, "text": "my order never arrived"},
        {"speaker": "agent", "start": 3.0, "end": 3.0 + len(words) * 60 / 270,
         "text": " ".join(words)},
    ]}))
    window = make_window(source=TranscriptSource(call, 8), mode=EXPANDED)
    pace = window.details.tone_lights["too_fast"]
    assert not pace.alert
    shown: list[tuple[str, bool]] = []
    window.warning_shown.connect(lambda kind: shown.append((window.message.title.text(),
                                                            pace.alert)))
    with qtbot.waitSignal(window.warning_shown, timeout=CALL_TIMEOUT_MS,
                          check_params_cb=lambda kind: kind == "too_fast"):
        window.start_call()
    assert shown[-1] == ("Too fast", True)
    assert "270 words a minute" in pace.toolTip()
    assert not window.details.tone_lights["too_loud"].alert
    pace.calm_down()  # after TONE_CALM_AFTER_S
    assert not pace.alert


def test_the_window_can_be_dragged_by_its_background_and_remembers_where(
    qtbot, make_window, qsettings,
):
    window = make_window("dev-001")
    window.move(200, 150)
    start = window.pos()
    inside = QPoint(window.width() // 2, window.height() - 6)  # the card's bottom margin
    assert window.childAt(inside) is None

    def mouse(kind, local, buttons):
        glob = window.mapToGlobal(local)
        event = QMouseEvent(kind, QPointF(local), QPointF(glob), Qt.MouseButton.LeftButton,
                            buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(window, event)

    left = Qt.MouseButton.LeftButton
    mouse(QEvent.Type.MouseButtonPress, inside, left)
    mouse(QEvent.Type.MouseMove, inside + QPoint(40, 25), left)
    mouse(QEvent.Type.MouseButtonRelease, inside + QPoint(40, 25), Qt.MouseButton.NoButton)
    assert window.pos() == start + QPoint(40, 25)
    assert qsettings.value("window/pos") == window.pos()
    assert window.grip.isVisible()
    assert window.grip.geometry().bottomRight().x() >= window.width() - 5
