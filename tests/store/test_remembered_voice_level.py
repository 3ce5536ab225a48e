"""The agent's usual voice level is remembered from call to call through the store, so the
loudness cue can compare a call with the agent's others from its first word."""

from callassist.store import open_store

T0 = 1793610000.0


def report_with_level(level: float | None) -> dict:
    loudness = {} if level is None else {"baseline_dbfs": level}
    return {"duration": 30.0, "steps": {}, "warnings": [], "reminders": [], "transcript": [],
            "summary": {"steps_covered": [], "steps_missed": [], "warnings_by_kind": {},
                        "time_to_first_apology": None, "tone": {"loudness": loudness}}}


def test_the_latest_finished_call_of_the_agent_gives_the_level(store_url, settings):
    with open_store(store_url, settings=settings) as store:
        store.save_report(report_with_level(-31.0), agent="Dana", started_at=T0)
        store.save_report(report_with_level(-27.5), agent="Dana", started_at=T0 + 60)
        store.save_report(report_with_level(-12.0), agent="Lee", started_at=T0 + 120)
        assert store.remembered_voice_level("Dana") == -27.5
        assert store.remembered_voice_level() == -27.5  # the agent in the settings
        assert store.remembered_voice_level("Lee") == -12.0


def test_an_agent_with_no_calls_or_no_tone_figures_has_no_level_yet(store_url, settings):
    with open_store(store_url, settings=settings) as store:
        assert store.remembered_voice_level("Dana") is None
        store.save_report(report_with_level(None), agent="Dana", started_at=T0)
        assert store.remembered_voice_level("Dana") is None


def test_the_call_runner_starts_each_call_from_the_remembered_level(
    store_url, settings, monkeypatch
):
    from callassist.app.records import StoreRecords
    from callassist.app.runner import CallRunner
    from callassist.coach.playbook import load_playbook

    with open_store(store_url, settings=settings) as store:
        store.save_report(report_with_level(-29.0), agent="Dana", started_at=T0)
    monkeypatch.setenv("CALLASSIST_AGENT", "Dana")
    runner = CallRunner(load_playbook(), records=StoreRecords(store_url))
    assert runner.remembered_voice_level() == -29.0
