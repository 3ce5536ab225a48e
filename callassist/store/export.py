"""Stored calls out of the store: CSV (one row per call), JSON transcripts in the corpus format
(so an exported call can be analysed again) and a self-contained HTML report for printing."""

from __future__ import annotations

import csv
import html
import io
import math
import time
from collections.abc import Iterable, Mapping
from typing import Any

from callassist.coach.assessment import FRUSTRATION_LABELS, assess, frustration_moments
from callassist.coach.checklist import StepState, checklist
from callassist.coach.kinds import STEP_IDS
from callassist.coach.labels import LABELS
from callassist.coach.playbook import WARNING_KINDS
from callassist.format import CHECK_COLOURS, PAGE, PALETTE, clock, local_time
from callassist.store.query import StoredCall
from callassist.store.summary import annotate_transcript


def _kinds(calls: list[StoredCall]) -> list[str]:
    seen = {w["kind"] for c in calls for w in c.report.get("warnings", [])}
    return [*WARNING_KINDS, *sorted(seen - set(WARNING_KINDS))]


def tone_figures(report: Mapping[str, Any]) -> dict[str, float]:
    """The tone monitors' numeric figures, flattened: {"pace_average_wpm": 156, ...}."""
    out: dict[str, float] = {}
    for monitor, values in (report.get("summary", {}).get("tone") or {}).items():
        if isinstance(values, dict):
            for key, v in values.items():
                if isinstance(v, int | float) and not isinstance(v, bool):
                    out[f"{monitor}_{key}"] = v
        elif isinstance(values, int | float) and not isinstance(values, bool):
            out[monitor] = values
    return out


