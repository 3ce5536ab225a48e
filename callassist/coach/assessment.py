"""What a supervisor needs to judge a call at a glance: did it need the ASAP steps (was the
customer upset?), how frustrated the customer got and when, and one score out of 100.

A call needs the four steps only when the customer was upset: anger in their words, a raised
voice, or a complaint about something that went wrong. Other calls are routine, and their
coverage is never counted against the agent.

The score is explained in one sentence, SCORE_FORMULA, shown wherever the score is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from callassist.coach.kinds import STEP_IDS

# How strong each sign of frustration is: a complaint is mild, anger in the words or the voice
# is strong. A call with anger in both words and voice is the strongest (3).
CUE_STRENGTH = {"complaint": 1, "words": 2, "voice": 2}
FRUSTRATION_LABELS = ("none", "complaint", "angry", "very angry")


SCORE_FORMULA = (
    "Out of 100: 15 points for each ASAP step covered when the customer was upset (a routine "
    "call gets all 60), 30 points less 10 for each warning, and 10 points for apologising "
    "within 30 s of the customer first getting upset (a routine call gets them too)."
)


@dataclass(frozen=True)
class ScoreRule:
    """The numbers in SCORE_FORMULA."""

    step_points: int = 15
    warning_points: int = 30
    per_warning: int = 10
    apology_points: int = 10
    apology_within_s: float = 30.0


@dataclass(frozen=True)
class Assessment:
    needs_asap: bool
    frustration: int  # 0 none, 1 a complaint, 2 anger in words or voice, 3 both
    first_upset: float | None  # seconds from the call start
    moments: tuple[dict[str, Any], ...]  # {"at", "cue", "evidence", "strength"}, in time order
    score: int
    steps_needed: int
    steps_covered: int
    warnings: int
    first_apology: float | None

    @property
    def frustration_label(self) -> str:
        return FRUSTRATION_LABELS[self.frustration]

    def explain(self) -> str:
        """The score in words: what earned and what cost points."""
        if not self.needs_asap:
            steps = "routine call (customer not upset): steps not needed"
        else:
            steps = f"{self.steps_covered} of {self.steps_needed} steps covered"
        warned = f"{self.warnings} warning" + ("" if self.warnings == 1 else "s")
        if not self.needs_asap:
            apology = ""
        elif self.first_apology is None:
            apology = ", no apology"
        else:
            apology = f", first apology at {self.first_apology:.0f} s"
        return f"{self.score}/100: {steps}, {warned}{apology}"


def frustration_moments(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The customer's signs of frustration the tone monitor kept, strongest first at a time."""
    customer = (report.get("summary", {}).get("tone") or {}).get("customer") or {}
    moments = customer.get("moments")
    if not isinstance(moments, list):
        # A report from before moments were kept: anger words still say the call was upset.
        moments = [{"at": None, "cue": "words", "evidence": w}
                   for w in customer.get("anger_words", [])]
        if float(customer.get("loud_s") or 0) > 0:
            moments.append({"at": None, "cue": "voice", "evidence": ""})
    out = []
    for m in moments:
        if isinstance(m, dict) and m.get("cue") in CUE_STRENGTH:
            at = m.get("at")
            out.append({"at": float(at) if isinstance(at, int | float) else None,
                        "cue": m["cue"], "evidence": str(m.get("evidence") or ""),
                        "strength": CUE_STRENGTH[m["cue"]]})
    out.sort(key=lambda m: (m["at"] is None, m["at"] or 0.0))
    return out


def assess(report: Mapping[str, Any], rule: ScoreRule = ScoreRule()) -> Assessment:
    moments = frustration_moments(report)
    cues = {m["cue"] for m in moments}
    strong = cues & {"words", "voice"}
    frustration = 3 if strong == {"words", "voice"} else 2 if strong else 1 if cues else 0
    needs = frustration > 0
    first_upset = next((m["at"] for m in moments if m["at"] is not None), None)
    if needs and first_upset is None:
        first_upset = 0.0
    steps = report.get("steps", {})
    covered = sum(1 for sid in STEP_IDS if (steps.get(sid) or {}).get("covered"))
    warnings = len(report.get("warnings", []))
    apology = report.get("summary", {}).get("time_to_first_apology")
    if apology is None and (steps.get("apologize") or {}).get("covered"):
        apology = steps["apologize"].get("at")
    apology = float(apology) if isinstance(apology, int | float) else None

    score = max(0, rule.warning_points - rule.per_warning * warnings)
    if needs:
        score += rule.step_points * covered
        in_time = apology is not None and apology - (first_upset or 0.0) <= rule.apology_within_s
        score += rule.apology_points if in_time else 0
    else:
        score += rule.step_points * len(STEP_IDS) + rule.apology_points
    return Assessment(
        needs_asap=needs, frustration=frustration, first_upset=first_upset,
        moments=tuple(moments), score=min(100, score),
        steps_needed=len(STEP_IDS) if needs else 0, steps_covered=covered,
        warnings=warnings, first_apology=apology,
    )
