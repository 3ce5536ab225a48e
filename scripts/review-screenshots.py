#!/usr/bin/env python3
"""Pictures of the supervisor's review window for README: the call view with the customer's
frustration and a coaching note, the coaching queue, an agent's page and the live floor with an
alert. Run on a display (scripts/run.sh starts Xvfb for the demo; here: `xvfb-run -a`).

    .venv/bin/python scripts/review-screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def live_agents(url: str, stop: threading.Event) -> None:
    """Two agents on calls right now: one blames the courier, one does it right."""
    from callassist.coach.events import MoodEvent, StepEvent, TranscriptEvent, WarningEvent
    from callassist.settings import Settings
    from callassist.store import open_store

    scripts = {
        "Alex Chen": [MoodEvent(2.0, "words", "this is ridiculous", 2),
                      TranscriptEvent("agent", True, "the courier lost it that's not on us",
                                      5.0, 7.0),
                      WarningEvent("blame", 6.0, "the courier lost it that's not on us",
                                   "Own it for the company")],
        "Priya Nair": [MoodEvent(1.0, "complaint", "i was charged twice", 1),
                       StepEvent("apologize", 4.0, "i'm so sorry about that"),
                       StepEvent("sympathize", 6.0, "i can see why you're upset"),
                       TranscriptEvent("agent", True, "i can see why you're upset", 5.0, 6.5)],
    }

    def one(agent: str, events: list) -> None:
        with open_store(url, settings=Settings(agent=agent)) as store:
            rec = store.begin_call(agent=agent, started_at=time.time() - 40)
            for e in events:
                rec.write([e])
                time.sleep(0.3)
            stop.wait()
            rec.finish()

    threads = [threading.Thread(target=one, args=item) for item in scripts.items()]
    for t in threads:
        t.start()
    stop.wait()
    for t in threads:
        t.join()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = ap.parse_args()
    from PySide6.QtWidgets import QApplication

    from callassist.settings import Settings
    from callassist.store import CallFilter, open_store
    from callassist.ui.review import ReviewWindow

    tmp = Path(tempfile.mkdtemp(prefix="callassist-shots-"))
    url = str(tmp / "demo.sqlite3")
    subprocess.run([sys.executable, str(REPO / "scripts" / "make-demo-calls.py"), "--store",
                    url, "--calls", "120"], check=True, stdout=subprocess.DEVNULL)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    store = open_store(url, settings=Settings(agent="Maria (supervisor)"))
    blamed = store.list_calls(CallFilter(warning="blame"), 0, 3)
    defensive = store.list_calls(CallFilter(warning="defensive"), 0, 2)
    for r in blamed[:2]:
        call = store.get_call(r.id)
        at = call.report["warnings"][0]["at"]
        store.coaching.add_note(r.id, "Blamed the courier here. Own it: \"that's on us, and "
                                "here's how I'll fix it.\"", "Maria", at)
        store.coaching.set_flag(r.id, "to do", "Maria", "blame")
    for r in defensive:
        store.coaching.set_flag(r.id, "discussed", "Maria", "defensive wording")
    w = ReviewWindow(store)
    w.resize(1440, 900)
    w.show()

    def settle(seconds: float = 0.6) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    args.out.mkdir(parents=True, exist_ok=True)
    settle()
    w.open_call(blamed[0].id)
    settle()
    w.grab().save(str(args.out / "review-call-coaching.png"))
    w.tabs.setCurrentWidget(w.queue)
    settle()
    w.grab().save(str(args.out / "review-coaching-queue.png"))
    w.show_agent(blamed[0].agent)
    settle()
    w.grab().save(str(args.out / "review-agent-page.png"))
    stop = threading.Event()
    agents = threading.Thread(target=live_agents, args=(url, stop))
    agents.start()
    w.tabs.setCurrentWidget(w.floor)
    deadline = time.monotonic() + 15
    while (w.floor.table.rowCount() < 2 or w.floor.alert_list.count() < 2) and \
            time.monotonic() < deadline:
        settle(0.2)
    settle(0.5)
    w.grab().save(str(args.out / "review-live-floor.png"))
    stop.set()
    agents.join()
    w.floor.stop()
    w.close()
    store.close()
    print(f"screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
