"""`callassist playbook try|check`: what a line would tick or fire and why, and whether a
playbook (its phrases and its example sentences) is sound."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from callassist.cli._common import add_playbook_option, playbook_from
from callassist.cli.calls import add_store_option, store_from
from callassist.coach.kinds import STEP_IDS
from callassist.coach.playbook import NEUTRAL, Playbook, load_playbook
from callassist.coach.rules import analyse
from callassist.coach.text import normalize
from callassist.errors import CallAssistError

NEAREST = 5


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("playbook", help="try a line against the playbook, or check a playbook",
                       description="Try a line against the playbook's phrases and examples, or "
                       "check a playbook file before using it.")
    cmds = p.add_subparsers(dest="playbook_command", metavar="ACTION", required=True)
    t = cmds.add_parser("try", help="what one agent line would tick or fire, and why",
                        description="Shows the steps a line would tick and the warnings it "
                        "would fire, each with its reason: the phrase rule that matched, or "
                        "the nearest example sentences with their similarity.")
    t.add_argument("text", help="the agent's words, e.g. \"let me look into that for you\"")
    t.add_argument("--json", action="store_true", help="print the result as JSON")
    add_playbook_option(t)
    t.set_defaults(func=run_try)
    c = cmds.add_parser("check", help="validate a playbook file",
                        description="Loads a playbook as a call would (every pattern compiled, "
                        "every example embedded) and lists examples its own neighbours "
                        "disagree with.")
    c.add_argument("file", type=Path, help="the playbook TOML file")
    c.set_defaults(func=run_check)
    g = cmds.add_parser("suggest", help="stored corrections as candidate example sentences",
                        description="Lists the sentences supervisors corrected (`calls "
                        "correct`, the review window) and agents ticked by hand, with how often, "
                        "grouped by where in the playbook they would go as examples.")
    g.add_argument("--min", type=int, default=1, metavar="N",
                   help="only sentences corrected at least N times (default 1)")
    g.add_argument("--json", action="store_true", help="one JSON object a line")
    add_store_option(g)
    g.set_defaults(func=run_suggest)


def try_line(playbook: Playbook, text: str) -> dict:
    if not text.strip():
        raise CallAssistError("the line to try is empty")
    tokens = normalize(text)
    a = analyse(playbook, tokens, playbook.meaning)
    nearest = []
    if playbook.meaning is not None and tokens.words:
        vector = playbook.meaning.vector(tokens.text)
        nearest = [{"text": n.example.text, "similarity": round(n.similarity, 3),
                    "labels": sorted(str(k) for k in n.example.labels) or [NEUTRAL],
                    "source": n.example.source}
                   for n in playbook.meaning.nearest(vector, NEAREST)]
    return {
        "text": text,
        "read_as": tokens.text,
        "steps": {str(k): a.reasons.get(k, "") for k in a.steps},
        "warnings": {str(k): a.reasons.get(k, "") for k in a.warnings},
        "held_back": {str(k): v for k, v in a.vetoed.items()},
        "hold": a.hold is not None, "handoff": a.handoff is not None,
        "learned": playbook.meaning is not None,
        "nearest": nearest,
    }


def format_try(result: dict) -> str:
    lines = [f'"{result["text"]}"']
    for key, verb in (("steps", "ticks"), ("warnings", "fires")):
        for kind, reason in result[key].items():
            lines.append(f"  {verb:<6} {kind:<22} {reason}")
    for kind, why in result["held_back"].items():
        lines.append(f"  no     {kind:<22} the examples saw it, held back: {why}")
    if result["hold"]:
        lines.append("  hold   a hold or transfer (warns unless a colleague is brought in)")
    if not (result["steps"] or result["warnings"] or result["held_back"] or result["hold"]):
        lines.append("  nothing: no step, no warning")
    if result["nearest"]:
        lines.append("nearest examples:")
        for n in result["nearest"]:
            lines.append(f'  {n["similarity"]:.2f}  {", ".join(n["labels"]):<30} "{n["text"]}"')
    elif not result["learned"]:
        lines.append("(phrases only: the examples are off)")
    return "\n".join(lines)


def run_try(args: argparse.Namespace) -> int:
    result = try_line(playbook_from(args), args.text)
    print(json.dumps(result, indent=2) if args.json else format_try(result))
    return 0


def disagreements(playbook: Playbook) -> list[str]:
    """Playbook examples the other examples read as something else (each left out of its
    own vote): likely mislabelled, or a wording the rest contradict."""
    from callassist.embed.examples import playbook_examples

    layer = playbook.meaning
    if layer is None:
        return []
    out = []
    for ex in playbook_examples(playbook):
        votes = set(layer.recognise_vector(layer.vector(ex.text), ex.text, leave_out=ex.text))
        if votes and not ex.labels & votes:
            shown = ", ".join(sorted(str(k) for k in ex.labels))
            out.append(f'"{ex.text}" ({shown}): the other examples see '
                       f'{", ".join(sorted(str(v) for v in votes))}')
    return out


def run_check(args: argparse.Namespace) -> int:
    from callassist.embed.examples import with_meaning

    playbook = with_meaning(load_playbook(args.file))
    counts = {k: len(v) for k, v in playbook.examples.items() if v}
    total = sum(counts.values())
    shown = ", ".join(f"{k} {n}" for k, n in counts.items()) or "none"
    state = (f"{len(playbook.meaning.examples)} examples in all with the data set"
             if playbook.meaning else "examples off ([learned] enabled = false)")
    print(f"{args.file}: ok: {len(playbook.steps)} steps, {len(playbook.warnings) + 1} warnings, "
          f"{total} example sentences ({shown}); {state}")
    doubtful = disagreements(playbook)
    if doubtful:
        print(f"{len(doubtful)} examples the others read as something else (check them):")
        for d in doubtful:
            print(f"  {d}")
    return 0


def _where(kind: str, verdict: str) -> str:
    """The playbook entry a corrected sentence would go under as an example."""
    if verdict == "not":
        return "[learned] neutral"
    table = "steps" if kind in STEP_IDS else "warnings"
    return f"[{table}.{kind}] examples"


def run_suggest(args: argparse.Namespace) -> int:
    from callassist.coach.labels import LABELS
    from callassist.store.corrections import grouped

    if args.min < 1:
        raise CallAssistError("--min must be 1 or more")
    with store_from(args, readonly=True) as store:
        suggestions = store.corrections.suggestions(min_count=args.min)
    if args.json:
        for sg in suggestions:
            print(json.dumps({"kind": sg.kind, "verdict": sg.verdict, "text": sg.text,
                              "count": sg.count, "calls": sg.calls, "by": sorted(sg.by),
                              "add_to": _where(sg.kind, sg.verdict)}))
        return 0
    if not suggestions:
        print("No corrections stored yet (callassist calls correct, the review window, or "
              "manual ticks in the overlay).")
        return 0
    for (kind, verdict), items in grouped(suggestions).items():
        label = LABELS[kind] if verdict == "was" else f"not {LABELS[kind]}"
        print(f"{label}  (add to {_where(kind, verdict)})")
        for sg in items:
            calls = ", ".join(str(c) for c in sg.calls)
            print(f'  {sg.count}x "{sg.text}"  calls {calls} · {", ".join(sorted(sg.by))}')
    return 0
