"""The overlay's calls: start and end (button, keys, tray, `callassist call`, voice), the
next call after one ends, a practice call borrowing the window, manual ticks, the call timer,
and what the worker posts (events, the end of a call, listening stopped). A mixin of
OverlayWindow (ui/overlay.py): it uses the window's widgets and its worker."""

from __future__ import annotations

from callassist.app.call_flow import Do, Next, Phase
from callassist.app.runner import FAILED
from callassist.app.sources import CallSource
from callassist.format import clock
from callassist.ui import theme
from callassist.ui.hotkeys import SHORTCUTS
from callassist.ui.overlay_status import sentence
from callassist.ui.placement import EXPANDED
from callassist.ui.plain import plain_tooltip


class CallControls:
    """Starting, ending and following calls."""

    def start_call(self) -> None:
        """Starts a call; with calls by voice, listens for one (and, while listening, starts
        it at once: the agent pressed Start)."""
        self._do(self.flow.start(self._by_voice()), fresh=True)

    def end_call(self) -> None:
        self._do(self.flow.end())

    def phone_start(self, call_id: str | None) -> None:
        """`callassist call start [--id]`: a new phone call, started now (with calls by voice
        too: the phone system knows it began). One still running ends first, so two
        customers never share a record."""
        self._do(self.flow.phone_start(call_id, self._by_voice()), fresh=True)

    def phone_end(self) -> None:
        """`callassist call end`: the phone call is over; the next starts with `call start`."""
        self._do(self.flow.phone_end())

    def _set_phone_call_id(self, call_id: str | None) -> None:
        if hasattr(self.source, "phone_call_id"):
            self.source.phone_call_id = call_id

    def _by_voice(self) -> bool:
        return bool(getattr(self.source, "starts_by_voice", False))

    def _do(self, action: Do, fresh: bool = False) -> None:
        """Carries out what the call flow decided. `fresh`: a call the agent or the phone
        asked for clears the last call's summary."""
        if action == Do.NOTHING:
            self._show_phase()
            return
        if action == Do.STOP:
            self.worker.request_stop()
            return
        if action == Do.START_NOW:
            self._set_phone_call_id(self.flow.call_id)
            self.worker.start_now()
            return
        if fresh and self.summary.isVisible():
            self.dismiss_summary()
        if fresh or not self._by_voice():
            self._reset_call_view()
        self._set_phone_call_id(self.flow.call_id)
        self._show_phase()
        self.worker.arm()
        if action == Do.BEGIN_AND_START:
            self.worker.start_now()
        self._run_requested.emit()

    def practise(self, source: CallSource) -> None:
        """A practice call in this window (the Practice menu): the current call ends first;
        when the practice ends, the window goes back to its own source."""
        if self._home_source is None:
            self._home_source = self.source
        self._next_source = source
        action = self.flow.stop_listening()  # _on_idle or _on_call_ended switches over
        if action == Do.NOTHING:
            self._switch_source()
        else:
            self._do(action)

    def _switch_source(self) -> bool:
        """Starts the practice call asked for, or goes back from a practice call to the
        window's own source; True when a call was started."""
        nxt, self._next_source = self._next_source, None
        start = nxt is not None
        if nxt is None:
            if self._home_source is None or self.source is self._home_source:
                return False
            nxt = self._home_source
        self.source = nxt
        self.worker.use_source(nxt)
        self.caption.set_full_text(nxt.label)
        if start:
            self.start_call()
        return start

    def tick_step(self, sid: str) -> None:
        """Tick a step by hand (a click, or its number key); the chip changes when the session
        confirms it. A tick is never undone by a click: see untick_step."""
        if self.in_call and not self.chips[sid].covered:
            self.worker.request_tick(sid, True)

    def untick_step(self, sid: str) -> None:
        """Untick a step by hand: only from the chip's right-click menu, a deliberate act."""
        if self.in_call and self.chips[sid].covered:
            self.worker.request_tick(sid, False)

    def _call_button_clicked(self) -> None:
        if self.in_call:
            self.end_call()
        else:
            self.start_call()

    def _show_phase(self) -> None:
        """The button, the dot, the tray and the hint follow the call flow's phase."""
        in_call = self.flow.in_call
        self.call_button.setText("End call" if in_call else "Start call")
        self.call_button.setToolTip(
            plain_tooltip(f"End the call ({SHORTCUTS['end']})" if in_call
            else f"Start a call ({SHORTCUTS['start']})")
        )
        self.call_button.setProperty("inCall", "true" if in_call else "false")
        self.call_button.style().unpolish(self.call_button)
        self.call_button.style().polish(self.call_button)
        color = theme.WARNING if in_call else theme.STEP_ON if self.waiting else theme.FAINT
        self.live_dot.setStyleSheet(f"color: {color.name()}; font-size: 9pt;")
        self.live_dot.setToolTip(plain_tooltip("In a call" if in_call else "Listening for a call"
                                 if self.waiting else "Not in a call"))
        if self.tray is not None:
            self.tray.set_in_call(in_call)
        self._update_hint()

    def _update_hint(self) -> None:
        missing = [sid for sid, chip in self.chips.items() if not chip.covered]
        if self.waiting:
            self.message.set_hint("Listening: the call starts when you and the caller speak.")
        elif self.flow.phase == Phase.ENDING:
            self.message.set_hint("Ending the call…")
        elif not self.in_call:
            self.message.set_hint(f"Start call ({SHORTCUTS['start']}) when the call begins.")
        elif missing:
            step = self.playbook.steps[missing[0]]
            self.message.set_hint(f"Next: {step.label}. {step.prompt}")
        else:
            self.message.set_hint("All four steps covered.")

    def _reset_call_view(self) -> None:
        for chip in self.chips.values():
            chip.set_state(False)
        self.line.reset()
        self._show_attention()
        self._update_hint()
        self.details.reset()
        self.timer_label.setText("0:00")
        if self.mode == EXPANDED:
            self._refit_later()

    def _on_call_started(self, speed: float, at: float) -> None:
        """`at`: the call time now (a call by voice began with its opening, heard before)."""
        if self.flow.listening:  # a call by voice: the caller and the agent have both spoken
            if self.summary.isVisible():
                self.dismiss_summary()
            self._reset_call_view()
        self.flow.started()
        self._show_phase()
        self._speed = speed
        self._clock_from = at
        self._clock.start()
        self._tick_timer.start()
        # The first seconds of a call are when the apology matters: the next step shows
        # before the gentle reminders.
        missing = [sid for sid, chip in self.chips.items() if not chip.covered]
        if missing:
            step = self.playbook.steps[missing[0]]
            self.line.next_step(missing[0], step.label, step.prompt, self.call_time())
            self._show_attention()
        self.call_started.emit()

    def call_time(self) -> float:
        """Seconds into the call, on the events' clock (the timer on the card shows it)."""
        if not self._clock.isValid():
            return 0.0
        return self._clock_from + self._clock.elapsed() / 1000.0 * self._speed

    def _update_timer(self) -> None:
        text = clock(self.call_time())
        if self.timer_label.text() != text:
            self.timer_label.setText(text)

    def _take_posted(self) -> None:
        for kind, a, b in self.worker.take():
            if kind == "events":
                self._on_events(a, b)
            elif kind == "idle":
                self._on_idle()
            else:
                self._on_call_ended(a, b)

    def _on_call_ended(self, report: dict, outcome: str) -> None:
        self.call_ending.emit(report, outcome)
        self._tick_timer.stop()
        self.timer_label.setText(clock(report.get("duration")))
        live = self.flow.continues and (self.source.live or self.flow.queued)
        after = self.flow.ended()
        self._show_phase()
        self.last_report = report
        if outcome != FAILED:
            self.line.reset()  # the summary lists the warnings now
            self._show_attention()
            note = ("Listening for the next call: it starts when you and the caller speak."
                    if self._by_voice() else "Next call started: listening.") if live else (
                f"{SHORTCUTS['start']} starts the next call.")
            if report.get("practice"):  # a practice call's scorecard
                from callassist.practice.scorecard import scorecard_note

                note = scorecard_note(report)
            self.summary.show_report(report, self.step_labels, self.titles, note,
                                     next_button=not live)
            if not live:
                self.message.hide()  # the summary lists the warnings and says how to go on
            self._fit_content()
        self.call_finished.emit(report, outcome)
        self._set_phone_call_id(None)
        if after == Next.PHONE_CALL:
            self._do(self.flow.begin_queued(self._by_voice()))
        elif (after == Next.CARRY_ON and not self._switch_source() and outcome != FAILED
              and self.source.live):
            # The worker is still finishing the call just ended, and runs the next (or listens
            # for it) as soon as it is free. With calls by voice the summary of the call just
            # ended stays until the next one starts.
            self._do(self.flow.next_call(self._by_voice()))

    def _on_idle(self) -> None:
        """Listening stopped with no call: for a practice call, on quitting, or because the
        input ended."""
        self.flow.idle()
        self._show_phase()
        if not self.quitting:
            self._switch_source()

    def _on_record_problem(self, message: str) -> None:
        self.banner.show_state("record", sentence(message), level="error")
