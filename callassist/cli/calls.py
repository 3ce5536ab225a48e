"""`callassist calls list|show|export`: stored calls from the terminal."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from callassist.coach.events import STEP_IDS
from callassist.errors import CallAssistError
from callassist.report_text import format_report

STEP_LETTERS = ("A", "S", "A", "P")


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", metavar="URL",
        help="the call store to read (a file path or postgresql://...; default: the `store` "
        "setting, else the data folder)",
    )


def add_filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agent", help="only this agent's calls")
    parser.add_argument("--since", metavar="DATE", help="calls on or after this day (YYYY-MM-DD)")
    parser.add_argument("--until", metavar="DATE", help="calls on or before this day (YYYY-MM-DD)")
    parser.add_argument("--missed", metavar="STEP", choices=[*STEP_IDS, "any"],
                        help=f"calls that missed this step ({', '.join(STEP_IDS)}, or any)")
    parser.add_argument("--warning", metavar="KIND",
                        help="calls with this warning kind (e.g. blame), or any")
    parser.add_argument("--practice", action="store_true",
                        help="practice attempts (`callassist practice`) instead of real calls")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calls", help="list, show and export stored calls",
                       description="Stored calls from the terminal.")
    calls = p.add_subparsers(dest="calls_command", metavar="ACTION", required=True)

    lp = calls.add_parser("list", help="one line per call, newest first")
    add_filter_options(lp)
    add_store_option(lp)
    lp.add_argument("--limit", type=int, default=50, help="at most this many calls (default 50)")
    lp.set_defaults(func=run_list)

    sp = calls.add_parser("show", help="one call's checklist, warnings and transcript")
    sp.add_argument("call_id", type=int)
    sp.add_argument("--json", action="store_true", help="the stored report and events as JSON")
    add_store_option(sp)
    sp.set_defaults(func=run_show)

    ep = calls.add_parser(
        "export", help="calls as CSV, JSON transcripts or a printable HTML report",
        description="Exports the given calls, or every call matching the filters: CSV (one row "
        "per call), JSON (the corpus transcript format, one file per call; analyse them again "
        "with `callassist analyze`), or a self-contained HTML report to print.",
    )
    ep.add_argument("call_ids", type=int, nargs="*", metavar="CALL_ID")
    ep.add_argument("--format", choices=("csv", "json", "html"), default="csv")
    ep.add_argument("-o", "--output", type=Path, metavar="PATH",
                    help="file to write (a folder for several calls as JSON); default: stdout")
    add_filter_options(ep)
    add_store_option(ep)
    ep.set_defaults(func=run_export)


def _day(text: str | None, option: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CallAssistError(f"{option} '{text}' is not a date: use YYYY-MM-DD") from None


def _epoch(day: dt.date) -> float:
    return time.mktime(day.timetuple())


def filter_from(args: argparse.Namespace):
    from callassist.store import CallFilter

    since, until = _day(args.since, "--since"), _day(args.until, "--until")
    if since and until and until < since:
        raise CallAssistError(f"--until {until} is before --since {since}")
    return CallFilter(
        agent=args.agent or None,
        since=_epoch(since) if since else None,
        until=_epoch(until + dt.timedelta(days=1)) if until else None,
        missed=args.missed, warning=args.warning, practice=bool(args.practice),
    )


def _open(args: argparse.Namespace):
    from callassist.store import open_store

    return open_store(args.store)


def _steps(mask_row) -> str:
    return " ".join(
        letter if mask_row.covered(sid) else "·"
        for sid, letter in zip(STEP_IDS, STEP_LETTERS, strict=True)
    )


def run_list(args: argparse.Namespace) -> int:
    from callassist.store.export import clock, local_time

    flt = filter_from(args)
    with _open(args) as store:
        total = store.count_calls(flt)
        rows = store.list_calls(flt, 0, max(1, args.limit))
    if not rows:
        print("no calls match" if total == 0 else "")
        return 0
    width = max(8, *(len(r.agent) for r in rows))
    print(f"{'id':>6}  {'started':<16}  {'agent':<{width}}  {'length':>6}  steps    "
          f"{'warn':>4}  status")
    for r in rows:
        status = r.status + (f"  {r.title}" if r.title else "")
        print(f"{r.id:>6}  {local_time(r.started_at):<16}  {r.agent:<{width}}  "
              f"{clock(r.duration):>6}  {_steps(r)}  {r.warnings:>4}  {status}")
    if total > len(rows):
        print(f"({len(rows)} of {total} calls shown; --limit N for more)")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from callassist.store.export import clock, local_time
    from callassist.store.summary import STEP_LABELS, annotate_transcript

    with _open(args) as store:
        call = store.get_call(args.call_id)
    r = call.row
    if args.json:
        print(json.dumps({"call": r.__dict__, "report": call.report, "events": call.events},
                         indent=2))
        return 0
    lines = format_report({**call.report, "id": str(r.id), "title": r.title}).splitlines()
    meta = [r.agent, local_time(r.started_at), r.status, r.source,
            " ".join(filter(None, (r.engine, r.model)))]
    print(lines[0])
    print("  " + " · ".join(x for x in meta if x))
    print("\n".join(lines[1:]))
    turns = call.report.get("transcript", [])
    if turns:
        print("\nTranscript")
        for t, marks in zip(turns, annotate_transcript(call.report), strict=True):
            tags = "".join(f"  [{STEP_LABELS.get(m['id'], m['id'])}]" for m in marks)
            print(f"  {clock(t['start']):>5} {t['speaker']:<8} {t['text']}{tags}")
    elif r.retention != "full":
        print(f"\n(no transcript kept: retention {r.retention})")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from callassist.store import export

    with _open(args) as store:
        if args.call_ids:
            calls = [store.get_call(i) for i in args.call_ids]
        else:
            calls = list(store.iter_calls(filter_from(args), events=True))
    if not calls:
        raise CallAssistError("no calls match: nothing exported (check the filters)")
    if args.format == "csv":
        _write(args.output, export.to_csv(calls))
    elif args.format == "html":
        _write(args.output, export.to_html(calls))
    elif len(calls) == 1 and (args.output is None or not args.output.is_dir()):
        _write(args.output, json.dumps(export.to_corpus(calls[0]), indent=2) + "\n")
    else:
        if args.output is None:
            raise CallAssistError(
                f"{len(calls)} calls as JSON are one file each: pass -o FOLDER"
            )
        try:
            args.output.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise CallAssistError(f"{args.output}: cannot create the folder: {e}") from None
        for c in calls:
            _write(args.output / f"call-{c.row.id}.json",
                   json.dumps(export.to_corpus(c), indent=2) + "\n")
        print(f"{len(calls)} calls written to {args.output}", file=sys.stderr)
    return 0


def _write(path: Path | None, text: str) -> None:
    if path is None:
        sys.stdout.write(text)
        return
    try:
        path.write_text(text, "utf-8")
    except OSError as e:
        raise CallAssistError(f"{path}: cannot write: {e.strerror or e}") from None
