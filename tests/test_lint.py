"""The project's own lint and type settings hold (ruff, ruff format, mypy strict)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.slow
def test_ruff_lint_and_format():
    if shutil.which("ruff") is None:
        pytest.skip("ruff is not installed (it comes with the `test` extra)")
    lint = _run("ruff", "check", ".")
    assert lint.returncode == 0, lint.stdout
    fmt = _run("ruff", "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout


@pytest.mark.slow
def test_mypy_strict():
    pytest.importorskip("mypy", reason="mypy comes with the `test` extra")
    result = _run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout
