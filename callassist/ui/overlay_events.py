"""What a call's events show in the overlay: a step lights its chip and its row, every event
goes to the current line's policy (app/current_line.py: the newest item still true), a warning
to the expanded view, the transcript and the level meter follow the call. A mixin of
OverlayWindow (ui/overlay.py)."""

from __future__ import annotations

from callassist.app.current_line import Urgency
from callassist.coach.events import (
    LevelEvent,
    StepEvent,
    TranscriptEvent,
    WarningEvent,
    WithdrawnEvent,
)
from callassist.ui import theme
from callassist.ui.placement import EXPANDED


class EventView:
    """The events of a call, on screen."""

    def _on_events(self, sent_at: float, events: list) -> None:
        now = self.call_time()
        for e in events:
            if isinstance(e, StepEvent):
                self._on_step(sent_at, e)
            elif isinstance(e, WarningEvent):
                self.message.changed_at = sent_at
                title = self.titles.get(e.kind, e.kind.replace("_", " ").capitalize())
                self.details.add_warning(title, e)
            elif isinstance(e, WithdrawnEvent):
                self.details.withdraw_warning(e.kind, e.raised_at, e.note)
            elif isinstance(e, TranscriptEvent):
                self.details.add_transcript(e)
            elif isinstance(e, LevelEvent) and e.speaker == "agent":
                self.meter.set_dbfs(e.dbfs)
        self.line.apply(events, now)
        self._show_attention()
        for e in events:
            if isinstance(e, WarningEvent):
                self.warning_shown.emit(e.kind)  # now on the line
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
        self._update_hint()
        if e.covered and self.summary.isVisible():
            self.dismiss_summary()  # the next call is under way
        self.step_changed.emit(e.step, e.covered, e.manual)

    def _show_attention(self) -> None:
        """Shows what the current line's policy says now, and asks again when it may change."""
        now = self.call_time()
        shown = self.line.current(now)
        if shown is None:
            self.message.show_hint()
        else:
            item = shown.item
            accent = {"withdrawn": theme.STEP_ON, "taken_back": theme.TONE_ALERT}.get(
                item.kind, theme.WARNING if item.is_warning else (
                    theme.TONE_ALERT if item.urgency == Urgency.ACT_NOW else theme.REMINDER))
            self.message.show_item(
                "warning" if item.is_warning else (
                    "note" if item.urgency == Urgency.NOTE else "reminder"),
                item.title, item.text, accent, more=shown.more,
                warning_kind=item.kind if item.is_warning else "",
                tooltip=item.tooltip)
        due = self.line.next_change(now)
        if due is not None and self.in_call:
            self._attention_timer.start(max(10, round((due - now) / self._speed * 1000)))
        else:
            self._attention_timer.stop()

    def dismiss_message(self) -> None:
        self.line.dismiss(self.call_time())
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
