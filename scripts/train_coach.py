#!/usr/bin/env python3
"""Trains the coach's head on every labelled line in data/ and the playbook's examples.

One reproducible run (numpy only, fixed seed; callassist/embed/train.py): reads data/**/*.jsonl
(with the optional context fields `customer` and `previous`), embeds what the stored vectors
lack with all-MiniLM-L6-v2, trains the head chosen below, calibrates it and chooses its
thresholds on its own grouped out-of-fold scores, and writes:

- callassist/embed/head.npz: the weights, calibration and thresholds, and the fingerprint of
  what they were trained from (the lines, the settings, the training code);
- the `threshold = {...}` line of [learned] in the built-in playbook (each kind's probability
  at which it counts; a playbook may change it).

    .venv/bin/python scripts/train_coach.py            # retrain (after scripts/build_examples.py)
    .venv/bin/python scripts/train_coach.py --check    # exit 1 if head.npz or the playbook's
                                                       # thresholds are stale
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small products: threads only contend

import argparse
import dataclasses
import hashlib
import json
import re
import sys
from pathlib import Path

import numpy as np

from callassist.coach import classifier
from callassist.coach.playbook import load_playbook
from callassist.embed import train
from callassist.embed.dataset import Row, distinct, read_rows
from callassist.embed.examples import HERE, load_vectors, playbook_examples
from callassist.embed.head import HEAD, head_fingerprint, save_head
from callassist.embed.minilm import MODEL

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PLAYBOOK = ROOT / "callassist" / "coach" / "playbook.toml"
SETTINGS = train.SHIPPED
THRESHOLD_LINE = re.compile(r"^threshold = \{.*\}$", re.MULTILINE)


def training_rows() -> list[Row]:
    raw, problems = read_rows(DATA)
    for p in problems:
        print(f"skipped {p}", file=sys.stderr)
    rows, dropped = distinct(raw)
    for d in dropped:
        print(f"dropped {d}", file=sys.stderr)
    return rows + playbook_rows({r.text for r in rows})


def playbook_rows(known: set[str]) -> list[Row]:
    """The built-in playbook's examples as lines of one source ("playbook")."""
    return [Row(e.text, e.labels, "playbook", "playbook.toml") for e in
            playbook_examples(load_playbook()) if e.text not in known]


def fingerprint(rows: list[Row], settings: train.HeadSettings) -> str:
    h = hashlib.sha256()
    h.update(MODEL.sha256.encode())
    h.update(json.dumps(dataclasses.asdict(settings), sort_keys=True).encode())
    for module in (train, classifier):
        h.update(Path(str(module.__file__)).read_bytes())
    # the phrase rules are features; the thresholds this script writes are not
    h.update(THRESHOLD_LINE.sub("", PLAYBOOK.read_text("utf-8")).encode())
    for r in rows:
        h.update(json.dumps([r.text, sorted(r.labels), r.customer, r.previous, r.group]).encode())
    return h.hexdigest()


def threshold_line(thresholds: dict[str, float]) -> str:
    return "threshold = { " + ", ".join(f"{k} = {v:.3f}" for k, v in thresholds.items()) + " }"


def vectors_for(rows: list[Row]) -> dict[str, np.ndarray]:
    vectors = load_vectors()
    texts = {t for r in rows for t in (r.text, r.customer, r.previous) if t}
    missing = sorted(texts - set(vectors))
    if missing:
        from callassist.embed.minilm import default_embedder

        vectors.update(zip(missing, default_embedder().embed(missing), strict=True))
    return vectors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check the built head is current")
    args = ap.parse_args()
    rows = training_rows()
    stamp = fingerprint(rows, SETTINGS)
    playbook_text = PLAYBOOK.read_text("utf-8")
    if args.check:
        if head_fingerprint(HERE / HEAD) != stamp:
            print(f"{HEAD} is stale: run scripts/train_coach.py", file=sys.stderr)
            return 1
        from callassist.embed.head import load_head

        head = load_head(HERE / HEAD)
        assert head is not None
        line = threshold_line(dict(zip(head.kinds, map(float, head.thresholds), strict=True)))
        if line not in playbook_text:
            print(f"the playbook's [learned] threshold is not the head's ({line}): run "
                  "scripts/train_coach.py", file=sys.stderr)
            return 1
        return 0
    head = train.train_head(rows, vectors_for(rows), train.playbook_ruler(load_playbook()),
                            SETTINGS)
    thresholds = dict(zip(head.kinds, map(float, head.thresholds), strict=True))
    save_head(head, HERE / HEAD, stamp, {"settings": dataclasses.asdict(SETTINGS),
                                         "lines": len(rows)})
    line = threshold_line(thresholds)
    if not THRESHOLD_LINE.search(playbook_text):
        print(f"{PLAYBOOK}: no `threshold = {{...}}` line in [learned]", file=sys.stderr)
        return 1
    PLAYBOOK.write_text(THRESHOLD_LINE.sub(line, playbook_text, count=1), "utf-8")
    size = (HERE / HEAD).stat().st_size
    digest = hashlib.sha256((HERE / HEAD).read_bytes()).hexdigest()
    print(f"{HEAD}: {size:,} bytes, sha256 {digest}; trained on {len(rows)} lines")
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
