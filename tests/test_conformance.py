"""The conformance kit's first part: every spec agrees with torch.autograd to third order."""

from __future__ import annotations

import subprocess
import sys

import pytest
from agrad.conformance.check import check_spec
from agrad.conformance.specs import SPECS


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_spec_matches_torch_to_third_order(spec):
    result = check_spec(spec, device="numpy", order=3, examples=2, seed=1)
    assert result.ok, result.error
    assert result.examples > 0


def test_kit_catches_a_wrong_rule():
    from agrad._registry import TABLE
    from agrad.extend import Rule, register

    original = TABLE["sin"]
    try:
        # off by a sign
        register(Rule("sin", lambda g, out, x, *, xp: -g * xp.cos(x), save="inputs"), replace=True)
        spec = next(s for s in SPECS if s.name == "sin")
        result = check_spec(spec, order=1)
        assert not result.ok
        assert "order 1" in result.error
    finally:
        register(original, replace=True)


def test_cli_prints_table_and_exit_code(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "agrad.conformance",
            "--device",
            "numpy",
            "--functions",
            "sin,matmul",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed, 0 failed" in result.stdout
    assert "matmul" in result.stdout
