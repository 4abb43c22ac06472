"""Write the tables of supported NumPy functions into docs/numpy.md.

    python tools/gen_numpy_table.py          # rewrite the tables in docs/numpy.md
    python tools/gen_numpy_table.py --check  # exit 1 if they are out of date

The rows come from ``agrad.numpy`` itself and from the dispatch tables that
``Tensor.__array_ufunc__`` and ``Tensor.__array_function__`` use, so the page cannot claim
a function that does not work, or miss one that does. The tables sit between the markers
``<!-- numpy-table:start -->`` and ``<!-- numpy-table:end -->``; the rest of the page is
written by hand.
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "numpy.md"
START = "<!-- numpy-table:start -->"
END = "<!-- numpy-table:end -->"


# Sphinx roles (":class:`Generator`", ":func:`~agrad.sum`") render as plain code on the page
_ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|obj|exc):`~?([^`]+)`")
# a remainder that starts this way lost its subject with the NumPy name: keep the name
_FRAGMENT = re.compile(r"^(?:,|\(?(?:of|over|along|with|without|for|in|on)\b)")


def _sentence(text: str) -> str:
    return (text[0].upper() + text[1:]).replace("|", "\\|")


def _note(obj: Any, subject: str = "the tensor") -> str:
    """The docstring's first sentence, as a sentence of its own.

    NumPy functions' docstrings open with the NumPy name they mirror (the table's first
    column): "``numpy.x``: a sentence", "``numpy.x`` (`agrad.y`)." or "``numpy.x`` of ...".
    The name goes where a sentence follows it, and stays as the subject where the rest is
    a fragment ("NumPy's `linalg.outer` of two 1-d tensors."); a method's fragment gets
    ``subject``.
    """
    doc = inspect.getdoc(obj) or ""
    first = " ".join(doc.split("\n\n")[0].split())
    first = _ROLE.sub(lambda m: "``" + m[1].rsplit(".", 1)[-1] + "``", first)
    named = re.match(r"^``numpy\.([\w.]+)``(.*)$", first)
    if named:
        name, rest = named[1], named[2].strip()
        if rest.startswith((":", ";")):
            rest = rest[1:].strip()
            # "``numpy.dstack``: along axis 2." (but "with ``sparse=True`` the grids are ...")
            if re.match(r"^(?:of|over|along|without)\b", rest):
                rest = f"NumPy's ``{name}`` {rest}"
        elif _FRAGMENT.match(rest):
            sep = "" if rest.startswith(",") else " "
            rest = f"NumPy's ``{name}``{sep}{rest}"
        first = rest
    first = first.replace("``", "`")
    if first in ("", "."):
        return ""
    if first.startswith("(") and ")" in first:
        # "(`agrad.asin`)." and "(no gradient)." read better as sentences
        inner, _, rest = first[1:].partition(")")
        first = ("Runs " if inner.startswith("`agrad.") else "") + inner + rest
    elif not named and _FRAGMENT.match(first[:1].lower() + first[1:]):
        first = f"{subject} {first[:1].lower() + first[1:]}"
    return _sentence(first)


def _rows(ours: ModuleType, theirs: ModuleType, prefix: str, dispatch: set[Any]) -> list[str]:
    from agrad._dtypes import DType
    from agrad.numpy._ufunc import ufunc

    rows = []
    for name in sorted(ours.__all__, key=str.lower):
        obj = getattr(ours, name)
        if isinstance(obj, (ModuleType, type, DType)) or not callable(obj):
            continue  # (dtypes are callable, as NumPy's scalar types: not functions)
        np_obj = getattr(theirs, name, None)
        kind = "ufunc" if isinstance(obj, ufunc) else "function"
        door2 = "yes" if np_obj is not None and np_obj in dispatch else "—"
        rows.append(f"| `{prefix}{name}` | {kind} | {door2} | {_note(obj)} |")
    return rows


def _methods() -> list[str]:
    from agrad._ndarray import NdarrayMethods

    rows = []
    for name, member in sorted(vars(NdarrayMethods).items()):
        if name.startswith("_"):
            continue
        if not (callable(member) or isinstance(member, property)):
            continue
        shown = f"{name}()" if callable(member) else name
        rows.append(f"| `t.{shown}` | {_note(member)} |")
    return rows


def render_tables() -> str:
    import numpy

    import agrad.numpy as anp
    from agrad._numpy_protocol import function_table, ufunc_table

    dispatch = set(function_table()) | set(ufunc_table())
    header = ["| name | kind | `np.<name>(tensor)` | notes |", "|---|---|---|---|"]
    sections = [
        ("numpy", anp, numpy, "np."),
        ("numpy.linalg", anp.linalg, numpy.linalg, "np.linalg."),
        ("numpy.fft", anp.fft, numpy.fft, "np.fft."),
        ("numpy.random", anp.random, numpy.random, "np.random."),
    ]
    lines = [START, ""]
    total = 0
    for title, ours, theirs, prefix in sections:
        rows = _rows(ours, theirs, prefix, dispatch)
        total += len(rows)
        lines += [f"### `{title}`", "", *header, *rows, ""]
    methods = _methods()
    lines += [
        "### Tensor methods",
        "",
        "NumPy's `ndarray` methods and attributes that tensors have, besides the standard's",
        "array object (`shape`, `dtype`, `ndim`, `size`, `T`, `mT`, `item()`, `tolist()`, ...).",
        "",
        "| method | notes |",
        "|---|---|",
        *methods,
        "",
        f"In all: {total} functions in `agrad.numpy` and its submodules, "
        f"{len(function_table())} NumPy functions and {len(ufunc_table())} NumPy ufuncs that "
        f"dispatch to tensors, and {len(methods)} tensor methods.",
        "",
        END,
    ]
    return "\n".join(lines)


def render() -> str:
    text = PAGE.read_text(encoding="utf-8")
    before, start, rest = text.partition(START)
    _, end, after = rest.partition(END)
    if not start or not end:
        msg = f"{PAGE} needs the markers {START!r} and {END!r}."
        raise SystemExit(msg)
    return before + render_tables() + after


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the page is out of date")
    args = parser.parse_args()
    new = render()
    if args.check:
        if PAGE.read_text(encoding="utf-8") != new:
            print(f"{PAGE} is out of date: run `python tools/gen_numpy_table.py`.")
            return 1
        return 0
    PAGE.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
