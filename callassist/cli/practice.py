"""`callassist practice [SCENARIO]`: a simulated angry caller to train on. The caller speaks
through the speakers or headset, the trainee answers out loud, the coach listens as in a live
call, and a scorecard follows. `--list` shows the scenarios."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import threading
from pathlib import Path

from callassist.cli._common import add_playbook_option, playbook_from
from callassist.cli._speech import add_engine_options
from callassist.cli.listen import describe, loading_status
from callassist.cli.run import _screenshot_moment
from callassist.coach.events import TranscriptEvent
from callassist.errors import CallAssistError
from callassist.practice.scenario import default_folders, find_scenario, load_scenarios
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
    for s in load_scenarios(default_folders(args.scenarios)):
        print(f"{s.id:<20} {s.title}")
        for line in textwrap.wrap(s.situation, 76):
            print(f"{'':<22}{line}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.list:
        return run_list(args)
    from callassist.pipeline import load_engine, open_source, stderr_status
    from callassist.practice.call import PracticeCall
    from callassist.practice.scorecard import format_scorecard
    from callassist.practice.voice import load_voice

    scenario = find_scenario(args.scenario, default_folders(args.scenarios))
    playbook = playbook_from(args)
    if args.overlay:
        return run_in_overlay(args, scenario, playbook)
    if args.screenshot:
        raise CallAssistError("--screenshot is for the overlay: add --overlay")
    source = open_source(args.input, args.device, realtime=True)
    engine = load_engine(args.engine, args.model, playbook, on_status=loading_status,
                         bias=not args.no_bias)
    voice = load_voice(args.voice)
    call = PracticeCall(scenario, playbook, engine, source, voice, output=args.output,
                        on_status=stderr_status)
    recorder = None
    if not args.no_save:
        from callassist.store import open_store
        from callassist.store.store import PRACTICE_SOURCE

        store = open_store()
        recorder = store.begin_call(agent=args.trainee, engine=engine.name, model=engine.model,
                                    source=PRACTICE_SOURCE + scenario.id, title=scenario.title)
        call.listeners.append(recorder.write)

    def show(events) -> None:
        for e in events:
            if isinstance(e, TranscriptEvent) and not e.final:
                continue
            line = describe(e)
            if line and not args.json:
                print(line, flush=True)

    call.listeners.append(show)
    print(f"practice: {scenario.title} ({scenario.caller}); {voice.name} voice, "
          f"{engine.name} listening on {source.description}; Ctrl+C ends the call",
          file=sys.stderr)
    print(textwrap.fill(scenario.situation, 78), file=sys.stderr)
    stop = threading.Event()
    result: list[dict] = []
    failure: list[BaseException] = []

    finished = threading.Event()

    def work() -> None:
        try:
            result.append(call.run(stop))
        except BaseException as e:  # re-raised on the main thread
            failure.append(e)
        finally:
            finished.set()

    threading.Thread(target=work, name="callassist-practice", daemon=True).start()
    # An Event, not Thread.join: a join interrupted by Ctrl+C may return early next time.
    try:
        while not finished.wait(0.2):
            pass
    except KeyboardInterrupt:
        stop.set()
        finished.wait()
    if failure:
        if recorder is not None:
            recorder.close()
        raise failure[0]
    card = result[0]
    if recorder is not None:
        card["call_id"] = recorder.finish(card)
        store.close()
    print()
    print(json.dumps(card, indent=2) if args.json else format_scorecard(card))
    return 0




def run_in_overlay(args: argparse.Namespace, scenario, playbook) -> int:
    from callassist.practice.scorecard import format_scorecard
    from callassist.practice.source import PracticeSource
    from callassist.ui.app import Screenshot, run_overlay
    from callassist.ui.recording import StoreRecords
    from callassist.ui.sources import SpeechSource

    speech = SpeechSource(playbook, args.input, device=args.device, engine=args.engine,
                          model=args.model, bias=not args.no_bias)
    source = PracticeSource(scenario, speech, voice=args.voice, output=args.output)
    shot = Screenshot(args.screenshot, args.screenshot_at) if args.screenshot else None
    code = run_overlay(source, playbook, screenshot=shot, exit_after=shot is not None,
                       records=None if args.no_save else StoreRecords())
    if source.call is not None:
        card = source.call.scorecard()
        print(json.dumps(card, indent=2) if args.json else format_scorecard(card))
    return code
