"""Settings through the one validation layer (callassist/validate.py), as transcripts and
playbooks: every bad value, in settings.toml or its environment variable, is one
`callassist: error:` line naming the field and where it was set, with exit status 2, before
anything is stored or started."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callassist.settings import RETENTION_MODES, SettingsError, load_settings

LONG = os.environ.get("CALLASSIST_FUZZ") == "long"

REPO = Path(__file__).resolve().parents[2]
CALL = REPO / "tests" / "corpus" / "dev-004.json"

BAD_FILE = {
    'agent = "line1\\nline2\\ttab\\u0000nul"': ("agent", "U+000A"),
    'agent = "\\u001b]0;PWNED\\u0007"': ("agent", "U+001B"),
    f'agent = "{"x" * 501}"': ("agent", "501 characters"),
    "agent = 3": ("agent", "must be a string"),
    "agent = [\"a\"]": ("agent", "must be a string"),
    'retention = "forever"': ("retention", "'forever' is not one of full, checklist, none"),
    "retention = true": ("retention", "True is not one of"),
    "retention_days = -1": ("retention_days", "-1 is not a whole number of days"),
    "retention_days = 3.5": ("retention_days", "3.5 is not a whole number"),
    "retention_days = inf": ("retention_days", "inf is not a whole number"),
    "retention_days = 99999999999999999999": ("retention_days", "not a whole number"),
    'retention_days = "soon"': ("retention_days", "'soon' is not a whole number"),
    'partials = "sometimes"': ("partials", "'sometimes' is not one of agent, both, off"),
    "silence_ends_call = nan": ("silence_ends_call", "must be a finite number"),
    "silence_ends_call = 1e308": ("silence_ends_call", "must be a finite number"),
    "silence_ends_call = true": ("silence_ends_call", "must be a number of seconds"),
    f'store = "{"s" * 5000}"': ("store", "5000 characters"),
    'store = "calls\\u0000.sqlite3"': ("store", "U+0000"),
    'model = "vosk\\rmodel"': ("model", "U+000D"),
}


@pytest.mark.parametrize("line", BAD_FILE)
@pytest.mark.parametrize("command", [["analyze", CALL, "--save"], ["calls", "list"]])
def test_a_bad_setting_in_the_file_is_one_line_naming_the_field(cli, private_folders,
                                                                monkeypatch, line, command):
    monkeypatch.delenv("CALLASSIST_STORE")
    config = private_folders / "config"
    config.mkdir(exist_ok=True)
    (config / "settings.toml").write_text(line + "\n", "utf-8")
    error = cli(*command).error
    field, problem = BAD_FILE[line]
    assert error.startswith(f"callassist: error: {field} ") and problem in error
    assert "settings.toml" in error
    assert not (private_folders / "data" / "calls.sqlite3").exists()  # nothing was stored


BAD_ENV = {
    "CALLASSIST_AGENT": ("Robert\nDROP", "agent"),
    "CALLASSIST_RETENTION": ("all", "retention"),
    "CALLASSIST_RETENTION_DAYS": ("1e3", "retention_days"),
    "CALLASSIST_PARTIALS": ("yes", "partials"),
    "CALLASSIST_SILENCE_ENDS_CALL": ("Infinity", "silence_ends_call"),
    "CALLASSIST_MODEL": ("a\u0085b", "model"),
}


@pytest.mark.parametrize("var", BAD_ENV)
def test_a_bad_setting_in_the_environment_is_one_line_naming_the_variable(cli, monkeypatch,
                                                                          var):
    value, field = BAD_ENV[var]
    monkeypatch.setenv(var, value)
    error = cli("calls", "list").error
    assert error.startswith(f"callassist: error: {field} ") and f"set in {var}" in error


def test_good_settings_still_load_with_their_defaults(cli, private_folders, monkeypatch):
    config = private_folders / "config"
    config.mkdir(exist_ok=True)
    (config / "settings.toml").write_text(
        'agent = "  Dana Smith  "\nretention = "checklist"\nretention_days = 30\n'
        'partials = "both"\nsilence_ends_call = 0\n', "utf-8")
    from callassist.settings import load_settings

    s = load_settings()
    assert (s.agent, s.retention, s.retention_days, s.partials, s.silence_ends_call) == (
        "Dana Smith", "checklist", 30, "both", 0.0)
    monkeypatch.setenv("CALLASSIST_RETENTION_DAYS", "7")
    assert load_settings().retention_days == 7
    assert cli("analyze", CALL, "--save").code == 0


SETTING_KEYS = ["agent", "retention", "store", "model", "retention_days", "partials",
                "whisper_window", "silence_ends_call", "above_fullscreen"]
toml_values = st.one_of(
    st.text(max_size=40), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.lists(st.integers(), max_size=3), st.sampled_from(
        ["full", "checklist", "none", "agent", "both", "off", "0", "30", "20", "nan", "inf"]))


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else "inf" if value == float("inf") else (
            "-inf" if value == float("-inf") else repr(value))
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string reads JSON's escapes
    return json.dumps(value)


@settings(max_examples=200 * (10 if LONG else 1), deadline=None, derandomize=not LONG)
@given(st.dictionaries(st.sampled_from(SETTING_KEYS), toml_values, max_size=4))
def test_any_settings_file_loads_or_is_one_line_naming_the_field(tmp_path_factory, chosen):
    path = tmp_path_factory.mktemp("settings") / "settings.toml"
    path.write_text("".join(f"{k} = {_toml(v)}\n" for k, v in chosen.items()), "utf-8")
    try:
        s = load_settings(path)
    except SettingsError as e:
        message = str(e)
        assert "\n" not in message, message
        # the field it names, or the file and place for text that is not TOML (a lone
        # surrogate escape)
        assert (any(message.startswith(k + " ") for k in chosen)
                or message.startswith(f"{path}: invalid TOML")), message
        return
    assert s.agent and s.agent.isprintable() and len(s.agent) <= 500
    assert s.retention in RETENTION_MODES and 0 <= s.retention_days <= 36500
    assert s.silence_ends_call == 0 or 3 <= s.silence_ends_call <= 3600
