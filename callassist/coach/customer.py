"""The customer getting angrier: anger in their words or their voice rising prompts the agent to
apologize and sympathize now, while those steps are not covered yet.

Every sign of frustration is also kept as a moment (when, which cue, what was said), whether or
not it prompted the agent: the review uses them to tell calls that needed the ASAP steps from
routine ones, and draws them on the timeline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from callassist.coach.assessment import CUE_STRENGTH
from callassist.coach.episodes import CueGate, RaisedVoice
from callassist.coach.events import Event, MoodEvent, ReminderEvent
from callassist.coach.patterns import TokenText
from callassist.coach.tone_rules import CustomerRule
from callassist.coach.utterance import Utterance


def _spoken_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


class CustomerMonitor:
    """`labels` are the playbook's step labels, named in the prompt ("apologize and
    sympathize")."""

    def __init__(self, rule: CustomerRule, labels: Mapping[str, str]):
        self.rule = rule
        self.labels = labels
        self.voice = RaisedVoice(rule.level)
        self.gate = CueGate(rule.cooldown_s)
        self.anger_heard: list[str] = []
        self.moments: list[dict[str, Any]] = []
        self._utterances = 0
        self._voice_episode = 0

    def on_utterance(self, utt: Utterance, covered: frozenset[str]) -> Sequence[Event]:
        if utt.speaker != "customer":
            return []
        self._utterances += 1
        text = TokenText(utt.tokens)
        matches = self.rule.anger.find(text)
        if not matches:
            complaint = self.rule.complaint.find(text)
            if not complaint:
                return []
            return [self._moment(utt.time_of_token(complaint[0].start), "complaint", utt.text)]
        said = [" ".join(text.words[m.start : m.end]) for m in matches]
        self.anger_heard += said
        reason = self.rule.words_reason.format(words=said[0])
        at = utt.time_of_token(matches[0].start)
        mood = self._moment(at, "words", utt.text)
        return [mood, *self._prompt(at, reason, ("words", self._utterances), covered)]

    def on_level(
        self, speaker: str, at: float, dbfs: float, voiced: bool, covered: frozenset[str]
    ) -> Sequence[Event]:
        if speaker != "customer":
            return []
        v = self.voice
        v.feed(at, dbfs, voiced)
        if not (v.raised and v.raised_s >= self.rule.level.sustain_s):
            return []
        moods: list[Event] = []
        if v.episode != self._voice_episode:
            self._voice_episode = v.episode
            moods.append(self._moment(at, "voice", ""))
        return [*moods, *self._prompt(at, self.rule.loud_reason, ("voice", v.episode), covered)]

    def _prompt(
        self, at: float, reason: str, episode: tuple[str, int], covered: frozenset[str]
    ) -> list[Event]:
        missing = [s for s in self.rule.steps if s not in covered]
        if not missing or not self.gate.fire(at, episode):
            return []
        steps = _spoken_list([self.labels.get(s, s).lower() for s in missing])
        text = self.rule.text.format(reason=reason, steps=steps)
        return [ReminderEvent(self.rule.kind, at, text)]

    def _moment(self, at: float, cue: str, said: str) -> MoodEvent:
        self.moments.append({"at": round(at, 2), "cue": cue, "evidence": said,
                             "strength": CUE_STRENGTH[cue]})
        return MoodEvent(at, cue, said, CUE_STRENGTH[cue])

    def on_time(self, now: float) -> Sequence[Event]:
        return []

    def summary(self) -> dict[str, Any]:
        v = self.voice
        return {
            "customer": {
                "baseline_dbfs": None if v.learned is None else round(v.learned, 1),
                "average_dbfs": None if v.average is None else round(v.average, 1),
                "loud_s": round(v.loud_s, 1),
                "anger_words": self.anger_heard,
                "moments": self.moments,
                self.rule.kind: self.gate.count,
            }
        }
