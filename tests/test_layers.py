"""Imports point one way, from the ground up (DESIGN.md, "Layers"; issue 26).

The floors are declared in ``tools/gen_layers.py`` (``LAYERS``: module patterns per floor),
which also draws them into ``docs/design.md``. Everything here reads the source with
:mod:`ast` only, so the file runs in well under a second.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_SPEC = importlib.util.spec_from_file_location("gen_layers", ROOT / "tools" / "gen_layers.py")
assert _SPEC is not None
assert _SPEC.loader is not None
layers = importlib.util.module_from_spec(_SPEC)
sys.modules["gen_layers"] = layers
_SPEC.loader.exec_module(layers)

IMPORTS = layers.imports()


def _where(i: object) -> str:
    return f"{i.importer} (line {i.line}) imports {i.imported}"  # type: ignore[attr-defined]


def test_every_module_is_on_a_floor():
    homeless = []
    for module in layers.modules():
        try:
            layers.layer_of(module)
        except ValueError as e:
            homeless.append(str(e))
    assert not homeless, "\n".join(homeless)


def test_no_module_level_import_runs_up_a_floor():
    up = [
        f"{_where(i)}: floor {layers.LAYERS[layers.layer_of(i.importer)][0]!r} reaches up to "
        f"{layers.LAYERS[layers.layer_of(i.imported)][0]!r}"
        for i in IMPORTS
        if i.kind != "function" and layers.layer_of(i.imported) > layers.layer_of(i.importer)
    ]
    assert not up, "\n".join(up)


def test_no_import_below_a_modules_first_statement():
    late = [_where(i) for i in IMPORTS if i.kind == "late"]
    assert not late, "imports at the bottom of a module (move them up):\n" + "\n".join(late)


def test_no_import_cycle():
    graph: dict[str, set[str]] = {m: set() for m in layers.modules()}
    for i in IMPORTS:
        if i.kind in ("module", "late"):  # type-only imports run no code
            graph[i.importer].add(i.imported)
    # Tarjan's strongly connected components, iteratively
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    assert not cycles, f"module-level import cycles: {cycles}"


def test_function_level_imports_of_agrad_code_are_explained():
    known = set(layers.modules())
    found = {(i.importer, i.imported) for i in IMPORTS if i.kind == "function"}
    unexplained = sorted(
        _where(i)
        for i in IMPORTS
        if i.kind == "function" and (i.importer, i.imported) not in layers.FUNCTION_LEVEL
    )
    assert not unexplained, (
        "function-level imports of agrad code: move them to the top of the module, or, where "
        "one saves start-up time, list it in tools/gen_layers.py's FUNCTION_LEVEL with why:\n"
        + "\n".join(unexplained)
    )
    stale = sorted(pair for pair in layers.FUNCTION_LEVEL if pair not in found and pair[0] in known)
    assert not stale, f"listed in tools/gen_layers.py but gone (delete the lines): {stale}"
    for pair, why in layers.FUNCTION_LEVEL.items():
        assert why.strip(), f"{pair} is allowed without a reason"


def test_allowed_function_level_imports_say_so_where_they_are():
    """Each allowed function-level import carries a comment next to it."""
    paths = layers.modules()
    for (importer, _), _why in layers.FUNCTION_LEVEL.items():
        for i in IMPORTS:
            if i.importer == importer and i.kind == "function":
                lines = paths[importer].read_text(encoding="utf-8").splitlines()
                near = "\n".join(lines[max(0, i.line - 4) : i.line])
                assert "start-up" in near or "first use" in near, (
                    f"{_where(i)} without a comment saying what start-up time it saves"
                )


@pytest.mark.parametrize(
    ("module", "floor"),
    [
        ("agrad.errors", "ground"),
        ("agrad.backends.numpy", "backends"),
        ("agrad._engine", "engine"),
        ("agrad._tensor", "tensor"),
        ("agrad._ops", "recording"),
        ("agrad.rules.elementwise", "rules"),
        ("agrad", "namespace"),
        ("agrad.numpy.linalg", "doors"),
    ],
)
def test_floors_are_where_the_design_puts_them(module, floor):
    assert layers.LAYERS[layers.layer_of(module)][0] == floor


def test_the_rule_tables_import_only_the_rule_contract():
    rules = [i for i in IMPORTS if i.importer.startswith("agrad.rules.")]
    assert rules
    outside = [
        _where(i)
        for i in rules
        if i.imported not in ("agrad.extend", "agrad.errors")
        and not i.imported.startswith("agrad.rules")
    ]
    assert not outside, "\n".join(outside)


def test_the_design_page_picture_is_current():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_layers.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_checker_sees_an_upward_import(tmp_path, monkeypatch):
    """The checks can fail: a ground-floor module importing the engine is caught."""
    bad = tmp_path / "agrad"
    bad.mkdir()
    (bad / "errors.py").write_text('"""x"""\n\nimport agrad._engine\n\nX = 1\nimport agrad._ops\n')
    (bad / "_engine.py").write_text('"""y"""\n\ndef f():\n    import agrad._ops\n')
    (bad / "_ops.py").write_text("")
    for folder in ("backends", "conformance"):
        (tmp_path / folder).mkdir()
    monkeypatch.setattr(layers, "ROOT", tmp_path)
    found = layers.imports()
    kinds = {(i.importer, i.imported, i.kind) for i in found}
    assert ("agrad.errors", "agrad._engine", "module") in kinds
    assert ("agrad.errors", "agrad._ops", "late") in kinds
    assert ("agrad._engine", "agrad._ops", "function") in kinds
    assert layers.layer_of("agrad._engine") > layers.layer_of("agrad.errors")
