"""Scripted calls spoken by espeak-ng into WAV files, for demos, tests and benchmarks (there is
no human voice on a build machine). The agent speaks on the left channel, the customer on the
right (`--customer-channel right`), each turn at its scripted start unless the previous turn's
synthetic speech is still running."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from callassist.audio.resample import TARGET_RATE, Resampler, to_int16
from callassist.audio.wavfile import read_frames, read_info, write_wav
from callassist.errors import CallAssistError
from callassist.transcript import Transcript, Turn

VOICES = {"agent": "en-us", "customer": "en-gb"}
GAP_S = 0.4


@dataclass(frozen=True)
class SpokenTurn:
    turn: Turn
    start: float  # where the turn's speech starts and ends in the WAV
    end: float


def speak_text(text: str, voice: str = "en-us", speed: int = 135) -> np.ndarray:
    """espeak-ng's speech for text as 16 kHz int16 samples, without leading/trailing silence."""
    if not shutil.which("espeak-ng"):
        raise CallAssistError("espeak-ng is not installed: run scripts/setup.sh")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s.wav"
        # `--` ends the options, so a line such as "-w/path" or "--help" is spoken, never
        # taken as an option (S4); stdin is closed so nothing can wait on the terminal.
        r = subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(out), "--", text],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace",
        )
        if r.returncode != 0 or not out.is_file():
            said = " ".join((r.stderr or r.stdout).split())[:200] or f"exit status {r.returncode}"
            raise CallAssistError(f"espeak-ng cannot speak with voice '{voice}': {said}")
        info = read_info(out)
        resampler = Resampler(info.rate)
        x = np.concatenate([resampler.process(f[:, 0]) for f in read_frames(info, 1 << 16)])
    voiced = np.flatnonzero(np.abs(x) > 1e-3)
    if voiced.size:
        x = x[voiced[0]: voiced[-1] + 1]
    return to_int16(x * 0.7)


def _espeak(text: str, speaker: str) -> np.ndarray:
    return speak_text(text, VOICES[speaker])


def speak_transcript(
    transcript: Transcript, path: str | Path, stereo: bool = True,
    speakers: tuple[str, str] = ("agent", "customer"),
    say: Callable[[str, str], np.ndarray] = _espeak,
) -> list[SpokenTurn]:
    """Writes the call as a WAV (stereo: agent left, customer right; mono: both mixed) and
    returns where each spoken turn landed. `say(text, speaker)` gives a turn's 16 kHz speech
    (espeak-ng unless a benchmark brings another voice)."""
    placed: list[tuple[SpokenTurn, np.ndarray]] = []
    cursor = 0.5
    for turn in transcript.turns:
        if turn.speaker not in speakers:
            continue
        audio = say(turn.text, turn.speaker)
        start = max(turn.start, cursor)
        end = start + len(audio) / TARGET_RATE
        placed.append((SpokenTurn(turn, start, end), audio))
        cursor = end + GAP_S
    total = int((cursor + 0.5) * TARGET_RATE)
    out = np.zeros((total, 2), dtype=np.int32)
    for spoken, audio in placed:
        i = int(spoken.start * TARGET_RATE)
        ch = 0 if spoken.turn.speaker == "agent" else 1
        out[i:i + len(audio), ch] += audio
    pcm = out if stereo else out.sum(axis=1)
    write_wav(path, np.clip(pcm, -32768, 32767).astype(np.int16))
    return [s for s, _ in placed]
