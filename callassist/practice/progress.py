"""Each trainee's practice attempts and their progress over time, per scenario and per step
(the review window's Practice tab). Reads the call store; no Qt."""

from __future__ import annotations

from dataclasses import dataclass, field

from callassist.coach.kinds import STEP_IDS
from callassist.store import CallFilter, Store
from callassist.store.query import PRACTICE_SOURCE


@dataclass
class Attempt:
    call_id: int
    started_at: float
    steps: tuple[str, ...]  # covered
    warnings: int
    outcome: str  # satisfied, gives_up, unfinished


@dataclass
class Progress:
    trainee: str
    scenario: str  # id
    title: str
    attempts: list[Attempt] = field(default_factory=list)  # oldest first

    @property
    def satisfied(self) -> int:
        return sum(a.outcome == "satisfied" for a in self.attempts)

    def step_trend(self, step: str) -> str:
        """The step over the attempts, oldest first: ✓ covered, · missed."""
        return "".join("✓" if step in a.steps else "·" for a in self.attempts)


def practice_progress(store: Store, trainee: str | None = None) -> list[Progress]:
    """One row per trainee and scenario, trainees and scenarios in order."""
    rows: dict[tuple[str, str], Progress] = {}
    for call in store.iter_calls(CallFilter(agent=trainee, practice=True)):
        r = call.row
        scenario = r.source.removeprefix(PRACTICE_SOURCE)
        practice = (call.report or {}).get("practice") or {}
        p = rows.setdefault((r.agent, scenario),
                            Progress(r.agent, scenario, r.title or scenario))
        p.attempts.append(Attempt(
            r.id, r.started_at, tuple(s for s in STEP_IDS if r.covered(s)), r.warnings,
            practice.get("outcome", "unfinished"),
        ))
    for p in rows.values():
        p.attempts.sort(key=lambda a: (a.started_at, a.call_id))
    return [rows[k] for k in sorted(rows)]
