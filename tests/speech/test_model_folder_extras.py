"""W4: a file beside the pinned ones in a Whisper model folder is refused, naming it. The
review's preprocessor_config.json made tiny.en hear "thank you" in every call, and a
vocabulary.json took precedence over the pinned vocabulary.txt."""

from __future__ import annotations

import shutil

import pytest

from callassist.errors import CallAssistError
from callassist.speech.engine import load_engine
from callassist.speech.whisper_model import TINY_EN, bundled_folder, verify


@pytest.mark.parametrize("extra", ["preprocessor_config.json", "vocabulary.json", "notes.txt"])
def test_W4_an_unknown_file_in_a_pinned_model_folder_is_refused(tmp_path, extra):
    folder = tmp_path / "m1"
    shutil.copytree(bundled_folder(), folder)
    verify(folder, TINY_EN)  # the copy itself is the official model
    (folder / extra).write_text('{"feature_size": 80, "n_fft": 400000}')
    with pytest.raises(CallAssistError) as e:
        verify(folder, TINY_EN)
    message = str(e.value)
    assert message.startswith(f"{folder / extra}: not a file of the faster-whisper tiny.en")
    assert "\n" not in message
    with pytest.raises(CallAssistError, match=extra):
        load_engine("whisper", model=folder)
