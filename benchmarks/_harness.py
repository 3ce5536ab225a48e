"""What every benchmark shares: one percentile definition, one table printer, and scratch
folders of its own, so "p95" means the same in every README table and no run touches the
user's settings or store.

    from _harness import percentile, print_table, scratch
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile (q in 0-100): the smallest measured value that at least q %
    of the measurements do not exceed. Always a value that was measured; NaN when none was."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A Markdown table, columns as wide as their widest cell (paste it into README)."""
    cells = [[str(c) for c in headers], *[[str(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells[1:]:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")


def scratch(name: str) -> Path:
    """A fresh folder for this run, with the user's data and config folders pointed into it."""
    folder = Path(tempfile.mkdtemp(prefix=f"callassist-bench-{name}-"))
    os.environ["CALLASSIST_DATA_DIR"] = str(folder / "data")
    os.environ["CALLASSIST_CONFIG_DIR"] = str(folder / "config")
    for var in ("CALLASSIST_STORE", "CALLASSIST_AGENT", "CALLASSIST_RETENTION"):
        os.environ.pop(var, None)
    return folder
