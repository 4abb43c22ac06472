"""agrad.func: every transform against torch.func / torch.autograd, plus finite differences."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest
import torch

import agrad
from agrad import errors, func

# torch's forward mode (torch.func.jvp, torch.func.hessian) scripts a helper on first use
pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"
)

RNG = np.random.default_rng(0)


def t64(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def close(a, b, rtol=1e-10, atol=1e-12):
    a = a.array if isinstance(a, agrad.Tensor) else a
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else b
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


# the same function written twice: once with agrad's namespace, once with torch
def f_np(x, w):
    xp = agrad
    return xp.sum(xp.sin(x @ w) * xp.exp(-x[..., 0:1])) + xp.sum(w**2) / 2


def f_torch(x, w):
    return torch.sum(torch.sin(x @ w) * torch.exp(-x[..., 0:1])) + torch.sum(w**2) / 2


X = RNG.normal(size=(3, 2))
W = RNG.normal(size=(2, 4))


# -- grad / value_and_grad -----------------------------------------------------------
def test_grad_matches_torch_and_returns_numpy_for_numpy():
    g = func.grad(f_np)(X, W)
    assert type(g) is np.ndarray
    assert g.shape == X.shape
    assert g.dtype == np.float64
    close(g, torch.func.grad(f_torch)(t64(X), t64(W)))


def test_grad_argnums_tuple_and_negative():
    gx, gw = func.grad(f_np, argnums=(0, 1))(X, W)
    tx, tw = torch.func.grad(f_torch, argnums=(0, 1))(t64(X), t64(W))
    close(gx, tx)
    close(gw, tw)
    close(func.grad(f_np, argnums=-1)(X, W), tw)
    (only_w,) = func.grad(f_np, argnums=(1,))(X, W)
    close(only_w, tw)


def test_grad_of_tensor_is_a_tensor_without_graph():
    x = agrad.asarray(X)
    g = func.grad(f_np)(x, agrad.asarray(W))
    assert isinstance(g, agrad.Tensor)
    assert not g.requires_grad
    close(g, torch.func.grad(f_torch)(t64(X), t64(W)))
    # a leaf that requires grad is left alone: its .grad is not touched
    x = agrad.asarray(X)
    x.requires_grad_()
    func.grad(f_np)(x, W)
    assert x.grad is None


def test_grad_agrees_with_finite_differences():
    def f(x):
        return agrad.sum(agrad.tanh(x) * agrad.log1p(x * x))

    x = RNG.normal(size=5)
    g = func.grad(f)(x)
    eps = 1e-6
    for i in range(5):
        e = np.zeros(5)
        e[i] = eps
        fd = (f(agrad.asarray(x + e)).item() - f(agrad.asarray(x - e)).item()) / (2 * eps)
        assert g[i] == pytest.approx(fd, rel=1e-6, abs=1e-8)


def test_value_and_grad_and_aux():
    value, g = func.value_and_grad(f_np)(X, W)
    assert type(value) is np.ndarray
    assert value.shape == ()
    close(value, f_torch(t64(X), t64(W)))
    close(g, torch.func.grad(f_torch)(t64(X), t64(W)))

    def with_aux(x, w):
        y = x @ w
        return agrad.sum(y * y), {"y": y, "label": "kept"}

    (value, aux), (gx, gw) = func.value_and_grad(with_aux, argnums=(0, 1), has_aux=True)(X, W)
    close(value, np.sum((X @ W) ** 2))
    assert aux["label"] == "kept"
    assert type(aux["y"]) is np.ndarray
    close(aux["y"], X @ W)
    close(gx, 2 * (X @ W) @ W.T)
    close(gw, 2 * X.T @ (X @ W))
    g, aux = func.grad(with_aux, has_aux=True)(X, W)
    close(g, gx)
    assert aux["label"] == "kept"


def test_python_numbers_become_float_arrays():
    g = func.grad(lambda x: x**3)(2)  # a Python int is differentiated as a float
    assert type(g) is np.ndarray
    assert g.shape == ()
    assert g.dtype == np.float64
    assert float(g) == 12.0
    assert float(func.grad(lambda x, y: x * y, argnums=1)(3.0, 0.5)) == 3.0


def test_pytrees_of_parameters():
    Params = namedtuple("Params", ["w", "b"])

    def loss(params, x):
        h = agrad.tanh(x @ params["layer"].w + params["layer"].b)
        return agrad.sum(h * h) + agrad.sum(params["scale"][0] ** 2)

    def loss_t(params, x):
        h = torch.tanh(x @ params["layer"].w + params["layer"].b)
        return torch.sum(h * h) + torch.sum(params["scale"][0] ** 2)

    b = RNG.normal(size=4)
    s = RNG.normal(size=3)
    params = {"layer": Params(W, b), "scale": [s]}
    g = func.grad(loss)(params, X)
    assert set(g) == {"layer", "scale"}
    assert isinstance(g["layer"], Params)
    assert isinstance(g["scale"], list)
    assert len(g["scale"]) == 1
    tparams = {"layer": Params(t64(W), t64(b)), "scale": [t64(s)]}
    tg = torch.func.grad(loss_t)(tparams, t64(X))
    close(g["layer"].w, tg["layer"].w)
    close(g["layer"].b, tg["layer"].b)
    close(g["scale"][0], tg["scale"][0])


def test_unused_inputs_and_constant_outputs_give_zeros():
    gx, gy = func.grad(lambda x, y: agrad.sum(x * x), argnums=(0, 1))(X, W)
    close(gx, 2 * X)
    assert type(gy) is np.ndarray
    assert gy.shape == W.shape
    assert not gy.any()
    g = func.grad(lambda x: 3.0)(X)
    assert g.shape == X.shape
    assert not g.any()


def test_non_scalar_output_raises_naming_the_shape():
    with pytest.raises(errors.NonScalarOutputError, match=r"shape \(3, 4\).*vjp") as info:
        func.grad(lambda x, w: x @ w)(X, W)
    assert isinstance(info.value, RuntimeError)
    with pytest.raises(errors.NonScalarOutputError, match="has_aux"):
        func.grad(lambda x: (agrad.sum(x), x))(X)


def test_integer_inputs_raise_unless_not_differentiated():
    ints = np.arange(3)
    with pytest.raises(errors.NotDifferentiableError, match=r"argument 0.*int64"):
        func.grad(lambda n: agrad.sum(n * 1.0))(ints)
    with pytest.raises(errors.NotDifferentiableError, match="argument 0"):
        func.grad(lambda b: b * 1.0)(True)
    g = func.grad(lambda x, n: agrad.sum(x * n))(np.ones(3), ints)  # n passes through
    close(g, ints)
    with pytest.raises(errors.NotDifferentiableError, match="real floating-point"):
        func.grad(lambda x: agrad.sum(agrad.astype(x, agrad.int64)))(X)


def test_bad_argnums():
    with pytest.raises(ValueError, match="argument 2"):
        func.grad(f_np, argnums=2)(X, W)
    with pytest.raises(ValueError, match="twice"):
        func.grad(f_np, argnums=(0, -2))(X, W)
    with pytest.raises(TypeError, match="argnums"):
        func.grad(f_np, argnums=1.0)(X, W)


def test_float32_stays_float32():
    x = X.astype(np.float32)
    g = func.grad(lambda x: agrad.sum(x * x))(x)
    assert g.dtype == np.float32
    close(g, 2 * x, rtol=1e-6)


def test_complex_inputs_follow_torch():
    z = np.array([1 + 2j, 0.5 - 1j])
    g = func.grad(lambda z: agrad.sum(agrad.real(z * agrad.conj(z) * z)))(z)
    tz = torch.tensor(z)
    close(g, torch.func.grad(lambda z: torch.sum(torch.real(z * torch.conj(z) * z)))(tz))


def test_kwargs_pass_through():
    g = func.grad(lambda x, *, scale: agrad.sum(x * x) * scale)(X, scale=3.0)
    close(g, 6 * X)


def test_runs_under_no_grad_and_result_has_no_graph():
    x = agrad.asarray(X)
    x.requires_grad_()
    with agrad.no_grad():
        g = func.grad(f_np)(x, W)
    assert isinstance(g, agrad.Tensor)
    assert not g.requires_grad
    close(g, torch.func.grad(f_torch)(t64(X), t64(W)))
    assert agrad.is_grad_enabled()


def test_raw_torch_arrays_in_torch_arrays_out():
    x = t64(X)
    g = func.grad(f_np)(x, t64(W))
    assert type(g) is torch.Tensor
    assert g.dtype == torch.float64
    close(g, torch.func.grad(f_torch)(t64(X), t64(W)))


# -- nesting and composition with agrad.grad ------------------------------------------
def test_grad_of_grad_matches_torch():
    def f(x):
        return agrad.sin(x) * x**3

    def ft(x):
        return torch.sin(x) * x**3

    x0 = 0.7
    d2 = func.grad(func.grad(f))(x0)
    d3 = func.grad(func.grad(func.grad(f)))(x0)
    assert type(d2) is np.ndarray
    tx = torch.tensor(x0, dtype=torch.float64)
    close(d2, torch.func.grad(torch.func.grad(ft))(tx))
    close(d3, torch.func.grad(torch.func.grad(torch.func.grad(ft)))(tx))


def test_nested_grad_through_a_closure():
    # d/dx [ d/dy sin(x * y) at y = c ] = d/dx [x cos(x c)] = cos(x c) - x c sin(x c)
    def inner(x):
        return func.grad(lambda y: agrad.sin(x * y))(0.3)

    def inner_t(x):
        return torch.func.grad(lambda y: torch.sin(x * y))(torch.tensor(0.3, dtype=torch.float64))

    x0 = 1.3
    got = func.grad(inner)(x0)
    # the inner transform's own leaf is a constant to the outer one: raw in, raw out
    assert type(got) is np.ndarray
    close(got, torch.func.grad(inner_t)(torch.tensor(x0, dtype=torch.float64)))
    close(got, np.cos(x0 * 0.3) - x0 * 0.3 * np.sin(x0 * 0.3))


def test_nested_jacobian_and_vjp_through_closures():
    # d/dx of a vjp and of a jacobian taken at a point that does not depend on x
    c = np.array([0.2, -0.4])

    def via_vjp(x):
        _, vjp_fn = func.vjp(lambda y: agrad.sin(x * y), c)
        (g,) = vjp_fn(np.ones(2))
        return agrad.sum(g)

    def via_jacobian(x):
        return agrad.sum(func.jacobian(lambda y: agrad.sin(x * y))(c))

    def ref(x):
        return torch.sum(x * torch.cos(x * t64(c)))  # sum of the diagonal Jacobian

    x0 = np.array([0.7, 1.1])
    want = torch.func.grad(ref)(t64(x0))
    for fn in (via_vjp, via_jacobian):
        got = func.grad(fn)(x0)
        assert type(got) is np.ndarray
        close(got, want)


def test_gradient_of_a_tensor_that_requires_grad_is_differentiable():
    # a gradient penalty: d/dx sum(grad f(x)^2), through func.grad and agrad.grad
    x = agrad.asarray(X)
    x.requires_grad_()
    g = func.grad(f_np)(x, W)
    assert g.requires_grad
    (dx,) = agrad.grad(agrad.sum(g * g), x)

    tx = t64(X).requires_grad_()
    (tg,) = torch.autograd.grad(f_torch(tx, t64(W)), tx, create_graph=True)
    (tdx,) = torch.autograd.grad(torch.sum(tg * tg), tx)
    close(dx, tdx)


def test_closure_over_a_parameter_keeps_the_graph():
    w = agrad.asarray(W)
    w.requires_grad_()
    g = func.grad(lambda x: f_np(x, w))(X)  # raw in, but depends on w: a Tensor with a graph
    assert isinstance(g, agrad.Tensor)
    assert g.requires_grad
    (dw,) = agrad.grad(agrad.sum(g**2), w)

    tw = t64(W).requires_grad_()
    tx = t64(X).requires_grad_()
    (tg,) = torch.autograd.grad(f_torch(tx, tw), tx, create_graph=True)
    (tdw,) = torch.autograd.grad(torch.sum(tg**2), tw)
    close(dw, tdw)


def test_closure_over_a_constant_returns_raw_arrays():
    w = agrad.asarray(W)  # no requires_grad: nothing outside to differentiate
    g = func.grad(lambda x: f_np(x, w))(X)
    assert type(g) is np.ndarray
    close(g, torch.func.grad(f_torch)(t64(X), t64(W)))


# -- vjp -----------------------------------------------------------------------------
def two_outputs(x, w):
    y = x @ w
    return agrad.sin(y), {"s": agrad.sum(x * x)}


def two_outputs_t(x, w):
    y = x @ w
    return torch.sin(y), {"s": torch.sum(x * x)}


def test_vjp_matches_torch_with_a_pytree_output():
    out, vjp_fn = func.vjp(two_outputs, X, W)
    assert type(out[0]) is np.ndarray
    assert type(out[1]["s"]) is np.ndarray
    tout, tvjp = torch.func.vjp(two_outputs_t, t64(X), t64(W))
    close(out[0], tout[0])
    close(out[1]["s"], tout[1]["s"])
    ct = (RNG.normal(size=(3, 4)), {"s": np.array(1.5)})
    got = vjp_fn(ct)
    want = tvjp((t64(ct[0]), {"s": t64(ct[1]["s"])}))
    assert isinstance(got, tuple)
    assert len(got) == 2
    close(got[0], want[0])
    close(got[1], want[1])
    again = vjp_fn(ct)  # the graph is kept: vjp_fn can be called again
    close(again[0], want[0])


def test_vjp_with_aux_and_bad_cotangents():
    _out, vjp_fn, aux = func.vjp(lambda x: (x * 2.0, "aux"), X, has_aux=True)
    assert aux == "aux"
    (g,) = vjp_fn(np.ones_like(X))
    close(g, 2 * np.ones_like(X))
    with pytest.raises(errors.GradShapeError, match=r"\(3,\)"):
        vjp_fn(np.ones(3))
    with pytest.raises(ValueError, match="structure"):
        vjp_fn((np.ones_like(X), np.ones_like(X)))


def test_vjp_cotangent_that_requires_grad_is_differentiable():
    # d/dct <vjp(ct), vjp(ct)>: the pullback is recorded when the cotangent requires grad
    x = RNG.normal(size=3)
    _, vjp_fn = func.vjp(lambda x: agrad.sin(x) * 2.0, x)
    ct = agrad.asarray(np.ones(3))
    ct.requires_grad_()
    (g,) = vjp_fn(ct)
    assert g.requires_grad
    (dct,) = agrad.grad(agrad.sum(g * g), ct)
    close(dct, 2 * (2 * np.cos(x)) ** 2)


# -- jvp -----------------------------------------------------------------------------
def test_jvp_matches_torch_and_finite_differences():
    vx, vw = RNG.normal(size=X.shape), RNG.normal(size=W.shape)
    out, tout = func.jvp(two_outputs, (X, W), (vx, vw))
    tprimal, ttangent = torch.func.jvp(two_outputs_t, (t64(X), t64(W)), (t64(vx), t64(vw)))
    close(out[0], tprimal[0])
    close(tout[0], ttangent[0])
    close(tout[1]["s"], ttangent[1]["s"])
    assert type(tout[0]) is np.ndarray
    eps = 1e-6
    plus = two_outputs(agrad.asarray(X + eps * vx), agrad.asarray(W + eps * vw))[0]
    minus = two_outputs(agrad.asarray(X - eps * vx), agrad.asarray(W - eps * vw))[0]
    close(tout[0], (plus.array - minus.array) / (2 * eps), rtol=1e-6, atol=1e-8)


def test_jvp_of_nonlinear_ops_is_exact():
    # exactness of the double-vjp construction on ops whose vjp saves outputs and inputs
    def f(x):
        return agrad.exp(x) / (1 + x * x) + agrad.sqrt(x)

    def ft(x):
        return torch.exp(x) / (1 + x * x) + torch.sqrt(x)

    x = RNG.uniform(0.5, 2.0, size=6)
    v = RNG.normal(size=6)
    _, t = func.jvp(f, (x,), (v,))
    close(t, torch.func.jvp(ft, (t64(x),), (t64(v),))[1])


def test_jvp_unused_input_aux_and_errors():
    _, t, aux = func.jvp(
        lambda x, y: (x * 3.0, 7), (X, W), (np.ones_like(X), np.ones_like(W)), has_aux=True
    )
    close(t, 3 * np.ones_like(X))
    assert aux == 7
    _, t = func.jvp(lambda x: agrad.ones(2), (X,), (X,))
    close(t, np.zeros(2))
    with pytest.raises(TypeError, match="primals"):
        func.jvp(lambda x: x, X, (X,))
    with pytest.raises(TypeError, match="one entry per primal"):
        func.jvp(lambda x: x, (X,), X)
    with pytest.raises(errors.GradShapeError, match=r"\(2, 4\)"):
        func.jvp(lambda x: x, (X,), (W,))


def test_grad_of_jvp_is_a_mixed_second_derivative():
    # d/dx <grad f(x), v> = H v: jvp nested inside grad
    v = RNG.normal(size=X.shape)
    got = func.grad(lambda x: agrad.sum(func.jvp(lambda y: f_np(y, W), (x,), (v,))[1]))(X)
    th = torch.func.hessian(f_torch)(t64(X), t64(W)).reshape(6, 6)
    close(got, (th @ t64(v).reshape(6)).reshape(3, 2))


# -- jacobian, hessian, hvp -----------------------------------------------------------
def test_jacobian_shape_and_values_match_torch():
    def f(x, w):
        return agrad.tanh(x @ w)

    j = func.jacobian(f)(X, W)
    assert type(j) is np.ndarray
    assert j.shape == (3, 4, 3, 2)
    close(j, torch.func.jacrev(lambda x, w: torch.tanh(x @ w))(t64(X), t64(W)))
    jx, jw = func.jacobian(f, argnums=(0, 1))(X, W)
    tjx, tjw = torch.func.jacrev(lambda x, w: torch.tanh(x @ w), argnums=(0, 1))(t64(X), t64(W))
    close(jx, tjx)
    close(jw, tjw)
    assert jw.shape == (3, 4, 2, 4)


def test_jacobian_of_pytree_output_scalar_and_aux():
    def f(x):
        return {"sum": agrad.sum(x), "sq": x * x}, "aux"

    j, aux = func.jacobian(f, has_aux=True)(np.array([1.0, 2.0]))
    assert aux == "aux"
    close(j["sum"], [1.0, 1.0])
    close(j["sq"], np.diag([2.0, 4.0]))
    # an output that does not depend on the input: zeros of the right shape
    j = func.jacobian(lambda x: agrad.ones((2, 2)))(np.ones(3))
    assert j.shape == (2, 2, 3)
    assert not j.any()


def test_hessian_matches_torch():
    h = func.hessian(f_np)(X, W)
    assert type(h) is np.ndarray
    assert h.shape == (3, 2, 3, 2)
    close(h, torch.func.hessian(f_torch)(t64(X), t64(W)))
    blocks = func.hessian(f_np, argnums=(0, 1))(X, W)
    tblocks = torch.func.hessian(f_torch, argnums=(0, 1))(t64(X), t64(W))
    for i in range(2):
        for j in range(2):
            close(blocks[i][j], tblocks[i][j])
    assert blocks[0][1].shape == (3, 2, 2, 4)


def test_hvp_matches_torch_and_the_hessian():
    vx, vw = RNG.normal(size=X.shape), RNG.normal(size=W.shape)
    value, (hx, hw) = func.hvp(f_np, (X, W), (vx, vw))
    close(value, f_torch(t64(X), t64(W)))
    _, (thx, thw) = torch.autograd.functional.hvp(f_torch, (t64(X), t64(W)), (t64(vx), t64(vw)))
    close(hx, thx)
    close(hw, thw)
    h = func.hessian(lambda x: f_np(x, W))(X).reshape(6, 6)
    _, (hv,) = func.hvp(lambda x: f_np(x, W), (X,), (vx,))
    close(hv.reshape(6), h @ vx.reshape(6))
    with pytest.raises(errors.NonScalarOutputError):
        func.hvp(lambda x: x, (X,), (X,))


def test_tensor_inputs_give_tensors_everywhere():
    x = agrad.asarray(X)
    out, vjp_fn = func.vjp(lambda x: x * 2.0, x)
    assert isinstance(out, agrad.Tensor)
    assert isinstance(vjp_fn(x)[0], agrad.Tensor)
    _, t = func.jvp(lambda x: x * 2.0, (x,), (x,))
    assert isinstance(t, agrad.Tensor)
    assert not t.requires_grad
    assert isinstance(func.jacobian(lambda x: x * 2.0)(x), agrad.Tensor)
    assert isinstance(func.hessian(lambda x: agrad.sum(x**3))(x), agrad.Tensor)


# -- scipy.optimize ------------------------------------------------------------------
def rosenbrock(x):
    xp = x.__array_namespace__()
    return xp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def test_value_and_grad_matches_scipy_rosen_der():
    so = pytest.importorskip("scipy.optimize")
    x = RNG.normal(size=6)
    value, g = func.value_and_grad(rosenbrock)(x)
    assert value == pytest.approx(so.rosen(x), rel=1e-12)
    close(g, so.rosen_der(x))
    close(func.hessian(rosenbrock)(x), so.rosen_hess(x))
    p = RNG.normal(size=6)
    close(func.hvp(rosenbrock, (x,), (p,))[1][0], so.rosen_hess_prod(x, p))


def test_scipy_minimize_with_value_and_grad():
    so = pytest.importorskip("scipy.optimize")
    x0 = np.array([-1.2, 1.0, 0.5, -0.5])
    res = so.minimize(func.value_and_grad(rosenbrock), x0, jac=True, method="BFGS")
    assert res.success
    close(res.x, np.ones(4), rtol=0, atol=1e-5)
    # the same optimum as with scipy's own analytic gradient, in about as many steps
    ref = so.minimize(so.rosen, x0, jac=so.rosen_der, method="BFGS")
    close(res.x, ref.x, rtol=0, atol=1e-7)
    assert abs(res.nit - ref.nit) <= 3


@pytest.mark.skipif(
    getattr(agrad.Tensor, "__array_ufunc__", None) is None,
    reason="needs the NumPy protocol on Tensor (np.sin(t) dispatching to agrad)",
)
def test_scipy_minimize_on_a_plain_numpy_objective():
    so = pytest.importorskip("scipy.optimize")

    def objective(x):
        return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2) + np.sum(
            np.sin(x) ** 2
        )

    x = RNG.normal(size=5)
    _, g = func.value_and_grad(objective)(x)
    close(g, so.rosen_der(x) + 2 * np.sin(x) * np.cos(x))
    res = so.minimize(func.value_and_grad(objective), np.zeros(3), jac=True, method="BFGS")
    assert res.success
