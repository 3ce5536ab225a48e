"""A call session: fed what the agent and customer say (with times), it emits the events of
DESIGN.md and can produce the per-call report at any moment."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from callassist.coach.events import (
    ConfirmedEvent,
    EndedEvent,
    Event,
    LevelEvent,
    ReminderEvent,
    StepEvent,
    ToneEvent,
    TranscriptEvent,
    WarningEvent,
    WithdrawnEvent,
    Word,
)
from callassist.coach.hold import HoldTracker
from callassist.coach.kinds import STEP_IDS
from callassist.coach.patterns import Match
from callassist.coach.playbook import Playbook
from callassist.coach.reminders import ReminderScheduler
from callassist.coach.report import Report, Turn, build_report
from callassist.coach.rules import Analysis, analyse
from callassist.coach.say import CustomerWords, fit_advice, say_rules
from callassist.coach.text import input_words, normalize
from callassist.coach.tone import monitors_for
from callassist.coach.utterance import Monitor, Utterance

# A manual tick refers to the agent's last sentence if it ended at most this long before.
TICK_LOOKBACK_S = 20.0

@dataclass
class _Ownable:
    """A warning on screen that the agent can still take back by owning the fault: in the rest
    of the sentence that raised it, in the next one, or within the rule's window."""

    event: WarningEvent
    start: float  # of the utterance that raised it
    cancelled_by: tuple[str, ...]
    window: float
    end: float | None = None  # of that utterance, once its final is heard


def timed_words(
    text: str, start: float, end: float, words: Sequence[Word] | None
) -> tuple[Word, ...]:
    """Recogniser words when they line up with the text, else times spread evenly."""
    plain = input_words(text)
    if words and len(words) == len(plain):
        return tuple(words)
    if not plain:
        return ()
    step = max(end - start, 0.0) / len(plain)
    return tuple(Word(w, start + i * step, start + (i + 1) * step) for i, w in enumerate(plain))


def _whole_words(utt: Utterance, m: Match) -> str:
    """A partial result's text up to the end of the match: a partial may end inside a word
    ("i've refunded the sh"), the words a rule matched are whole (UX review L2)."""
    if utt.final or not utt.tokens.origin:
        return utt.text
    last = utt.tokens.origin[min(m.end, len(utt.tokens.origin)) - 1]
    return " ".join(w.text for w in utt.words[: last + 1])


def _said(utt: Utterance, m: Match) -> str:
    """The words of the utterance behind a match."""
    origin = utt.tokens.origin
    if not origin:
        return utt.text
    first, last = origin[m.start], origin[min(m.end, len(origin)) - 1]
    return " ".join(w.text for w in utt.words[first : last + 1])


