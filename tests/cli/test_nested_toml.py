"""C3: deeply nested TOML in settings, playbooks and scenarios is one line naming the file,
never a RecursionError traceback (tomllib recurses once per level)."""

from __future__ import annotations

import pytest

from callassist.cli import main
from callassist.settings import settings_path

DEEP_ARRAY = "x = " + "[" * 3000 + "]" * 3000 + "\n"
DEEP_TABLE = "x = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n"
DEEP_DOTTED = "x." + ".".join(["b"] * 3000) + " = 1\n"  # nests without tomllib recursing


def _one_line_error(capsys, args: list[str], name: str) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert name in err and "nested too deeply" in err, err


@pytest.mark.parametrize("text", [DEEP_ARRAY, DEEP_TABLE, DEEP_DOTTED])
def test_C3_deeply_nested_settings_are_one_line(capsys, text):
    settings_path().parent.mkdir(parents=True)
    settings_path().write_text(text)
    _one_line_error(capsys, ["calls", "list"], "settings.toml")


@pytest.mark.parametrize("text", [DEEP_ARRAY, DEEP_TABLE, DEEP_DOTTED])
def test_C3_deeply_nested_playbook_is_one_line(capsys, tmp_path, text):
    deep = tmp_path / "deep.toml"
    deep.write_text(text)
    _one_line_error(capsys, ["playbook", "check", str(deep)], "deep.toml")


@pytest.mark.parametrize("text", [DEEP_ARRAY, DEEP_TABLE, DEEP_DOTTED])
def test_C3_deeply_nested_scenario_is_one_line(capsys, tmp_path, text):
    deep = tmp_path / "deep.toml"
    deep.write_text('title = "T"\nsituation = "S"\nopening = ["hello"]\n' + text)
    _one_line_error(capsys, ["practice", str(deep), "--no-save", "--rules-only"], "deep.toml")


def test_C3_ordinary_nesting_still_reads(tmp_path):
    from callassist.validate import toml_document

    data = toml_document("a = [[1, 2], [3]]\n[t.u.v]\nw = {x = {y = 1}}\n", "ok.toml", ValueError)
    assert data["t"]["u"]["v"]["w"]["x"]["y"] == 1