# A cell starting with one of these is a formula to Excel and LibreOffice (OWASP's list, plus
# their fullwidth forms, which LibreOffice also accepts): such a cell gets a leading quote.
_FORMULA_STARTS = tuple("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def csv_cell(value: object) -> object:
    """A value as a spreadsheet cell that is never evaluated: text starting like a formula gets a
    leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(calls: Iterable[StoredCall]) -> str:
    calls = list(calls)
    kinds = _kinds(calls)
    tones = [tone_figures(c.report) for c in calls]
    tone_keys = sorted({k for t in tones for k in t})
    out = io.StringIO()
    w = _SafeWriter(csv.writer(out, lineterminator="\n"))
    w.writerow(["call_id", "started", "agent", "duration_s", "status", "source", "title",
                "engine", "model", "retention", "needs_asap", "frustration", "score",
                "steps_covered",
                *(f"{s}_at" for s in STEP_IDS), "time_to_first_apology_s", "warnings",
                *(f"warnings_{k}" for k in kinds), *(f"tone_{k}" for k in tone_keys)])
    for c, tone in zip(calls, tones, strict=True):
        r, steps = c.row, c.report.get("steps", {})
        by_kind = c.report.get("summary", {}).get("warnings_by_kind") or {}
        w.writerow([
            r.id, local_time(r.started_at, "%Y-%m-%d %H:%M:%S"), r.agent, f"{r.duration:.1f}",
            r.status, r.source, r.title, r.engine, r.model, r.retention,
            "yes" if r.needs_asap else "no", FRUSTRATION_LABELS[r.frustration],
            "" if r.score is None else r.score, r.steps_covered,
            *("" if not steps.get(s, {}).get("covered") else steps[s].get("at") for s in STEP_IDS),
            "" if r.first_apology is None else r.first_apology, r.warnings,
            *(by_kind.get(k, 0) for k in kinds), *(tone.get(k, "") for k in tone_keys),
        ])
    return out.getvalue()


class _SafeWriter:
    """csv.writer whose every text cell goes through csv_cell."""

    def __init__(self, writer: Any) -> None:  # a csv.writer (its type is private)
        self._writer = writer

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([csv_cell(v) for v in row])


def to_corpus(call: StoredCall) -> dict[str, Any]:
    """The corpus transcript format (`callassist analyze` reads it) plus what the store knows."""
    r, rep = call.row, call.report
    return {
        "id": f"call-{r.id}",
        "title": r.title or f"{r.agent}, {local_time(r.started_at)}",
        "turns": [
            {"speaker": t["speaker"], "start": t["start"], "end": t["end"], "text": t["text"]}
            for t in rep.get("transcript", [])
        ],
        "call": {
            "call_id": r.id, "agent": r.agent, "started_at": r.started_at,
            "started": local_time(r.started_at, "%Y-%m-%dT%H:%M:%S%z"), "duration": r.duration,
            "status": r.status, "source": r.source, "engine": r.engine, "model": r.model,
            "retention": r.retention, "steps": rep.get("steps", {}),
            "warnings": rep.get("warnings", []), "summary": rep.get("summary", {}),
        },
    }


# Labels on the SVG timeline: an estimate of their width (10 px DejaVu Sans) keeps two labels
# from ever overlapping: a label that does not fit beside the previous one in its row goes on
# the row's second line, and one that fits on neither is left to the marker's tooltip.
LABEL_CHAR_PX = 6.2
NICE_STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


class _Lanes:
    def __init__(self, lanes: int = 2):
        self.ends = [float("-inf")] * lanes

    def place(self, x0: float, text: str) -> int | None:
        """The lane a label starting at x0 fits in, or None."""
        width = len(text) * LABEL_CHAR_PX
        for i, end in enumerate(self.ends):
            if x0 >= end + 4:
                self.ends[i] = x0 + width
                return i
        return None


def axis_ticks(duration: float, most: int = 7) -> list[float]:
    """Evenly spaced round times (every 5 s, 30 s, 1 min...) from 0 to the call's end."""
    if not math.isfinite(duration) or duration < 0:  # a damaged record: no axis (C8)
        return [0.0]
    # Beyond the nicest step, whole multiples of it, so the count stays within `most`.
    step = next((s for s in NICE_STEPS_S if duration / s <= most - 1),
                NICE_STEPS_S[-1] * math.ceil(duration / NICE_STEPS_S[-1] / (most - 1)))
    return [i * step for i in range(int(duration // step) + 1)]


def timeline_svg(call: StoredCall, width: int = 720) -> str:
    """The call on a time axis: speech bands per speaker, the customer's frustration, then
    steps, warnings and reminders."""
    e = html.escape
    dur = max(call.row.duration, max((s.end for s in call.speech), default=0.0), 1.0)
    left, right = 80, width - 10

    def x(t: float) -> float:
        return left + (right - left) * max(0.0, min(float(t), dur)) / dur

    rows = {"customer": 14, "upset": 34, "agent": 54, "step": 78, "warning": 104,
            "reminder": 128}
    height = 156
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" class="timeline">']
    for name, y in rows.items():
        label = {"step": "steps", "warning": "warnings", "reminder": "reminders",
                 "upset": "upset"}.get(name, name)
        parts.append(f'<text x="4" y="{y + 4}" font-size="11" fill="#444">{label}</text>')
        parts.append(f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="#e3e3e3"/>')
    for s in call.speech:
        y = rows.get(s.speaker, 14)
        x0, x1 = x(s.start), x(s.end)
        parts.append(f'<rect x="{x0:.1f}" y="{y - 7}" width="{max(x1 - x0, 1):.1f}" height="14" '
                     f'fill="{PALETTE.get(s.speaker, "#aaa")}"/>')
    rep = call.report
    for m in frustration_moments(rep):
        if m["at"] is None:
            continue
        cx = x(m["at"])
        what = {"complaint": "complaint", "words": "angry words", "voice": "raised voice"}
        parts.append(f'<rect x="{cx - 3:.1f}" y="{rows["upset"] - 2 - 3 * m["strength"]}" '
                     f'width="6" height="{4 + 6 * m["strength"]}" fill="{PALETTE["upset"]}">'
                     f'<title>{e(what[m["cue"]])} at {clock(m["at"])}: {e(m["evidence"])}'
                     '</title></rect>')
    marks = [(s["at"], "step", LABELS.get(sid, sid)) for sid, s in
             rep.get("steps", {}).items() if s.get("covered")]
    marks += [(w["at"], "warning", w["kind"].replace("_", " ")) for w in rep.get("warnings", [])]
    lanes = {"step": _Lanes(), "warning": _Lanes()}
    for at, kind, text in sorted(marks, key=lambda m: (m[1], float(m[0] or 0))):
        cx, y, colour = x(at or 0), rows[kind], PALETTE[kind]
        shape = (f"M{cx:.1f},{y - 6} l6,6 l-6,6 l-6,-6 z" if kind == "step"
                 else f"M{cx:.1f},{y - 7} l7,13 l-14,0 z")
        parts.append(f'<path d="{shape}" fill="{colour}"><title>{e(text)} at {clock(at)}'
                     '</title></path>')
        lane = lanes[kind].place(cx + 8, text)
        if lane is not None:
            parts.append(f'<text x="{cx + 8:.1f}" y="{y + 4 + 11 * lane}" font-size="10" '
                         f'fill="{colour if kind == "warning" else "#222"}">{e(text)}</text>')
    for r in rep.get("reminders", []):
        cx = x(r["at"])
        parts.append(f'<circle cx="{cx:.1f}" cy="{rows["reminder"]}" r="4" '
                     f'fill="{PALETTE["reminder"]}"><title>{e(r["kind"])}</title></circle>')
    for t in axis_ticks(dur):
        parts.append(f'<text x="{x(t):.1f}" y="{height - 4}" font-size="10" fill="#666" '
                     f'text-anchor="middle">{clock(t)}</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = f"""
body {{ font: 13px/1.45 "DejaVu Sans", Arial, sans-serif; color: {PAGE["text"]}; margin: 24px; }}
h1 {{ font-size: 20px; margin: 0 0 4px; }} h2 {{ font-size: 16px; margin: 0 0 2px; }}
.meta {{ color: {PAGE["dim"]}; margin-bottom: 10px; }}
table {{ border-collapse: collapse; margin: 8px 0 14px; }}
th, td {{ border-bottom: 1px solid {PAGE["rule"]}; padding: 3px 10px 3px 0; text-align: left;
  vertical-align: top; }}
th {{ color: {PAGE["dim"]}; font-weight: 600; }}
.covered {{ color: {CHECK_COLOURS["covered"]}; font-weight: 600; }}
.missed {{ color: {CHECK_COLOURS["missed"]}; font-weight: 600; }}
.not_needed {{ color: {CHECK_COLOURS["not_needed"]}; }}
.warn {{ color: {PALETTE["warning"]}; font-weight: 600; }}
.call {{ page-break-before: always; break-before: page; padding-top: 8px; }}
.call:first-of-type {{ page-break-before: auto; break-before: auto; }}
.turn {{ margin: 2px 0; padding: 2px 6px; border-left: 3px solid transparent; }}
.turn .who {{ display: inline-block; width: 90px; color: {PAGE["dim"]}; }}
.turn.step {{ background: {PAGE["step_tint"]}; border-left-color: {PALETTE["step"]}; }}
.turn.warning {{ background: {PAGE["warning_tint"]}; border-left-color: {PALETTE["warning"]}; }}
.tag {{ font-size: 11px; padding: 0 5px; border-radius: 3px; margin-left: 6px; color: #fff; }}
.tag.step {{ background: {PALETTE["step"]}; }} .tag.warning {{ background: {PALETTE["warning"]}; }}
.advice {{ color: {PAGE["dim"]}; font-style: italic; }}
@media print {{ body {{ margin: 0; }} .noprint {{ display: none; }} }}
"""
# How each checklist state reads in the export (the colours are the CSS classes above).
_STATE_MARK = {StepState.COVERED: "✓ covered", StepState.MISSED: "✗ missed",
               StepState.NOT_NEEDED: "not needed"}


def why(reason: str | None) -> str:
    """Why a step counts or a warning fired (a rule or the nearest examples), small."""
    return f'<div class="meta">why: {html.escape(reason)}</div>' if reason else ""


def _call_html(call: StoredCall) -> str:
    e = html.escape
    r, rep = call.row, call.report
    out = [f'<section class="call"><h2>Call {r.id}: {e(r.agent)}, '
           f'{e(local_time(r.started_at))}</h2>']
    judged = assess(rep)
    meta = [f"{clock(r.duration)} min", r.status,
            f"customer {judged.frustration_label}" if judged.needs_asap else "routine call"]
    meta += [x for x in (r.title, r.source, " ".join(filter(None, (r.engine, r.model)))) if x]
    out.append(f'<div class="meta">{" · ".join(e(m) for m in meta)}</div>')
    out.append(f'<div class="meta">Score {e(judged.explain())}</div>')
    out.append("<table><tr><th>ASAP step</th><th></th><th>at</th><th>evidence</th></tr>")
    for row in checklist(rep, judged).rows:
        how = " (by hand)" if row.manual else ""
        out.append(f'<tr><td>{e(row.label)}</td><td class="{row.state}">'
                   f'{_STATE_MARK[row.state]}</td><td>{clock(row.at)}</td>'
                   f'<td>{e(row.evidence)}{how}'
                   f'{why(row.why)}</td></tr>')
    out.append("</table>")
    warnings = sorted(rep.get("warnings", []), key=lambda w: float(w.get("at") or 0))
    if warnings:
        out.append("<table><tr><th>warning</th><th>at</th><th>what was said</th>"
                   "<th>what to say instead</th></tr>")
        for w in warnings:
            out.append(f'<tr><td class="warn">{e(w["kind"].replace("_", " "))}</td>'
                       f'<td>{clock(w.get("at"))}</td><td>{e(w.get("evidence") or "")}'
                       f'{why(w.get("reason"))}</td>'
                       f'<td class="advice">{e(w.get("advice") or "")}</td></tr>')
        out.append("</table>")
    else:
        out.append("<p>No warnings.</p>")
    out.append(timeline_svg(call))
    turns = rep.get("transcript", [])
    if turns:
        out.append("<h3>Transcript</h3>")
        for t, marks in zip(turns, annotate_transcript(rep), strict=True):
            cls = "warning" if any(m["type"] == "warning" for m in marks) else (
                "step" if marks else "")
            tags = "".join(
                f'<span class="tag {m["type"]}">'
                f'{e(LABELS.get(m["id"], m["id"].replace("_", " ")))}</span>'
                for m in marks
            )
            out.append(f'<div class="turn {cls}"><span class="who">{clock(t["start"])} '
                       f'{e(t["speaker"])}</span>{e(t["text"])}{tags}</div>')
    elif r.retention != "full":
        out.append(f"<p class=\"meta\">No transcript kept (retention: {e(r.retention)}).</p>")
    out.append("</section>")
    return "\n".join(out)


def to_html(calls: Iterable[StoredCall], title: str = "CallAssist call report") -> str:
    calls = list(calls)
    e = html.escape
    head = [f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{e(title)}</title>"
            f"<style>{_CSS}</style></head><body>", f"<h1>{e(title)}</h1>"]
    if calls:
        first = min(c.row.started_at for c in calls)
        last = max(c.row.started_at for c in calls)
        upset = [c for c in calls if c.row.needs_asap]
        covered = {s: sum(c.row.covered(s) for c in upset) for s in STEP_IDS}
        agents = sorted({c.row.agent for c in calls})
        head.append(f'<div class="meta">{len(calls)} call(s) of {e(", ".join(agents))}, '
                    f'{e(local_time(first))} to {e(local_time(last))} · '
                    f'printed {e(local_time(time.time()))}</div>')
        head.append(f'<div class="meta">{len(upset)} call(s) with an upset customer needed the '
                    f'ASAP steps; {len(calls) - len(upset)} were routine.</div>')
        if upset:
            head.append("<table><tr><th>step</th><th>covered when needed</th></tr>")
            for s in STEP_IDS:
                head.append(f"<tr><td>{e(LABELS[s])}</td><td>{covered[s]} of {len(upset)} "
                            f"({100 * covered[s] / len(upset):.0f}%)</td></tr>")
            head.append("</table>")
        if len(calls) > 1:
            head.append("<table><tr><th>call</th><th>started</th><th>agent</th><th>length</th>"
                        "<th>customer</th><th>score</th><th>steps</th><th>warnings</th>"
                        "<th>status</th></tr>")
            for c in calls:
                r = c.row
                need = FRUSTRATION_LABELS[r.frustration] if r.needs_asap else "routine"
                steps = f"{r.steps_covered}/4" if r.needs_asap else "–"
                head.append(f"<tr><td>{r.id}</td><td>{e(local_time(r.started_at))}</td>"
                            f"<td>{e(r.agent)}</td><td>{clock(r.duration)}</td>"
                            f"<td>{need}</td><td>{'' if r.score is None else r.score}</td>"
                            f"<td>{steps}</td><td>{r.warnings}</td>"
                            f"<td>{e(r.status)}</td></tr>")
            head.append("</table>")
    else:
        head.append("<p>No calls match.</p>")
    return "\n".join([*head, *(_call_html(c) for c in calls), "</body></html>"])
