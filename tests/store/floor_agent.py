"""One simulated agent for the live floor tests and benchmark: a separate process writing a live
call into the store as the overlay would, event batch by event batch.

    python floor_agent.py STORE_URL AGENT SCRIPT [SECONDS_AGO]

SCRIPT is `blame` (the customer is angry, the agent blames the courier), `silent` (the
customer is angry and the agent never apologises) or `good` (apology and sympathy). The call
starts SECONDS_AGO seconds in the past, so a 30 s timer can be tested in a moment. The process
prints `live CALL_ID`, writes its events a few tenths of a second apart, then waits for a line
on stdin before it finishes the call.
"""

from __future__ import annotations

import sys
import time

from callassist.coach.events import MoodEvent, StepEvent, TranscriptEvent, WarningEvent
from callassist.settings import Settings
from callassist.store import open_store

SCRIPTS = {
    "blame": [
        MoodEvent(1.0, "words", "this is unacceptable", 2),
        TranscriptEvent("agent", True, "the courier lost it not us", 2.0, 3.0),
        WarningEvent("blame", 3.0, "the courier lost it not us", "Own it for the company"),
    ],
    "silent": [
        MoodEvent(1.0, "words", "i am furious", 2),
        TranscriptEvent("agent", True, "can i have your order number", 2.0, 3.0),
    ],
    "good": [
        MoodEvent(1.0, "complaint", "my parcel never arrived", 1),
        StepEvent("apologize", 2.5, "i am so sorry"),
        StepEvent("sympathize", 3.5, "that must be frustrating"),
    ],
}


def main(url: str, agent: str, script: str, ago: float = 0.0) -> None:
    with open_store(url, settings=Settings(agent=agent)) as store:
        recorder = store.begin_call(agent=agent, started_at=time.time() - ago, source="live")
        print(f"live {recorder.call_id}", flush=True)
        for event in SCRIPTS[script]:
            time.sleep(0.2)
            recorder.write([event])
        print("written", flush=True)
        sys.stdin.readline()
        recorder.finish()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 0)
