"""The scorecard after a practice call: the steps and when they came, the warnings with what to
say instead, time to first apology, pace and volume, how the caller's mood went, and one thing
to try next time (tips.toml)."""

from __future__ import annotations

import html
import textwrap
import tomllib
from dataclasses import replace
from importlib import resources

from callassist.coach.report import Report
from callassist.practice.caller import Caller
from callassist.practice.scenario import Scenario
from callassist.report_text import format_report


def _tips() -> dict:
    return tomllib.loads(resources.files(__package__).joinpath("tips.toml").read_text("utf-8"))


def try_next(report: Report, outcome: str | None) -> str:
    """The first tip in tips.toml's order that applies to this attempt."""
    tips = _tips()
    raised = set(report.summary.warnings_by_kind)
    missed = set(report.summary.steps_missed)
    first = report.summary.time_to_first_apology
    applies = {
        "late_apology": first is not None and first > tips["late_apology_s"],
        "gave_up": outcome == "gives_up",
        "all_good": True,
    }
    for key in tips["order"]:
        if key in raised or key in missed or applies.get(key, False):
            return tips["tips"][key]
    return tips["tips"]["all_good"]


def build_scorecard(report: Report, scenario: Scenario, caller: Caller) -> Report:
    """The session report plus the practice figures (stored with the attempt)."""
    track = caller.anger_track
    return replace(report, practice={
            "scenario": scenario.id,
            "title": scenario.title,
            "outcome": caller.outcome or "unfinished",
            "expected_outcome": scenario.expect.outcome,
            "expected_steps": list(scenario.expect.steps),
            "anger_start": round(track[0][1], 1),
            "anger_end": round(track[-1][1], 1),
            "give_up_at": scenario.mood.give_up_at,
            "caller_lines": [
                {"at": round(s.at, 2), "reason": s.reason, "text": s.line.text}
                for s in caller.said
            ],
            "try_next": try_next(report, caller.outcome),
        })


OUTCOME_TEXT = {
    "satisfied": "the caller calmed down and was satisfied",
    "gives_up": "the caller gave up and hung up",
    "unfinished": "the call was stopped before the caller was satisfied",
}


def practice_head(card: dict) -> list[str]:
    """How the practice went: the outcome, the caller's anger, the steps missed."""
    p = card["practice"]
    missed = [s for s in p["expected_steps"] if not card["steps"][s]["covered"]]
    head = [
        f"Practice: {p['title']}: {OUTCOME_TEXT.get(p['outcome'], p['outcome'])}",
        f"Caller's anger {p['anger_start']:g} → {p['anger_end']:g} "
        f"(hangs up at {p['give_up_at']:g})",
    ]
    if missed:
        labels = ", ".join(card["steps"][s].get("label", s) for s in missed)
        head.append(f"Missed: {labels}")
    return head


def try_next_lines(card: dict) -> list[str]:
    return ["Try next time", *(f"  {t}" for t in textwrap.wrap(card["practice"]["try_next"], 76))]


def format_scorecard(card: dict) -> str:
    """The scorecard for the terminal: how it went, the call's checklist, one thing to try."""
    body = format_report({**card, "id": "", "title": ""}).splitlines()[2:]
    return "\n".join([*practice_head(card), "", *body, "", *try_next_lines(card)])


def scorecard_note(card: dict) -> str:
    """The practice part of the scorecard for the overlay's end-of-call summary (HTML)."""
    p = card["practice"]
    lines = [f"<b>{html.escape(OUTCOME_TEXT.get(p['outcome'], p['outcome']).capitalize())}</b>"
             f" (anger {p['anger_start']:g} → {p['anger_end']:g})"]
    for w in card.get("warnings", []):
        lines.append(f"“{html.escape(w['evidence'])}” → {html.escape(w['advice'])}")
    lines.append(f"<b>Try next time:</b> {html.escape(p['try_next'])}")
    return "<br>".join(lines)
