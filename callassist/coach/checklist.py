"""The ASAP checklist of a finished call, decided once: for each step, covered (when, on which
words, why), missed, or not needed (a routine call: the customer was not upset, so the steps
never count against the agent; see assessment.py).

Every renderer formats these rows and decides nothing: `calls show` and `analyze`
(report_text.py), the overlay's end-of-call summary, the review window and the HTML export.
Their colours come from the palettes (`format.CHECK_COLOURS` on light pages, `ui/theme.py` on
the overlay's dark card)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from callassist.coach.assessment import Assessment, assess
from callassist.coach.kinds import STEP_IDS
from callassist.coach.labels import LABELS
from callassist.coach.report import Report


class StepState(StrEnum):
    COVERED = "covered"
    MISSED = "missed"
    NOT_NEEDED = "not_needed"

    @property
    def words(self) -> str:
        """How the state reads in a row: "covered", "missed", "not needed"."""
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class ChecklistRow:
    step: str
    label: str
    state: StepState
    at: float | None = None  # when it was covered
    evidence: str = ""  # the words that covered it
    manual: bool = False  # ticked by hand
    why: str = ""  # the rule or examples that made it count (not for a hand tick)


@dataclass(frozen=True)
class Checklist:
    rows: tuple[ChecklistRow, ...]
    needs_asap: bool  # the customer was upset, so the steps were needed

    @property
    def covered(self) -> int:
        return sum(r.state is StepState.COVERED for r in self.rows)

    @property
    def total(self) -> int:
        return len(self.rows)


def checklist(report: Report, judged: Assessment | None = None) -> Checklist:
    """The checklist of `report`; `judged` is its assessment if the caller has it already.
    Labels are the report's own (the playbook the call ran with), else the built-in ones."""
    needs = (judged if judged is not None else assess(report)).needs_asap
    rows = []
    for sid in STEP_IDS:
        s = report.steps.get(sid)
        label = s.label if s is not None and s.label else LABELS[sid]
        if s is not None and s.covered:
            rows.append(ChecklistRow(
                sid, label, StepState.COVERED, s.at, s.evidence or "", s.manual,
                "" if s.manual or s.reason == "ticked by hand" else s.reason or ""))
        else:
            rows.append(ChecklistRow(sid, label,
                                     StepState.MISSED if needs else StepState.NOT_NEEDED))
    return Checklist(tuple(rows), needs)
