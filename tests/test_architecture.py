"""The shape of the code, checked like behaviour (httpx's structural tests): imports go one way
between layers, no module imports itself round a cycle, the coach stays pure, and every kind
the coach can emit has its words in the playbook."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from callassist.coach.kinds import PHRASE_WARNINGS, STEP_IDS, TONE_WARNINGS, WarningKind

PACKAGE = Path(__file__).resolve().parents[1] / "callassist"

# Each layer may import only from the layers above it in this list (and itself). Top-level
# modules count as layers of their own name.
LAYERS: list[set[str]] = [
    {"__init__", "errors", "paths", "format", "validate", "output"},  # root: version, checks
    {"coach"},                                          # the rules: pure Python
    {"settings", "transcript", "replay", "report_text"},
    {"audio", "store", "embed"},                       # embed: the sentence model (numpy)
    {"speech"},
    {"pipeline"},
    {"app"},                                            # the one call runner
    {"practice"},
    {"ui"},
    {"cli", "__main__"},
]
# What the coach must never import: no GUI, no audio, no engines, no database, no processes.
IMPURE = {"PySide6", "sounddevice", "vosk", "pocketsphinx", "faster_whisper", "ctranslate2",
          "psycopg", "sqlite3", "subprocess", "socket", "callassist.audio", "callassist.ui",
          "callassist.store", "callassist.speech"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every module an import statement names, at any depth (function-level imports too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def _layer(module: str) -> int:
    top = module.split(".")[1] if module.count(".") else "__init__"
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS")


def test_every_import_goes_down_the_layers():
    wrong = []
    for module, path in MODULES.items():
        for target in _imports(path) & MODULES.keys():
            if _layer(target) > _layer(module):
                wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_module_imports_itself_through_a_cycle():
    graph = {m: (_imports(p) & MODULES.keys()) - {m} for m, p in MODULES.items()}
    cycles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("callassist.coach")))
def test_the_coach_imports_no_gui_audio_engine_or_database(module):
    bad = {i for i in _imports(MODULES[module])
           if any(i == x or i.startswith(x + ".") for x in IMPURE)}
    assert not bad


def test_the_rules_read_no_files_only_the_playbook_loader_does():
    readers = [m for m, p in MODULES.items() if m.startswith("callassist.coach")
               and any(call in p.read_text("utf-8") for call in ("open(", ".read_text(",
                                                                  ".read_bytes(", ".write_"))]
    assert readers == ["callassist.coach.playbook"]


def test_every_step_has_a_label_and_a_prompt(playbook):
    assert set(playbook.steps) == set(STEP_IDS)
    for step in STEP_IDS:
        assert playbook.label(step) and playbook.steps[step].prompt, step


@pytest.mark.parametrize("kind", list(WarningKind))
def test_every_warning_kind_has_a_label_and_advice_in_the_playbook(playbook, kind):
    assert playbook.label(kind) and playbook.label(kind) != kind
    assert playbook.advice(kind)


def test_the_warning_kinds_are_the_phrase_hold_and_tone_ones():
    assert set(WarningKind) == {*PHRASE_WARNINGS, WarningKind.HOLD_WITHOUT_HANDOFF,
                                *TONE_WARNINGS}
