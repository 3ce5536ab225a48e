"""Every kind of thing the coach names, written once: the ASAP steps, the warning kinds and the
speakers. StrEnums, so they are plain strings in reports, JSON and the store; their labels and
advice come only from the playbook (playbook.toml)."""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    """The ASAP sequence, in order."""

    APOLOGIZE = "apologize"
    SYMPATHIZE = "sympathize"
    ACCEPT_RESPONSIBILITY = "accept_responsibility"
    TAKE_ACTION = "take_action"


class WarningKind(StrEnum):
    DEFENSIVE = "defensive"
    BLAME = "blame"
    HOLLOW_APOLOGY = "hollow_apology"
    HOLD_WITHOUT_HANDOFF = "hold_without_handoff"
    TOO_LOUD = "too_loud"
    TOO_FAST = "too_fast"
    MONOLOGUE = "monologue"


class Speaker(StrEnum):
    AGENT = "agent"
    CUSTOMER = "customer"


STEP_IDS: tuple[Step, ...] = tuple(Step)
SPEAKERS: tuple[Speaker, ...] = tuple(Speaker)
# Raised by the phrase rules (rules.py), by the hold tracker (hold.py), by the tone monitors.
PHRASE_WARNINGS = (WarningKind.DEFENSIVE, WarningKind.BLAME, WarningKind.HOLLOW_APOLOGY)
TONE_WARNINGS = (WarningKind.TOO_LOUD, WarningKind.TOO_FAST, WarningKind.MONOLOGUE)
