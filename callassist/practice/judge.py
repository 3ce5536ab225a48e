"""What the coach's rules make of one sentence, for the caller (see caller.Judgement)."""

from __future__ import annotations

from callassist.coach.playbook import Playbook
from callassist.coach.rules import analyse
from callassist.coach.text import normalize
from callassist.practice.caller import Judge, Judgement


def playbook_judge(playbook: Playbook) -> Judge:
    def judge(text: str) -> Judgement:
        a = analyse(playbook, normalize(text))
        return Judgement(
            warnings=tuple(a.warnings),
            hold=a.hold is not None,
            pause=a.pause is not None,
            handoff=a.handoff is not None,
        )

    return judge
