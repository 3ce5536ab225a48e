"""Stored calls out of the store: CSV (one row per call), JSON transcripts in the corpus format
(so an exported call can be analysed again) and a self-contained HTML report for printing."""

from __future__ import annotations

import csv
import html
import io
import time
from collections.abc import Iterable

from callassist.coach.events import STEP_IDS
from callassist.store.store import StoredCall
from callassist.store.summary import STEP_LABELS, annotate_transcript

WARNING_KINDS = ("defensive", "blame", "hollow_apology", "hold_without_handoff",
                 "too_loud", "too_fast", "monologue")
COLOURS = {
    "customer": "#9db4d3", "agent": "#8cc7a1", "step": "#2e8b57", "warning": "#d1495b",
    "reminder": "#5b7bd5",
}


def local_time(epoch: float, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return time.strftime(fmt, time.localtime(epoch))


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = round(float(seconds))
    return f"{s // 60}:{s % 60:02d}"


def _kinds(calls: list[StoredCall]) -> list[str]:
    seen = {w["kind"] for c in calls for w in c.report.get("warnings", [])}
    return [*WARNING_KINDS, *sorted(seen - set(WARNING_KINDS))]


def tone_figures(report: dict) -> dict[str, float]:
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


def to_csv(calls: Iterable[StoredCall]) -> str:
    calls = list(calls)
    kinds = _kinds(calls)
    tones = [tone_figures(c.report) for c in calls]
    tone_keys = sorted({k for t in tones for k in t})
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["call_id", "started", "agent", "duration_s", "status", "source", "title",
                "engine", "model", "retention", "steps_covered",
                *(f"{s}_at" for s in STEP_IDS), "time_to_first_apology_s", "warnings",
                *(f"warnings_{k}" for k in kinds), *(f"tone_{k}" for k in tone_keys)])
    for c, tone in zip(calls, tones, strict=True):
        r, steps = c.row, c.report.get("steps", {})
        by_kind = c.report.get("summary", {}).get("warnings_by_kind") or {}
        w.writerow([
            r.id, local_time(r.started_at, "%Y-%m-%d %H:%M:%S"), r.agent, f"{r.duration:.1f}",
            r.status, r.source, r.title, r.engine, r.model, r.retention, r.steps_covered,
            *("" if not steps.get(s, {}).get("covered") else steps[s].get("at") for s in STEP_IDS),
            "" if r.first_apology is None else r.first_apology, r.warnings,
            *(by_kind.get(k, 0) for k in kinds), *(tone.get(k, "") for k in tone_keys),
        ])
    return out.getvalue()


def to_corpus(call: StoredCall) -> dict:
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


