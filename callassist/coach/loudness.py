"""Too loud: the agent's voice raised over their own usual level for a few seconds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from callassist.coach.episodes import CueGate, RaisedVoice
from callassist.coach.events import Event, WarningEvent
from callassist.coach.kinds import WarningKind
from callassist.coach.tone_rules import LoudRule
from callassist.coach.utterance import Utterance

KIND = WarningKind.TOO_LOUD


def _r(x: float | None, digits: int = 1) -> float | None:
    return None if x is None else round(x, digits)


class LoudnessMonitor:
    """Watches the agent's level on voiced blocks. `baseline_dbfs` is the agent's usual level
    remembered from earlier calls; `summary()["loudness"]["baseline_dbfs"]` is the value to
    remember after this call."""

    def __init__(self, rule: LoudRule, baseline_dbfs: float | None = None):
        self.rule = rule
        self.voice = RaisedVoice(rule.level, prior=baseline_dbfs)
        self.gate = CueGate(rule.cooldown_s)

    def on_utterance(self, utt: Utterance, covered: frozenset[str]) -> Sequence[Event]:
        return []

    def on_level(
        self, speaker: str, at: float, dbfs: float, voiced: bool, covered: frozenset[str]
    ) -> Sequence[Event]:
        if speaker != "agent":
            return []
        v = self.voice
        v.feed(at, dbfs, voiced)
        if not (v.raised and v.raised_s >= self.rule.level.sustain_s):
            return []
        if not self.gate.fire(at, v.episode):
            return []
        level, baseline = v.level or 0.0, v.baseline or 0.0
        evidence = self.rule.evidence.format(
            rise=round(level - baseline), seconds=round(v.raised_s), dbfs=round(level),
            baseline=round(baseline),
        )
        return [WarningEvent(KIND, at, evidence, self.rule.advice)]

    def on_time(self, now: float) -> Sequence[Event]:
        return []

    def remembered_baseline(self) -> float | None:
        """The usual level to remember for the agent: this call's, or the earlier one moved
        part of the way towards it, so one shouting call shifts it a little and a new headset
        or gain setting is followed within a few calls."""
        v = self.voice
        if v.prior is None or v.learned is None:
            return v.learned if v.prior is None else v.prior
        return v.prior + self.rule.baseline_blend * (v.learned - v.prior)

    def summary(self) -> dict[str, Any]:
        v = self.voice
        return {
            "loudness": {
                "baseline_dbfs": _r(self.remembered_baseline()),
                "call_baseline_dbfs": _r(v.learned),
                "prior_baseline_dbfs": _r(v.prior),
                "average_dbfs": _r(v.average),
                "voiced_s": _r(v.voiced_s),
                "loud_s": _r(v.loud_s),
                "peak_rise_db": _r(v.peak_rise),
                KIND: self.gate.count,
            }
        }
