"""`callassist review`: the supervisor's review window."""

from __future__ import annotations

import argparse
import sys

from callassist.cli.calls import add_store_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "review", help="the supervisor's review window: calls, checklists, team coverage",
        description="Opens the review window over the call store: every call with its "
        "checklist, warnings, timeline and transcript, and each agent's coverage over time.",
    )
    p.add_argument("--live", action="store_true",
                   help="open on the live floor: every agent's call in progress, with alerts")
    add_store_option(p)
    p.set_defaults(func=run)


def _open(args: argparse.Namespace):
    """The store to review; one this user cannot write (a backup on a read-only disk,
    another agent's store) is opened read-only, as `calls list` does (P1): notes, flags and
    corrections then say why they cannot be saved."""
    from callassist.store import StoreError, open_store

    try:
        return open_store(args.store, must_exist=bool(args.store))
    except StoreError as e:
        if "cannot write" not in str(e) and "read-only" not in str(e).lower():
            raise
    store = open_store(args.store, must_exist=bool(args.store), readonly=True)
    print("callassist: the store is opened read-only: notes, flags and corrections cannot be "
          "saved", file=sys.stderr)
    return store


def run(args: argparse.Namespace) -> int:
    from callassist.ui.app import check_display

    check_display("the review window", "`callassist calls list|show|export`")
    # A store problem is reported before any window opens.
    store = _open(args)
    from PySide6.QtWidgets import QApplication

    from callassist.ui.review import ReviewWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("CallAssist review")
    app.setStyle("Fusion")
    try:
        window = ReviewWindow(store)
        if args.live:
            window.tabs.setCurrentWidget(window.floor)
        window.show()
        return app.exec()
    finally:
        store.close()
