"""`callassist devices`: the audio inputs `--device` and `--customer-device` can name."""

from __future__ import annotations

import argparse
import json

from callassist.audio.devices import NO_MICROPHONE, input_devices, pulse_sources


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "devices", help="list audio inputs (for --device and --customer-device)",
        description="Lists the audio inputs with their number, default sample rate and channels. "
        "Pass the number or part of the name to --device / --customer-device. PulseAudio "
        "sources (e.g. the speakers' monitor, to hear the customer) can be named too.",
    )
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    devices = input_devices()
    sources = pulse_sources()
    if args.json:
        print(json.dumps({
            "inputs": [
                {"index": d.index, "name": d.name, "hostapi": d.hostapi, "channels": d.channels,
                 "default_rate": d.default_rate, "default": d.is_default}
                for d in devices
            ],
            "pulse_sources": sources,
        }, indent=2))
        return 0
    if not devices:
        print(NO_MICROPHONE)
        return 0
    print(f"  {'#':>3}  {'name':<36} {'api':<10} {'ch':>3} {'rate':>7}")
    for d in devices:
        mark = "*" if d.is_default else " "
        print(f"{mark} {d.index:>3}  {d.name[:36]:<36} {d.hostapi[:10]:<10} {d.channels:>3} "
              f"{d.default_rate:>7}")
    print("  (* default input)")
    if sources:
        print("\nPulseAudio sources (usable by name, e.g. --customer-device NAME):")
        for s in sources:
            print(f"  {s}")
    return 0
