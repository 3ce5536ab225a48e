"""Tests that do not age: no test reads today's date. A test that needs "now" injects the clock
(`Store.purge(now=...)`) or dates its fixtures from `T0` in tests/conftest.py; reading the
calendar made a purge test fail on every run from December 2026. (`time.time()` stays allowed:
the tests use it for spans, such as when a process was killed, never against a fixed date.)"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CALENDAR = re.compile(r"\b(datetime\.now|datetime\.today|datetime\.utcnow|date\.today|"
                      r"QDate\.currentDate|QDateTime\.currentDateTime)\s*\(")


def test_no_test_reads_todays_date():
    offenders = [
        f"{path.relative_to(TESTS)}:{n}: {line.strip()}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != Path(__file__).name and path.parent.name != "corpus"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CALENDAR.search(line)
    ]
    assert not offenders, "\n".join(offenders)
