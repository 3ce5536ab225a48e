"""`callassist playbook ...`: the playbook seen from what real calls taught. `suggest` lists
the stored corrections (supervisors' "this was an apology" or "false warning", agents' manual
ticks in the overlay) as candidate example sentences, most corrected first."""

from __future__ import annotations

import argparse
import json

from callassist.cli.calls import add_store_option, store_from
from callassist.coach.kinds import STEP_IDS
from callassist.coach.labels import LABELS
from callassist.store.corrections import grouped


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("playbook", help="improve the playbook from corrections in real calls",
                       description="Work on the playbook (playbook.toml).")
    actions = p.add_subparsers(dest="playbook_command", metavar="ACTION", required=True)
    sp = actions.add_parser(
        "suggest", help="stored corrections as candidate examples, with counts",
        description="Lists every sentence the coach was corrected on, with how often and in "
        "which calls, grouped as the playbook takes them: sentences that were a step or a "
        "warning (add them to its `examples`), and sentences that were not (add them to "
        "`neutral` under [learned]). Practice calls are left out.")
    sp.add_argument("--min", type=int, default=1, metavar="N",
                    help="only sentences corrected at least N times (default 1)")
    sp.add_argument("--json", action="store_true", help="one JSON object per sentence")
    add_store_option(sp)
    sp.set_defaults(func=run_suggest)


def _section(kind: str, verdict: str) -> str:
    if verdict == "not":
        return "[learned] neutral"
    return f"[{'steps' if kind in STEP_IDS else 'warnings'}.{kind}] examples"


def run_suggest(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        found = store.corrections.suggestions(max(1, args.min))
    if args.json:
        for s in found:
            print(json.dumps({"kind": s.kind, "verdict": s.verdict, "text": s.text,
                              "count": s.count, "calls": s.calls, "by": sorted(s.by),
                              "add_to": _section(s.kind, s.verdict)}))
        return 0
    if not found:
        print("no corrections yet: tick a step by hand in the overlay, or correct a line in "
              "the review window or with `callassist calls correct`")
        return 0
    for (kind, verdict), items in grouped(found).items():
        head = f"{LABELS[kind]}" if verdict == "was" else f"not {LABELS[kind]}"
        print(f"{head}  (add to {_section(kind, verdict)})")
        for s in items:
            calls = ", ".join(str(c) for c in s.calls[:6]) + (" …" if len(s.calls) > 6 else "")
            print(f"  {s.count:>3}  \"{s.text}\"  calls {calls} · {', '.join(sorted(s.by))}")
        print()
    return 0
