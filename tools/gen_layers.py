"""agrad's layers: which module sits on which floor, read from the code's own imports.

Imports point one way, from the ground up (DESIGN.md, "Layers"). This tool declares the
layers (:data:`LAYERS`: module patterns per floor), parses every module of ``agrad/``,
``backends/`` and ``conformance/`` with :mod:`ast` (nothing is imported), and

- writes the picture of the layers into ``docs/design.md`` between
  ``<!-- layers:start -->`` and ``<!-- layers:end -->`` (``--check``: exit 1 when the page
  is stale instead);
- gives ``tests/test_layers.py`` the facts it checks: imports that run up a floor, imports
  below a module's first statement, function-level imports of agrad code outside
  :data:`FUNCTION_LEVEL` (each entry there says why it saves start-up time).

    python tools/gen_layers.py           # rewrite the picture
    python tools/gen_layers.py --check   # fail if it is stale
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "design.md"
START = "<!-- layers:start -->"
END = "<!-- layers:end -->"

#: the floors, ground first: (name, what lives there, module patterns)
LAYERS: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "ground",
        "errors, dtypes, typing, grad modes, the spec's names, the rule types and table",
        (
            "agrad.errors",
            "agrad._typing",
            "agrad._dtypes",
            "agrad._grad_mode",
            "agrad._anomaly",
            "agrad._spec",
            "agrad._rule",
            "agrad._table",
            "agrad._pytree",
        ),
    ),
    (
        "backends",
        "the backend protocol, one adapter per library, devices and moves between them",
        ("agrad.backends", "agrad.backends.*", "agrad._device"),
    ),
    ("engine", "nodes and the backward sweep", ("agrad._engine",)),
    ("tensor", "the Tensor: data and autograd metadata", ("agrad._tensor", "agrad._ndarray")),
    (
        "recording",
        "forward calls that record nodes, views and in-place writes, recorded moves",
        ("agrad._ops", "agrad._views", "agrad._move"),
    ),
    (
        "rules",
        "the rule contract (extend) and the rule tables, loaded into the table",
        ("agrad.extend", "agrad.rules", "agrad.rules.*", "agrad._registry"),
    ),
    (
        "namespace",
        "agrad itself: the standard's functions, linalg, fft, random, grad, Function, "
        "checkpoint; binds the Tensor's operators",
        (
            "agrad",
            "agrad._api",
            "agrad._api.*",
            "agrad._operators",
            "agrad._info",
            "agrad._autograd",
            "agrad._function",
            "agrad._checkpoint",
            "agrad.linalg",
            "agrad.fft",
            "agrad.random",
        ),
    ),
    (
        "doors",
        "func, numpy, scipy, special, optim, the HIPS compatibility package, compile, the kit",
        (
            "agrad.func",
            "agrad._transform",
            "agrad._compile",
            "agrad._compile_jax",
            "agrad._numpy_protocol",
            "agrad._arraylike",
            "agrad.numpy",
            "agrad.numpy.*",
            "agrad.scipy",
            "agrad.scipy.*",
            "agrad.special",
            "agrad.optim",
            "agrad.optim.*",
            "agrad.autograd",
            "agrad.autograd.*",
            "agrad.conformance",
            "agrad.conformance.*",
        ),
    ),
]

#: function-level imports of agrad code allowed, (importer, imported) -> why: each one saves
#: start-up time (a door that loads on first use)
FUNCTION_LEVEL: dict[tuple[str, str], str] = {
    ("agrad._ndarray", "agrad.numpy"): "the NumPy door loads on the first NumPy-style method",
    ("agrad._ndarray", "agrad._numpy_protocol"): "its tables come from the lazy NumPy door",
    ("agrad._numpy_protocol", "agrad.scipy.special"): "loaded only once SciPy is loaded",
    ("agrad.scipy.special", "agrad.scipy._specs"): "the kit's specs load hypothesis",
    ("agrad.scipy.stats", "agrad.scipy._specs"): "the kit's specs load hypothesis",
    ("agrad.conformance.pytest_plugin", "agrad.conformance.checks"): "pytest loads the plugin "
    "in every run; the checks load hypothesis, on the fixture's first use",
    ("agrad.autograd.scipy.signal", "agrad.scipy.signal"): "it loads agrad.numpy (~0.1 s), "
    "which the compatibility package loads on first use",
    ("agrad._compile", "agrad._compile_jax"): "it imports JAX, for a step on a JAX device only",
}


@dataclass(frozen=True)
class Import:
    """One import statement's edge to an agrad module."""

    importer: str
    imported: str
    line: int
    #: "module" (top level), "typing" (``if TYPE_CHECKING:``), "late" (below the first
    #: statement), "function"
    kind: str


