"""How times, lengths and sizes read everywhere (overlay, review window, `calls`, exports), and
the record palette the review timeline and the HTML export share: each written once."""

from __future__ import annotations

import math
import time

# The colours of a call record's timeline rows (review window and HTML export alike).
PALETTE = {
    "customer": "#8FA9CF", "upset": "#E08A1E", "agent": "#7CC49A", "step": "#2E8B57",
    "warning": "#D1495B", "reminder": "#5B7BD5", "note": "#7A4FBF",
}
# A light page (review window, HTML export): its text, dim text, rules, and the tints behind
# transcript turns that hold a step or a warning.
PAGE = {
    "text": "#222222", "dim": "#555555", "faint": "#6B7078", "rule": "#DDDDDD",
    "step_tint": "#E6F4EA", "warning_tint": "#FDE8EA",
}
# A checklist row's state on a light page (`coach/checklist.py`); the overlay's dark card has
# its own in ui/theme.py.
CHECK_COLOURS = {"covered": PALETTE["step"], "missed": "#C0392B", "not_needed": PAGE["faint"]}


def clock(seconds: float | None) -> str:
    """A call's time as a stopwatch shows it: whole seconds elapsed, so 59.6 s is 0:59 in the
    overlay's timer, the review window and the exports alike."""
    if seconds is None:
        return ""
    if not math.isfinite(seconds):  # a damaged record still lists (C8)
        return "?"
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"


def local_time(epoch: float, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """The local date and time of an epoch; "?" for one no calendar can show, so one damaged
    record never stops a listing of the whole store (C8)."""
    try:
        return time.strftime(fmt, time.localtime(epoch))
    except (OverflowError, OSError, ValueError):
        return "?"


def size(n: int) -> str:
    """A file size for people: 812 KB, 41.5 MB, 128 MB, 1.2 GB."""
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB"
    if n >= 100 * 1024**2:
        return f"{n / 1024**2:.0f} MB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MB"
    return f"{n / 1024:.0f} KB"
