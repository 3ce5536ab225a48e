"""The labelled utterances in data/, read for training and for the grouped yardstick.

One utterance a line (JSON Lines, data/README.md): `text`, `source`, and `labels` or `steps` +
`warnings`; optionally `customer` (the customer's line just before) and `previous` (the
agent's own line before). Every *.jsonl under the folder is read, whatever its name.

A line's group is its source: a site (the address's host), a repository file (owner/repo/path,
whatever commit or branch the address names), or a data set (any other source string). The
grouped yardstick never trains on a group it scores (benchmarks/coach_cv.py).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from callassist.coach.meaning import LEARNED_KINDS
from callassist.embed.examples import example_text

# Labels a line may carry that a single sentence cannot teach: a hold is judged by what
# follows it in the call (coach/hold.py).
NOT_LEARNED = frozenset({"hold_without_handoff"})
_GIT_HOSTS = {"github.com", "raw.githubusercontent.com", "gitlab.com"}


@dataclass(frozen=True)
class Row:
    text: str  # normalised as the coach reads a line
    labels: frozenset[str]  # learned kinds only
    source: str
    where: str  # file:line
    customer: str = ""  # the customer's line before, normalised ("" when not known)
    previous: str = ""  # the agent's own line before, normalised
    other_labels: frozenset[str] = frozenset()  # labels not learned (a hold)

    @property
    def group(self) -> str:
        return source_group(self.source)

    @property
    def routine(self) -> bool:
        """A line with no label at all: what an agent says most of a call."""
        return not self.labels and not self.other_labels


def source_group(source: str) -> str:
    """The source a line came from, as the unit no fold may split."""
    s = source.strip()
    if s.startswith(("http://", "https://")):
        u = urlparse(s)
        host = (u.hostname or "").removeprefix("www.")
        parts = [p for p in u.path.split("/") if p]
        if host in _GIT_HOSTS and len(parts) >= 2:
            # github.com/owner/repo/blob/<ref>/path and raw.githubusercontent.com/owner/repo/
            # <ref>/path are one repository file whatever the commit.
            rest = parts[2:]
            if host != "raw.githubusercontent.com" and rest[:1] in (["blob"], ["raw"],
                                                                   ["tree"], ["-"]):
                rest = rest[1:]
                if rest[:1] in (["blob"], ["raw"], ["tree"]):  # gitlab's /-/blob/
                    rest = rest[1:]
            path = rest[1:] if rest else rest
            return "/".join(parts[:2] + path)
        return host
    if s.startswith("github-file-id:"):
        return s.split()[0]
    return s


def read_rows(folder: Path) -> tuple[list[Row], list[str]]:
    """Every labelled utterance under `folder`, and one line per problem (skipped)."""
    rows: list[Row] = []
    problems: list[str] = []
    for path in sorted(folder.rglob("*.jsonl")):
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{n}"
            try:
                raw = json.loads(line)
                text, source = raw["text"], raw["source"]
                labels = raw["labels"] if "labels" in raw else raw["steps"] + raw["warnings"]
                context = [raw.get(k) or "" for k in ("customer", "previous")]
            except (ValueError, KeyError, TypeError) as e:
                problems.append(f"{where}: not a labelled utterance ({e})")
                continue
            unknown = set(labels) - set(LEARNED_KINDS) - NOT_LEARNED
            if unknown or not isinstance(text, str) or not source or \
                    not all(isinstance(c, str) for c in context):
                problems.append(f"{where}: unknown labels {sorted(unknown)}, no text or "
                                "source, or context that is not text")
                continue
            t = example_text(text)
            if not t:
                continue
            rows.append(Row(t, frozenset(labels) - NOT_LEARNED, str(source), where,
                            example_text(context[0]), example_text(context[1]),
                            frozenset(labels) & NOT_LEARNED))
    return rows, problems


def distinct(rows: Sequence[Row]) -> tuple[list[Row], list[str]]:
    """One row per (text, context); copies labelled differently are dropped, and listed."""
    by_key: dict[tuple[str, str, str], list[Row]] = {}
    for r in rows:
        by_key.setdefault((r.text, r.customer, r.previous), []).append(r)
    kept, dropped = [], []
    for key, copies in sorted(by_key.items()):
        if len({c.labels for c in copies}) > 1:
            dropped.append(f"{key[0]!r}: labelled differently in "
                           + ", ".join(c.where for c in copies))
            continue
        kept.append(copies[0])
    return kept, dropped


def grouped_folds(groups: Sequence[str], k: int, seed: int = 18) -> list[int]:
    """A fold number for each item, keeping every group within one fold and the folds about
    the same size (largest groups first, each to the smallest fold; ties in a seeded order)."""
    sizes: dict[str, int] = {}
    for g in groups:
        sizes[g] = sizes.get(g, 0) + 1
    order = sorted(sizes)
    random.Random(seed).shuffle(order)
    order.sort(key=lambda g: -sizes[g])
    load = [0] * k
    fold_of: dict[str, int] = {}
    for g in order:
        f = min(range(k), key=lambda i: (load[i], i))
        fold_of[g] = f
        load[f] += sizes[g]
    return [fold_of[g] for g in groups]
