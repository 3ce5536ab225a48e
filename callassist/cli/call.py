"""`callassist call start|end|status [--id CALL_ID]`: tells the running overlay that a phone
call started or ended (for softphones and CTI systems that run a command on call events)."""

from __future__ import annotations

import argparse

from callassist.app.control import send_command


def _call_id(value: str) -> str:
    value = value.strip()
    if not value or len(value) > 200 or any(ord(c) < 32 for c in value):
        raise argparse.ArgumentTypeError("a call id is 1-200 printable characters")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "call",
        help="tell the running overlay a call started or ended (softphones, CTI)",
        description="Talks to the overlay running for this user over a local socket. "
        "`start` begins coaching a new call (ending one still running, so two customers are "
        "never merged); `end` ends it and waits for the next `start`; `status` says whether "
        "a call is running. The call id from the phone system is stored with the call.",
    )
    p.add_argument("action", choices=("start", "end", "status"),
                   help="start or end the call, or ask whether one is running")
    p.add_argument("--id", dest="call_id", type=_call_id, metavar="CALL_ID",
                   help="the phone system's id for this call, stored with its record")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(send_command(args.action, args.call_id))
    return 0
