"""A phone system's call id is kept as given (UX review H3), and a call where nobody spoke is
kept as "no speech" and left out of every figure (M7), on both databases."""

from __future__ import annotations

from callassist.coach.playbook import load_playbook
from callassist.coach.session import CallSession
from callassist.store import open_store
from callassist.store.store import NO_SPEECH


def _report(call_id: str, said: bool) -> dict:
    session = CallSession(load_playbook(), monitors=[])
    session.start(0.0)
    if said:
        session.feed_utterance("agent", "thank you for calling how can i help", 0.5, 2.0)
    session.end(5.0)
    return {"id": call_id, "title": f"Call {call_id}", **session.report(),
            "engine": "test", "model": ""}


def test_the_phone_systems_id_is_kept_and_a_silent_call_is_in_no_figure(store_url, settings):
    with open_store(store_url, settings=settings) as store:
        for call_id, said in (("17965875123", True), ("INC-20261206-0042", False)):
            rec = store.begin_call(engine="test", title=f"Call {call_id}",
                                   phone_call_id=call_id)
            rec.finish(_report(call_id, said))
        rec = store.begin_call(engine="test", title="card 4421987654321277")
        rec.finish(_report("4421987654321277", True))  # not from the phone: redacted
        rows = {r.title: r for r in store.list_calls()}
        assert set(rows) == {"Call 17965875123", "Call INC-20261206-0042", "card [number]"}
        spoke, silent = rows["Call 17965875123"], rows["Call INC-20261206-0042"]
        assert spoke.status == "complete" and spoke.score is not None
        assert silent.status == NO_SPEECH and silent.score is None
        assert store.get_call(spoke.id).report["id"] == "17965875123"
        [team] = store.coverage()
        assert team["calls"] == 2  # the silent call is not counted