def module_name(path: Path) -> str:
    """``agrad/_ops.py`` -> ``agrad._ops``; ``backends/x.py`` -> ``agrad.backends.x``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[0] in ("backends", "conformance"):
        parts.insert(0, "agrad")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the package, by its import name."""
    found: dict[str, Path] = {}
    for folder in ("agrad", "backends", "conformance"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            found[module_name(path)] = path
    return found


def layer_of(module: str) -> int:
    """The floor ``module`` sits on (a ValueError for a module no pattern names)."""
    for index, (_, _, patterns) in enumerate(LAYERS):
        if any(fnmatch.fnmatchcase(module, p) for p in patterns):
            return index
    msg = f"{module} is on no floor of tools/gen_layers.py's LAYERS: add it to one."
    raise ValueError(msg)


def _targets(node: ast.Import | ast.ImportFrom, package: str, known: set[str]) -> list[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        subs = [f"{source}.{a.name}" for a in node.names if f"{source}.{a.name}" in known]
        # `from agrad import _dtypes` imports the submodule; the package only for a name
        plain = len(subs) < len(node.names)
        names = ([source] if plain else []) + subs
    return [n for n in names if n in known]


def _is_import_block(node: ast.stmt) -> bool:
    """An import, or a block that only imports (``if TYPE_CHECKING:``, ``try: import``)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return True
    if isinstance(node, ast.If):
        return all(_is_import_block(n) for n in node.body + node.orelse)
    if isinstance(node, ast.Try):
        return all(_is_import_block(n) for n in node.body)
    return False


def _is_preamble(node: ast.stmt) -> bool:
    """What may come before the imports: the docstring."""
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)


def imports() -> list[Import]:
    """Every import of agrad code, everywhere in the package."""
    known = modules()
    names = set(known)
    found: list[Import] = []
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        started = False
        for node in tree.body:
            if _is_import_block(node):
                typing_only = isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                for sub in ast.walk(node):
                    if isinstance(sub, (ast.Import, ast.ImportFrom)):
                        kind = "late" if started else "typing" if typing_only else "module"
                        for target in _targets(sub, package, names):
                            if target != module:
                                found.append(Import(module, target, sub.lineno, kind))
            elif not _is_preamble(node):
                started = True
        for found_node in ast.walk(tree):
            if isinstance(found_node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for sub in ast.walk(found_node):
                    if isinstance(sub, (ast.Import, ast.ImportFrom)):
                        for target in _targets(sub, package, names):
                            if target != module:
                                found.append(Import(module, target, sub.lineno, "function"))
    return sorted(set(found), key=lambda i: (i.importer, i.line, i.imported))


def _short(module: str) -> str:
    return module.removeprefix("agrad.") if module != "agrad" else "agrad"


def picture() -> str:
    """The layers, top floor first, with their modules and the imports between floors."""
    known = modules()
    edges = [i for i in imports() if i.kind != "function"]
    lines = ["```text"]
    for index in reversed(range(len(LAYERS))):
        name, what, _ = LAYERS[index]
        members = sorted(m for m in known if layer_of(m) == index)
        # packages whose every module is on this floor are shown once, as `pkg/*`
        shown: list[str] = []
        for m in members:
            parent = m.rpartition(".")[0]
            if parent in members and parent != "agrad" and layer_of(parent) == index:
                continue
            subs = [x for x in members if x.startswith(m + ".")]
            shown.append(_short(m) + ("/*" if subs and m != "agrad" else ""))
        down = sorted(
            {layer_of(e.imported) for e in edges if layer_of(e.importer) == index} - {index}
        )
        lines.extend(_wrap(f"{index}  {name}: {what}", "", indent_next="     "))
        lines.extend(_wrap(", ".join(shown), "     "))
        if down:
            names = ", ".join(LAYERS[d][0] for d in reversed(down))
            lines.append(f"     imports from: {names}")
        if index:
            lines.append("   |")
    lines.append("```")
    return "\n".join(lines) + "\n"


def _wrap(text: str, indent: str, width: int = 92, indent_next: str | None = None) -> list[str]:
    out: list[str] = []
    line = indent
    for word in text.split(" "):
        if len(line) + len(word) + 1 > width and line.strip():
            out.append(line.rstrip())
            line = indent if indent_next is None else indent_next
        line += word + " "
    if line.strip():
        out.append(line.rstrip())
    return out


def render(page: str) -> str:
    """``page`` with the picture between the markers replaced."""
    before, start, rest = page.partition(START)
    _, end, after = rest.partition(END)
    if not start or not end:
        msg = f"{PAGE} needs the markers {START!r} and {END!r}."
        raise SystemExit(msg)
    return f"{before}{START}\n{picture()}{END}{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the page is stale")
    args = parser.parse_args(argv)
    page = PAGE.read_text(encoding="utf-8")
    new = render(page)
    if args.check:
        if new != page:
            print(f"{PAGE} is stale: run `python tools/gen_layers.py`.")
            return 1
        return 0
    PAGE.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
