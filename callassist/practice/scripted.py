"""A scripted trainee for tests, benchmarks and demos on a machine with no person at it: it
waits for the caller to finish, then plays its next line (espeak-ng) into a PulseAudio sink whose
monitor is the practice call's microphone (the virtual microphone of scripts/start-pulse.sh).

    trainee = ScriptedTrainee(lines, sink="callassist_test", audio_dir=tmp)
    threading.Thread(target=trainee.run, args=(call, stop)).start()

`spoken` records when each line started and ended (time.monotonic()), for the latency benchmark.
A line "<hold N>" stays silent for N seconds.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from callassist.audio.speak import speak_text
from callassist.audio.wavfile import read_info, write_wav

HOLD = re.compile(r"<hold (\d+(?:\.\d+)?)>")


@dataclass
class ScriptedTrainee:
    lines: list[str]
    sink: str
    audio_dir: Path
    voice: str = "en-us"
    rate: int = 125
    pause_s: float = 0.6  # after the caller stops, before the trainee answers
    spoken: list[tuple[str, float, float]] = field(default_factory=list)  # text, start, end

    def _wav(self, i: int, text: str) -> Path:
        path = self.audio_dir / f"trainee-{i:02d}-{abs(hash((text, self.voice))) % 10**8}.wav"
        if not path.exists():
            write_wav(path, speak_text(text, self.voice, self.rate))
        return path

    def run(self, call, stop: threading.Event) -> None:
        """Answers each time the caller has said something new and fallen silent, until the
        lines run out, the caller is done or stop is set."""
        wavs = [None if HOLD.fullmatch(t) else self._wav(i, t) for i, t in enumerate(self.lines)]
        heard = 0  # caller lines already answered
        for text, wav in zip(self.lines, wavs, strict=True):
            # wait for something new from the caller, and for its whole answer to be heard
            while not stop.is_set() and not (len(call.caller.said) > heard
                                             and call.player_idle()):
                time.sleep(0.1)
            if stop.is_set() or call.caller.done:
                return
            heard = len(call.caller.said)
            time.sleep(self.pause_s)
            hold = HOLD.fullmatch(text)
            if hold:
                stop.wait(float(hold.group(1)))
                continue
            start = time.monotonic()
            subprocess.run(["paplay", f"--device={self.sink}", str(wav)], check=True, timeout=60)
            # paplay returns once the sink has drained the line; the speech itself ended no
            # later than its length after paplay was started (the earlier, stricter end)
            self.spoken.append((text, start, min(time.monotonic(),
                                                 start + read_info(wav).duration)))