def timeline_svg(call: StoredCall, width: int = 720) -> str:
    """The call on a time axis: speech bands per speaker, then steps, warnings, reminders."""
    e = html.escape
    dur = max(call.row.duration, max((s["end"] for s in call.speech), default=0.0), 1.0)
    left, right = 80, width - 10
    x = lambda t: left + (right - left) * max(0.0, min(float(t), dur)) / dur  # noqa: E731
    rows = {"customer": 14, "agent": 34, "step": 58, "warning": 78, "reminder": 98}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="128" '
             f'viewBox="0 0 {width} 128" class="timeline">']
    for name, y in rows.items():
        label = {"step": "steps", "warning": "warnings", "reminder": "reminders"}.get(name, name)
        parts.append(f'<text x="4" y="{y + 4}" font-size="11" fill="#444">{label}</text>')
        parts.append(f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="#e3e3e3"/>')
    for s in call.speech:
        y = rows.get(s["speaker"], 14)
        x0, x1 = x(s["start"]), x(s["end"])
        parts.append(f'<rect x="{x0:.1f}" y="{y - 7}" width="{max(x1 - x0, 1):.1f}" height="14" '
                     f'fill="{COLOURS.get(s["speaker"], "#aaa")}"/>')
    rep = call.report
    for sid, s in rep.get("steps", {}).items():
        if s.get("covered"):
            cx = x(s["at"])
            parts.append(f'<path d="M{cx:.1f},{rows["step"] - 6} l6,6 l-6,6 l-6,-6 z" '
                         f'fill="{COLOURS["step"]}"><title>{e(STEP_LABELS.get(sid, sid))} at '
                         f'{clock(s["at"])}</title></path>')
            parts.append(f'<text x="{cx + 7:.1f}" y="{rows["step"] + 4}" font-size="10">'
                         f'{e(STEP_LABELS.get(sid, sid).split()[0])}</text>')
    for w in rep.get("warnings", []):
        cx, y = x(w["at"]), rows["warning"]
        parts.append(f'<path d="M{cx:.1f},{y - 7} l7,13 l-14,0 z" fill="{COLOURS["warning"]}">'
                     f'<title>{e(w["kind"])} at {clock(w["at"])}</title></path>')
        parts.append(f'<text x="{cx + 8:.1f}" y="{y + 4}" font-size="10" '
                     f'fill="{COLOURS["warning"]}">{e(w["kind"].replace("_", " "))}</text>')
    for r in rep.get("reminders", []):
        cx = x(r["at"])
        parts.append(f'<circle cx="{cx:.1f}" cy="{rows["reminder"]}" r="4" '
                     f'fill="{COLOURS["reminder"]}"><title>{e(r["kind"])}</title></circle>')
    for i in range(6):
        t = dur * i / 5
        anchor = "end" if i == 5 else "middle"
        parts.append(f'<text x="{x(t):.1f}" y="122" font-size="10" fill="#666" '
                     f'text-anchor="{anchor}">{clock(t)}</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body { font: 13px/1.45 "DejaVu Sans", Arial, sans-serif; color: #222; margin: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 2px; }
.meta { color: #555; margin-bottom: 10px; }
table { border-collapse: collapse; margin: 8px 0 14px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 10px 3px 0; text-align: left;
  vertical-align: top; }
th { color: #555; font-weight: 600; }
.ok { color: #2e8b57; font-weight: 600; } .miss { color: #b00020; font-weight: 600; }
.call { page-break-before: always; break-before: page; padding-top: 8px; }
.call:first-of-type { page-break-before: auto; break-before: auto; }
.turn { margin: 2px 0; padding: 2px 6px; border-left: 3px solid transparent; }
.turn .who { display: inline-block; width: 90px; color: #666; }
.turn.step { background: #e6f4ea; border-left-color: #2e8b57; }
.turn.warning { background: #fde8ea; border-left-color: #d1495b; }
.tag { font-size: 11px; padding: 0 5px; border-radius: 3px; margin-left: 6px; color: #fff; }
.tag.step { background: #2e8b57; } .tag.warning { background: #d1495b; }
.advice { color: #555; font-style: italic; }
@media print { body { margin: 0; } .noprint { display: none; } }
"""


def _call_html(call: StoredCall) -> str:
    e = html.escape
    r, rep = call.row, call.report
    out = [f'<section class="call"><h2>Call {r.id}: {e(r.agent)}, '
           f'{e(local_time(r.started_at))}</h2>']
    meta = [f"{clock(r.duration)} min", r.status]
    meta += [x for x in (r.title, r.source, " ".join(filter(None, (r.engine, r.model)))) if x]
    out.append(f'<div class="meta">{" · ".join(e(m) for m in meta)}</div>')
    out.append("<table><tr><th>ASAP step</th><th></th><th>at</th><th>evidence</th></tr>")
    for sid in STEP_IDS:
        s = rep.get("steps", {}).get(sid, {})
        if s.get("covered"):
            how = " (by hand)" if s.get("manual") else ""
            out.append(f'<tr><td>{e(STEP_LABELS[sid])}</td><td class="ok">✓ covered</td>'
                       f'<td>{clock(s.get("at"))}</td><td>{e(s.get("evidence") or "")}{how}'
                       "</td></tr>")
        else:
            out.append(f'<tr><td>{e(STEP_LABELS[sid])}</td><td class="miss">✗ missed</td>'
                       "<td></td><td></td></tr>")
    out.append("</table>")
    warnings = rep.get("warnings", [])
    if warnings:
        out.append("<table><tr><th>warning</th><th>at</th><th>what was said</th>"
                   "<th>what to say instead</th></tr>")
        for w in warnings:
            out.append(f'<tr><td class="miss">{e(w["kind"].replace("_", " "))}</td>'
                       f'<td>{clock(w.get("at"))}</td><td>{e(w.get("evidence") or "")}</td>'
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
                f'{e(STEP_LABELS.get(m["id"], m["id"].replace("_", " ")))}</span>'
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
        covered = {s: sum(c.row.covered(s) for c in calls) for s in STEP_IDS}
        head.append(f'<div class="meta">{len(calls)} call(s), {e(local_time(first))} to '
                    f'{e(local_time(last))} · printed {e(local_time(time.time()))}</div>')
        head.append("<table><tr><th>step</th><th>covered</th></tr>")
        for s in STEP_IDS:
            head.append(f"<tr><td>{e(STEP_LABELS[s])}</td><td>{covered[s]} of {len(calls)} "
                        f"({100 * covered[s] / len(calls):.0f}%)</td></tr>")
        head.append("</table>")
        if len(calls) > 1:
            head.append("<table><tr><th>call</th><th>started</th><th>agent</th><th>length</th>"
                        "<th>steps</th><th>warnings</th><th>status</th></tr>")
            for c in calls:
                r = c.row
                head.append(f"<tr><td>{r.id}</td><td>{e(local_time(r.started_at))}</td>"
                            f"<td>{e(r.agent)}</td><td>{clock(r.duration)}</td>"
                            f"<td>{r.steps_covered}/4</td><td>{r.warnings}</td>"
                            f"<td>{e(r.status)}</td></tr>")
            head.append("</table>")
    else:
        head.append("<p>No calls match.</p>")
    return "\n".join([*head, *(_call_html(c) for c in calls), "</body></html>"])
