"""The figures a call list filters on, taken from a report, and a report rebuilt from stored
events for a call that never finished (the program or the machine died mid-call)."""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from callassist.coach.events import EVENT_TYPES, Event, event_from_dict
from callassist.coach.kinds import STEP_IDS
from callassist.coach.labels import LABELS
from callassist.coach.report import Report, build_report

STEP_BITS: dict[str, int] = {sid: 1 << i for i, sid in enumerate(STEP_IDS)}


@dataclass(frozen=True)
class Figures:
    steps_mask: int
    steps_covered: int
    warnings: int
    warnings_by_kind: dict[str, int]
    first_apology: float | None
    duration: float


def figures(report: Report) -> Figures:
    covered = {sid for sid, s in report.steps.items() if s.covered}
    mask = sum(bit for sid, bit in STEP_BITS.items() if sid in covered)
    kinds = Counter(w.kind for w in report.warnings)
    first = report.summary.time_to_first_apology
    apology = report.steps.get("apologize")
    if first is None and apology is not None and apology.covered:
        first = apology.at
    return Figures(
        steps_mask=mask,
        steps_covered=bin(mask).count("1"),
        warnings=sum(kinds.values()),
        warnings_by_kind=dict(kinds),
        first_apology=first,
        duration=report.duration or 0.0,
    )


def decode_events(stored: Iterable[Event | Mapping[str, Any]]) -> list[Event]:
    """Stored event dicts as typed events (`event_from_dict`); a type this version does not
    know (a newer version wrote it) is skipped, so the call still reads."""
    out: list[Event] = []
    for e in stored:
        if not isinstance(e, Mapping):
            out.append(e)
        elif e.get("type") in EVENT_TYPES:
            out.append(event_from_dict(e))
    return out


def report_from_events(events: Iterable[Event | Mapping[str, Any]], least: float = 0.0
                       ) -> Report:
    """The report of a call that never finished (the program or the machine died mid-call),
    from its stored events: the same fold as the live report (coach/report.py), with the
    built-in labels; it lasts until its last event, but at least `least`."""
    return build_report(decode_events(events), LABELS, least=least)


# How many earlier agent turns may still hold a moment (turns overlap only in odd transcripts;
# the bound keeps a transcript of one endless turn from costing turns x warnings).
MAX_OVERLAP = 200


def annotate_transcript(report: Mapping[str, Any]) -> list[list[dict[str, Any]]]:
    """For each transcript turn, the steps and warnings whose evidence it is:
    [{"type": "step"|"warning", "id": step id or warning kind, "at": seconds}, ...].

    Each mark goes to the agent turn whose text is its evidence and that holds its moment,
    else either one; on a tie, the earliest. Found through an index of texts and turn starts,
    so a call of 25,000 turns and 6,000 warnings takes milliseconds, not a minute (H7)."""
    turns = report.get("transcript", [])
    marks: list[list[dict[str, Any]]] = [[] for _ in turns]
    agent = [i for i, t in enumerate(turns) if t["speaker"] == "agent"]
    by_text: dict[str, list[int]] = {}
    for i in agent:
        by_text.setdefault(turns[i]["text"], []).append(i)
    # agent turns by start; the longest end so far bounds how far back a turn can hold a moment
    order = sorted(agent, key=lambda i: (float(turns[i]["start"]), i))
    starts = [float(turns[i]["start"]) for i in order]
    reach = list(itertools.accumulate((float(turns[i]["end"]) for i in order), max))
    items = [("step", sid, s) for sid, s in report.get("steps", {}).items() if s.get("covered")]
    items += [("warning", w["kind"], w) for w in report.get("warnings", [])]
    for kind, ident, item in items:
        at, evidence = float(item.get("at") or 0.0), item.get("evidence") or ""
        holding = set()
        j = bisect.bisect_right(starts, at + 0.05) - 1
        stop = max(-1, j - MAX_OVERLAP)
        while j > stop and reach[j] >= at - 0.05:
            if float(turns[order[j]]["end"]) + 0.05 >= at:
                holding.add(order[j])
            j -= 1
        both = [i for i in holding if turns[i]["text"] == evidence]
        same = by_text.get(evidence)
        best = min(both) if both else same[0] if same else min(holding, default=None)
        if best is not None:
            marks[best].append({"type": kind, "id": ident, "at": at})
    return marks
