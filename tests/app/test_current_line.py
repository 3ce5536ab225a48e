"""The compact line's policy (app/current_line.py): the newest item still true shows; warnings
at once, the others folded into a count; items leave when they stop being true; nothing waits
more than the least showing time. And the UX review's heated call, replayed through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from callassist.app.current_line import CurrentLine, LineTimes, compact_advice
from callassist.coach.events import (
    ReminderEvent,
    StepEvent,
    TranscriptEvent,
    WarningEvent,
    WithdrawnEvent,
)
from callassist.coach.kinds import WarningKind
from callassist.coach.session import CallSession
from callassist.coach.tone_rules import tone_rules
from callassist.replay import replay_transcript
from callassist.transcript import load_transcript

HEATED = Path(__file__).parent / "data" / "ux-heated-call1.json"
TITLES = {"blame": "Blame", "defensive": "Defensive", "hollow_apology": "Hollow apology",
          "hold_without_handoff": "Hold without handoff", "apologize": "Apologize"}


def _line() -> CurrentLine:
    return CurrentLine(TITLES, frozenset({"smile"}), frozenset({"apologize", "sympathize"}))


def _warn(kind: str, at: float) -> WarningEvent:
    return WarningEvent(kind, at, "words", f'Do better. Say: "A whole {kind} sentence."')


def _on_line(line: CurrentLine, now: float) -> str | None:
    shown = line.current(now)
    return None if shown is None else shown.item.title


def test_the_newest_warning_shows_at_once_and_the_older_fold_into_a_count():
    line = _line()
    line.apply([_warn("blame", 1.0)], 1.0)
    assert _on_line(line, 1.0) == "Blame"
    line.apply([_warn("defensive", 1.5)], 1.5)  # newer: at once, even within the least time
    shown = line.current(1.5)
    assert shown.item.title == "Defensive" and shown.more == 1
    assert [i.kind for i in line.open_warnings()] == ["blame", "defensive"]


def test_a_warning_leaves_once_withdrawn_and_the_older_one_comes_back():
    line = _line()
    line.apply([_warn("blame", 1.0)], 1.0)
    line.apply([_warn("defensive", 2.0)], 2.0)
    line.apply([WithdrawnEvent("defensive", 3.0, 2.0, "owned", "owned it: fine")], 3.0)
    assert _on_line(line, 3.0) == "Defensive withdrawn"
    assert line.current(3.0).more == 1  # blame is still open
    assert _on_line(line, 3.0 + LineTimes().note_s) == "Blame"


def test_every_item_leaves_after_its_life():
    times = LineTimes()
    line = _line()
    line.apply([_warn("blame", 0.0)], 0.0)
    assert _on_line(line, times.warning_s - 0.01) == "Blame"
    assert _on_line(line, times.warning_s) is None
    assert line.current(times.warning_s) is None and len(line.open_warnings()) == 1


def test_the_hold_warning_leaves_once_the_agent_is_back_and_talking():
    line = _line()
    line.apply([WarningEvent("hold_without_handoff", 48.0, "please hold", "Bring them in.")],
               48.0)
    assert _on_line(line, 50.0) == "Hold without handoff"
    line.apply([TranscriptEvent("customer", True, "hello?", 50.0, 51.0)], 51.0)
    assert _on_line(line, 51.0) == "Hold without handoff"  # only the agent's return ends it
    line.apply([TranscriptEvent("agent", False, "thank you for", 54.5, 55.0)], 55.0)
    assert _on_line(line, 55.0) is None and line.open_warnings() == []


def test_the_now_prompt_leaves_once_the_agent_has_apologised_and_sympathised():
    line = _line()
    line.apply([ReminderEvent("apologize_now", 5.0, "The caller said “ridiculous”.")], 5.0)
    assert _on_line(line, 6.0) == "Now"
    line.apply([StepEvent("apologize", 7.0, "so sorry")], 7.0)
    assert _on_line(line, 9.5) == "Now"  # sympathy still missing
    line.apply([StepEvent("sympathize", 10.0, "i can imagine")], 10.0)
    assert _on_line(line, 10.0) is None


def test_a_now_prompt_for_steps_already_covered_is_not_asked_again():
    line = _line()
    line.apply([StepEvent("apologize", 1.0, "sorry"), StepEvent("sympathize", 2.0, "i see")],
               2.0)
    line.apply([ReminderEvent("apologize_now", 3.0, "Apologise now.")], 3.0)
    assert _on_line(line, 3.0) == "Now"  # the monitor asked: it still shows, then goes
    assert _on_line(line, 3.0 + LineTimes().act_now_s) is None


def test_a_taken_back_note_leaves_after_a_few_seconds():
    line = _line()
    line.apply([StepEvent("apologize", 30.0, "we apologize"),
                StepEvent("apologize", 34.0, "hollow apology", covered=False)], 34.0)
    assert _on_line(line, 34.0) == "Apologize taken back"
    assert _on_line(line, 34.0 + LineTimes().note_s) is None


def test_nothing_newer_waits_longer_than_the_least_showing_time():
    times = LineTimes()
    line = _line()
    line.apply([_warn("blame", 1.0)], 1.0)
    line.current(1.0)
    line.apply([ReminderEvent("apologize_now", 1.5, "Apologise now.")], 1.5)
    assert _on_line(line, 1.5) == "Blame"  # the warning keeps the line a moment
    assert line.next_change(1.5) == pytest.approx(1.0 + times.min_show_s)
    assert _on_line(line, 1.0 + times.min_show_s) == "Now"
    assert line.current(3.0).more == 1  # the warning, folded into the count


def test_a_reminder_shows_only_on_an_empty_line_and_once():
    line = _line()
    line.apply([ReminderEvent("smile", 0.0, "Smile.")], 0.0)
    line.apply([ReminderEvent("smile", 1.0, "Smile.")], 1.0)
    assert len(line.items) == 1
    line.next_step("apologize", "Apologize", "Say sorry.", 0.5)
    assert _on_line(line, 1.0) == "Next"
    line.apply([StepEvent("apologize", 2.0, "sorry")], 2.0)
    assert _on_line(line, 2.0) == ""  # the reminder (no title) now that the step is done


def test_dismiss_takes_the_item_off_and_the_next_newest_shows():
    line = _line()
    line.apply([_warn("blame", 1.0), _warn("defensive", 1.0)], 1.0)
    assert _on_line(line, 1.0) == "Defensive"
    line.dismiss(1.2)
    assert _on_line(line, 1.2) == "Blame"


def test_every_warning_kinds_compact_line_is_a_whole_sentence(playbook):
    for kind in WarningKind:
        advice = playbook.advice(kind)
        line = compact_advice(advice)
        body = line.removeprefix("Say: “").removesuffix("”")
        assert body[:1].isupper() and body[-1:] in ".!?", (kind, line)
        assert len(body.split()) >= 4, (kind, line)  # never a fragment such as "but"
        assert body in advice, (kind, line)


# -- the UX review's heated call (ux-2026-12-06, H1), replayed through the real coach ----------

def _replay_heated(playbook) -> tuple[CurrentLine, dict[float, tuple[str | None, int]]]:
    """Plays the call in simulated time through CallSession; the line is read every 0.25 s."""
    titles = {**{k: playbook.label(k) for k in WarningKind},
              "hold_without_handoff": playbook.hold.label,
              **{sid: s.label.split()[0] for sid, s in playbook.steps.items()}}
    line = CurrentLine(titles, frozenset(playbook.reminders),
                       frozenset(tone_rules(playbook).customer.steps))
    clock = [0.0]
    frames: dict[float, tuple[str | None, int]] = {}

    def emit(events) -> None:
        line.apply(events, clock[0])

    def sleep(s: float) -> None:
        start, clock[0] = clock[0], clock[0] + s
        k = int(start / 0.25) + 1
        while k * 0.25 <= clock[0]:
            shown = line.current(k * 0.25)
            frames[k * 0.25] = ((shown.item.title, shown.more) if shown else (None, 0))
            k += 1

    replay_transcript(load_transcript(HEATED), CallSession(playbook), emit,
                      clock=lambda: clock[0], sleep=sleep)
    return line, frames


def _titles_between(frames, a: float, b: float) -> set[str | None]:
    return {title for t, (title, _) in frames.items() if a <= t <= b}


def test_the_heated_call_shows_each_warning_at_once_and_nothing_stale(playbook):
    _, frames = _replay_heated(playbook)
    first_seen: dict[str, float] = {}
    for t in sorted(frames):
        title = frames[t][0]
        if title is not None:
            first_seen.setdefault(title, t)
    # Each warning is on the line within a tick of its sentence's end (the review: 6-13 s late).
    assert first_seen["Defensive"] <= 17.22 + 0.5
    assert first_seen["Blame"] <= 26.46 + 0.5
    assert first_seen["Hollow apology"] <= 33.82 + 0.5
    # The hold warning fires after its grace and leaves as the agent comes back (54.5 s).
    assert "Hold without handoff" in _titles_between(frames, 49.0, 54.0)
    # During the recovery (steps lighting from 55 s) no warning and no stale prompt shows.
    recovery = _titles_between(frames, 55.5, 92.0)
    assert not recovery & {"Hold without handoff", "Hollow apology", "Blame", "Defensive",
                           "Now", "Apologize taken back"}, recovery
    # The taken-back note, if any, is gone a few seconds after it came.
    taken = [t for t, (title, _) in frames.items() if title and "taken back" in title]
    assert not taken or max(taken) - min(taken) <= LineTimes().note_s + 0.25
    # The red line: a warning shows for a small part of the call (the review: 60 of 92 s).
    red = sum(0.25 for title, _ in frames.values() if title in {
        "Defensive", "Blame", "Hollow apology", "Hold without handoff"})
    assert red <= 40.0, red


def test_the_heated_calls_count_lists_the_earlier_warnings(playbook):
    _, frames = _replay_heated(playbook)
    counts = [more for t, (title, more) in frames.items() if title == "Hollow apology"]
    assert counts and max(counts) >= 2  # defensive and blame, folded into "+2"
