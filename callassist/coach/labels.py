"""The words shown for a step or warning kind where no playbook is at hand (the review window,
`calls show`, exports): read from the built-in playbook, the one place labels are written."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache

from callassist.coach.kinds import STEP_IDS, WarningKind
from callassist.coach.playbook import Playbook, load_playbook


@cache
def _builtin() -> Playbook:
    return load_playbook()


class _Labels(Mapping[str, str]):
    """LABELS["apologize"] == "Apologize"; a kind the playbook does not know reads as its
    words ("too_soft" -> "Too soft")."""

    def __getitem__(self, kind: str) -> str:
        return _builtin().label(kind)

    def __iter__(self) -> Iterator[str]:
        return iter((*STEP_IDS, *WarningKind))

    def __len__(self) -> int:
        return len(STEP_IDS) + len(WarningKind)

    def get(self, kind: str, default: str | None = None) -> str:  # type: ignore[override]
        return self[kind]


LABELS = _Labels()
