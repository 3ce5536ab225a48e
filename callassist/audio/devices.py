"""Audio inputs through PortAudio (sounddevice): list them, and resolve `--device` by index or
name. A PulseAudio source name (e.g. a speaker monitor `alsa_output....monitor`) that is not a
PortAudio device is opened through ALSA's `pulse` device with PULSE_SOURCE set."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from types import ModuleType

from callassist.errors import CallAssistError

NO_MICROPHONE = "no microphone found: plug in a headset or pass --input FILE"


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    hostapi: str
    channels: int
    default_rate: int
    is_default: bool = False
    pulse_source: str | None = None  # set when opened through PulseAudio by source name


def _sounddevice() -> ModuleType:
    try:
        import sounddevice
    except OSError as e:  # PortAudio itself is missing
        raise CallAssistError(
            f"audio input unavailable ({e}): install PortAudio (apt-get install libportaudio2)"
        ) from None
    module: ModuleType = sounddevice
    return module


def input_devices() -> list[InputDevice]:
    """Every PortAudio device that can record, default first-marked."""
    sd = _sounddevice()
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
        default_in = sd.default.device[0]
    except sd.PortAudioError as e:
        raise CallAssistError(f"cannot list audio devices: {e}") from None
    out = []
    for d in devices:
        if d["max_input_channels"] < 1:
            continue
        out.append(
            InputDevice(
                index=d["index"], name=d["name"], hostapi=apis[d["hostapi"]]["name"],
                channels=d["max_input_channels"], default_rate=int(d["default_samplerate"]),
                is_default=d["index"] == default_in,
            )
        )
    return out


def pulse_sources() -> list[str]:
    """Names of PulseAudio sources (microphones and monitors), empty without a server."""
    if not shutil.which("pactl"):
        return []
    try:
        r = subprocess.run(
            ["pactl", "list", "short", "sources"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    if r.returncode != 0:
        return []
    return [line.split("\t")[1] for line in r.stdout.splitlines() if "\t" in line]


def resolve_input(spec: str | int | None) -> InputDevice:
    """The input device for `--device SPEC`: None is the system default, a number is an index
    from `callassist devices`, anything else is matched against device names (exactly, then
    as a case-insensitive part) and then against PulseAudio source names."""
    devices = input_devices()
    if spec is None or spec == "":
        default = [d for d in devices if d.is_default] or devices[:1]
        if not default:
            raise CallAssistError(NO_MICROPHONE)
        return default[0]
    text = str(spec).strip()
    if text.isdigit():
        for d in devices:
            if d.index == int(text):
                return d
        raise CallAssistError(
            f"no input device number {text}: run `callassist devices` to list the inputs"
        )
    exact = [d for d in devices if d.name == text]
    if exact:
        return exact[0]
    partial = [d for d in devices if text.lower() in d.name.lower()]
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        names = ", ".join(f"{d.index} {d.name!r}" for d in partial)
        raise CallAssistError(f"'{text}' matches several inputs ({names}): pass the number instead")
    if text in pulse_sources():
        via = [d for d in devices if d.name == "pulse"]
        if via:
            return InputDevice(
                via[0].index, text, "PulseAudio", via[0].channels, via[0].default_rate,
                pulse_source=text,
            )
    if not devices:
        raise CallAssistError(NO_MICROPHONE)
    raise CallAssistError(
        f"no input device matches '{text}': run `callassist devices` to list the inputs"
    )
