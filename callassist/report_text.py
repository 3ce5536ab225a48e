"""The per-call report as a readable table for the terminal."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from callassist.coach.checklist import StepState, checklist
from callassist.coach.report import Report
from callassist.coach.tone_text import tone_lines
from callassist.format import clock


def _clip(text: str | None, width: int = 60) -> str:
    text = (text or "").strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def format_report(report: Report | Mapping[str, Any]) -> str:
    report = Report.from_json(report)
    lines = []
    title = " — ".join(str(x) for x in (report.id, report.title) if x)
    length = clock(report.duration or 0.0)
    lines.append(f"Call {title}  ({length})" if title else f"Call ({length})")
    lines.append("")
    steps = checklist(report)
    lines.append("ASAP checklist" if steps.needs_asap
                 else "ASAP checklist (routine call: no steps needed)")
    for row in steps.rows:
        if row.state is StepState.COVERED:
            how = " (by hand)" if row.manual else ""
            lines.append(f'  [x] {row.label:<22} {clock(row.at):>6}  "{_clip(row.evidence)}"{how}')
            if row.why:
                lines.append(f"      why: {_clip(row.why, 70)}")
        else:
            mark = "[ ]" if row.state is StepState.MISSED else " - "
            lines.append(f"  {mark} {row.label:<22} {row.state.words:>11}")
    warnings = report.warnings
    lines.append("")
    lines.append(f"Warnings ({len(warnings)})" if warnings else "Warnings: none")
    for w in warnings:
        kind = w.kind.replace("_", " ")
        lines.append(f'  ! {clock(w.at):>6}  {kind:<22} "{_clip(w.evidence, 50)}"')
        if w.reason:
            lines.append(f"      why: {_clip(w.reason, 70)}")
        for part in textwrap.wrap(w.advice, 76):
            lines.append(f"      → {part}")
    first = report.summary.time_to_first_apology
    tail = f", first apology at {clock(first)}" if first is not None else ", no apology"
    lines.append("")
    lines.append(f"Summary: {steps.covered}/{steps.total} steps covered, "
                 f"{len(warnings)} warning(s){tail}")
    lines += tone_lines(dict(report.summary.tone))
    return "\n".join(lines)
