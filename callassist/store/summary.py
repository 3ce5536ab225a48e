"""The figures a call list filters on, taken from a report, and a report rebuilt from stored
events for a call that never finished (the program or the machine died mid-call)."""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from dataclasses import dataclass

from callassist.coach.kinds import STEP_IDS
from callassist.coach.labels import LABELS

STEP_BITS = {sid: 1 << i for i, sid in enumerate(STEP_IDS)}


@dataclass(frozen=True)
class Figures:
    steps_mask: int
    steps_covered: int
    warnings: int
    warnings_by_kind: dict[str, int]
    first_apology: float | None
    duration: float


def figures(report: dict) -> Figures:
    steps = report.get("steps", {})
    mask = sum(bit for sid, bit in STEP_BITS.items() if steps.get(sid, {}).get("covered"))
    kinds = Counter(w["kind"] for w in report.get("warnings", []))
    apology = steps.get("apologize", {})
    first = report.get("summary", {}).get("time_to_first_apology")
    if first is None and apology.get("covered"):
        first = apology.get("at")
    return Figures(
        steps_mask=mask,
        steps_covered=bin(mask).count("1"),
        warnings=sum(kinds.values()),
        warnings_by_kind=dict(kinds),
        first_apology=first,
        duration=float(report.get("duration") or 0.0),
    )


def report_from_events(events: list[dict], duration: float | None = None,
                       least: float = 0.0) -> dict:
    """The coach report's shape, rebuilt from stored event dicts in order; its duration is
    `duration`, else the last event's time but at least `least`."""
    covered: dict[str, dict] = {}
    warnings, reminders, transcript, moods = [], [], [], []
    last = 0.0
    for e in events:
        t = e.get("type")
        at = float(e.get("end", e.get("at", 0.0)) or 0.0)
        last = max(last, at)
        if t == "step":
            if e.get("covered", True):
                covered[e["step"]] = e
            else:
                covered.pop(e["step"], None)
        elif t == "warning":
            warnings.append({k: e.get(k) for k in ("kind", "at", "evidence", "advice",
                                                   "reason")})
        elif t == "withdrawn":  # the warning it names does not stand
            warnings = [w for w in warnings
                        if (w["kind"], w["at"]) != (e.get("kind"), e.get("raised_at"))]
        elif t == "reminder":
            reminders.append({k: e.get(k) for k in ("kind", "at", "text")})
        elif t == "mood":
            moods.append({k: e.get(k) for k in ("at", "cue", "evidence", "strength")})
        elif t == "transcript" and e.get("final"):
            transcript.append({k: e.get(k) for k in ("speaker", "start", "end", "text")})
    steps = {}
    for sid in STEP_IDS:
        e = covered.get(sid)
        steps[sid] = {
            "label": LABELS[sid],
            "covered": e is not None,
            "at": round(e["at"], 2) if e else None,
            "evidence": e.get("evidence") if e else None,
            "manual": bool(e.get("manual")) if e else False,
            "reason": e.get("reason") if e else None,
        }
    apology = covered.get("apologize")
    return {
        "duration": round(duration if duration is not None else max(last, least), 2),
        "ended": False,
        "steps": steps,
        "warnings": warnings,
        "reminders": reminders,
        "summary": {
            "steps_covered": [s for s in STEP_IDS if steps[s]["covered"]],
            "steps_missed": [s for s in STEP_IDS if not steps[s]["covered"]],
            "warnings_by_kind": dict(Counter(w["kind"] for w in warnings)),
            "time_to_first_apology": round(apology["at"], 2) if apology else None,
            "tone": {"customer": {"moments": moods}} if moods else {},
        },
        "transcript": transcript,
    }


# How many earlier agent turns may still hold a moment (turns overlap only in odd transcripts;
# the bound keeps a transcript of one endless turn from costing turns x warnings).
MAX_OVERLAP = 200


def annotate_transcript(report: dict) -> list[list[dict]]:
    """For each transcript turn, the steps and warnings whose evidence it is:
    [{"type": "step"|"warning", "id": step id or warning kind, "at": seconds}, ...].

    Each mark goes to the agent turn whose text is its evidence and that holds its moment,
    else either one; on a tie, the earliest. Found through an index of texts and turn starts,
    so a call of 25,000 turns and 6,000 warnings takes milliseconds, not a minute (H7)."""
    turns = report.get("transcript", [])
    marks: list[list[dict]] = [[] for _ in turns]
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
