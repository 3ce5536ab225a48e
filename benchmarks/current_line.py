"""The compact line over every labelled call: how soon each warning is on the line after its
words, how long an item waits to be shown, and how long an item stays after it stopped being
true (issue 22: no stale item more than 3 s; every warning on the line within 1.5 s).

Every labelled call (tests/corpus and tests/corpus_extra) is replayed through the real coach in
simulated time, with the words appearing as partial results as they are spoken; the line's
policy (app/current_line.py) is read every 0.1 s of call time. The delay of the words through
a speech engine is not in these figures (benchmarks/warnings.py and benchmarks/overlay.py
measure that live).

    .venv/bin/python benchmarks/current_line.py
"""

from __future__ import annotations

from pathlib import Path

from _harness import percentile, print_table

from callassist.app.current_line import CurrentLine, Urgency
from callassist.coach.kinds import PHRASE_WARNINGS, WarningKind
from callassist.coach.playbook import Playbook, load_playbook
from callassist.coach.session import CallSession
from callassist.coach.tone_rules import tone_rules
from callassist.replay import _words_end, replay_transcript
from callassist.transcript import Transcript, load_transcript

TESTS = Path(__file__).resolve().parent.parent / "tests"
SETS = {"dev": TESTS / "corpus", "extra": TESTS / "corpus_extra"}
TICK_S = 0.1
STALE_TARGET_S = 3.0
WARNING_TARGET_S = 1.5


def play(transcript: Transcript, playbook: Playbook) -> tuple[CurrentLine, dict[int, list[float]]]:
    """The call through the coach and the line; returns the line and, per item (its index),
    the call times at which it was on the line."""
    titles = {**{k: playbook.label(k) for k in WarningKind},
              "hold_without_handoff": playbook.hold.label,
              **{sid: s.label.split()[0] for sid, s in playbook.steps.items()}}
    line = CurrentLine(titles, frozenset(playbook.reminders),
                       frozenset(tone_rules(playbook).customer.steps))
    clock = [0.0]
    shown: dict[int, list[float]] = {}

    def sleep(s: float) -> None:
        start, clock[0] = clock[0], clock[0] + s
        k = int(start / TICK_S) + 1
        while k * TICK_S <= clock[0]:
            now = k * TICK_S
            on = line.current(now)
            if on is not None:
                shown.setdefault(line.items.index(on.item), []).append(now)
            k += 1

    line.next_step("apologize", "Apologize", "", 0.0)
    replay_transcript(transcript, CallSession(playbook), lambda ev: line.apply(ev, clock[0]),
                      clock=lambda: clock[0], sleep=sleep)
    return line, shown


def main() -> None:
    playbook = load_playbook()
    rows = []
    for name, folder in SETS.items():
        calls = [load_transcript(p) for p in sorted(folder.glob("*.json"))]
        to_line: list[float] = []
        waits: list[float] = []
        stale: list[float] = []
        items = warnings = never = 0
        for transcript in calls:
            line, shown = play(transcript, playbook)
            for n, item in enumerate(line.items):
                if item.urgency == Urgency.REMINDER:
                    continue  # shown only on an empty line, by design
                items += 1
                times = shown.get(n)
                if not times:
                    never += 1  # stopped being true before its turn: nothing stale shown
                    continue
                waits.append(times[0] - item.since)
                stale.append(max(0.0, times[-1] - item.stopped_at()))
                if item.is_warning and item.kind in PHRASE_WARNINGS and item.key is not None:
                    warnings += 1
                    end = _words_end(playbook, transcript, item.kind, item.key[1])
                    if end is not None:
                        to_line.append(max(0.0, times[0] - end))
        rows.append((name, len(calls), items, warnings, never,
                     f"{percentile(to_line, 50):.2f} / {percentile(to_line, 95):.2f} / "
                     f"{max(to_line, default=0):.2f}",
                     f"{percentile(waits, 95):.2f} / {max(waits, default=0):.2f}",
                     f"{max(stale, default=0):.2f}",
                     sum(s > STALE_TARGET_S for s in stale)))
    print_table(("set", "calls", "items", "phrase warnings", "never shown",
                 "warning on the line after its words, s (p50 / p95 / max)",
                 "wait to show, s (p95 / max)", "stale, max s", f"stale > {STALE_TARGET_S:g} s"),
                rows)


if __name__ == "__main__":
    main()
