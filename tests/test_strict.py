"""Every rule runs on array-api-strict: proof that the rules use only the standard.

Each case of tests/test_rules.py, tests/test_linalg.py and tests/test_fft.py runs on the
``array_api_strict`` device, forward and first-order backward, and must give the NumPy
device's gradients. Known failures (index forms the standard lacks) are listed in
conformance/xfails-array_api_strict.txt.
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


def _load(name: str) -> Any:
    """Another test module's case table (tests/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"_cases_{name}", Path(__file__).with_name(name))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


CASES = _load("test_rules.py").CASES
_LINALG = _load("test_linalg.py")
_FFT = _load("test_fft.py")


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


def _params(cases: list[Any], ids: list[str]) -> list[Any]:
    return [
        pytest.param(c, id=i, marks=[pytest.mark.xfail(strict=True, reason=XFAILS[i])])
        if i in XFAILS
        else pytest.param(c, id=i)
        for c, i in zip(cases, ids, strict=True)
    ]


def test_known_failures_name_real_cases() -> None:
    ids = {c.id for c in CASES} | {c[0] for c in _FFT.CASES} | {c.id for c in _LINALG.CASES}
    assert set(XFAILS) <= ids, sorted(set(XFAILS) - ids)
    assert all(XFAILS.values())


@pytest.mark.parametrize("case", _params(CASES, [c.id for c in CASES]))
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


def _linalg_grads(case: Any, arrays: list[np.ndarray], device: str, ws: list[Any]) -> Any:
    with agrad.default_device(device):
        xs = [agrad.tensor(a, requires_grad=True, device=device) for a in arrays]
        outs = _LINALG._as_tuple(case.f_agrad(*xs))
        loss = _LINALG._loss(outs, ws, agrad, lambda w: agrad.asarray(w, device=device))
        gs = agrad.grad(loss, xs, allow_unused=True)
    return [None if g is None else np.asarray(g.array) for g in gs], outs


@pytest.mark.parametrize("case", _params(_LINALG.CASES, [c.id for c in _LINALG.CASES]))
def test_linalg_rule_runs_on_array_api_strict(case: Any) -> None:
    import zlib

    rng = np.random.default_rng(zlib.crc32(case.id.encode()))
    arrays = [np.asarray(make(rng, False)) for make in case.inputs]
    with agrad.default_device("numpy"):
        outs = _LINALG._as_tuple(case.f_agrad(*[agrad.asarray(a) for a in arrays]))
    ws = [rng.standard_normal(o.shape) for o in outs]
    expected, _ = _linalg_grads(case, arrays, "numpy", ws)
    actual, outs_strict = _linalg_grads(case, arrays, "array_api_strict", ws)
    assert all(o.device == agrad.Device("array_api_strict") for o in outs_strict)
    for a, e in zip(actual, expected, strict=True):
        if e is None:
            assert a is None or not np.any(a)
        else:
            np.testing.assert_allclose(a, e, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("case", _params(_FFT.CASES, [c[0] for c in _FFT.CASES]))
def test_fft_rule_runs_on_array_api_strict(case: Any) -> None:
    _, f_agrad, _, shape, cplx = case
    rng = np.random.default_rng(5)
    x = rng.standard_normal(shape) + (1j * rng.standard_normal(shape) if cplx else 0)
    results = []
    for device in ("numpy", "array_api_strict"):
        with agrad.default_device(device):
            t = agrad.tensor(x, requires_grad=True, device=device)
            out = f_agrad(t)
            w = np.ones(out.shape) + (1j if out.dtype.kind == "c" else 0)
            (g,) = agrad.grad(out, [t], agrad.asarray(w, device=device))
            assert g.device == agrad.Device(device)
            results.append(np.asarray(g.array))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12, atol=1e-12)
