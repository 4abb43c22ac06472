"""Every rule on every installed CPU device: the same gradients as on the NumPy device.

Each case of tests/test_rules.py, tests/test_linalg.py and tests/test_fft.py runs, forward
and first-order backward, on each installed CPU device other than ``numpy``
(``array_api_strict``, ``torch:cpu``, ``dask``, ``jax:cpu`` with 64-bit types): its gradients
must equal the NumPy device's (which tests/test_rules.py checks against torch.autograd), in
float64 and in float32, and live on the input's device with the input's dtype. On
array-api-strict this proves the rules use only the standard. Known failures are listed per
device in conformance/xfails-<device>.txt (``case:`` lines), beside the kit's.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from agrad.conformance import xfails

import agrad

if importlib.util.find_spec("jax") is not None:
    import jax

    jax.config.update("jax_enable_x64", True)


def _load(name: str) -> Any:
    """Another test module's case table (tests/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"_cases_{name}", Path(__file__).with_name(name))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _cpu_devices() -> list[str]:
    found = []
    for d in agrad.__array_namespace_info__().devices():
        gpu = "cuda" in d.name or "gpu" in d.name or d.name == "torch:mps"
        if d.name != "numpy" and not gpu and d.backend.name != "cupy":
            found.append(d.name)
    return found


DEVICES = _cpu_devices()


CASES = _load("test_rules.py").CASES
_LINALG = _load("test_linalg.py")
_FFT = _load("test_fft.py")


def _host(t: Any) -> np.ndarray:
    # Dask computes here, outside agrad's backward, so NumPy's floating-point warnings
    # (0 * inf in a pow gradient at 0) surface now; torch and agrad's backward stay quiet
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(t.to_device("numpy").array)


def _grads(case: Any, arrays: list[np.ndarray], device: str, w: np.ndarray | None) -> Any:
    with agrad.default_device(device):
        xs = [agrad.tensor(a, requires_grad=True, device=device) for a in arrays]
        out = case.f_agrad(*xs)
        if w is None:
            return out
        gs = agrad.grad(
            out, xs, agrad.asarray(w, device=device, dtype=out.dtype), allow_unused=True
        )
    for x, g in zip(xs, gs, strict=True):
        if g is not None:
            assert g.device == x.device, (g.device, x.device)
            assert g.dtype == x.dtype, (g.dtype, x.dtype)
    return [None if g is None else _host(g) for g in gs], out


# one list per fact: conformance/xfails-<device>.txt, its `case:` lines
XFAILS = {d: xfails.load_cases(d) for d in DEVICES}


def _params(cases: list[Any], ids: list[str], dtypes: tuple[str, ...] = ("float64",)) -> list[Any]:
    params = []
    for device in DEVICES:
        known = XFAILS[device]
        for dtype in dtypes:
            for c, i in zip(cases, ids, strict=True):
                marks = []
                for key in (i, f"{i}-{dtype}"):
                    if key in known:
                        marks = [pytest.mark.xfail(strict=True, reason=known[key])]
                params.append(
                    pytest.param(c, device, dtype, id=f"{device}-{i}-{dtype}", marks=marks)
                )
    return params


def test_known_failures_name_real_cases() -> None:
    ids = {c.id for c in CASES} | {c[0] for c in _FFT.CASES} | {c.id for c in _LINALG.CASES}
    for device, known in XFAILS.items():
        named = {k.removesuffix("-float64").removesuffix("-float32") for k in known}
        assert named <= ids, (device, sorted(named - ids))
        assert all(known.values()), device


def test_every_installed_cpu_device_is_tested() -> None:
    assert "array_api_strict" in DEVICES
    for library, device in [("torch", "torch:cpu"), ("dask", "dask"), ("jax", "jax:cpu")]:
        if importlib.util.find_spec(library) is not None:
            assert device in DEVICES


