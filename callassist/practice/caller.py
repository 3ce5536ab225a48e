"""The simulated caller: a state machine driven by the coach's events.

It hears what the coach made of the trainee (steps, warnings, the trainee's finished sentences)
and answers with the scenario's lines: apologies and sympathy calm it, defensive phrasing, blame
and hollow apologies make it angrier, a hold without a handoff draws a complaint, and while no
action has been offered it asks what the trainee is going to do about it. The call ends when the
caller is calm and has what `satisfied_when` asks for, or when it gives up. Pure: no audio, no
clock; times are the call's seconds.

    caller = Caller(scenario, judge)          # judge: what the coach makes of one sentence
    say(caller.opening(0.0))
    say(caller.hear(events, now))             # each batch of coach events, as they come
    say(caller.on_time(now))                  # while nothing happens (silence prods)
    caller.spoke(start, end)                  # when each of its lines was actually heard
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from callassist.coach.events import Event, LevelEvent, StepEvent, TranscriptEvent, WarningEvent
from callassist.coach.kinds import STEP_IDS
from callassist.practice.scenario import HANDOFF, Line, Scenario

TURN_GAP_S = 0.8  # the trainee's silence after a sentence that ends their turn (pauses
# between sentences of one turn are shorter; the answer still starts within ~1 s)


@dataclass(frozen=True)
class Judgement:
    """What the coach's rules make of one finished sentence of the trainee (warnings the
    session may hold back a few seconds included, so the caller answers them at once)."""

    warnings: tuple[str, ...] = ()
    hold: bool = False  # a hold or transfer
    pause: bool = False  # "one moment", "let me check"
    handoff: bool = False  # a colleague brought onto the call, the caller kept on the line


Judge = Callable[[str], Judgement]


@dataclass(frozen=True)
class Say:
    """One line the caller says now, and why."""

    line: Line
    reason: str  # the reaction key (a step, a warning kind or a call moment)
    at: float  # call time it was decided
    anger: float  # the caller's anger after it
    ends: bool = False  # the call ends once it has been said
    answers_turn: bool = False  # the first line answering the trainee's turn (ended at `at`)


class Caller:
    def __init__(self, scenario: Scenario, judge: Judge):
        self.scenario = scenario
        self.judge = judge
        self.anger = scenario.mood.anger
        self.turns = 0
        self.on_hold = False
        self.outcome: str | None = None  # "satisfied" or "gives_up" once the call is over
        self.said: list[Say] = []
        self.anger_track: list[tuple[float, float]] = [(0.0, self.anger)]
        self._covered: set[str] = set()
        self._handed_off = False
        self._new: list[str] = []  # what the trainee did since the caller last answered
        self._answered: set[tuple[str, str]] = set()  # (warning kind, sentence) already answered
        self._used: Counter[str] = Counter()
        self._quiet_since = 0.0
        self._voice_until = 0.0  # the trainee's voice was last heard until then
        self._sentences: list[TranscriptEvent] = []  # finished, not answered yet
        self._mid_sentence = False  # a partial result came after the last final one

    @property
    def voice_until(self) -> float:
        """The trainee's voice was last heard until then (call time)."""
        return self._voice_until

    @property
    def done(self) -> bool:
        return self.outcome is not None

    # -- inputs ------------------------------------------------------------------------------

    def opening(self, at: float) -> list[Say]:
        return [self._say_line(line, "opening", at) for line in self.scenario.opening]

    def spoke(self, start: float, end: float) -> None:
        """The caller's line was heard from start to end: silence is counted from its end."""
        self._quiet_since = max(self._quiet_since, end)

    def hear(self, events: Iterable[Event], now: float) -> list[Say]:
        """Each batch of the coach's events as it comes; `now` is the call's clock. The caller
        answers once the trainee has finished a sentence, started no other and been silent for
        TURN_GAP_S (a recogniser may end a sentence at a pause for breath)."""
        out: list[Say] = []
        for e in events:
            if isinstance(e, StepEvent):
                self._on_step(e)
            elif isinstance(e, WarningEvent) and not self.done:
                out += self._on_warning(e, now)
            elif isinstance(e, LevelEvent) and e.speaker == "agent" and e.voiced:
                self._voice_until = max(self._voice_until, e.at + 0.1)
                self._quiet_since = max(self._quiet_since, self._voice_until)
            elif isinstance(e, TranscriptEvent) and e.speaker == "agent":
                self._quiet_since = max(self._quiet_since, e.end)
                if e.final:
                    self._mid_sentence = False
                    if e.text.strip():
                        self._sentences.append(e)
                elif e.text.strip():
                    self._mid_sentence = True  # the next sentence has begun
        turn_over = not self._mid_sentence and now - self._voice_until >= TURN_GAP_S
        if self._sentences and not self.done and turn_over:
            sentences, self._sentences = self._sentences, []
            out += self._turn(sentences)
        return out

    def on_time(self, now: float) -> list[Say]:
        """The trainee has said nothing for a while (not on hold): the caller presses."""
        if self.done or self.on_hold or now - self._quiet_since < self.scenario.mood.silence_s:
            return []
        self._quiet_since = now
        return self._answer(now)

    # -- what happened -------------------------------------------------------------------------

    def _on_step(self, e: StepEvent) -> None:
        if not e.covered:
            self._covered.discard(e.step)
        elif e.step not in self._covered:
            self._covered.add(e.step)
            self._new.append(e.step)

    def _on_warning(self, e: WarningEvent, now: float) -> list[Say]:
        if (e.kind, e.evidence) in self._answered:
            return []  # answered already, when the sentence was said
        self._answered.add((e.kind, e.evidence))
        self._new.append(e.kind)
        if e.kind == "hold_without_handoff":
            # Left on hold: the caller speaks up at once, it is not waiting for a turn.
            self.on_hold = False
            return self._answer(max(now, e.at))
        return []

    def _turn(self, sentences: list[TranscriptEvent]) -> list[Say]:
        paused = False  # what the turn ended on: a hold, a pause or a handoff
        for e in sentences:
            j = self.judge(e.text)
            for kind in j.warnings:
                if (kind, e.text) not in self._answered:
                    self._answered.add((kind, e.text))
                    self._new.append(kind)
            self._handed_off |= j.handoff
            paused = j.hold or j.pause or j.handoff
        says = self._turn_answer(sentences[-1].end, paused)
        if says:
            says[0] = replace(says[0], answers_turn=True)
            self.said[-len(says)] = says[0]
        return says

    def _turn_answer(self, at: float, paused: bool) -> list[Say]:
        reactions = self.scenario.reactions
        worse = any(reactions[k].anger > 0 for k in self._new)
        after = self.anger + sum(reactions[k].anger for k in dict.fromkeys(self._new))
        if paused and not worse and not self._satisfied(after):
            self.on_hold = True
            return [self._say("on_hold", at)]
        self.on_hold = False
        return self._answer(at)

    # -- answers -----------------------------------------------------------------------------

    def _satisfied(self, anger: float | None = None) -> bool:
        have = self._covered | ({HANDOFF} if self._handed_off else set())
        calm = (self.anger if anger is None else anger) <= self.scenario.mood.calm_at
        return calm and set(self.scenario.satisfied_when) <= have

    def _answer(self, at: float) -> list[Say]:
        # a step a partial result ticked and the final one unticked was not said after all
        new = [k for k in dict.fromkeys(self._new) if k not in STEP_IDS or k in self._covered]
        self._new = []
        reactions = self.scenario.reactions
        mood = self.scenario.mood
        self.anger = max(0.0, self.anger + sum(reactions[k].anger for k in new))
        self.turns += 1
        self.anger_track.append((at, self.anger))
        if self.anger >= mood.give_up_at:
            return [self._end("gives_up", at)]
        if self._satisfied():
            return [self._end("satisfied", at)]
        if self.turns >= mood.patience_turns:
            return [self._end("gives_up", at)]
        worse = [k for k in new if reactions[k].anger > 0]
        if worse:
            return [self._say(max(worse, key=lambda k: reactions[k].anger), at)]
        out = []
        better = [k for k in STEP_IDS if k in new]
        if better:
            out.append(self._say(better[-1], at))
        # Pressing for an answer: the caller grows impatient as it says so.
        press = "no_action" if "take_action" not in self._covered else None
        press = press or (None if better else "still_upset")
        if press:
            self.anger += reactions[press].anger
            out.append(self._say(press, at))
        return out

    def _end(self, outcome: str, at: float) -> Say:
        self.outcome = outcome
        say = self._say(outcome, at)
        return Say(say.line, say.reason, say.at, say.anger, ends=True)

    def _say(self, reason: str, at: float) -> Say:
        lines = self.scenario.reactions[reason].lines
        line = lines[self._used[reason] % len(lines)]
        self._used[reason] += 1
        return self._say_line(line, reason, at)

    def _say_line(self, line: Line, reason: str, at: float) -> Say:
        say = Say(line, reason, at, self.anger)
        self._quiet_since = max(self._quiet_since, at)
        self.said.append(say)
        return say
