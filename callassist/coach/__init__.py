"""The coach: pure Python rules that turn what is said on a call into ASAP ticks, warnings
and reminders. It imports no Qt and no audio library."""

from callassist.coach.events import Event, StepEvent, WarningEvent, Word
from callassist.coach.kinds import STEP_IDS
from callassist.coach.playbook import Playbook, load_playbook
from callassist.coach.playbook_reader import PlaybookError
from callassist.coach.session import CallSession
from callassist.coach.utterance import Monitor, Utterance

__all__ = [
    "STEP_IDS",
    "CallSession",
    "Event",
    "Monitor",
    "Playbook",
    "PlaybookError",
    "StepEvent",
    "Utterance",
    "WarningEvent",
    "Word",
    "load_playbook",
]
