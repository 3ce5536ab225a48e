import pytest

from callassist.coach.playbook import Playbook
from callassist.coach.session import CallSession


@pytest.fixture
def session(playbook: Playbook) -> CallSession:
    return CallSession(playbook, monitors=[])


@pytest.fixture
def agent_says(playbook: Playbook):
    """The steps and warnings one agent utterance produces on its own."""
    from callassist.coach.rules import analyse
    from callassist.coach.text import normalize

    def says(text: str) -> tuple[set[str], set[str]]:
        a = analyse(playbook, normalize(text))
        return set(a.steps), set(a.warnings)

    return says
