"""Audio sources: each yields `Block`s of 16 kHz mono int16 samples tagged with the speaker and
the call time they start at (seconds from the start of the source).

    source.blocks(stop) -> Iterator[Block]   # ends when the audio ends, stop is set or the
                                             # device is lost (then source.lost says why)

- `FileSource`: a WAV file, mixed down to the agent, or split into agent and customer with
  `customer_channel="left"|"right"`; paced like a live microphone with `realtime=True`.
- `MicrophoneSource`: a PortAudio input at its own rate, resampled; the PortAudio callback
  only copies into a bounded queue (never blocks) and counts what did not fit.
- `MergedSource`: agent and customer sources (e.g. a headset and the speaker monitor) at once.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from callassist.audio.devices import InputDevice, _sounddevice, resolve_input
from callassist.audio.resample import TARGET_RATE, Resampler, to_int16
from callassist.audio.wavfile import WavInfo, read_frames, read_info
from callassist.errors import CallAssistError

BLOCK_S = 0.1
CHANNELS = ("left", "right")
_OPENING = threading.Lock()


@dataclass(frozen=True)
class Block:
    speaker: str
    at: float
    samples: np.ndarray  # int16, 16 kHz, mono

    @property
    def end(self) -> float:
        return self.at + len(self.samples) / TARGET_RATE


class AudioSource(Protocol):
    @property
    def description(self) -> str: ...

    @property
    def lost(self) -> str | None:
        """Why the input was lost mid-call (None while it works)."""

    @property
    def overflows(self) -> int:
        """How many blocks were dropped because the reader fell behind."""

    def blocks(self, stop: threading.Event) -> Iterator[Block]: ...


def _channel_index(name: str) -> int:
    if name not in CHANNELS:
        raise CallAssistError(f"--customer-channel must be 'left' or 'right', not '{name}'")
    return CHANNELS.index(name)


class FileSource:
    """A WAV recording. Without a customer channel every channel is mixed into the agent."""

    def __init__(
        self, path: str | Path, customer_channel: str | None = None, realtime: bool = False,
        block_s: float = BLOCK_S,
    ):
        self.info: WavInfo = read_info(path)
        self.customer = _channel_index(customer_channel) if customer_channel else None
        if self.customer is not None and self.info.channels < 2:
            raise CallAssistError(
                f"{self.info.path}: has one channel; --customer-channel needs a stereo recording"
            )
        self.realtime = realtime
        self.block_frames = max(1, int(self.info.rate * block_s))
        self.description = f"{self.info.path.name} ({self.info.rate} Hz, {self.info.channels} ch)"
        self.lost: str | None = None
        self.overflows = 0

    @property
    def duration(self) -> float:
        return self.info.duration

    def blocks(self, stop: threading.Event) -> Iterator[Block]:
        tracks: list[tuple[str, Resampler]] = [("agent", Resampler(self.info.rate))]
        if self.customer is not None:
            tracks.append(("customer", Resampler(self.info.rate)))
        t0 = time.monotonic()
        done = 0  # 16 kHz samples yielded per track
        for frames in read_frames(self.info, self.block_frames):
            if stop.is_set():
                return
            if self.customer is None:
                mono = [frames.mean(axis=1)]
            else:
                agent_ch = 1 - self.customer
                mono = [frames[:, agent_ch], frames[:, self.customer]]
            out = [to_int16(r.process(x)) for (_, r), x in zip(tracks, mono, strict=True)]
            at = done / TARGET_RATE
            if self.realtime:
                # A block is available once it has been "spoken", like a live microphone's.
                wait = t0 + at + len(out[0]) / TARGET_RATE - time.monotonic()
                if wait > 0 and stop.wait(wait):
                    return
            for (speaker, _), samples in zip(tracks, out, strict=True):
                if samples.size:
                    yield Block(speaker, at, samples)
            done += len(out[0])


class MicrophoneSource:
    """A live input. Capture runs at the device's default rate; conversion to 16 kHz mono happens
    on the reading thread, never in the PortAudio callback."""

    def __init__(
        self, device: str | int | None = None, speaker: str = "agent", block_s: float = BLOCK_S,
        queue_s: float = 30.0, stall_s: float = 3.0,
    ):
        self.device: InputDevice = resolve_input(device)
        self.speaker = speaker
        self.rate = self.device.default_rate or TARGET_RATE
        self.block_frames = max(1, int(self.rate * block_s))
        self._queue: queue.Queue[np.ndarray] = queue.Queue(maxsize=max(1, int(queue_s / block_s)))
        self.overflows = 0  # blocks dropped because the reader fell behind, or PortAudio's own
        self._delivered = 0  # device frames queued for the reader (see delivered_s)
        self.lost: str | None = None
        self._finished = threading.Event()
        # A live input delivers blocks even in silence; none for stall_s means it is gone
        # (PulseAudio, for one, keeps a stream "active" after its source was removed).
        self.stall_s = stall_s
        self.description = f"{self.device.index}: {self.device.name}"

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status.input_overflow:
            self.overflows += 1
        try:
            self._queue.put_nowait(indata[:, 0].copy())
            self._delivered += frames
        except queue.Full:
            self.overflows += 1

    @property
    def delivered_s(self) -> float:
        """Seconds of audio the device has handed to the reader so far: once the blocks read
        reach it, everything captured up to now has been heard (a reader behind the device
        is still working through its queue)."""
        return self._delivered / self.rate

    def _open(self) -> Any:  # a sounddevice.InputStream (sounddevice has no types)
        # Two inputs (agent and customer) open at once on their own threads: each must see its
        # own PULSE_SOURCE while its stream opens.
        with _OPENING:
            return self._open_stream()

    def _open_stream(self) -> Any:
        sd = _sounddevice()
        env_before = os.environ.get("PULSE_SOURCE")
        if self.device.pulse_source:
            # The ALSA pulse plugin reads PULSE_SOURCE when the stream opens.
            os.environ["PULSE_SOURCE"] = self.device.pulse_source
        try:
            stream = sd.InputStream(
                device=self.device.index, channels=1, samplerate=self.rate, dtype="float32",
                blocksize=self.block_frames, callback=self._callback,
                finished_callback=self._finished.set,
            )
            stream.start()
        except (sd.PortAudioError, ValueError) as e:
            raise CallAssistError(
                f"cannot open input '{self.device.name}': {e}: check the headset is plugged in "
                "or pick another with --device (see `callassist devices`)"
            ) from None
        finally:
            if self.device.pulse_source:
                if env_before is None:
                    os.environ.pop("PULSE_SOURCE", None)
                else:
                    os.environ["PULSE_SOURCE"] = env_before
        return stream

    def blocks(self, stop: threading.Event) -> Iterator[Block]:
        stream = self._open()
        resampler = Resampler(self.rate)
        done = 0
        last = time.monotonic()
        try:
            while not stop.is_set():
                try:
                    data = self._queue.get(timeout=0.25)
                except queue.Empty:
                    silent_for = time.monotonic() - last
                    if self._finished.is_set() or not stream.active or silent_for > self.stall_s:
                        self.lost = f"input '{self.device.name}' stopped (unplugged?)"
                        return
                    continue
                last = time.monotonic()
                samples = to_int16(resampler.process(data))
                if samples.size:
                    yield Block(self.speaker, done / TARGET_RATE, samples)
                    done += samples.size
        finally:
            with contextlib.suppress(Exception):
                stream.abort()
                stream.close()


@dataclass
class MergedSource:
    """Several sources at once (agent headset + customer channel), each read on its own thread;
    blocks come out in arrival order. Ends when every source has ended."""

    sources: Sequence[AudioSource]
    lost: str | None = None
    _errors: list[BaseException] = field(default_factory=list)

    @property
    def description(self) -> str:
        return " + ".join(s.description for s in self.sources)

    @property
    def overflows(self) -> int:
        return sum(s.overflows for s in self.sources)

    def blocks(self, stop: threading.Event) -> Iterator[Block]:
        q: queue.Queue[Block | None] = queue.Queue(maxsize=1000)
        inner = threading.Event()

        def pump(src: AudioSource) -> None:
            try:
                for b in src.blocks(inner):
                    q.put(b)
            except BaseException as e:  # re-raised on the reading thread
                self._errors.append(e)
            finally:
                q.put(None)

        threads = [threading.Thread(target=pump, args=(s,), daemon=True) for s in self.sources]
        for t in threads:
            t.start()
        running = len(threads)
        try:
            while running and not stop.is_set():
                try:
                    b = q.get(timeout=0.25)
                except queue.Empty:
                    continue
                if b is None:
                    running -= 1
                    if self._errors:
                        raise self._errors[0]
                    lost = [s.lost for s in self.sources if s.lost]
                    if lost:
                        self.lost = lost[0]
                        return
                    continue
                yield b
        finally:
            inner.set()
            while any(t.is_alive() for t in threads):
                with contextlib.suppress(queue.Empty):
                    q.get(timeout=0.05)


def open_source(
    input_file: str | Path | None = None, device: str | int | None = None,
    customer_device: str | int | None = None, customer_channel: str | None = None,
    realtime: bool = True,
) -> AudioSource:
    """The source a live call listens to: a WAV file in place of the microphone, or the
    microphone; plus, optionally, a second input for the customer. Raises CallAssistError with
    the fix when no microphone is there ("no microphone found: ...")."""
    if input_file is not None:
        agent: AudioSource = FileSource(input_file, customer_channel, realtime=realtime)
    else:
        if customer_channel:
            raise CallAssistError("--customer-channel is for stereo recordings; "
                                  "for a live call pass --customer-device")
        agent = MicrophoneSource(device, "agent")
    if customer_device is None:
        return agent
    return MergedSource([agent, MicrophoneSource(customer_device, "customer")])
