"""`callassist store ...`: a team store's administration (roles, members, retention); see
docs/team-store-security.md."""

from __future__ import annotations

import argparse
import sys

from callassist.cli.calls import add_store_option
from callassist.errors import CallAssistError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "store", help="administer the call store: access roles, members, retention",
        description="A team store's administration. Access control lives in PostgreSQL itself "
        "(roles and row-level security): run setup-roles once as the database's owner, then "
        "add each agent, supervisor and admin.")
    store = p.add_subparsers(dest="store_command", metavar="ACTION", required=True)

    sp = store.add_parser("setup-roles", help="create the store's roles and row-level security "
                          "(once, as the database owner; safe to run again)")
    sp.add_argument("--prefix", default="callassist",
                    help="prefix of the group roles (default callassist: callassist_agent, "
                    "callassist_supervisor, callassist_admin)")
    add_store_option(sp)
    sp.set_defaults(func=run_setup)

    for kind in ("agent", "supervisor", "admin"):
        ap = store.add_parser(f"add-{kind}", help=f"make a database role a store {kind} "
                              "(creates the login role if needed)")
        ap.add_argument("role", help="the database login role (lower-case letters, digits, _)")
        ap.add_argument("--name", help="the name their calls and notes are stored under "
                        "(default: the role)")
        ap.add_argument("--team", default="", help="their team (a supervisor reads the calls "
                        "of their team)")
        ap.add_argument("--password-stdin", action="store_true",
                        help="set the role's password, read from the first line of stdin")
        add_store_option(ap)
        ap.set_defaults(func=run_add, kind=kind)

    mp = store.add_parser("members", help="every member of the store, with kind and team")
    add_store_option(mp)
    mp.set_defaults(func=run_members)

    wp = store.add_parser("whoami", help="who this connection is on the store, and what it may do")
    add_store_option(wp)
    wp.set_defaults(func=run_whoami)

    rp = store.add_parser("retention", help="show or set the store's retention (admin only)")
    rp.add_argument("days", nargs="?", help="keep calls this many days (off: keep every call)")
    add_store_option(rp)
    rp.set_defaults(func=run_retention)


def _open(args: argparse.Namespace):
    from callassist.store import open_store

    return open_store(args.store, must_exist=bool(args.store))


def run_setup(args: argparse.Namespace) -> int:
    from callassist.store.access import setup_roles

    with _open(args) as store:
        admin = setup_roles(store.conn, args.prefix)
    print(f"roles ready: {args.prefix}_agent, {args.prefix}_supervisor, {admin} (owns the "
          "tables); add members with `callassist store add-agent ROLE --name NAME --team TEAM`")
    return 0


def run_add(args: argparse.Namespace) -> int:
    from callassist.store.access import add_member

    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise CallAssistError("--password-stdin: the first line of stdin is empty")
    with _open(args) as store:
        m = add_member(store.conn, args.role, args.kind, args.name or args.role, args.team,
                       password)
    team = f" in team {m.team}" if m.team else ""
    print(f"{m.role} is now {'an' if m.kind != 'supervisor' else 'a'} {m.kind} of the store, "
          f"storing as \u201c{m.agent}\u201d{team}")
    return 0


def run_members(args: argparse.Namespace) -> int:
    from callassist.store.access import members

    with _open(args) as store:
        if store.access is None:
            raise CallAssistError("this store has no access control (a local store, or a team "
                                  "store before `callassist store setup-roles`)")
        rows = members(store.conn)
    for m in rows:
        print(f"{m.kind:<10}  {m.role:<20}  {m.team or '-':<12}  {m.agent}")
    return 0


def run_whoami(args: argparse.Namespace) -> int:
    with _open(args) as store:
        m = store.access
        days = store.retention_days
        where = store.location.display
    print(f"store: {where}")
    if m is None:
        print("no access control: whoever can open the store may do anything (a local store "
              "is protected by its file's permissions)")
    else:
        may = {"agent": "read and write your own calls",
               "supervisor": f"read team {m.team}'s calls; write notes, flags and corrections "
                             "on them under your name; record your own calls",
               "admin": "anything: delete, purge, set retention, add members"}[m.kind]
        print(f"you are {m.role}, {m.kind}, storing as \u201c{m.agent}\u201d"
              + (f" in team {m.team}" if m.team else "") + f": you may {may}")
    print(f"retention: {f'{days} days' if days else 'keep every call'}")
    return 0


def run_retention(args: argparse.Namespace) -> int:
    with _open(args) as store:
        if args.days is None:
            days = store.retention_days
        else:
            days = _days(args.days)
            store.set_retention_days(days)
    if not days:
        print("retention: keep every call")
    elif store.dialect == "sqlite":
        print(f"retention: calls older than {days} days are deleted when the store opens")
    else:
        print(f"retention: calls older than {days} days are deleted by `callassist calls "
              "purge` (run it daily as the admin)")
    return 0


def _days(text: str) -> int:
    if text.strip().lower() in ("off", "0", "keep"):
        return 0
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 1 <= value <= 36500:
        raise CallAssistError(f"retention '{text}' is not a number of days from 1 to 36500 "
                              "(or off)")
    return value