class CallSession:
    def __init__(self, playbook: Playbook, monitors: Sequence[Monitor] | None = None):
        """Without `monitors`, the playbook's tone monitors watch the call (tone.py)."""
        self.playbook = playbook
        self.monitors = list(monitors) if monitors is not None else monitors_for(playbook)
        self.events: list[Event] = []
        self.turns: list[Turn] = []
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.now = 0.0
        self._covered: dict[str, StepEvent] = {}
        self._provisional: set[str] = set()
        self._step_seen: dict[str, float] = {}
        self._ownable: list[_Ownable] = []
        # Phrase warnings raised from the partial results of the agent's current utterance
        # (its start time, and the warnings by kind); its final confirms or withdraws them.
        self._early_start: float | None = None
        self._early: dict[str, WarningEvent] = {}
        # The context the trained head reads with an agent's line: the customer's last line
        # and the agent's own line before, as the coach reads a line.
        self._customer_said = ""
        self._agent_said = ""
        self._hold = HoldTracker(playbook.hold)
        self._reminders = ReminderScheduler(playbook.reminders)
        # what to say, in the customer's words
        self._say = CustomerWords(say_rules(playbook.say, playbook.source))

    # -- feeding ------------------------------------------------------------------------------

    def start(self, at: float = 0.0) -> list[Event]:
        if self.started_at is not None:
            return []
        self.started_at = self.now = at
        return self._emit(self._reminders.on_start(at))

    def feed_utterance(
        self,
        speaker: str,
        text: str,
        start: float,
        end: float,
        words: Sequence[Word] | None = None,
    ) -> list[Event]:
        """A final result: one utterance, as it will stand in the transcript."""
        out = self.start()
        utt = self._utterance(speaker, text, start, end, words, final=True)
        out += self._emit([TranscriptEvent(speaker, True, text, start, end, utt.words)])
        self.turns.append(Turn(speaker, start, end, text))
        out += self._emit(self._hold.on_speech(start))
        if speaker == "agent":
            out += self._agent_final(utt)
            self._agent_said = utt.tokens.text
        elif speaker == "customer":
            self._say.hear(text, end)
            self._customer_said = utt.tokens.text
            meaning = self.playbook.meaning
            if meaning is not None and meaning.head is not None and self._customer_said:
                # read now, while the agent listens, not when the agent's line ends
                meaning.vector(self._customer_said)
        for m in self.monitors:
            out += self._emit(m.on_utterance(utt, frozenset(self._covered)))
        out += self.advance(end)
        return out

    def feed_partial(
        self,
        speaker: str,
        text: str,
        start: float,
        now: float,
        words: Sequence[Word] | None = None,
    ) -> list[Event]:
        """A partial result: the utterance so far. Steps may tick now; the final confirms them."""
        out = self.start()
        utt = self._utterance(speaker, text, start, now, words, final=False)
        out += self._emit([TranscriptEvent(speaker, False, text, start, now, utt.words)])
        if speaker == "agent":
            if self._early_start != start:
                self._early_start, self._early = start, {}
            analysis = analyse(self.playbook, utt.tokens)
            settled = len(analysis.text.words) - self.playbook.partial_settle_words
            out += self._take_back(utt, analysis, settled)
            for sid, m in analysis.steps.items():
                if sid not in self._covered:
                    self._provisional.add(sid)
                    out += self._emit([StepEvent(sid, utt.time_of_token(m.start),
                                                 _whole_words(utt, m),
                                                 reason=analysis.reasons.get(sid, ""))])
            for kind, m in analysis.warnings.items():
                if kind not in self._early and m.end <= settled:
                    event, raised = self._raise(kind, m, utt, analysis)
                    out += raised
                    if event is not None:
                        self._early[kind] = event
        return out

    @property
    def on_hold(self) -> bool:
        """A hold or pause phrase and silence since (calls by voice do not end on it)."""
        return self._hold.holding

    def feed_level(self, speaker: str, at: float, dbfs: float, voiced: bool) -> list[Event]:
        out = self._emit([LevelEvent(speaker, at, dbfs, voiced)])
        covered = frozenset(self._covered)
        for m in self.monitors:
            out += self._emit(m.on_level(speaker, at, dbfs, voiced, covered))
        return out

    def advance(self, now: float) -> list[Event]:
        """Time passes: silences after a hold, pending warnings and reminders come due."""
        self.now = max(self.now, now)
        out = self._emit(self._hold.on_time(now))
        self._ownable = [o for o in self._ownable if o.end is None or now - o.end < o.window]
        out += self._emit(self._reminders.on_time(now))
        for m in self.monitors:
            out += self._emit(m.on_time(now))
        return out

    def end(self, now: float | None = None) -> list[Event]:
        if self.ended_at is not None:
            return []
        now = self.now if now is None else max(now, self.now)
        out = self._emit(self._hold.on_end(now))
        self.ended_at = now
        # A call that never started emits nothing, so it leaves no record (app/runner.py).
        if self.started_at is not None:
            out += self._emit([self._tone(now), EndedEvent(now)])
        return out

    # -- manual ticks ---------------------------------------------------------------------

    def tick(self, step: str, at: float) -> list[Event]:
        self._check_step(step)
        if step in self._covered:
            return []
        # The agent ticks what they just said: those words are the evidence, and a correction
        # the playbook can learn from (`callassist playbook suggest`).
        said = [t.text for t in self.turns
                if t.speaker == "agent" and t.end >= at - TICK_LOOKBACK_S]
        return self._emit([StepEvent(step, at, said[-1] if said else "ticked by hand",
                                     manual=True)])

    def untick(self, step: str, at: float) -> list[Event]:
        self._check_step(step)
        if step not in self._covered:
            return []
        return self._emit([StepEvent(step, at, "unticked by hand", manual=True, covered=False)])

    # -- state -----------------------------------------------------------------------------

    @property
    def covered(self) -> dict[str, StepEvent]:
        return dict(self._covered)

    @property
    def warnings(self) -> list[WarningEvent]:
        """The warnings that stand: raised and not withdrawn."""
        gone = {(e.kind, e.raised_at) for e in self.events
                if isinstance(e, WithdrawnEvent)}
        return [e for e in self.events
                if isinstance(e, WarningEvent) and (e.kind, e.at) not in gone]

    @property
    def reminders(self) -> list[ReminderEvent]:
        return [e for e in self.events if isinstance(e, ReminderEvent)]

    def report(self) -> Report:
        """The report so far: the one fold over this call's events (report.py). Before the
        end, the tone monitors' figures are taken as they stand now."""
        events: list[Event] = self.events
        if self.ended_at is None:
            events = [*events, self._tone(self.now)]
        elif self.started_at is None:  # ended before it started: its end was not emitted
            events = [*events, self._tone(self.ended_at), EndedEvent(self.ended_at)]
        return build_report(events, self.labels, start=self.started_at or 0.0, least=self.now)

    @property
    def labels(self) -> dict[str, str]:
        return {sid: self.playbook.steps[sid].label for sid in STEP_IDS}

    def _tone(self, at: float) -> ToneEvent:
        figures: dict[str, Any] = {}
        for m in self.monitors:
            figures.update(m.summary())
        # a copy: the monitors' own lists must not change an event already sent
        return ToneEvent(at, copy.deepcopy(figures))

    # -- internals -------------------------------------------------------------------------

    @staticmethod
    def _check_step(step: str) -> None:
        if step not in STEP_IDS:
            raise ValueError(f"unknown step '{step}' (one of {', '.join(STEP_IDS)})")

    def _utterance(
        self,
        speaker: str,
        text: str,
        start: float,
        end: float,
        words: Sequence[Word] | None,
        final: bool,
    ) -> Utterance:
        return Utterance(
            speaker, text, start, end, timed_words(text, start, end, words), normalize(text), final
        )

    def _agent_final(self, utt: Utterance) -> list[Event]:
        # Finals are also read by meaning (the playbook's examples); partials by the rules alone.
        analysis = analyse(self.playbook, utt.tokens, self.playbook.meaning,
                           self._customer_said, self._agent_said)
        out = self._take_back(utt, analysis)
        self._provisional.clear()
        for sid, m in analysis.steps.items():
            self._step_seen[sid] = utt.end
            if sid not in self._covered:
                out += self._emit([StepEvent(sid, utt.time_of_token(m.start), utt.text,
                                             reason=analysis.reasons.get(sid, ""),
                                             confidence=analysis.confidence.get(sid))])
        out += self._agent_warnings(utt, analysis)
        hold_at = analysis.hold or analysis.pause
        self._hold.on_agent_utterance(
            utt.start,
            utt.end,
            utt.time_of_token(hold_at.start) if hold_at else utt.start,
            utt.text,
            hold=analysis.hold is not None,
            pause=analysis.pause is not None,
            handoff=analysis.handoff is not None,
        )
        return out

    def _take_back(
        self, utt: Utterance, analysis: Analysis, settled: int | None = None,
    ) -> list[Event]:
        """Steps ticked from earlier words of this utterance that its words now veto go dark,
        saying why ("hollow apology: “sorry for any inconvenience”"). From a partial result
        (`settled`: the last token that later words cannot change) only a settled warning
        takes a step back."""
        out: list[Event] = []
        for sid in sorted(self._provisional - set(analysis.steps)):
            vetoes = [k for k in self.playbook.steps[sid].unless_warnings
                      if k in analysis.warnings
                      and (settled is None or analysis.warnings[k].end <= settled)]
            if settled is not None and not vetoes:
                continue
            self._provisional.discard(sid)
            if sid in self._covered and not self._covered[sid].manual:
                why = (f"{self.playbook.label(vetoes[0]).lower()}: "
                       f"“{_said(utt, analysis.warnings[vetoes[0]])}”" if vetoes
                       else f"not in the whole sentence: “{utt.text}”")
                out += self._emit([StepEvent(sid, utt.end, why, covered=False)])
        return out

    def _raise(
        self, kind: str, m: Match, utt: Utterance, analysis: Analysis, end: float | None = None,
    ) -> tuple[WarningEvent | None, list[Event]]:
        """A phrase warning, shown at once. One the agent can still own (blame) is watched:
        owning the fault in the same or the next sentence withdraws it."""
        rule = self.playbook.warnings[kind]
        if rule.cancelled_by and any(
            utt.start - self._step_seen.get(s, float("-inf")) <= rule.cancel_window_s
            for s in rule.cancelled_by
        ):
            return None, []  # an explanation that also owns the fault is transparency
        advice = rule.advice
        if kind in self._say.rules.kinds:
            advice = fit_advice(advice, self._say.apology(utt.start))
        event = WarningEvent(kind, utt.time_of_token(m.start), _whole_words(utt, m), advice,
                             reason=analysis.reasons.get(kind, ""),
                             confidence=analysis.confidence.get(kind))
        if rule.cancelled_by:
            self._ownable.append(
                _Ownable(event, utt.start, rule.cancelled_by, rule.cancel_window_s, end))
        return event, self._emit([event])

    def _withdraw(self, event: WarningEvent, at: float, why: str) -> list[Event]:
        note = self.playbook.owned_note if why == "owned" else self.playbook.heard_note
        return self._emit([WithdrawnEvent(event.kind, at, event.at, why, note)])

    def _agent_warnings(self, utt: Utterance, analysis: Analysis) -> list[Event]:
        out: list[Event] = []
        early = self._early if self._early_start == utt.start else {}
        self._early_start, self._early = None, {}
        gone: list[WarningEvent] = []
        # Raised from the words so far, but the whole sentence does not say it after all.
        for kind, event in early.items():
            if kind in analysis.warnings:
                out += self._emit([ConfirmedEvent(kind, utt.end, event.at, utt.text)])
            else:
                out += self._withdraw(event, utt.end, "heard")
                gone.append(event)
        # Owning the fault in this sentence takes back blame raised in it or the one before;
        # blame the next sentence does not own stands.
        owned_at = {s: utt.time_of_token(m.start) for s, m in analysis.steps.items()}
        keep: list[_Ownable] = []
        for o in self._ownable:
            if any(o.event is g for g in gone):
                continue
            owns = [owned_at[s] for s in o.cancelled_by if s in owned_at]
            if owns:
                out += self._withdraw(o.event, max(owns[0], o.event.at), "owned")
            elif o.start == utt.start:
                o.end = utt.end
                keep.append(o)
        self._ownable = keep
        for kind, m in analysis.warnings.items():
            if kind not in early:
                out += self._raise(kind, m, utt, analysis, utt.end)[1]
        return out

    def _emit(self, events: Sequence[Event]) -> list[Event]:
        out: list[Event] = []
        for e in events:
            self.events.append(e)
            out.append(e)
            if isinstance(e, StepEvent):
                if e.covered:
                    self._covered[e.step] = e
                else:
                    self._covered.pop(e.step, None)
            elif isinstance(e, WarningEvent):
                out += self._emit(self._reminders.after_warning(e.kind, e.at))
        return out
