"""`callassist calls list|show|export`: stored calls from the terminal."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from callassist import validate
from callassist.coach.assessment import FRUSTRATION_LABELS, assess
from callassist.coach.kinds import STEP_IDS
from callassist.errors import CallAssistError
from callassist.report_text import format_report
from callassist.store.coaching import FLAG_STATUSES
from callassist.store.corrections import KINDS as CORRECTION_KINDS
from callassist.store.query import SORT_KEYS

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
    parser.add_argument("--upset", dest="needs", action="store_const", const="upset",
                        help="only calls where the customer was upset (they needed ASAP)")
    parser.add_argument("--routine", dest="needs", action="store_const", const="routine",
                        help="only routine calls (the customer was not upset)")
    parser.add_argument("--search", metavar="WORDS",
                        help="calls whose transcript has these words, e.g. --search policy")
    parser.add_argument("--flagged", metavar="STATUS", nargs="?", const="any",
                        help="calls flagged for coaching (any, or: to do, discussed, done)")
    parser.add_argument("--practice", action="store_true",
                        help="practice attempts (`callassist practice`) instead of real calls")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calls", help="list, show and export stored calls",
                       description="Stored calls from the terminal.")
    calls = p.add_subparsers(dest="calls_command", metavar="ACTION", required=True)

    lp = calls.add_parser("list", help="one line per call, newest first")
    add_filter_options(lp)
    add_store_option(lp)
    lp.add_argument("--limit", type=whole_number(1, 1_000_000), default=50,
                    help="at most this many calls (default 50)")
    lp.add_argument("--sort", choices=SORT_KEYS, default="started",
                    help="order by this column, highest first (default: started, newest first)")
    lp.set_defaults(func=run_list)

    sp = calls.add_parser("show", help="one call's checklist, warnings and transcript")
    sp.add_argument("call_id", type=CALL_ID, help="the call's id (the first column of calls list)")
    sp.add_argument("--json", action="store_true", help="the stored report and events as JSON")
    add_store_option(sp)
    sp.set_defaults(func=run_show)

    ep = calls.add_parser(
        "export", help="calls as CSV, JSON transcripts or a printable HTML report",
        description="Exports the given calls, or every call matching the filters: CSV (one row "
        "per call), JSON (the corpus transcript format, one file per call; analyse them again "
        "with `callassist analyze`), or a self-contained HTML report to print.",
    )
    ep.add_argument("call_ids", type=CALL_ID, nargs="*", metavar="CALL_ID")
    ep.add_argument("--format", choices=("csv", "json", "html"), default="csv")
    ep.add_argument("-o", "--output", metavar="PATH",
                    help="file to write (a folder for several calls as JSON, or any path "
                    "ending in /; a device or pipe is written into); default or -: stdout")
    ep.add_argument("--force", action="store_true",
                    help="write over an existing SQLite file (never over the call store)")
    ep.add_argument("--no-bom", action="store_true",
                    help="CSV without the byte-order mark that lets Excel read accents right")
    add_filter_options(ep)
    add_store_option(ep)
    ep.set_defaults(func=run_export)

    np_ = calls.add_parser("note", help="add a coaching note to a call, or list its notes")
    np_.add_argument("call_id", type=CALL_ID, help="the call's id")
    np_.add_argument("text", nargs="?", help="the note; without it, the call's notes are listed")
    np_.add_argument("--at", metavar="M:SS", help="pin the note to this moment of the call")
    np_.add_argument("--author", help="who writes it (default: the agent setting)")
    add_store_option(np_)
    np_.set_defaults(func=run_note)

    fp = calls.add_parser("flag", help="flag a call for coaching, or change or clear its flag")
    fp.add_argument("call_id", type=CALL_ID, help="the call's id")
    fp.add_argument("--status", choices=FLAG_STATUSES, default="to do",
                    help="to do (default), discussed or done")
    fp.add_argument("--reason", default="", help="why it is worth coaching")
    fp.add_argument("--clear", action="store_true", help="remove the flag")
    fp.add_argument("--author", help="who flags it (default: the agent setting)")
    add_store_option(fp)
    fp.set_defaults(func=run_flag)

    cp = calls.add_parser(
        "correct", help="correct the coach on a call: this line was a step, or a false warning",
        description="Stores a correction with the words it refers to (the agent's sentence at "
        "--at, or --text), for `callassist playbook suggest`. Without --was or --not, the "
        "call's corrections are listed.")
    cp.add_argument("call_id", type=CALL_ID, help="the call's id")
    what = cp.add_mutually_exclusive_group()
    what.add_argument("--was", metavar="KIND", choices=CORRECTION_KINDS,
                      help="the line was this step (or warning) and the coach missed it")
    what.add_argument("--not", dest="not_", metavar="KIND", choices=CORRECTION_KINDS,
                      help="the line was not this: a false warning, or a step ticked wrongly")
    cp.add_argument("--at", metavar="M:SS", help="the moment of the line (see calls show)")
    cp.add_argument("--text", help="the words, when they are not in the stored transcript")
    cp.add_argument("--author", help="who corrects (default: the agent setting)")
    add_store_option(cp)
    cp.set_defaults(func=run_correct)

    qp = calls.add_parser("queue", help="the coaching queue: flagged calls across agents")
    qp.add_argument("--status", choices=FLAG_STATUSES, help="only flags with this status")
    add_store_option(qp)
    qp.set_defaults(func=run_queue)

    dp = calls.add_parser("delete", help="delete calls and every trace of their words")
    dp.add_argument("call_ids", type=CALL_ID, nargs="+", metavar="CALL_ID")
    dp.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    dp.add_argument("--force", action="store_true",
                    help="delete a call that is still being recorded (its recording stops)")
    add_store_option(dp)
    dp.set_defaults(func=run_delete)

    pp = calls.add_parser(
        "purge", help="delete every call older than a number of days (the store's retention)",
        description="Deletes every finished call older than DAYS (default: the store's "
        "retention, `callassist store retention`), by the store's clock (the server's on "
        "PostgreSQL). Refuses to delete most of the store, or to run on a clock earlier than "
        "the newest call, unless --override. On a team store only its admin may purge.")
    pp.add_argument("--older-than", type=float, metavar="DAYS",
                    help="delete calls that started more than DAYS days ago (1 to 36500)")
    pp.add_argument("--override", action="store_true",
                    help="delete even most of the store, or on a clock earlier than the "
                    "newest call (check first)")
    pp.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    add_store_option(pp)
    pp.set_defaults(func=run_purge)


def whole_number(low: int, high: int):
    """An argparse type: a whole number from low to high (a call id beyond SQLite's 64-bit
    integers used to overflow, C9)."""

    def parse(text: str) -> int:
        try:
            value = int(text) if len(text) <= 20 else high + 1
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"'{text[:40]}' is not a whole number from {low} to {high}")
        return value

    parse.__name__ = "number"
    return parse


CALL_ID = whole_number(1, 2**63 - 1)


def _day(text: str | None, option: str) -> dt.date | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise CallAssistError(f"{option} '{text}' is not a date: use YYYY-MM-DD") from None
    if not 1970 <= day.year <= 9000:  # the day after 9999-12-31 overflows (C9)
        raise CallAssistError(f"{option} {day} is out of range: use a day from 1970 to 9000")
    return day


def _epoch(day: dt.date) -> float:
    return time.mktime(day.timetuple())


def filter_from(args: argparse.Namespace, store=None):
    """The filters the options name. With the store, an agent or warning kind it has never
    seen is an error listing the valid choices, not an empty answer."""
    from callassist.store import CallFilter

    since, until = _day(args.since, "--since"), _day(args.until, "--until")
    if since and until and until < since:
        raise CallAssistError(f"--until {until} is before --since {since}")
    if store is not None:
        _check_choice("--agent", args.agent, store.agents(), "agent")
        if args.warning and args.warning != "any":
            kinds = sorted({*store.warning_kinds(), *known_warning_kinds()})
            _check_choice("--warning", args.warning, [*kinds, "any"], "warning kind")
    flagged = getattr(args, "flagged", None)
    if flagged and flagged not in (*FLAG_STATUSES, "any"):
        raise CallAssistError(
            f"--flagged '{flagged}' is not a flag status (one of {', '.join(FLAG_STATUSES)}, any)")
    return CallFilter(
        agent=args.agent or None,
        since=_epoch(since) if since else None,
        until=_epoch(until + dt.timedelta(days=1)) if until else None,
        missed=args.missed, warning=args.warning,
        needs=getattr(args, "needs", None), search=getattr(args, "search", None),
        flag=flagged, practice=bool(getattr(args, "practice", False)),
    )


def known_warning_kinds() -> list[str]:
    """Every warning kind the coach raises (phrase warnings, hold without handoff and the tone
    cues), and any the playbook adds (W6)."""
    from callassist.coach.kinds import WarningKind
    from callassist.coach.playbook import load_playbook

    playbook = load_playbook()
    return sorted({*WarningKind, *playbook.warnings,
                   *(k for k in playbook.tone if k != "customer")})


def _check_choice(option: str, value: str | None, choices: list[str], what: str) -> None:
    if value and value not in choices:
        valid = ", ".join(choices) if choices else "none stored yet"
        raise CallAssistError(f"{option} '{value}' is not a stored {what} (valid: {valid})")


def describe_filters(args: argparse.Namespace) -> str:
    """The filters in words, for the header of a printed report."""
    parts = [f"agent {args.agent}" if args.agent else "all agents"]
    if args.since or args.until:
        parts.append(f"{args.since or 'the first call'} to {args.until or 'today'}")
    else:
        parts.append("all dates")
    if args.missed:
        parts.append(f"missed {args.missed.replace('_', ' ')}")
    if args.warning:
        parts.append(f"warning {args.warning.replace('_', ' ')}")
    if getattr(args, "needs", None):
        parts.append(f"{args.needs} calls")
    if getattr(args, "search", None):
        parts.append(f"saying \u201c{args.search}\u201d")
    if getattr(args, "flagged", None):
        parts.append(f"flagged ({args.flagged})")
    return ", ".join(parts)


def store_from(args: argparse.Namespace, readonly: bool = False):
    """The store to use. A path given with --store must already hold a store: a typo is
    reported, never answered with a new empty one. `readonly` for commands that only read:
    they work on a read-only disk and while another program writes (P1)."""
    from callassist.store import open_store

    return open_store(args.store, must_exist=bool(args.store), readonly=readonly)


def _steps(row) -> str:
    """A S A P, a dot for a step missed on an upset call; routine calls needed none."""
    if not row.needs_asap:
        return " ".join(
            letter if row.covered(sid) else " " for sid, letter in
            zip(STEP_IDS, STEP_LETTERS, strict=True))
    return " ".join(
        letter if row.covered(sid) else "·"
        for sid, letter in zip(STEP_IDS, STEP_LETTERS, strict=True)
    )


def run_list(args: argparse.Namespace) -> int:
    from callassist.format import clock, local_time

    with store_from(args, readonly=True) as store:
        flt = filter_from(args, store)
        total = store.count_calls(flt)
        rows = store.list_calls(flt, 0, args.limit, sort=args.sort)
    if not rows:
        print("no calls match" if total == 0 else "")
        return 0
    width = max(8, *(len(r.agent) for r in rows))
    print(f"{'id':>6}  {'started':<16}  {'agent':<{width}}  {'length':>6}  {'call':<8} "
          f"{'score':>5}  steps    {'warn':>4}  status")
    for r in rows:
        status = r.status + (f" [coach: {r.flag}]" if r.flag else "") + (
            f"  {r.title}" if r.title else "")
        need = FRUSTRATION_LABELS[r.frustration] if r.needs_asap else "routine"
        score = "" if r.score is None else str(r.score)
        print(f"{r.id:>6}  {local_time(r.started_at):<16}  {r.agent:<{width}}  "
              f"{clock(r.duration):>6}  {need:<8} {score:>5}  {_steps(r)}  {r.warnings:>4}  "
              f"{status}")
    if total > len(rows):
        print(f"({len(rows)} of {total} calls shown; --limit N for more)")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from callassist.coach.labels import LABELS
    from callassist.format import clock, local_time
    from callassist.store.summary import annotate_transcript

    with store_from(args, readonly=True) as store:
        call = store.get_call(args.call_id)
    r = call.row
    if args.json:
        from callassist.coach.events import event_to_dict

        print(json.dumps({"call": r.__dict__, "report": call.report.to_json(),
                          "events": [event_to_dict(e) for e in call.events]}, indent=2))
        return 0
    lines = format_report({**call.report, "id": str(r.id), "title": r.title}).splitlines()
    meta = [r.agent, local_time(r.started_at), r.status, r.source,
            " ".join(filter(None, (r.engine, r.model)))]
    judged = assess(call.report)
    print(lines[0])
    print("  " + " · ".join(x for x in meta if x))
    print(f"  score {judged.explain()}")
    if judged.needs_asap:
        said = [f"{clock(m['at'])} {m['cue']}" + (f" \u201c{m['evidence']}\u201d"
                                                     if m["evidence"] else "")
                for m in judged.moments]
        print(f"  customer upset ({judged.frustration_label}): " + "; ".join(said))
    else:
        print("  routine call: the customer was not upset, so no ASAP steps were needed")
    print("\n".join(lines[1:]))
    if call.report.get("practice"):  # a practice attempt: its scorecard's own figures
        from callassist.practice.scorecard import practice_head, try_next_lines

        print("\n".join(["", *practice_head(call.report), *try_next_lines(call.report)]))
    turns = call.report.get("transcript", [])
    if turns:
        print("\nTranscript")
        for t, marks in zip(turns, annotate_transcript(call.report), strict=True):
            tags = "".join(f"  [{LABELS.get(m['id'], m['id'])}]" for m in marks)
            print(f"  {clock(t['start']):>5} {t['speaker']:<8} {t['text']}{tags}")
    elif r.retention != "full":
        print(f"\n(no transcript kept: retention {r.retention})")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from callassist.output import check_target, is_folder_path, write_text
    from callassist.store import export

    if args.output == "-":  # stdout, as other tools take it (D5)
        args.output = None
    folder = args.output is not None and is_folder_path(args.output)
    output = Path(args.output) if args.output is not None else None
    if folder and args.format != "json":
        raise CallAssistError(f"{args.output}: is a folder; {args.format.upper()} is one file, "
                              "name it (e.g. -o calls.csv)")
    with store_from(args, readonly=True) as store:
        protected = [Path(store.location.target)] if store.location.kind == "sqlite" else []
        if output is not None and not folder:
            check_target(output, protected, args.force)  # before the work, not after
        if args.call_ids:
            calls = [store.get_call(i) for i in args.call_ids]
        else:
            calls = list(store.iter_calls(filter_from(args, store), events=True))
    if not calls:
        raise CallAssistError("no calls match: nothing exported (check the filters)")

    def _write(path: Path | None, text: str) -> None:
        write_text(path, text, protected, args.force)

    if args.format == "csv":
        # Excel reads a CSV file as the local code page unless it starts with a BOM.
        bom = "" if args.no_bom or args.output is None else "\ufeff"
        _write(output, bom + export.to_csv(calls))
    elif args.format == "html":
        what = (f"calls {', '.join(map(str, args.call_ids))}" if args.call_ids
                else describe_filters(args))
        _write(output, export.to_html(calls, title=f"CallAssist calls: {what}"))
    elif len(calls) == 1 and not folder:
        _write(output, json.dumps(export.to_corpus(calls[0]), indent=2) + "\n")
    else:
        if output is None:
            raise CallAssistError(
                f"{len(calls)} calls as JSON are one file each: pass -o FOLDER"
            )
        try:
            output.mkdir(mode=0o700, parents=True, exist_ok=True)  # transcripts: private (S5)
        except OSError as e:
            raise CallAssistError(f"{output}: cannot create the folder: {e}") from None
        for c in calls:
            _write(output / f"call-{c.row.id}.json",
                   json.dumps(export.to_corpus(c), indent=2) + "\n")
        print(f"{len(calls)} calls written to {output}", file=sys.stderr)
    return 0


def _author(args: argparse.Namespace, store) -> str:
    """Who writes: --author, checked as the agent setting is (one printable line, W5), or the
    agent setting; on a team store with access control the database's name for this role
    (S1), and --author may not say otherwise."""
    own = store.settings.agent
    author = None
    if args.author is not None:
        author = validate.line(args.author, "--author", lambda field, problem: CallAssistError(
            f"{field} {problem}"), validate.MAX_NAME_CHARS).strip() or None
    if store.access is not None and store.access.kind != "admin" and author \
            and author != own:
        raise CallAssistError(f"--author: on this team store you write as \u201c{own}\u201d, "
                              "the name your database role is stored under")
    return author or own


def _moment(text: str | None, call=None) -> float | None:
    """--at M:SS as seconds; with the call, a moment past its end is refused (W6)."""
    if not text:
        return None
    try:
        minutes, colon, seconds = text.rpartition(":")
        value = int(minutes or 0) * 60 + float(seconds)
        if colon and not 0 <= float(seconds) < 60:
            value = -1
    except ValueError:
        value = -1
    if not 0 <= value < 1e7:
        raise CallAssistError(f"--at '{text}' is not a moment of the call: use M:SS, e.g. 1:05")
    if call is not None and value > call.row.duration + 0.5:
        from callassist.format import clock

        raise CallAssistError(f"--at {text} is past the end of call {call.row.id} "
                              f"({clock(call.row.duration)} long)")
    return value


def run_note(args: argparse.Namespace) -> int:
    from callassist.format import clock

    with store_from(args) as store:
        if args.text:
            call = store.get_call(args.call_id) if args.at else None
            note = store.coaching.add_note(args.call_id, args.text, _author(args, store),
                                           _moment(args.at, call))
            print(f"note {note.id} added to call {args.call_id}")
            return 0
        store.get_call(args.call_id)  # an unknown call is an error, not an empty list
        notes = store.coaching.notes(args.call_id)
    if not notes:
        print(f"call {args.call_id} has no notes")
    for n in notes:
        where = clock(n.at) if n.at is not None else "call"
        print(f"{where:>6}  {n.author}: {n.text}")
    return 0


def run_correct(args: argparse.Namespace) -> int:
    from callassist.coach.labels import LABELS
    from callassist.format import clock
    from callassist.store.corrections import words_at

    kind, verdict = (args.was, "was") if args.was else (args.not_, "not")
    with store_from(args) as store:
        call = store.get_call(args.call_id)  # an unknown call is an error
        if kind is None:
            listed = store.corrections.for_call(args.call_id)
            if not listed:
                print(f"call {args.call_id} has no corrections")
            for c in listed:
                what = ("was" if c.verdict == "was" else "was not") + f" {LABELS[c.kind]}"
                print(f"{clock(c.at):>6}  {c.author}: \"{c.text}\" {what}")
            return 0
        at = _moment(args.at, call)
        text = args.text
        if text is None:
            if at is None:
                raise CallAssistError("say which line: --at M:SS (see calls show), or --text")
            found = words_at(call.report, at)
            if found is None:
                raise CallAssistError(f"call {args.call_id} has no agent sentence at {args.at} "
                                      "(no transcript kept?): give the words with --text")
            text, at = found
        c = store.corrections.add(args.call_id, kind, verdict, text, _author(args, store), at)
    print(f"call {args.call_id}: \"{c.text}\" {'was' if verdict == 'was' else 'was not'} "
          f"{LABELS[kind]} (correction {c.id})")
    return 0


def run_flag(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        if args.clear:
            store.get_call(args.call_id)
            store.coaching.clear_flag(args.call_id)
            print(f"call {args.call_id}: flag cleared")
            return 0
        flag = store.coaching.set_flag(args.call_id, args.status, _author(args, store),
                                       args.reason)
    print(f"call {args.call_id} flagged for coaching: {flag.status}")
    return 0


def run_queue(args: argparse.Namespace) -> int:
    from callassist.format import local_time
    from callassist.store import CallFilter

    with store_from(args, readonly=True) as store:
        rows = store.list_calls(CallFilter(flag=args.status or "any"), 0, 500)
        flags = {r.id: store.coaching.flag(r.id) for r in rows}
    if not rows:
        print("no calls are flagged for coaching")
        return 0
    for r in rows:
        f = flags[r.id]
        why = f"  ({f.reason})" if f and f.reason else ""
        print(f"{r.id:>6}  {r.flag:<9}  {r.agent:<16}  {local_time(r.started_at)}  "
              f"score {'' if r.score is None else r.score:>3}{why}")
    return 0


def _confirm(args: argparse.Namespace, question: str) -> None:
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise CallAssistError(f"{question}: pass --yes to confirm (nothing was deleted)")
    answer = input(f"{question} [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise CallAssistError("nothing was deleted")


def run_delete(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        live = []
        for call_id in args.call_ids:  # every id must exist before anything is deleted
            if store.get_call(call_id).row.status == "live":
                live.append(call_id)
        if live and not args.force:  # P2.5: the recorder then failed with a foreign key error
            raise CallAssistError(
                f"call {live[0]} is being recorded now; delete it once it has ended, or pass "
                "--force to stop its recording and delete it (nothing was deleted)")
        n = len(set(args.call_ids))
        _confirm(args, f"delete {n} call{'s' if n != 1 else ''} and their transcripts for good")
        deleted = store.delete_calls(args.call_ids)
    print(f"{deleted} call{'s' if deleted != 1 else ''} deleted")
    return 0


def run_purge(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        days = args.older_than if args.older_than is not None else store.retention_days
        if not days:
            raise CallAssistError("this store has no retention: name the days with "
                                  "--older-than DAYS (or set it: callassist store retention)")
        if not 1 <= days <= 36500:  # a fraction of a day deleted calls minutes old (W6)
            raise CallAssistError(
                f"--older-than {days:g} is not a number of days from 1 to 36500")
        _confirm(args, f"delete every call older than {days:g} days for good")
        store.purge(days, override=args.override)
        done = store.last_purge
    print(done.describe() if done else "0 calls deleted")
    return 0
