"""agrad.scipy.special: values equal SciPy's, gradients to second order equal torch.special's
(or finite differences where torch has no gradient), and SciPy's own special functions on
tensors (with and without SCIPY_ARRAY_API=1)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.special as sc
import torch
from agrad.conformance import check
from scipy._lib._array_api import SCIPY_ARRAY_API

import agrad
from agrad.errors import AgradTypeError, NoRuleError, NotOnDeviceError
from agrad.scipy import special as S

TS = torch.special
RNG = np.random.default_rng(21)
X = RNG.uniform(0.3, 3.0, 5)  # positive reals
R = RNG.uniform(-2.5, 2.5, 5)  # any reals
U = RNG.uniform(0.05, 0.95, 5)  # the unit interval
DEVICES = ["numpy", "torch:cpu"]


def _t(v: Any, like: torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(v, dtype=like.dtype)


# name, agrad function, SciPy function, example inputs, torch twin (None: finite differences)
CASES: list[tuple[str, Callable[..., Any], Callable[..., Any], tuple[Any, ...], Any]] = [
    ("gammaln", S.gammaln, sc.gammaln, (X,), TS.gammaln),
    ("digamma", S.digamma, sc.digamma, (X,), TS.digamma),
    ("psi", S.psi, sc.psi, (X,), TS.psi),
    (
        "polygamma",
        lambda x: S.polygamma(2, x),
        lambda x: sc.polygamma(2, x),
        (X,),
        lambda x: TS.polygamma(2, x),
    ),
    ("gamma", S.gamma, sc.gamma, (X,), lambda x: torch.exp(torch.lgamma(x))),
    ("rgamma", S.rgamma, sc.rgamma, (X,), lambda x: torch.exp(-torch.lgamma(x))),
    (
        "gammainc",
        lambda x: S.gammainc(1.7, x),
        lambda x: sc.gammainc(1.7, x),
        (X,),
        lambda x: TS.gammainc(_t(1.7, x), x),
    ),
    (
        "gammaincc",
        lambda x: S.gammaincc(1.7, x),
        lambda x: sc.gammaincc(1.7, x),
        (X,),
        lambda x: TS.gammaincc(_t(1.7, x), x),
    ),
    (
        "beta",
        S.beta,
        sc.beta,
        (X, X[::-1].copy()),
        lambda a, b: torch.exp(torch.lgamma(a) + torch.lgamma(b) - torch.lgamma(a + b)),
    ),
    (
        "betaln",
        S.betaln,
        sc.betaln,
        (X, X[::-1].copy()),
        lambda a, b: torch.lgamma(a) + torch.lgamma(b) - torch.lgamma(a + b),
    ),
    ("betainc", lambda x: S.betainc(2.0, 3.5, x), lambda x: sc.betainc(2.0, 3.5, x), (U,), None),
    (
        "multigammaln",
        lambda a: S.multigammaln(a, 3),
        lambda a: np.array([sc.multigammaln(v, 3) for v in a]),
        (X + 1.5,),
        lambda a: TS.multigammaln(a, 3),
    ),
    ("erf", S.erf, sc.erf, (R,), TS.erf),
    ("erfc", S.erfc, sc.erfc, (R,), TS.erfc),
    ("erfinv", S.erfinv, sc.erfinv, (2 * U - 1,), TS.erfinv),
    ("erfcinv", S.erfcinv, sc.erfcinv, (2 * U,), lambda y: TS.erfinv(1 - y)),
    ("ndtr", S.ndtr, sc.ndtr, (R,), TS.ndtr),
    ("log_ndtr", S.log_ndtr, sc.log_ndtr, (R - 3,), TS.log_ndtr),
    ("ndtri", S.ndtri, sc.ndtri, (U,), TS.ndtri),
    ("expit", S.expit, sc.expit, (R,), TS.expit),
    ("logit", S.logit, sc.logit, (U,), TS.logit),
    ("xlogy", S.xlogy, sc.xlogy, (R, X), TS.xlogy),
    ("xlog1py", S.xlog1py, sc.xlog1py, (R, U), TS.xlog1py),
    ("entr", S.entr, sc.entr, (X,), TS.entr),
    ("i0", S.i0, sc.i0, (R,), TS.i0),
    ("i1", S.i1, sc.i1, (R,), TS.i1),
    ("i0e", S.i0e, sc.i0e, (R,), TS.i0e),
    ("i1e", S.i1e, sc.i1e, (R,), TS.i1e),
    ("iv", lambda x: S.iv(2.5, x), lambda x: sc.iv(2.5, x), (X,), None),
    ("ive", lambda x: S.ive(2.5, x), lambda x: sc.ive(2.5, x), (X,), None),
    # torch's Bessel functions J and Y have no gradient: finite differences
    ("j0", S.j0, sc.j0, (R,), None),
    ("j1", S.j1, sc.j1, (R,), None),
    ("y0", S.y0, sc.y0, (X,), None),
    ("y1", S.y1, sc.y1, (X,), None),
    ("jv", lambda x: S.jv(1.5, x), lambda x: sc.jv(1.5, x), (X,), None),
    ("jn", lambda x: S.jn(3, x), lambda x: sc.jn(3, x), (R,), None),
    ("yv", lambda x: S.yv(0.5, x), lambda x: sc.yv(0.5, x), (X,), None),
    ("yn", lambda x: S.yn(2, x), lambda x: sc.yn(2, x), (X,), None),
    (
        "logsumexp",
        lambda x: S.logsumexp(x),
        sc.logsumexp,
        (R,),
        lambda x: torch.logsumexp(x, 0),
    ),
    ("softmax", S.softmax, sc.softmax, (R,), lambda x: torch.softmax(x, 0)),
    ("log_softmax", S.log_softmax, sc.log_softmax, (R,), lambda x: torch.log_softmax(x, 0)),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("name", "fn", "scipy_fn", "args", "torch_fn"), CASES, ids=IDS)
def test_values_equal_scipy(name, fn, scipy_fn, args, torch_fn, device):
    out = fn(*(agrad.asarray(a, device=device) for a in args))
    np.testing.assert_allclose(
        out.to_device("numpy").array, scipy_fn(*args), rtol=1e-12 if device == "numpy" else 1e-9
    )


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("name", "fn", "scipy_fn", "args", "torch_fn"), CASES, ids=IDS)
def test_gradients_to_second_order(name, fn, scipy_fn, args, torch_fn, device):
    result = check(fn, *args, torch_fn=torch_fn, order=2, device=device)
    assert result.ok


def test_every_hips_autograd_name_is_here():
    hips = [
        "beta",
        "betainc",
        "betaln",
        "polygamma",
        "psi",
        "digamma",
        "gamma",
        "gammaln",
        "gammainc",
        "gammaincc",
        "gammasgn",
        "rgamma",
        "multigammaln",
        "j0",
        "y0",
        "j1",
        "y1",
        "jn",
        "yn",
        "i0",
        "i1",
        "iv",
        "ive",
        "erf",
        "erfc",
        "erfinv",
        "erfcinv",
        "logit",
        "expit",
        "logsumexp",
    ]
    assert [n for n in hips if not callable(getattr(S, n, None))] == []
    assert set(S.__all__) == set(agrad.special.__all__)


def test_gammasgn_has_no_graph_and_scipys_values():
    x = agrad.tensor([-1.5, -0.5, 0.5, 3.0], requires_grad=True)
    out = S.gammasgn(x)
    assert not out.requires_grad
    assert out.tolist() == sc.gammasgn(np.array([-1.5, -0.5, 0.5, 3.0])).tolist()


@pytest.mark.parametrize(
    ("axis", "keepdims", "shape"),
    [(None, False, (3, 4)), (0, True, (3, 4)), (1, False, (3, 4)), ((0, 2), False, (2, 3, 4))],
)
def test_logsumexp_axis_b_keepdims(axis, keepdims, shape):
    a = RNG.standard_normal(shape)
    b = RNG.uniform(0.5, 2.0, shape)
    out = S.logsumexp(agrad.asarray(a), axis=axis, b=agrad.asarray(b), keepdims=keepdims)
    np.testing.assert_allclose(out.array, sc.logsumexp(a, axis=axis, b=b, keepdims=keepdims))
    dims = None if axis is None else axis

    def twin(x, w):
        d = tuple(range(x.ndim)) if dims is None else dims
        return torch.logsumexp(x + torch.log(w), dim=d, keepdim=keepdims)

    check(
        lambda x, w: S.logsumexp(x, axis=axis, b=w, keepdims=keepdims), a, b, torch_fn=twin, order=2
    )


def test_logsumexp_return_sign_and_large_values():
    a = np.array([1000.0, 1000.5, 999.0])
    b = np.array([1.0, -2.0, 0.5])
    out, sign = S.logsumexp(agrad.asarray(a), b=agrad.asarray(b), return_sign=True)
    want, want_sign = sc.logsumexp(a, b=b, return_sign=True)
    assert np.isclose(out.item(), want)
    assert sign.item() == want_sign
    check(lambda x: S.logsumexp(x, b=b, return_sign=True)[0], a, order=2)


def test_complex_erf_on_numpy_matches_finite_differences():
    z = np.array([0.3 + 0.4j, -1.0 + 0.2j])
    np.testing.assert_allclose(S.erf(agrad.asarray(z)).array, sc.erf(z))
    check(S.erf, z, order=1)


def test_complex_input_refused_where_the_function_is_real_only():
    with pytest.raises(AgradTypeError, match=r"`agrad.scipy.special.gammaln` takes real input"):
        S.gammaln(agrad.asarray([1.0 + 1.0j]))
    with pytest.raises(AgradTypeError, match="takes real input"):
        S.erf(agrad.asarray([1.0 + 1.0j], device="torch:cpu"))


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda a, x: S.gammainc(a, x), "a"),
        (lambda a, x: S.gammaincc(a, x), "a"),
        (lambda a, x: S.iv(a, x), "v"),
        (lambda a, x: S.betainc(a, 2.0, x * 0.1), "a"),
    ],
)
def test_constant_parameters_refuse_a_gradient(call, argument):
    a = agrad.tensor([1.5, 2.5], requires_grad=True)
    x = agrad.tensor([0.5, 1.0], requires_grad=True)
    out = agrad.sum(call(a, x))
    with pytest.raises(NoRuleError, match=f"no gradient in `{argument}`"):
        agrad.grad(out, [a])
    (gx,) = agrad.grad(agrad.sum(call(a.detach(), x)), [x])  # in x it has one
    assert bool(agrad.all(agrad.isfinite(gx)))


def test_integer_input_computes_in_float64():
    out = S.gammaln([1, 2, 5])
    assert out.dtype == agrad.float64
    np.testing.assert_allclose(out.array, sc.gammaln([1.0, 2.0, 5.0]))


def test_float32_stays_float32_on_torch():
    x = agrad.asarray(np.float32([0.5, 1.5]), device="torch:cpu")
    assert S.gammaln(x).dtype == agrad.float32
    assert S.gamma(x).dtype == agrad.float32  # SciPy through host memory


def test_functions_torch_lacks_run_through_scipy_on_cpu_and_refuse_elsewhere():
    x = agrad.asarray(X, device="torch:cpu")
    assert isinstance(S.iv(1.5, x).array, torch.Tensor)
    from agrad.scipy.special import _forward

    fwd = _forward("iv", x.device.xp)
    with pytest.raises(NotOnDeviceError, match=r"`agrad\.scipy\.special\.iv` is not available"):
        fwd(1.5, torch.ones(2, device="meta"))


@pytest.mark.parametrize("device", ["jax:cpu", "dask", "array_api_strict"])
def test_other_devices_values_and_gradient(device):
    pytest.importorskip(device.split(":")[0])
    # float32: JAX holds no float64 unless configured to
    v = X.astype(np.float32) if device.startswith("jax") else X
    x = agrad.tensor(agrad.asarray(v, device=device), requires_grad=True)
    out = agrad.sum(S.gammaln(x) + S.gamma(x) + S.expit(x))
    np.testing.assert_allclose(
        out.to_device("numpy").array, np.sum(sc.gammaln(X) + sc.gamma(X) + sc.expit(X)), rtol=1e-5
    )
    (g,) = agrad.grad(out, [x])
    want = sc.digamma(X) + sc.gamma(X) * sc.digamma(X) + sc.expit(X) * (1 - sc.expit(X))
    np.testing.assert_allclose(g.to_device("numpy").array, want, rtol=1e-5)


# -- SciPy's own special functions, called on tensors (issue 27, part 2) -------------------
# the test module's SciPy reads SCIPY_ARRAY_API once, at import: the other mode runs in a
# fresh interpreter
MODE = "1" if SCIPY_ARRAY_API else "0"
Y = np.array([1.0, 4.0, 2.0, 7.0])
N = np.array([5.0, 6.0, 3.0, 9.0])
THETA = np.array([0.3, -0.2, 0.5])


def scipy_loglik(theta, y, n):
    # a beta-binomial model with a logistic term, as plain SciPy and NumPy code writes it
    a = np.exp(theta[0])
    b = np.exp(theta[1])
    p = sc.expit(theta[2] * y / n)
    ll = sc.gammaln(n + 1) - sc.gammaln(y + 1) - sc.gammaln(n - y + 1)
    ll = ll + sc.betaln(y + a, n - y + b) - sc.betaln(a, b)
    ll = ll + sc.xlogy(y, p) + sc.xlog1py(n - y, -p) + sc.log_ndtr(theta[2] - y / n)
    return np.sum(ll) + sc.erf(theta[0]) * sc.psi(b)


def torch_loglik(theta, y, n):
    y, n = torch.as_tensor(y), torch.as_tensor(n)
    lg = TS.gammaln

    def betaln(u, v):
        return lg(u) + lg(v) - lg(u + v)

    a, b = torch.exp(theta[0]), torch.exp(theta[1])
    p = TS.expit(theta[2] * y / n)
    ll = lg(n + 1) - lg(y + 1) - lg(n - y + 1) + betaln(y + a, n - y + b) - betaln(a, b)
    ll = ll + TS.xlogy(y, p) + TS.xlog1py(n - y, -p) + TS.log_ndtr(theta[2] - y / n)
    return ll.sum() + TS.erf(theta[0]) * TS.digamma(b)


def test_protocol_tests_in_the_other_mode():
    # the tests below, in a fresh interpreter whose SciPy reads the other SCIPY_ARRAY_API
    other = "0" if MODE == "1" else "1"
    env = {k: v for k, v in os.environ.items() if k != "SCIPY_ARRAY_API"}
    if other == "1":
        env["SCIPY_ARRAY_API"] = "1"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            __file__,
            "-k",
            "protocol and not other_mode",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout


@pytest.mark.parametrize("device", DEVICES)
def test_protocol_scipy_likelihood_on_tensors(device):
    if MODE == "1":
        # SciPy's dispatch refuses NumPy data mixed with tensors, for every library
        y, n = agrad.asarray(Y, device=device), agrad.asarray(N, device=device)
    else:
        y, n = Y, N
    if device != "numpy" and MODE == "0":
        y, n = agrad.asarray(Y, device=device), agrad.asarray(N, device=device)
    th = agrad.asarray(THETA, device=device)
    assert np.isclose(
        float(scipy_loglik(th, y, n)), float(torch_loglik(torch.as_tensor(THETA), Y, N))
    )
    check(
        lambda t: scipy_loglik(t, y, n),
        THETA,
        torch_fn=lambda t: torch_loglik(t, Y, N),
        order=2,
        device=device,
    )
    check(lambda t: scipy_loglik(t, y, n), THETA, oracle="finite-difference", device=device)


def test_protocol_unsupported_scipy_ufunc_named():
    x = agrad.tensor([0.5, 1.5], requires_grad=True)
    # a ufunc SciPy does not dispatch in either mode, which agrad has no rule for
    with pytest.raises(AgradTypeError, match=r"ufunc `scipy\.special\.struve`"):
        sc.struve(1.0, x)
    if MODE == "0":
        with pytest.raises(AgradTypeError, match=r"`scipy\.special\.gammaln` with out="):
            sc.gammaln(x, out=np.empty(2))


@pytest.mark.parametrize("device", ["numpy", "torch:cpu", "array_api_strict", "jax:cpu", "dask"])
def test_scipy_own_special_functions_on_every_device(device: str) -> None:
    # unmodified SciPy calls on tensors, in whichever SCIPY_ARRAY_API mode this process has
    # (the other mode runs in a fresh interpreter in the likelihood test above)
    pytest.importorskip(device.split(":")[0])
    if device == "jax:cpu":
        import jax

        jax.config.update("jax_enable_x64", True)
    values = np.array([0.5, 2.0])
    x = agrad.tensor(values, requires_grad=True, device=device)
    agrad.sum(sc.gammaln(x) + sc.xlogy(x, x) + sc.expit(x)).backward()
    t = torch.tensor(values, requires_grad=True)
    (torch.special.gammaln(t) + torch.special.xlogy(t, t) + torch.special.expit(t)).sum().backward()
    got = np.asarray(x.grad.to_device("numpy").array)
    np.testing.assert_allclose(got, t.grad.numpy(), rtol=1e-12)
