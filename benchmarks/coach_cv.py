"""The honest yardstick: the coach scored by grouped cross-validation over every labelled line.

Every line under data/ (any *.jsonl, authored and gathered) is scored by a coach that never
learned from its source: the lines are split into folds by source (a site, a repository
file, a data set: callassist/embed/dataset.py), and each fold is judged by a coach whose
examples (and trained head) come from the other folds only. A training line whose text is
also a scored line's (the same words quoted by two sources) is left out of that fold's
training too, and so is a playbook example with a scored line's words. Every threshold the
coach learns (calibration, the warning threshold) is chosen inside the training folds.

It prints precision, recall and F1 per class and overall (the four steps; the warnings
defensive, blame and hollow apology), and the false warnings per 100 routine lines (lines
with no label at all: what an agent says most of a call).

When ../shared/corpus is present (a developer's checkout), its `real/` and `dev/` calls are
also scored as evaluate.py scores them, by the coach trained on all of data/; they are
reported, not targets.

    .venv/bin/python benchmarks/coach_cv.py                  # the shipped coach
    .venv/bin/python benchmarks/coach_cv.py --coach head     # the trained head (opt-in)
    .venv/bin/python benchmarks/coach_cv.py --coach logistic --vetoes negation,filler
    .venv/bin/python benchmarks/coach_cv.py --folds 5
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small products: threads only contend

import argparse
import dataclasses
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from _harness import print_table

from callassist.coach.kinds import PHRASE_WARNINGS, STEP_IDS
from callassist.coach.meaning import Example, MeaningLayer
from callassist.coach.playbook import Playbook, load_playbook
from callassist.coach.rules import Analysis, analyse
from callassist.coach.session import CallSession
from callassist.coach.text import normalize
from callassist.embed.dataset import Row, distinct, grouped_folds, read_rows
from callassist.embed.examples import load_vectors, playbook_examples
from callassist.embed.minilm import MODEL, default_embedder
from callassist.embed.train import SHIPPED, HeadSettings, playbook_ruler, train_head
from callassist.replay import feed_transcript
from callassist.transcript import load_transcript

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
CORPUS = ROOT.parent / "shared" / "corpus"
KINDS = (*STEP_IDS, *PHRASE_WARNINGS)


class CachedEmbedder:
    """The sentence model with every vector kept: a fold embeds each clause once, and a run
    starts from the vectors of the last (kept under ~/.cache, keyed by the model's hash)."""

    def __init__(self) -> None:
        self.model = default_embedder()
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        self.path = cache / "callassist-bench" / f"vectors-{MODEL.sha256[:12]}.npz"
        self.known: dict[str, np.ndarray] = {**load_vectors(), **load_vectors(self.path)}
        self.added = 0

    def warm(self, texts: Sequence[str]) -> None:
        missing = sorted({t for t in texts if t not in self.known})
        if missing:
            self.known.update(zip(missing, self.model.embed(missing), strict=True))
            self.added += len(missing)

    def embed(self, texts: list[str]) -> np.ndarray:
        self.warm(texts)
        if not texts:
            return np.zeros((0, self.model.dim), dtype=np.float32)
        return np.vstack([self.known[t] for t in texts]).astype(np.float32)

    def save(self) -> None:
        if self.added:
            from callassist.embed.examples import save_vectors

            self.path.parent.mkdir(parents=True, exist_ok=True)
            save_vectors(list(self.known), np.vstack(list(self.known.values())), self.path)


# -- what a coach says of one line ------------------------------------------------------------

def standing(pb: Playbook, a: Analysis) -> set[str]:
    """The steps and phrase warnings one line shows on its own, as the session would: a
    warning the same line takes back by owning the fault (a rule's `cancelled_by`) is not
    raised."""
    out = set(a.steps)
    for kind in a.warnings:
        if kind in pb.warnings and not any(s in a.steps for s in pb.warnings[kind].cancelled_by):
            out.add(kind)
    return out


def judge(pb: Playbook, row: Row) -> set[str]:
    return standing(pb, analyse(pb, normalize(row.text), pb.meaning, row.customer,
                                row.previous))


# A coach made from training lines, never from a line with one of the `scored` texts.
Coach = Callable[[Sequence[Row], CachedEmbedder, set[str]], Playbook]


def vote_coach(base: Playbook) -> Coach:
    """The nearest-example vote (the coach before issue 18): the training lines and the
    playbook's examples vote, with the playbook's fixed thresholds."""

    def build(train: Sequence[Row], embedder: CachedEmbedder, scored: set[str]) -> Playbook:
        examples = {r.text: Example(r.text, r.labels, r.source) for r in train}
        examples.update({e.text: e for e in playbook_examples(base)})
        chosen = [e for e in examples.values() if e.text not in scored]
        vectors = embedder.embed([e.text for e in chosen])
        return dataclasses.replace(base, meaning=MeaningLayer(embedder, chosen, vectors,
                                                              base.learned))

    return build


def rules_coach(base: Playbook) -> Coach:
    return lambda train, embedder, scored: base


def head_coach(base: Playbook, settings: HeadSettings, vote: bool = True,
               vote_all: bool = False) -> Coach:
    """The trained head (scripts/train_coach.py's training, on the fold's lines and the
    playbook's examples), its thresholds chosen in the fold; with `vote`, the playbook's own
    examples still vote beside it."""
    ruler = playbook_ruler(base)

    def build(train: Sequence[Row], embedder: CachedEmbedder, scored: set[str]) -> Playbook:
        known = {r.text for r in train}
        lines = [*train, *(Row(e.text, e.labels, "playbook", "playbook.toml")
                           for e in playbook_examples(base)
                           if e.text not in known and e.text not in scored)]
        embedder.warm([t for r in lines for t in (r.text, r.customer, r.previous) if t])
        head = train_head(lines, embedder.known, ruler, settings)
        examples = [e for e in playbook_examples(base) if e.text not in scored] if vote else []
        if vote_all:  # every training line votes too, as before the head
            examples += [Example(r.text, r.labels, r.source) for r in train
                         if r.text not in {e.text for e in examples}]
        learned = dataclasses.replace(base.learned, threshold={})
        return dataclasses.replace(base, learned=learned, meaning=MeaningLayer(
            embedder, examples, embedder.embed([e.text for e in examples]), learned, head))

    return build


def coaches(base: Playbook) -> dict[str, Coach]:
    return {
        "vote": vote_coach(base),
        "rules": rules_coach(base),
        "head": head_coach(base, SHIPPED),
        "head-only": head_coach(base, SHIPPED, vote=False),
        "head+vote": head_coach(base, SHIPPED, vote_all=True),
        "logistic": head_coach(base, dataclasses.replace(SHIPPED, hidden=0)),
        "mlp": head_coach(base, dataclasses.replace(SHIPPED, hidden=SHIPPED.hidden or 64)),
        "logistic-words": head_coach(base, dataclasses.replace(SHIPPED, hidden=0,
                                                               buckets=2048)),
        "mlp-words": head_coach(base, dataclasses.replace(SHIPPED, hidden=64, buckets=2048)),
    }


# -- scoring ------------------------------------------------------------------------------------

@dataclasses.dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return p, r, 2 * p * r / (p + r) if p + r else 0.0


def score(rows: Sequence[Row], said: Sequence[set[str]]) -> tuple[dict[str, Counts], float, int]:
    """Counts per kind, false warnings per 100 routine lines, and the routine lines."""
    counts = {k: Counts() for k in KINDS}
    false_warnings = routine = 0
    for row, got in zip(rows, said, strict=True):
        for k in KINDS:
            if k in got and k in row.labels:
                counts[k].tp += 1
            elif k in got:
                counts[k].fp += 1
            elif k in row.labels:
                counts[k].fn += 1
        if row.routine:
            routine += 1
            false_warnings += len(got & set(PHRASE_WARNINGS))
    return counts, 100.0 * false_warnings / max(routine, 1), routine


def table(counts: dict[str, Counts], per100: float, routine: int) -> list[tuple]:
    rows: list[tuple] = []

    def line(name: str, c: Counts) -> None:
        p, r, f = c.prf()
        rows.append((name, c.tp + c.fn, f"{p:.3f}", f"{r:.3f}", f"**{f:.3f}**"
                     if name in ("steps", "warnings") else f"{f:.3f}"))

    for group, kinds in (("steps", STEP_IDS), ("warnings", PHRASE_WARNINGS)):
        total = Counts()
        for k in kinds:
            line(k, counts[k])
            total.add(counts[k])
        line(group, total)
    rows.append(("false warnings per 100 routine lines", routine, f"{per100:.2f}", "", ""))
    return rows


def cross_validate(rows: Sequence[Row], coach: Coach, embedder: CachedEmbedder, folds: int,
                   seed: int) -> list[set[str]]:
    fold = grouped_folds([r.group for r in rows], folds, seed)
    said: list[set[str]] = [set() for _ in rows]
    for f in range(folds):
        test = [i for i, g in enumerate(fold) if g == f]
        scored = {rows[i].text for i in test}
        train = [r for r, g in zip(rows, fold, strict=True) if g != f and r.text not in scored]
        pb = coach(train, embedder, scored)
        for i in test:
            said[i] = judge(pb, rows[i])
    return said


def corpus_scores(pb: Playbook) -> list[tuple]:
    """real/ and dev/ as evaluate.py scores them (steps exact, warnings expected and absent)."""
    import json

    out = []
    for name in ("dev", "real"):
        files = sorted((CORPUS / name).glob("*.json"))
        steps, warns = Counts(), Counts()
        for path in files:
            expect = json.loads(path.read_text("utf-8"))["expect"]
            session = feed_transcript(load_transcript(path), CallSession(pb))
            got = {s for s, e in session.covered.items() if e.covered}
            fired = {w.kind for w in session.warnings}
            for s in STEP_IDS:
                steps.tp += s in got and s in expect["steps"]
                steps.fp += s in got and s not in expect["steps"]
                steps.fn += s not in got and s in expect["steps"]
            warns.tp += sum(k in fired for k in expect["warnings"])
            warns.fn += sum(k not in fired for k in expect["warnings"])
            warns.fp += sum(k in fired for k in expect["absent"])
        sp, sr, sf = steps.prf()
        wp, wr, wf = warns.prf()
        out.append((f"{name}/ ({len(files)} calls)", f"{sp:.3f}", f"{sr:.3f}", f"{sf:.3f}",
                    f"{wp:.3f}", f"{wr:.3f}", f"{wf:.3f}"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--coach", default="vote",
                    help="vote (shipped: the examples vote, [learned] head = false), head (the "
                         "trained head and the playbook's examples, [learned] head = true), "
                         "head-only, head+vote, logistic, mlp, rules")
    ap.add_argument("--vetoes", default=None,
                    help="the rules' vetoes over what is learned, comma-separated (default: "
                         "the playbook's; 'none' for none): the rule ablation")
    ap.add_argument("--keep-rules", action="store_true",
                    help="the head may not take a phrase rule's match away ([learned] "
                         "overrule = false)")
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--seed", type=int, default=18)
    args = ap.parse_args()

    base = load_playbook()
    if args.vetoes is not None:
        chosen = frozenset(v for v in args.vetoes.split(",") if v and v != "none")
        base = dataclasses.replace(base, learned=dataclasses.replace(base.learned,
                                                                     vetoes=chosen))
    if args.keep_rules:
        base = dataclasses.replace(base, learned=dataclasses.replace(base.learned,
                                                                     overrule=False))
    raw, problems = read_rows(DATA)
    rows, dropped = distinct(raw)
    groups = {r.group for r in rows}
    print(f"{len(rows)} distinct labelled lines ({len(raw)} read, {len(problems)} skipped, "
          f"{len(dropped)} dropped as labelled differently) from {len(groups)} sources; "
          f"{args.folds} folds by source; coach: {args.coach}; vetoes: "
          f"{','.join(sorted(base.learned.vetoes)) or 'none'}; the head overrules the rules: "
          f"{base.learned.overrule}\n")
    embedder = CachedEmbedder()
    t0 = time.perf_counter()
    coach = coaches(base)[args.coach]
    said = cross_validate(rows, coach, embedder, args.folds, args.seed)
    counts, per100, routine = score(rows, said)
    print_table(("class", "lines", "precision", "recall", "F1"), table(counts, per100, routine))
    if CORPUS.is_dir():
        print("\nThe corpus calls (../shared/corpus), coach trained on all of data/; reported, "
              "not targets:\n")
        print_table(("set", "steps P", "R", "F1", "warnings P", "R", "F1"),
                    corpus_scores(coach(rows, embedder, set())))
    embedder.save()
    print(f"\n{time.perf_counter() - t0:.0f} s; load average {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores")


if __name__ == "__main__":
    main()
