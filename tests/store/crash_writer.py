"""Run as a subprocess by the crash test: records a never-ending call into the store at argv[1]
and prints each event as JSON once `write` has returned, until it is killed."""

from __future__ import annotations

import itertools
import json
import sys
import time

from callassist.coach.events import event_to_dict
from callassist.coach.playbook import load_playbook
from callassist.coach.session import CallSession
from callassist.settings import Settings
from callassist.store import open_store

LINES = [
    ("customer", "my card was charged twice and nobody called me back"),
    ("agent", "i am so sorry about that"),
    ("agent", "i understand how frustrating that must be"),
    ("agent", "that was our mistake"),
    ("agent", "i will refund the second charge right now"),
]


def main() -> None:
    store = open_store(sys.argv[1], settings=Settings(agent="Crash Test", retention="full"))
    rec = store.begin_call(engine="test", model="none")
    session = CallSession(load_playbook())
    t = 0.0
    print(json.dumps({"call_id": rec.call_id}), flush=True)
    for i in itertools.count():
        speaker, text = LINES[i % len(LINES)]
        batch = session.feed_level(speaker, t, -22.0, True)
        batch += session.feed_utterance(speaker, f"{text} {i}", t, t + 1.0)
        rec.write(batch)
        for e in batch:
            if e.type != "level":
                print(json.dumps(event_to_dict(e)), flush=True)
        t += 1.5
        time.sleep(0.005)


if __name__ == "__main__":
    main()
