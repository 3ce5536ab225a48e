#!/usr/bin/env python3
"""Rebuilds what the coach learns from the labelled data set in data/.

Reads every data/**/*.jsonl (one utterance a line: text, source, and labels, or steps and
warnings as in the corpus's `expect`), checks each label,
normalises the text as the coach reads a line, drops duplicates and sentences whose copies
disagree, and writes:

- callassist/embed/examples.jsonl: the examples (text, labels, source), sorted;
- callassist/embed/vectors.npz: their all-MiniLM-L6-v2 vectors and those of the built-in
  playbook's examples, keyed by sentence, so a call starts without embedding them again.

    .venv/bin/python scripts/build_examples.py            # rebuild
    .venv/bin/python scripts/build_examples.py --check    # exit 1 if the built files are stale
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from callassist.coach.meaning import LEARNED_KINDS
from callassist.coach.playbook import load_playbook
from callassist.embed.examples import EXAMPLES, HERE, VECTORS, example_text, playbook_examples

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
# Labels a gathered line may carry that a single sentence cannot teach: a hold is judged by
# what follows it in the call (hold.py), so a line labelled only that is left out.
NOT_LEARNED = {"hold_without_handoff"}


def read_rows(folder: Path) -> tuple[list[dict], list[str]]:
    rows, problems = [], []
    for path in sorted(folder.rglob("*.jsonl")):
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{n}"
            try:
                row = json.loads(line)
                text, source = row["text"], row["source"]
                # Either one list of labels, or the corpus's two: steps and warnings.
                labels = row["labels"] if "labels" in row else row["steps"] + row["warnings"]
            except (ValueError, KeyError, TypeError) as e:
                problems.append(f"{where}: not a labelled utterance ({e})")
                continue
            unknown = set(labels) - set(LEARNED_KINDS) - NOT_LEARNED
            if unknown or not isinstance(text, str) or not source:
                problems.append(f"{where}: unknown labels {sorted(unknown)} or no text/source")
                continue
            rows.append({"text": text, "labels": labels, "source": source, "where": where})
    return rows, problems


def build(rows: list[dict]) -> tuple[list[dict], list[str]]:
    by_text: dict[str, list[dict]] = {}
    for row in rows:
        if set(row["labels"]) and set(row["labels"]) <= NOT_LEARNED:
            continue
        t = example_text(row["text"])
        if t:
            by_text.setdefault(t, []).append(row)
    examples, dropped = [], []
    for t, copies in sorted(by_text.items()):
        labels = {tuple(sorted(set(c["labels"]) - NOT_LEARNED)) for c in copies}
        if len(labels) > 1:
            places = ", ".join(c["where"] for c in copies)
            dropped.append(f"{t!r}: labelled differently in {places}")
            continue
        examples.append({"text": t, "labels": list(labels.pop()), "source": copies[0]["source"]})
    return examples, dropped


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check the built files are current")
    args = ap.parse_args()
    rows, problems = read_rows(DATA)
    for p in problems:
        print(f"skipped {p}", file=sys.stderr)
    examples, dropped = build(rows)
    for d in dropped:
        print(f"dropped {d}", file=sys.stderr)
    text = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in examples)
    if args.check:
        current = (HERE / EXAMPLES).read_text("utf-8") if (HERE / EXAMPLES).is_file() else ""
        if current != text:
            print(f"{EXAMPLES} is stale: run scripts/build_examples.py", file=sys.stderr)
            return 1
        return 0
    (HERE / EXAMPLES).write_text(text, "utf-8")

    from callassist.embed.examples import save_vectors
    from callassist.embed.minilm import default_embedder

    sentences = sorted({e["text"] for e in examples}
                       | {e.text for e in playbook_examples(load_playbook())})
    vectors = default_embedder().embed(sentences)
    save_vectors(sentences, vectors, HERE / VECTORS)
    counts = Counter(k for e in examples for k in (e["labels"] or ["(none)"]))
    print(f"{len(examples)} examples from {len(rows)} rows ({len(dropped)} dropped as "
          f"conflicting), {len(sentences)} vectors")
    for kind, n in sorted(counts.items()):
        print(f"  {kind:<22} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
