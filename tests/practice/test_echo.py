"""The echo gate: while the caller speaks (and a tail after), the microphone reaches the
recogniser as silence; before and after, untouched. A WAV played in real time stands in for
the microphone (the PulseAudio test in test_practice_audio.py loops real echo back)."""

from __future__ import annotations

import threading
import time

import numpy as np

from callassist.audio.sources import FileSource
from callassist.audio.wavfile import write_wav
from callassist.practice.echo import TAIL_S, EchoGate


def test_the_microphone_is_silent_while_the_caller_speaks(tmp_path):
    rng = np.random.default_rng(1)
    write_wav(tmp_path / "mic.wav", (rng.standard_normal(16000 * 2) * 3000).astype(np.int16))
    gate = EchoGate(FileSource(tmp_path / "mic.wav", realtime=True))
    blocks = []
    for b in gate.blocks(threading.Event()):
        if not blocks:  # the caller speaks from 0.5 s to 1.0 s into the call
            now = time.monotonic()
            gate.mute(now + 0.5 - b.end, now + 1.0 - b.end)
        blocks.append((b.at, b.end, bool(np.any(b.samples))))
    silent = [(a, e) for a, e, sound in blocks if not sound]
    assert silent, "the caller's stretch is muted"
    assert min(a for a, _ in silent) >= 0.35  # nothing well before the caller
    assert max(e for _, e in silent) <= 1.0 + TAIL_S + 0.15  # nor well after its tail
    assert not any(sound for a, e, sound in blocks if a >= 0.55 and e <= 0.95)
    assert gate.muted_blocks == len(silent)
    assert abs(gate.call_time(time.monotonic()) - blocks[-1][1]) < 0.3


def test_flaky_practice_words_read_late_are_not_muted_by_the_caller_speaking_now(tmp_path):
    """Cause of the practice good-trainee test failing under load: blocks wait in the queue
    on a busy machine, and a block captured before the caller spoke was muted because it was
    *read* while the caller spoke. Here the reader stalls for 1 s (as a loaded machine does)
    after the first block; the caller starts speaking during the stall. The blocks captured
    before the caller started keep their sound."""
    rng = np.random.default_rng(2)
    write_wav(tmp_path / "mic.wav", (rng.standard_normal(16000 * 2) * 3000).astype(np.int16))
    gate = EchoGate(FileSource(tmp_path / "mic.wav", realtime=True))
    blocks = []
    caller_from = None
    for b in gate.blocks(threading.Event()):
        if not blocks:
            time.sleep(1.0)  # the reader falls 1 s behind the capture
            caller_from = time.monotonic()  # the caller speaks from now on, for 2 s
            gate.mute(caller_from, caller_from + 2.0)
        blocks.append((b.at, b.end, bool(np.any(b.samples))))
    # blocks captured before the caller started (within the stall) keep their sound
    captured_before = [s for a, e, s in blocks[1:] if e < 0.9]
    assert captured_before and all(captured_before)
