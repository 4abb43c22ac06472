"""docs/coverage.md is generated from the rule table and the test cases: keep it current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_coverage_page_is_up_to_date():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_coverage.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_differentiable_function_is_checked_against_torch():
    text = (ROOT / "docs" / "coverage.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) > 170
    unchecked = [r for r in rows if r.rstrip().endswith("| no |")]
    assert not unchecked, unchecked
