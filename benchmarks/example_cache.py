"""H3: the start-up cost of a playbook with N example sentences a supervisor added, with an
empty cache (every sentence embedded) and with the cache the first start left (none).

    python benchmarks/example_cache.py [N]        # default 3000, as in the review
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
import time

from callassist.coach.playbook import load_playbook
from callassist.embed.examples import with_meaning
from callassist.embed.minilm import load_minilm


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    os.environ["CALLASSIST_CACHE_DIR"] = tempfile.mkdtemp(prefix="ca-cache-")
    book = load_playbook()
    extra = tuple(f"let me sort out order number {i} for you straight away" for i in range(n))
    book = dataclasses.replace(book, examples={
        **book.examples, "take_action": book.examples.get("take_action", ()) + extra})
    model = load_minilm()
    rows = []
    for label in ("empty cache (first start)", "cache from the first start"):
        t = time.perf_counter()
        with_meaning(book, model)
        rows.append((label, time.perf_counter() - t))
    print(f"| {n} added examples | seconds to attach the meaning layer |")
    print("|---|---|")
    for label, s in rows:
        print(f"| {label} | {s:.1f} |")
    with open("/proc/loadavg") as f:
        print(f"\nload average: {f.read().split()[0]}")


if __name__ == "__main__":
    main()
