"""Tone and pace: the monitors a call session runs beside the phrase rules, built from the
playbook's `[tone]` table.

- too_loud: the agent's voice raised over their own usual level (loudness.py)
- too_fast: the agent's words a minute over a sliding window (pace.py)
- monologue: the agent talking on without letting the customer in (monologue.py)
- the customer getting angrier, while apologize/sympathize are not covered (customer.py)

Each returns its figures from `summary()`; the report merges them under summary.tone.
"""

from __future__ import annotations

from callassist.coach.customer import CustomerMonitor
from callassist.coach.loudness import LoudnessMonitor
from callassist.coach.monologue import MonologueMonitor
from callassist.coach.pace import PaceMonitor
from callassist.coach.playbook import Playbook
from callassist.coach.tone_rules import tone_rules
from callassist.coach.utterance import Monitor


def monitors_for(playbook: Playbook, agent_baseline_dbfs: float | None = None) -> list[Monitor]:
    """The tone monitors for one call. `agent_baseline_dbfs` is the agent's usual voiced level
    remembered from earlier calls (report summary.tone.loudness.baseline_dbfs of the last one);
    without it the level is learned from the first seconds of calm speech in this call."""
    rules = tone_rules(playbook)
    labels = {sid: step.label for sid, step in playbook.steps.items()}
    return [
        LoudnessMonitor(rules.too_loud, agent_baseline_dbfs),
        PaceMonitor(rules.too_fast),
        MonologueMonitor(rules.monologue),
        CustomerMonitor(rules.customer, labels),
    ]