_TOL = {"float64": (1e-10, 1e-12), "float32": (2e-3, 2e-4)}


@pytest.mark.parametrize(
    ("case", "device", "dtype"), _params(CASES, [c.id for c in CASES], ("float64", "float32"))
)
def test_rule_on_device(case: Any, device: str, dtype: str) -> None:
    rng = np.random.default_rng(11)
    arrays = case.draw(rng, getattr(np, dtype))
    if dtype == "float32" and any(a.dtype.kind not in "fc" for a in arrays):
        pytest.skip("float32 run of a case with integer inputs: the float64 run covers it")
    reference = _grads(case, arrays, "numpy", None)
    w = rng.standard_normal(reference.shape)
    if reference.dtype.kind == "c":
        w = w + 1j * rng.standard_normal(reference.shape)
    expected, _ = _grads(case, arrays, "numpy", w)
    actual, out = _grads(case, arrays, device, w)
    assert out.device == agrad.Device(device)
    rtol, atol = _TOL[dtype]
    for a, e in zip(actual, expected, strict=True):
        if e is None:
            assert a is None or not np.any(a)
        else:
            np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)


def _linalg_grads(case: Any, arrays: list[np.ndarray], device: str, ws: list[Any]) -> Any:
    with agrad.default_device(device):
        xs = [agrad.tensor(a, requires_grad=True, device=device) for a in arrays]
        outs = _LINALG._as_tuple(case.f_agrad(*xs))
        loss = _LINALG._loss(outs, ws, agrad, lambda w: agrad.asarray(w, device=device))
        gs = agrad.grad(loss, xs, allow_unused=True)
    for x, g in zip(xs, gs, strict=True):
        if g is not None:
            assert (g.device, g.dtype) == (x.device, x.dtype)
    return [None if g is None else _host(g) for g in gs], outs


@pytest.mark.parametrize(
    ("case", "device", "dtype"), _params(_LINALG.CASES, [c.id for c in _LINALG.CASES])
)
def test_linalg_rule_on_device(case: Any, device: str, dtype: str) -> None:
    import zlib

    rng = np.random.default_rng(zlib.crc32(case.id.encode()))
    arrays = [np.asarray(make(rng, False)) for make in case.inputs]
    with agrad.default_device("numpy"):
        outs = _LINALG._as_tuple(case.f_agrad(*[agrad.asarray(a) for a in arrays]))
    # a complex output gets a complex weight, so that the loss is real (`_loss` takes its
    # real part): a complex loss has no implicit gradient of one
    ws = [rng.standard_normal(o.shape) * (1 + 1j if o.dtype.kind == "c" else 1) for o in outs]
    expected, _ = _linalg_grads(case, arrays, "numpy", ws)
    actual, outs_dev = _linalg_grads(case, arrays, device, ws)
    assert all(o.device == agrad.Device(device) for o in outs_dev)
    for a, e in zip(actual, expected, strict=True):
        if e is None:
            assert a is None or not np.any(a)
        else:
            np.testing.assert_allclose(a, e, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize(
    ("case", "device", "dtype"), _params(_FFT.CASES, [c[0] for c in _FFT.CASES])
)
def test_fft_rule_on_device(case: Any, device: str, dtype: str) -> None:
    _, f_agrad, _, shape, cplx = case
    rng = np.random.default_rng(5)
    x = rng.standard_normal(shape) + (1j * rng.standard_normal(shape) if cplx else 0)
    results = []
    for dev in ("numpy", device):
        with agrad.default_device(dev):
            t = agrad.tensor(x, requires_grad=True, device=dev)
            out = f_agrad(t)
            w = np.ones(out.shape) + (1j if out.dtype.kind == "c" else 0)
            (g,) = agrad.grad(out, [t], agrad.asarray(w, device=dev))
            assert g.device == agrad.Device(dev)
            assert g.dtype == t.dtype
            results.append(_host(g))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-10, atol=1e-10)
