"""Door 1: libraries written against the Array API run on tensors and are differentiable.

array-api-extra and SciPy's Array API aware functions (with ``SCIPY_ARRAY_API=1``) look up
their input's namespace with ``array_namespace(x)``; given tensors, they compute with agrad.
Each case runs a library function on tensors and compares the value with the library's
result on NumPy arrays, and the gradient of ``sum(out * w)`` with torch.autograd on the
same library function given torch tensors. Where torch.autograd cannot differentiate the
library's code (it writes into arrays it saved), central finite differences of the library
on NumPy arrays judge instead.

SciPy reads ``SCIPY_ARRAY_API`` once, when it is first imported: this module sets it before
importing SciPy. If SciPy was imported earlier without it (another test module imported
Dask, say), the SciPy cases run in a fresh interpreter instead.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import warnings
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from array_api_compat import array_namespace

import agrad

_SCIPY_ALREADY_IMPORTED = "scipy" in sys.modules
_previous = os.environ.get("SCIPY_ARRAY_API")
if not _SCIPY_ALREADY_IMPORTED:
    os.environ["SCIPY_ARRAY_API"] = "1"
import array_api_extra as xpx  # noqa: E402 - after SCIPY_ARRAY_API is set
import scipy.cluster.vq  # noqa: E402
import scipy.fft  # noqa: E402
import scipy.integrate  # noqa: E402
import scipy.linalg  # noqa: E402
import scipy.signal  # noqa: E402
import scipy.special  # noqa: E402
import scipy.stats  # noqa: E402
from scipy._lib import _array_api  # noqa: E402

# SciPy has read the variable now: leave the environment of later subprocesses as it was
if _previous is None:
    os.environ.pop("SCIPY_ARRAY_API", None)
else:
    os.environ["SCIPY_ARRAY_API"] = _previous
SCIPY_READY = bool(_array_api.SCIPY_ARRAY_API)

RNG = np.random.default_rng(7)
X = RNG.standard_normal((4, 5))
P = RNG.uniform(0.2, 1.0, (4, 5))
Q = RNG.uniform(0.2, 1.0, (4, 5))
V = RNG.standard_normal(6)
W = RNG.standard_normal(6) + 0.3
SPECIAL = np.where(X > 0.8, np.inf, np.where(X < -1.0, np.nan, 0.0))

# Cases marked "writes in place" below: the library writes into an array agrad saved for
# backward (through array-api-extra's `at(...).set(copy=None)`); agrad copies on write, so
# they differentiate (torch's rules happen not to save those arrays, or torch raises too).


def _clip(y: Any) -> Any:
    return array_namespace(y).clip(y, -10.0, 10.0)


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    fn: Callable[..., Any]
    inputs: tuple[np.ndarray, ...]
    oracle: str = "torch"  # or "fd": torch.autograd fails on this library code
    constants: tuple[np.ndarray, ...] = ()


def case(id: str, fn: Callable[..., Any], *inputs: np.ndarray, **kw: Any) -> Any:
    marks = kw.pop("marks", ())
    return pytest.param(Case(id, fn, inputs, **kw), id=id, marks=marks)


XPX_CASES = [
    case("cov", lambda a: xpx.cov(a), X),
    case("sinc", lambda a: xpx.sinc(a), X),
    case("kron", lambda a, b: xpx.kron(a, b), X[:2, :3].copy(), P[:2, :2].copy()),
    case("atleast_nd", lambda a: xpx.atleast_nd(a, ndim=3), V),
    case("create_diagonal", lambda a: xpx.create_diagonal(a, offset=1), V),
    case("pad", lambda a: xpx.pad(a, 2, constant_values=1.5), X),
    # clipped: nan_to_num puts the largest float where the input is infinite
    case(
        "nan_to_num",
        lambda a, c: _clip(xpx.nan_to_num(a + c, fill_value=3.0)),
        X,
        constants=(SPECIAL,),
    ),
    case(
        "nansum",
        lambda a, c: xpx.nansum(a + c, axis=1),
        X,
        constants=(np.where(X < -1.0, np.nan, 0.0),),
    ),
    case(
        "nanmean",
        lambda a, c: xpx.nanmean(a + c, axis=0),
        X,
        constants=(np.where(X < -1.0, np.nan, 0.0),),
    ),
    case("apply_where", lambda a: xpx.apply_where(a > 0, a, lambda v: v**0.5, lambda v: -v), X),
    case("angle", lambda a: xpx.angle(a), X),
    case("deg2rad", lambda a: xpx.deg2rad(a), X),
    # xpx.at writes into its (copied or intermediate) array in place
    case("at-set", lambda a, b: xpx.at(a * 1.0, (slice(None), 1)).set(b[:, 0]), X, P),
    case("at-add", lambda a, b: xpx.at(a * 1.0, 2).add(b[0]), X, P),
    case("at-multiply", lambda a: xpx.at(a * 1.0, a > 0).multiply(3.0), X),
    case("at-set-copy", lambda a, b: xpx.at(a, (0, 1)).set(b[0, 0], copy=True), X, P),
    # torch cannot: it writes into a mask it saved
    case("partition", lambda a: xpx.partition(a, 2, axis=1), X, oracle="fd"),
]

SCIPY_CASES = [
    case("special.logsumexp", lambda a: scipy.special.logsumexp(a, axis=1), X),
    # compiled ufuncs: SciPy finds agrad.special in agrad's namespace (issue 27)
    case("special.erf", lambda a: scipy.special.erf(a), X),
    case("special.gammaln", lambda a: scipy.special.gammaln(a), P),
    # (its p-value path calls .numpy() on torch tensors that require grad)
    case("stats.pearsonr", lambda a: scipy.stats.pearsonr(a[0], a[1]).statistic, X, oracle="fd"),
    case(
        "special.logsumexp-b",
        lambda a, b: scipy.special.logsumexp(a, axis=0, b=b),
        X,
        P,
        oracle="fd",
        # writes in place
    ),
    case("special.softmax", lambda a: scipy.special.softmax(a, axis=1), X),
    case(
        "special.log_softmax",
        lambda a: scipy.special.log_softmax(a, axis=0),
        X,
        oracle="fd",
        # writes in place
    ),
    case("special.xlogy", lambda a, b: scipy.special.xlogy(a, b), X, P),
    case("special.rel_entr", lambda a, b: scipy.special.rel_entr(a, b), P, Q),
    case("stats.zscore", lambda a: scipy.stats.zscore(a, axis=1), X),  # writes in place
    case("stats.zmap", lambda a, b: scipy.stats.zmap(a, b), X, P),
    case("stats.moment", lambda a: scipy.stats.moment(a, order=3, axis=1), X),  # writes in place
    case("stats.skew", lambda a: scipy.stats.skew(a, axis=1), X),  # writes in place
    case("stats.kurtosis", lambda a: scipy.stats.kurtosis(a, axis=1), X),
    case("stats.variation", lambda a: scipy.stats.variation(a, axis=1), P),
    case("stats.gmean", lambda a: scipy.stats.gmean(a, axis=1), P),
    case("stats.hmean", lambda a, w: scipy.stats.hmean(a, axis=1, weights=w), P, Q),
    case("stats.pmean", lambda a: scipy.stats.pmean(a, 2.5, axis=1), P),
    case("stats.sem", lambda a: scipy.stats.sem(a, axis=1), X),
    case("stats.entropy", lambda a, b: scipy.stats.entropy(a, b, axis=1), P, Q),
    case("stats.tmean", lambda a: scipy.stats.tmean(a, (-1, 1)), X),
    case("stats.tvar", lambda a: scipy.stats.tvar(a, (-1, 1)), X),  # writes in place
    case("stats.trim_mean", lambda a: scipy.stats.trim_mean(a, 0.2, axis=1), X),
    case("stats.describe", lambda a: scipy.stats.describe(a, axis=1).variance, X),
    case("stats.differential_entropy", lambda a: scipy.stats.differential_entropy(a, axis=1), X),
    case("stats.iqr", lambda a: scipy.stats.iqr(a, axis=1), X),
    case("stats.median_abs_deviation", lambda a: scipy.stats.median_abs_deviation(a, axis=1), X),
    case("stats.quantile", lambda a: scipy.stats.quantile(a, 0.3, axis=1), X),
    case("stats.gstd", lambda a: scipy.stats.gstd(a, axis=1), P),
    case(
        "stats.boxcox_llf",
        lambda a: scipy.stats.boxcox_llf(0.5, a[0]),
        P,
        oracle="fd",
        # writes in place
    ),
    case("stats.yeojohnson_llf", lambda a: scipy.stats.yeojohnson_llf(0.5, a[0]), X),
    case("stats.directional_stats", lambda a: scipy.stats.directional_stats(a).mean_direction, X),
    case("stats.circmean", lambda a: scipy.stats.circmean(a, axis=1), X),
    case("stats.circvar", lambda a: scipy.stats.circvar(a, axis=1), X),
    case("stats.circstd", lambda a: scipy.stats.circstd(a, axis=1), X),
    case(
        "cluster.vq.whiten", lambda a: scipy.cluster.vq.whiten(a), X, oracle="fd"
    ),  # writes in place
    case("integrate.trapezoid", lambda a: scipy.integrate.trapezoid(a, axis=1), X),
    case(
        "integrate.cumulative_trapezoid",
        lambda a: scipy.integrate.cumulative_trapezoid(a, axis=1, initial=0),
        X,
    ),
    case(
        "integrate.cumulative_simpson",
        lambda a: scipy.integrate.cumulative_simpson(a, axis=1),
        X,
        oracle="fd",  # SciPy's torch path makes float32 intermediates: torch is off by 1e-7
    ),
    case("fft.fft", lambda a: scipy.fft.fft(a).real, X),
    case("fft.irfft-rfft", lambda a: scipy.fft.irfft(scipy.fft.rfft(a) * 2), X),
    case("fft.fht", lambda a: scipy.fft.fht(a, 1.0, 0.5), V),
    case("signal.fftconvolve", lambda a, b: scipy.signal.fftconvolve(a, b), V, W),
    case("linalg.block_diag", lambda a, b: scipy.linalg.block_diag(a, b), X, P),
]


def _weights(case_: Case, shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(zlib.crc32(case_.id.encode())).standard_normal(shape)


def _agrad(case_: Case) -> tuple[np.ndarray, list[np.ndarray]]:
    tensors = [agrad.tensor(a, requires_grad=True) for a in case_.inputs]
    consts = [agrad.asarray(c) for c in case_.constants]
    out = case_.fn(*tensors, *consts)
    assert isinstance(out, agrad.Tensor)
    assert out.requires_grad
    w = _weights(case_, out.shape)
    grads = agrad.grad(agrad.sum(out * w), tensors, allow_unused=True)
    return out.detach().array, [
        np.zeros_like(a) if g is None else g.array for g, a in zip(grads, case_.inputs, strict=True)
    ]


def _torch(case_: Case) -> list[np.ndarray]:
    tensors = [torch.tensor(a, requires_grad=True) for a in case_.inputs]
    consts = [torch.tensor(c) for c in case_.constants]
    with warnings.catch_warnings():
        # the libraries' torch paths call torch.asarray on tensors that require grad, which
        # torch 2.13 notes once per process
        warnings.filterwarnings("ignore", message="torch.asarray: unspecified requires_grad")
        out = case_.fn(*tensors, *consts)
    w = torch.tensor(_weights(case_, tuple(out.shape)))
    grads = torch.autograd.grad((out * w).sum(), tensors, allow_unused=True)
    return [
        np.zeros_like(a) if g is None else g.numpy()
        for g, a in zip(grads, case_.inputs, strict=True)
    ]


def _finite_differences(case_: Case) -> list[np.ndarray]:
    def loss(arrays: list[np.ndarray]) -> float:
        out = np.asarray(case_.fn(*arrays, *case_.constants))
        return float(np.sum(out * _weights(case_, out.shape)))

    grads = []
    for i, a in enumerate(case_.inputs):
        g = np.zeros_like(a)
        for j in np.ndindex(a.shape):
            h = 1e-6 * max(1.0, abs(a[j]))
            up, down = [x.copy() for x in case_.inputs], [x.copy() for x in case_.inputs]
            up[i][j] += h
            down[i][j] -= h
            g[j] = (loss(up) - loss(down)) / (2 * h)
        grads.append(g)
    return grads


def _check(case_: Case) -> None:
    value, grads = _agrad(case_)
    expected = np.asarray(case_.fn(*case_.inputs, *case_.constants))
    np.testing.assert_allclose(value, expected, rtol=1e-10, atol=1e-12)
    if case_.oracle == "torch":
        oracle, tol = _torch(case_), {"rtol": 1e-9, "atol": 1e-11}
    else:
        oracle, tol = _finite_differences(case_), {"rtol": 1e-5, "atol": 1e-7}
    for i, (g, o) in enumerate(zip(grads, oracle, strict=True)):
        np.testing.assert_allclose(g, o, **tol, err_msg=f"{case_.id}: input {i}")


@pytest.mark.parametrize("c", XPX_CASES)
def test_array_api_extra(c: Case) -> None:
    _check(c)


needs_scipy_array_api = pytest.mark.skipif(
    not SCIPY_READY, reason="SciPy was imported without SCIPY_ARRAY_API=1: see the subprocess test"
)


@needs_scipy_array_api
@pytest.mark.parametrize("c", SCIPY_CASES)
def test_scipy(c: Case) -> None:
    _check(c)


@needs_scipy_array_api
@pytest.mark.parametrize(
    "call",
    [
        lambda x: scipy.stats.norm.logpdf(x),
        lambda x: scipy.linalg.expm(x[:, :4]),
        lambda x: scipy.integrate.simpson(x, axis=1),
    ],
    ids=[
        "stats.norm.logpdf",
        "linalg.expm",
        "simpson",
    ],
)
def test_scipy_code_for_numpy_only_refuses_instead_of_dropping_the_graph(call):
    # compiled or NumPy-only SciPy code converts its input with np.asarray: for a tensor
    # that requires grad that raises, where the result would otherwise have no gradient
    x = agrad.tensor(P, requires_grad=True)
    with pytest.raises(TypeError, match="requires grad"):
        call(x)


@pytest.mark.skipif(SCIPY_READY, reason="SciPy's cases ran in this process")
def test_scipy_cases_in_a_fresh_interpreter():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-k", "scipy"],
        env={**os.environ, "SCIPY_ARRAY_API": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
