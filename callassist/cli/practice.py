"""`callassist practice [SCENARIO]`: a simulated angry caller to train on. The caller speaks
through the speakers or headset, the trainee answers out loud, the coach listens as in a live
call, and a scorecard follows. `--list` shows the scenarios."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from callassist import validate
from callassist.app.records import StoreRecords
from callassist.app.runner import CallRunner
from callassist.app.sources import SpeechSource
from callassist.cli._call import SaveProblem, loading_status, run_in_terminal
from callassist.cli._common import add_playbook_option, playbook_from
from callassist.cli._speech import add_engine_options
from callassist.cli.listen import describe
from callassist.cli.run import _screenshot_moment
from callassist.coach.events import TranscriptEvent
from callassist.errors import CallAssistError
from callassist.practice.scenario import default_folders, find_scenario, scan_scenarios
from callassist.practice.source import PracticeSource
from callassist.practice.voice import VOICES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "practice", help="a simulated angry caller to train on",
        description="A simulated caller speaks a scenario through the speakers or headset; "
        "answer out loud. The coach listens as in a live call, the caller reacts to what you "
        "do, and a scorecard follows. The attempt is stored as practice "
        "(`callassist calls list --practice`).",
    )
    p.add_argument("scenario", nargs="?", default="lost-parcel", metavar="SCENARIO",
                   help="a scenario id from --list, or a scenario TOML file "
                   "(default: lost-parcel)")
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    p.add_argument("--scenarios", metavar="DIR",
                   help="a folder of your own scenario files (beside the shipped ones and the "
                   "data folder's scenarios/)")
    p.add_argument("--voice", choices=VOICES, default="auto",
                   help="the caller's voice: piper (neural, bundled), espeak, or auto (piper "
                   "when installed)")
    p.add_argument("--output", metavar="DEV",
                   help="audio output for the caller (PortAudio index or name; default: the "
                   "system's)")
    p.add_argument("--device", metavar="DEV",
                   help="the trainee's microphone (see `callassist devices`)")
    p.add_argument("--input", metavar="FILE",
                   help="a WAV of the trainee's answers, played in place of the microphone")
    add_engine_options(p)
    p.add_argument("--trainee", metavar="NAME",
                   help="whose attempt this is (default: the `agent` setting)")
    p.add_argument("--no-save", action="store_true", help="do not store the attempt")
    p.add_argument("--overlay", action="store_true",
                   help="coach in the overlay window, as in a live call (the scorecard shows "
                   "in its end-of-call summary)")
    p.add_argument("--screenshot", type=Path, metavar="PATH",
                   help="with --overlay: save a PNG of the window (see --screenshot-at), then "
                   "quit")
    p.add_argument("--screenshot-at", type=_screenshot_moment, default="summary",
                   metavar="WHEN", help="'summary' (the scorecard, the default) or a number of "
                   "seconds into the call")
    p.add_argument("--json", action="store_true", help="print the scorecard as JSON")
    add_playbook_option(p)
    p.set_defaults(func=run)


def run_list(args: argparse.Namespace) -> int:
    scenarios, problems = scan_scenarios(default_folders(args.scenarios))
    for s in scenarios:
        print(f"{s.id:<20} {s.title}")
        for line in textwrap.wrap(s.situation, 76):
            print(f"{'':<22}{line}")
    for problem in problems:  # a broken draft is named, and hides nothing (P3)
        print(f"callassist: note: skipped {problem}", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.list:
        return run_list(args)
    from callassist.practice.scorecard import format_scorecard

    if args.trainee is not None:  # stored as the call's agent: checked as that setting is
        args.trainee = validate.line(args.trainee, "--trainee", lambda field, problem:
                                     CallAssistError(f"{field} {problem}"),
                                     validate.MAX_NAME_CHARS).strip() or None
    scenario = find_scenario(args.scenario, default_folders(args.scenarios))
    playbook = playbook_from(args)
    if args.overlay:
        return run_in_overlay(args, scenario, playbook)
    if args.screenshot:
        raise CallAssistError("--screenshot is for the overlay: add --overlay")
    source = practice_source(args, scenario, playbook)
    audio = source.speech.open_input()  # no microphone: said before anything loads
    problem = SaveProblem(live=True)
    runner = CallRunner(playbook, status=loading_status, problem=problem,
                        records=None if args.no_save else StoreRecords(agent=args.trainee))
    if not runner.prepare(source):  # a scenario's or the model's problem, before the call
        raise CallAssistError(runner.last_error or "the practice call could not be prepared")

    def show(events) -> None:
        for e in events:
            if isinstance(e, TranscriptEvent) and not e.final:
                continue
            line = describe(e)
            if line and not args.json:
                print(line, flush=True)

    print(f"practice: {scenario.title} ({scenario.caller}); {source.voice.name} voice, "
          f"{source.speech.engine_name} listening on {audio.description}; Ctrl+C ends the call",
          file=sys.stderr)
    print(textwrap.fill(scenario.situation, 78), file=sys.stderr)
    result = run_in_terminal(runner, source, show)
    card = result.report.to_json()
    if not args.no_save:
        card["call_id"] = result.call_id
    print()
    print(json.dumps(card, indent=2) if args.json else format_scorecard(card))
    problem.check()
    return 0


def practice_source(args: argparse.Namespace, scenario, playbook) -> PracticeSource:
    speech = SpeechSource(playbook, args.input, device=args.device, engine=args.engine,
                          model=args.model, bias=not args.no_bias)
    return PracticeSource(scenario, speech, voice=args.voice, output=args.output)


def run_in_overlay(args: argparse.Namespace, scenario, playbook) -> int:
    from callassist.practice.scorecard import format_scorecard
    from callassist.ui.app import Screenshot, run_overlay

    source = practice_source(args, scenario, playbook)
    shot = Screenshot(args.screenshot, args.screenshot_at) if args.screenshot else None
    code = run_overlay(source, playbook, screenshot=shot, exit_after=shot is not None,
                       records=None if args.no_save else StoreRecords(agent=args.trainee))
    if source.call is not None:
        card = source.call.scorecard().to_json()
        print(json.dumps(card, indent=2) if args.json else format_scorecard(card))
    return code
