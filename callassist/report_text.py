"""The per-call report as a readable table for the terminal."""

from __future__ import annotations

import textwrap

from callassist.coach.kinds import STEP_IDS
from callassist.coach.tone_text import tone_lines


def _clip(text: str | None, width: int = 60) -> str:
    text = (text or "").strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def format_report(report: dict) -> str:
    lines = []
    title = " — ".join(x for x in (report.get("id"), report.get("title")) if x)
    lines.append(
        f"Call {title}  ({report.get('duration') or 0:.1f} s)"
        if title
        else f"Call ({report.get('duration') or 0:.1f} s)"
    )
    lines.append("")
    lines.append("ASAP checklist")
    for sid in STEP_IDS:
        s = report["steps"][sid]
        label = s.get("label", sid)
        if s["covered"]:
            how = " (by hand)" if s.get("manual") else ""
            lines.append(f'  [x] {label:<22} {s["at"]:>7.1f} s  "{_clip(s["evidence"])}"{how}')
            if s.get("reason") and not s.get("manual"):
                lines.append(f"      why: {_clip(s['reason'], 70)}")
        else:
            lines.append(f"  [ ] {label:<22} {'missed':>9}")
    warnings = report.get("warnings", [])
    lines.append("")
    lines.append(f"Warnings ({len(warnings)})" if warnings else "Warnings: none")
    for w in warnings:
        kind = w["kind"].replace("_", " ")
        lines.append(f'  ! {w["at"]:>7.1f} s  {kind:<22} "{_clip(w["evidence"], 50)}"')
        if w.get("reason"):
            lines.append(f"      why: {_clip(w['reason'], 70)}")
        for part in textwrap.wrap(w.get("advice", ""), 76):
            lines.append(f"      → {part}")
    summary = report.get("summary", {})
    covered = len(summary.get("steps_covered", []))
    first = summary.get("time_to_first_apology")
    tail = f", first apology after {first:.1f} s" if first is not None else ", no apology"
    lines.append("")
    lines.append(f"Summary: {covered}/4 steps covered, {len(warnings)} warning(s){tail}")
    lines += tone_lines(summary.get("tone") or {})
    return "\n".join(lines)
