"""Settings: the file in the config folder, environment overrides, and clear errors."""

from __future__ import annotations

import pytest

from callassist.settings import Settings, SettingsError, load_settings, save_settings, settings_path


def test_without_a_file_the_agent_is_the_login_name_and_everything_is_kept(private_folders):
    s = load_settings()
    assert s.agent and s.retention == "full" and s.store == ""


def test_the_file_is_read_and_the_environment_overrides_it(private_folders, monkeypatch):
    save_settings(Settings(agent="Dana Smith", retention="checklist", store="/x/calls.db"))
    assert settings_path().parent == private_folders / "config"
    assert load_settings() == Settings("Dana Smith", "checklist", "/x/calls.db")
    monkeypatch.setenv("CALLASSIST_AGENT", "Lee")
    monkeypatch.setenv("CALLASSIST_RETENTION", "none")
    assert load_settings() == Settings("Lee", "none", "/x/calls.db")


def test_the_speech_model_setting_is_kept_and_the_environment_overrides_it(
    private_folders, monkeypatch
):
    monkeypatch.delenv("CALLASSIST_MODEL", raising=False)
    save_settings(Settings(agent="Dana", model="vosk-model-small-en-us-0.15"))
    assert load_settings().model == "vosk-model-small-en-us-0.15"
    monkeypatch.setenv("CALLASSIST_MODEL", "/models/mine")
    assert load_settings().model == "/models/mine"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('retention = "forever"', "retention 'forever' is not one of full, checklist, none"),
        ("agent = 3", "agent must be a string"),
        ('colour = "red"', "unknown setting 'colour'"),
        ("agent = ", "invalid TOML"),
    ],
)
def test_a_bad_settings_file_is_a_one_line_error_naming_the_problem(private_folders, text, message):
    settings_path().parent.mkdir(parents=True)
    settings_path().write_text(text)
    with pytest.raises(SettingsError, match=message) as e:
        load_settings()
    assert "\n" not in str(e.value)
