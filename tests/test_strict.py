"""Every rule runs on array-api-strict: proof that the rules use only the standard.

Each case of tests/test_rules.py runs on the ``array_api_strict`` device, forward and
first-order backward, and must give the NumPy device's gradients.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import agrad

pytest.importorskip("array_api_strict", reason="needs array-api-strict (the `strict` extra)")

_spec = importlib.util.spec_from_file_location(
    "_rule_cases", Path(__file__).with_name("test_rules.py")
)
assert _spec is not None
assert _spec.loader is not None
_cases = importlib.util.module_from_spec(_spec)
sys.modules["_rule_cases"] = _cases  # dataclasses look their module up there
_spec.loader.exec_module(_cases)
CASES = _cases.CASES


def _grads(case: Any, arrays: list[np.ndarray], device: str, w: np.ndarray | None) -> Any:
    with agrad.default_device(device):
        xs = [agrad.tensor(a, requires_grad=True, device=device) for a in arrays]
        out = case.f_agrad(*xs)
        if w is None:
            return out
        gs = agrad.grad(out, xs, agrad.asarray(w, device=device), allow_unused=True)
    return [None if g is None else np.asarray(g.array) for g in gs], out


def _known_failures() -> dict[str, str]:
    """conformance/xfails-array_api_strict.txt: test ids under their `#` reason."""
    path = Path(__file__).resolve().parents[1] / "conformance" / "xfails-array_api_strict.txt"
    reasons: dict[str, str] = {}
    reason = ""
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            reason = (reason + " " + line.lstrip("# ")).strip() if reason else line.lstrip("# ")
        elif line.strip():
            reasons[line.strip()] = reason
        else:
            reason = ""
    return reasons


XFAILS = _known_failures()


def _params() -> list[Any]:
    return [
        pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=XFAILS[c.id])])
        if c.id in XFAILS
        else pytest.param(c, id=c.id)
        for c in CASES
    ]


def test_known_failures_name_real_cases() -> None:
    ids = {c.id for c in CASES}
    assert set(XFAILS) <= ids, sorted(set(XFAILS) - ids)
    assert all(XFAILS.values())


@pytest.mark.parametrize("case", _params())
def test_rule_runs_on_array_api_strict(case: Any) -> None:
    rng = np.random.default_rng(11)
    arrays = case.draw(rng, np.float64)
    reference = _grads(case, arrays, "numpy", None)
    w = rng.standard_normal(reference.shape)
    if reference.dtype.kind == "c":
        w = w + 1j * rng.standard_normal(reference.shape)
    expected, _ = _grads(case, arrays, "numpy", w)
    actual, out = _grads(case, arrays, "array_api_strict", w)
    assert out.device == agrad.Device("array_api_strict")
    for a, e in zip(actual, expected, strict=True):
        if e is None:
            assert a is None or not np.any(a)
        else:
            np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-14)
