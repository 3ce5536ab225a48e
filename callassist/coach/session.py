"""A call session: fed what the agent and customer say (with times), it emits the events of
DESIGN.md and can produce the per-call report at any moment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from callassist.coach.events import (
    Event,
    LevelEvent,
    ReminderEvent,
    StepEvent,
    TranscriptEvent,
    WarningEvent,
    Word,
)
from callassist.coach.hold import HoldTracker
from callassist.coach.kinds import STEP_IDS
from callassist.coach.playbook import Playbook
from callassist.coach.reminders import ReminderScheduler
from callassist.coach.report import Report, build_report
from callassist.coach.rules import Analysis, analyse
from callassist.coach.text import input_words, normalize
from callassist.coach.tone import monitors_for
from callassist.coach.utterance import Monitor, Utterance

# A manual tick refers to the agent's last sentence if it ended at most this long before.
TICK_LOOKBACK_S = 20.0

@dataclass
class _PendingWarning:
    event: WarningEvent
    end: float
    cancelled_by: tuple[str, ...]
    window: float


def _timed_words(
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


class CallSession:
    def __init__(self, playbook: Playbook, monitors: Sequence[Monitor] | None = None):
        """Without `monitors`, the playbook's tone monitors watch the call (tone.py)."""
        self.playbook = playbook
        self.monitors = list(monitors) if monitors is not None else monitors_for(playbook)
        self.events: list[Event] = []
        self.turns: list[dict] = []
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.now = 0.0
        self._covered: dict[str, StepEvent] = {}
        self._provisional: set[str] = set()
        self._step_seen: dict[str, float] = {}
        self._pending: list[_PendingWarning] = []
        self._hold = HoldTracker(playbook.hold)
        self._reminders = ReminderScheduler(playbook.reminders)

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
        self.turns.append({"speaker": speaker, "start": start, "end": end, "text": text})
        out += self._emit(self._hold.on_speech(start))
        if speaker == "agent":
            out += self._agent_final(utt)
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
            analysis = analyse(self.playbook, utt.tokens)
            for sid, m in analysis.steps.items():
                if sid not in self._covered:
                    self._provisional.add(sid)
                    out += self._emit([StepEvent(sid, utt.time_of_token(m.start), text,
                                                 reason=analysis.reasons.get(sid, ""))])
        return out

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
        out += self._flush_pending(now)
        out += self._emit(self._reminders.on_time(now))
        for m in self.monitors:
            out += self._emit(m.on_time(now))
        return out

    def end(self, now: float | None = None) -> list[Event]:
        if self.ended_at is not None:
            return []
        now = self.now if now is None else max(now, self.now)
        out = self._emit(self._hold.on_end(now))
        out += self._flush_pending(now, final=True)
        self.ended_at = now
        return out

    # -- manual ticks ---------------------------------------------------------------------

    def tick(self, step: str, at: float) -> list[Event]:
        self._check_step(step)
        if step in self._covered:
            return []
        # The agent ticks what they just said: those words are the evidence, and a correction
        # the playbook can learn from (`callassist playbook suggest`).
        said = [t["text"] for t in self.turns
                if t["speaker"] == "agent" and t["end"] >= at - TICK_LOOKBACK_S]
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
        return [e for e in self.events if isinstance(e, WarningEvent)]

    @property
    def reminders(self) -> list[ReminderEvent]:
        return [e for e in self.events if isinstance(e, ReminderEvent)]

    def report(self) -> Report:
        return build_report(self)

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
            speaker, text, start, end, _timed_words(text, start, end, words), normalize(text), final
        )

    def _agent_final(self, utt: Utterance) -> list[Event]:
        # Finals are also read by meaning (the playbook's examples); partials by the rules alone.
        analysis = analyse(self.playbook, utt.tokens, self.playbook.meaning)
        out: list[Event] = []
        for sid in sorted(self._provisional - set(analysis.steps)):
            if sid in self._covered and not self._covered[sid].manual:
                out += self._emit([StepEvent(sid, utt.end, utt.text, covered=False)])
        self._provisional.clear()
        for sid, m in analysis.steps.items():
            self._step_seen[sid] = utt.end
            if sid not in self._covered:
                out += self._emit([StepEvent(sid, utt.time_of_token(m.start), utt.text,
                                             reason=analysis.reasons.get(sid, ""))])
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

    def _agent_warnings(self, utt: Utterance, analysis: Analysis) -> list[Event]:
        out: list[Event] = []
        # A warning held back for ownership fires once the next agent utterance does not own it.
        earlier, self._pending = self._pending, []
        for p in earlier:
            if not any(s in analysis.steps for s in p.cancelled_by):
                out += self._emit([p.event])
        for kind, m in analysis.warnings.items():
            rule = self.playbook.warnings[kind]
            event = WarningEvent(kind, utt.time_of_token(m.start), utt.text, rule.advice,
                                 reason=analysis.reasons.get(kind, ""))
            if rule.cancelled_by:
                owned_recently = any(
                    utt.start - self._step_seen.get(s, float("-inf")) <= rule.cancel_window_s
                    for s in rule.cancelled_by
                )
                if not owned_recently:
                    self._pending.append(
                        _PendingWarning(event, utt.end, rule.cancelled_by, rule.cancel_window_s)
                    )
                continue
            out += self._emit([event])
        return out

    def _flush_pending(self, now: float, final: bool = False) -> list[Event]:
        due = [p for p in self._pending if final or now - p.end >= p.window]
        self._pending = [p for p in self._pending if p not in due]
        return self._emit([p.event for p in due])

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
