"""What a call's events show in the overlay: a step lights its chip and its row, a warning goes
to the attention queue (the one line, by urgency) and to the expanded view, a withdrawal or a
step taken back says why, the transcript and the level meter follow the call. A mixin of
OverlayWindow (ui/overlay.py)."""

from __future__ import annotations

import time

from callassist.coach.events import (
    LevelEvent,
    ReminderEvent,
    StepEvent,
    TranscriptEvent,
    WarningEvent,
    WithdrawnEvent,
)
from callassist.ui import theme
from callassist.ui.attention import HOLD_S, Item, Urgency, compact_advice
from callassist.ui.overlay_status import sentence
from callassist.ui.placement import EXPANDED


class EventView:
    """The events of a call, on screen."""

    def _on_events(self, sent_at: float, events: list) -> None:
        for e in events:
            if isinstance(e, StepEvent):
                self._on_step(sent_at, e)
            elif isinstance(e, WarningEvent):
                title = self.titles.get(e.kind, e.kind.replace("_", " ").capitalize())
                self.message.changed_at = sent_at
                self._attend(Item(Urgency.WARNING, e.kind, title, compact_advice(e.advice),
                                  HOLD_S[Urgency.WARNING], key=(e.kind, e.at),
                                  tooltip=e.advice))
                self.details.add_warning(title, e)
                self.warning_shown.emit(e.kind)
            elif isinstance(e, WithdrawnEvent):
                title = self.titles.get(e.kind, e.kind.replace("_", " ").capitalize())
                self.attention.withdraw((e.kind, e.raised_at), f"{title} withdrawn",
                                        sentence(e.note) + ".", time.monotonic())
                self.details.withdraw_warning(e.kind, e.raised_at, e.note)
                self._show_attention()
            elif isinstance(e, ReminderEvent):
                if e.kind in self.playbook.reminders:
                    self._attend(Item(Urgency.REMINDER, e.kind, "", e.text,
                                      HOLD_S[Urgency.REMINDER]))
                else:
                    # A monitor's prompt to act now (the caller is angry): before reminders.
                    self._attend(Item(Urgency.ACT_NOW, e.kind, "Now", e.text,
                                      HOLD_S[Urgency.ACT_NOW]))
            elif isinstance(e, TranscriptEvent):
                self.details.add_transcript(e)
            elif isinstance(e, LevelEvent) and e.speaker == "agent":
                self.meter.set_dbfs(e.dbfs)
        if self.mode == EXPANDED and any(
                isinstance(e, StepEvent | WarningEvent | WithdrawnEvent) for e in events):
            self._refit_later()  # the expanded view shows them whole
        self.events_applied.emit(events)

    def _on_step(self, sent_at: float, e: StepEvent) -> None:
        chip = self.chips.get(e.step)
        if chip is None:
            return
        taken_back = "" if e.covered or e.manual else e.evidence
        chip.changed_at = sent_at
        chip.set_state(e.covered, e.manual, taken_back)
        self.details.set_step(e.step, e if e.covered else None, taken_back)
        if e.covered:
            self.attention.drop("next", time.monotonic())
            self._show_attention()
        elif taken_back:
            # A step lit a moment ago goes dark: say why, so the agent is not left guessing.
            self._attend(Item(Urgency.NOTE, "taken_back", f"{chip.label} taken back",
                              sentence(taken_back), HOLD_S[Urgency.NOTE]))
        self._update_hint()
        if e.covered and self.summary.isVisible():
            self.dismiss_summary()  # the next call is under way
        self.step_changed.emit(e.step, e.covered, e.manual)

    def _attend(self, item: Item) -> None:
        self.attention.push(item, time.monotonic())
        self._show_attention()

    def _show_attention(self) -> None:
        now = time.monotonic()
        item = self.attention.current(now)
        if item is None:
            self.message.show_hint()
        else:
            accent = {"withdrawn": theme.STEP_ON, "taken_back": theme.TONE_ALERT}.get(
                item.kind, theme.WARNING if item.is_warning else (
                    theme.TONE_ALERT if item.urgency == Urgency.ACT_NOW else theme.REMINDER))
            self.message.show_item(
                "warning" if item.is_warning else (
                    "note" if item.urgency == Urgency.NOTE else "reminder"),
                item.title, item.text, accent,
                more=self.attention.more_warnings() if item.is_warning else 0,
                warning_kind=item.kind if item.is_warning else "",
                tooltip=item.tooltip)
        due = self.attention.next_change()
        if due is not None:
            self._attention_timer.start(max(10, round((due - now) * 1000)))
        else:
            self._attention_timer.stop()

    def dismiss_message(self) -> None:
        self.attention.dismiss(time.monotonic())
        self._show_attention()

    def dismiss(self) -> None:
        if self.message.kind:
            self.dismiss_message()
        elif self.summary.isVisible():
            self.dismiss_summary()

    def dismiss_summary(self) -> None:
        self.summary.hide()
        self.message.show()
        self._fit_content()
