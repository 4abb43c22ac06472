"""The documentation: its Python examples run as written, and the site builds strictly.

Every ```python block of a page in ``docs/`` runs, in order, in one namespace per page, so a
block can use the names an earlier block defined. Blocks that must not run are written as
```text or ```console.
"""

from __future__ import annotations

import importlib.util
import linecache
import os
import re
import subprocess
import sys
import textwrap
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import agrad
from agrad._grad_mode import STATE
from agrad._registry import TABLE

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))

# a fence may be indented (inside an admonition or a list); it closes at the same indent
_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```python[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


@dataclass(frozen=True)
class Block:
    number: int  # 1-based, in page order
    line: int  # line of the opening fence
    source: str


def python_blocks(text: str) -> list[Block]:
    """The ```python blocks of a Markdown page, dedented, with where each starts."""
    blocks = []
    for k, match in enumerate(_FENCE.finditer(text), start=1):
        line = text.count("\n", 0, match.start()) + 1
        blocks.append(Block(k, line, textwrap.dedent(match["body"])))
    return blocks


def test_python_blocks_are_found() -> None:
    text = (
        "a\n```python\nx = 1\n```\n\n"
        "```text\nnot run\n```\n"
        "- item\n\n    ```python\n    y = x\n    ```\n"
    )
    blocks = python_blocks(text)
    assert [(b.number, b.line, b.source) for b in blocks] == [(1, 2, "x = 1\n"), (2, 11, "y = x\n")]


def test_docs_have_pages() -> None:
    assert PAGES, f"no Markdown pages in {DOCS}"


@pytest.fixture
def isolated_agrad() -> Iterator[None]:
    """Undo what a page may change globally: grad modes, the rule table, the default device."""
    modes = (STATE.enabled, STATE.inference, STATE.anomaly)
    table = dict(TABLE)
    sources = {name: rule.source for name, rule in table.items()}
    device = agrad.get_default_device()
    try:
        yield
    finally:
        STATE.enabled, STATE.inference, STATE.anomaly = modes
        TABLE.clear()
        TABLE.update(table)
        for name, rule in table.items():
            rule.source = sources[name]
        agrad.set_default_device(device)


@pytest.mark.usefixtures("isolated_agrad")
@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_examples_run(page: Path) -> None:
    blocks = python_blocks(page.read_text(encoding="utf-8"))
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    for block in blocks:
        filename = f"docs/{page.name}, block {block.number} (line {block.line})"
        # tracebacks (and detect_anomaly's reports) can then show the block's lines
        linecache.cache[filename] = (
            len(block.source),
            None,
            block.source.splitlines(keepends=True),
            filename,
        )
        error = None
        try:
            exec(compile(block.source, filename, "exec"), namespace)
        except Exception:
            error = traceback.format_exc()
        finally:
            linecache.cache.pop(filename, None)
        if error is not None:
            pytest.fail(f"{filename} failed:\n\n{block.source}\n{error}", pytrace=False)


@pytest.mark.slow
def test_site_builds_strictly(tmp_path: Path) -> None:
    missing = [m for m in ("mkdocs", "material") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"needs {' and '.join(missing)}: pip install 'agrad[docs]'")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},  # material's banner, not a warning
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}{result.stderr}"
    assert (tmp_path / "site" / "index.html").is_file()


def test_doors_are_defined_and_named_by_the_order_of_the_numpy_page() -> None:
    """docs/numpy.md defines the word and numbers its three doors; the pages refer to them by
    that order ("the first door"), never by a bare number that another ordering could mean."""
    numpy_page = (DOCS / "numpy.md").read_text(encoding="utf-8")
    assert "*doors*" in numpy_page
    ways = re.findall(r"^\d\. \*\*(.+?)\*\*", numpy_page, re.MULTILINE)
    assert ways == ["Pass tensors to NumPy.", "Change one import.", "Array API code."]
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"\bdoors? \d", text), page.name
        # "the first door (passing tensors to NumPy)": where a page names the door, it's this one
        for ordinal, gloss in re.findall(r"\bthe (first|second|third) door \((.+?)\)", text):
            expected = {"first": "passing tensors", "second": "`import agrad", "third": "array"}
            assert gloss.lower().startswith(expected[ordinal].lower()), (page.name, gloss)
