"""The complex convention: torch.autograd's by default, JAX's / HIPS autograd's on request.

Oracles: torch.autograd for torch's convention; jax (float64) for JAX's; HIPS autograd
itself (its sdist, when unpacked at /tmp/hips, run in a subprocess) for HIPS's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

import agrad
from agrad import errors, func

jax = pytest.importorskip("jax")
jnp = jax.numpy

# torch's forward mode (torch.func.jvp) scripts a helper on first use
pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"
)

Z = np.array([1.0 + 2.0j, -0.5 + 0.3j, 0.7 - 1.1j])
V = np.array([0.3 - 1.0j, 2.0 + 0.5j, -0.4 + 0.2j])
X = np.array([0.4, -1.3, 2.0])


@pytest.fixture(autouse=True, scope="module")
def _x64():
    previous = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", previous)


def close(a, b, rtol=1e-10, atol=1e-12):
    a = a.array if isinstance(a, agrad.Tensor) else a
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else b
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


# the same functions written with agrad, jax and torch (xp is the namespace)
def loss(xp, z):
    """A real, non-holomorphic loss of complex z."""
    return xp.sum(xp.abs(z) ** 2 * xp.real(z) + xp.imag(z) ** 3 + xp.real(xp.sin(z) * z))


def holo(xp, z):
    """A holomorphic map."""
    return xp.sin(z) * z + z**3


def mixed(xp, x, z):
    """A real loss of a real x and a complex z."""
    return xp.sum(xp.real(xp.exp(z) * x) + x**2 * xp.imag(z))


def t(a, requires_grad=False):
    return torch.tensor(a, requires_grad=requires_grad)


def torch_grad(fn, *arrays, cotangent=None):
    ts = [t(a, True) for a in arrays]
    out = fn(torch, *ts)
    gs = torch.autograd.grad(out, ts, None if cotangent is None else t(cotangent))
    return [g.numpy() for g in gs]


# -- the setting -------------------------------------------------------------------------
def test_default_is_torch_and_names_are_checked():
    assert agrad.get_complex_convention() == "torch"
    with pytest.raises(errors.AgradValueError, match=r"'torch'.*'jax'.*'hips'"):
        agrad.complex_convention("hips")
    with pytest.raises(ValueError, match="'jax'"):
        func.grad(lambda z: agrad.sum(agrad.abs(z)), convention="JAX")
    with pytest.raises(ValueError, match="'jax'"):
        func.vjp(agrad.sin, Z, convention=1)
    assert agrad.get_complex_convention() == "torch"


def _fail_inside_jax():
    with agrad.complex_convention("jax"):
        assert agrad.get_complex_convention() == "jax"
        raise RuntimeError("boom")


def test_context_restores_on_exceptions_and_nests():
    with pytest.raises(RuntimeError, match="boom"):
        _fail_inside_jax()
    assert agrad.get_complex_convention() == "torch"
    with agrad.complex_convention("jax"):
        with agrad.complex_convention("torch"):
            assert agrad.get_complex_convention() == "torch"
        assert agrad.get_complex_convention() == "jax"
    assert agrad.get_complex_convention() == "torch"


def test_plain_call_switches_and_decorator_does_not_leak():
    try:
        agrad.complex_convention("jax")
        assert agrad.get_complex_convention() == "jax"
    finally:
        agrad.complex_convention("torch")
    assert agrad.get_complex_convention() == "torch"

    @agrad.complex_convention("jax")
    def inside(fail):
        if fail:
            raise ValueError("inside")
        return agrad.get_complex_convention()

    assert agrad.get_complex_convention() == "torch"
    assert inside(False) == "jax"
    with pytest.raises(ValueError, match="inside"):
        inside(True)
    assert agrad.get_complex_convention() == "torch"


def test_the_setting_is_per_thread():
    seen = {}

    def worker():
        seen["start"] = agrad.get_complex_convention()
        (g,) = agrad.grad(loss(agrad, zt := agrad.tensor(Z, requires_grad=True)), zt)
        seen["grad"] = g.array

    with agrad.complex_convention("jax"):
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        assert agrad.get_complex_convention() == "jax"
    assert seen["start"] == "torch"
    close(seen["grad"], torch_grad(loss, Z)[0])


# -- first order: a real loss of complex inputs ------------------------------------------
def test_real_loss_torch_by_default_and_jax_on_request():
    torch_g = torch_grad(loss, Z)[0]
    jax_g = np.asarray(jax.grad(lambda z: loss(jnp, z))(Z))
    close(jax_g, np.conj(torch_g))  # the fact the two conventions rest on
    close(func.grad(lambda z: loss(agrad, z))(Z), torch_g)
    close(func.grad(lambda z: loss(agrad, z), convention="jax")(Z), jax_g)
    with agrad.complex_convention("jax"):
        close(func.grad(lambda z: loss(agrad, z))(Z), jax_g)
        # the keyword wins over the setting
        close(func.grad(lambda z: loss(agrad, z), convention="torch")(Z), torch_g)
        value, g = func.value_and_grad(lambda z: loss(agrad, z))(Z)
        close(g, jax_g)
        close(value, jax.jit(lambda z: loss(jnp, z))(Z))
        zt = agrad.tensor(Z, requires_grad=True)
        (g,) = agrad.grad(loss(agrad, zt), zt)
        close(g, jax_g)
        loss(agrad, zt).backward()
        close(zt.grad, jax_g)


def test_backward_accumulates_in_the_jax_convention():
    jax_g = np.asarray(jax.grad(lambda z: loss(jnp, z))(Z))
    zt = agrad.tensor(Z, requires_grad=True)
    with agrad.complex_convention("jax"):
        loss(agrad, zt).backward()
        loss(agrad, zt).backward()
    close(zt.grad, 2 * jax_g)
    # a torch-convention backward adds its own gradient to it: as conventions mix, values do
    loss(agrad, zt).backward()
    close(zt.grad, 2 * jax_g + np.conj(jax_g))


def test_mixed_real_and_complex_inputs():
    jx, jz = jax.grad(lambda x, z: mixed(jnp, x, z), argnums=(0, 1))(X, Z)
    tx, tz = torch_grad(mixed, X, Z)
    close(jx, tx)  # real inputs: the same in both
    gx, gz = func.grad(lambda x, z: mixed(agrad, x, z), argnums=(0, 1), convention="jax")(X, Z)
    assert gx.dtype == np.float64
    close(gx, jx)
    close(gz, jz)
    gx, gz = func.grad(lambda x, z: mixed(agrad, x, z), argnums=(0, 1))(X, Z)
    close(gx, tx)
    close(gz, tz)


def test_real_arrays_are_unchanged():
    f = lambda x: agrad.sum(agrad.sin(x) * x)  # noqa: E731
    close(func.grad(f, convention="jax")(X), func.grad(f)(X), rtol=0, atol=0)
    close(func.hessian(f, convention="jax")(X), func.hessian(f)(X), rtol=0, atol=0)


# -- complex outputs with complex cotangents ---------------------------------------------
def test_vjp_of_a_holomorphic_map():
    _, jax_vjp = jax.vjp(lambda z: holo(jnp, z), Z)
    (jax_g,) = jax_vjp(V)
    torch_g = torch_grad(holo, Z, cotangent=V)[0]
    close(jax_g, np.conj(torch_grad(holo, Z, cotangent=np.conj(V))[0]))
    _, vjp_fn = func.vjp(lambda z: holo(agrad, z), Z)
    close(vjp_fn(V)[0], torch_g)
    _, vjp_fn = func.vjp(lambda z: holo(agrad, z), Z, convention="jax")
    close(vjp_fn(V)[0], jax_g)
    # the convention is fixed when `vjp` is called
    with agrad.complex_convention("jax"):
        _, vjp_jax = func.vjp(lambda z: holo(agrad, z), Z)
    close(vjp_jax(V)[0], jax_g)


def test_backward_with_a_complex_gradient():
    (jax_g,) = jax.vjp(lambda z: holo(jnp, z), Z)[1](V)
    zt = agrad.tensor(Z, requires_grad=True)
    with agrad.complex_convention("jax"):
        holo(agrad, zt).backward(V)
        close(zt.grad, jax_g)
        zt.grad = None
        (g,) = agrad.grad(holo(agrad, zt), zt, grad_outputs=agrad.asarray(V))
        close(g, jax_g)
        agrad.backward([holo(agrad, zt)], [V], inputs=[zt])
        close(zt.grad, jax_g)
    zt.grad = None
    holo(agrad, zt).backward(V)
    close(zt.grad, torch_grad(holo, Z, cotangent=V)[0])


def test_retained_and_intermediate_gradients_follow_the_convention():
    # u = 2z is an intermediate: its .grad (retain_grad, or backward(inputs=[u])) is the
    # gradient with respect to u in the chosen convention
    jax_gu = np.asarray(jax.grad(lambda u: loss(jnp, u))(2 * Z))
    zt = agrad.tensor(Z, requires_grad=True)
    with agrad.complex_convention("jax"):
        u = zt * 2
        u.retain_grad()
        loss(agrad, u).backward()
        close(u.grad, jax_gu)
        close(zt.grad, 2 * jax_gu)
        u = zt * 2
        loss(agrad, u).backward(inputs=[u])
        close(u.grad, jax_gu)


def test_jacobian_of_a_holomorphic_map():
    jac = np.asarray(jax.jacrev(lambda z: holo(jnp, z), holomorphic=True)(Z))
    close(func.jacobian(lambda z: holo(agrad, z), convention="jax")(Z), jac)
    close(func.jacobian(lambda z: holo(agrad, z))(Z), np.conj(jac))
    # torch's rows: its vector-Jacobian products with the real unit vectors
    rows = [torch_grad(holo, Z, cotangent=e.astype(complex))[0] for e in np.eye(len(Z))]
    close(func.jacobian(lambda z: holo(agrad, z))(Z), np.stack(rows))


def test_holomorphic_gradient_is_the_derivative_in_the_jax_convention():
    # HIPS's holomorphic_grad: the vjp with a cotangent of ones, f'(z)
    deriv = np.cos(Z) * Z + np.sin(Z) + 3 * Z**2
    _, vjp_fn = func.vjp(lambda z: holo(agrad, z), Z, convention="jax")
    close(vjp_fn(np.ones_like(Z))[0], deriv)


# -- second order --------------------------------------------------------------------------
def jax_grad_loss(z):
    return jax.grad(lambda w: loss(jnp, w))(z)


def test_hessian_and_hvp_against_jax():
    hess = np.asarray(jax.jacrev(jax_grad_loss, holomorphic=True)(Z))
    close(func.hessian(lambda z: loss(agrad, z), convention="jax")(Z), hess)
    with agrad.complex_convention("jax"):
        close(func.hessian(lambda z: loss(agrad, z))(Z), hess)
    jax_hv = np.asarray(jax.jvp(jax_grad_loss, (Z,), (V,))[1])
    close(jax.vjp(jax_grad_loss, Z)[1](V)[0], jax_hv)  # reverse over reverse is the same
    _, (hv,) = func.hvp(lambda z: loss(agrad, z), (Z,), (V,), convention="jax")
    close(hv, jax_hv)
    # torch's: the real Hessian of (x, y) times v, the conjugate of JAX's
    _, (hv,) = func.hvp(lambda z: loss(agrad, z), (Z,), (V,))
    close(hv, np.conj(jax_hv))
    zt = t(Z, True)
    (g,) = torch.autograd.grad(loss(torch, zt), zt, create_graph=True)
    (thv,) = torch.autograd.grad(g, zt, t(V))
    close(hv, thv)


def test_grad_of_grad_with_create_graph_in_the_jax_convention():
    jax_hv = np.asarray(jax.vjp(jax_grad_loss, Z)[1](V)[0])
    zt = agrad.tensor(Z, requires_grad=True)
    with agrad.complex_convention("jax"):
        (g,) = agrad.grad(loss(agrad, zt), zt, create_graph=True)
        close(g, jax_grad_loss(Z))
        (hv,) = agrad.grad(g, zt, grad_outputs=agrad.asarray(V))
        close(hv, jax_hv)
        # backward(create_graph=True): a differentiable .grad in the JAX convention
        loss(agrad, zt).backward(create_graph=True)
        (hv,) = agrad.grad(zt.grad, zt, grad_outputs=agrad.asarray(V))
        close(hv, jax_hv)
    # nested transforms in the JAX convention: the vjp of grad(f)
    _, vjp_fn = func.vjp(func.grad(lambda z: loss(agrad, z)), Z, convention="jax")
    close(vjp_fn(V)[0], jax_hv)


def test_second_order_with_a_complex_cotangent():
    # d/dz <grad of the vjp with cotangent w>: a complex cotangent that itself requires grad
    w = agrad.tensor(V, requires_grad=True)
    zt = agrad.tensor(Z, requires_grad=True)

    def jax_inner(z, w):
        return jax.vjp(lambda u: holo(jnp, u), z)[1](w)[0]

    d = np.array([1.0 - 0.5j, 0.2 + 0.1j, -0.3 + 2.0j])
    jz, jw = jax.vjp(jax_inner, Z, V)[1](d)
    with agrad.complex_convention("jax"):
        (g,) = agrad.grad(holo(agrad, zt), zt, grad_outputs=w, create_graph=True)
        close(g, jax_inner(Z, V))
        gz, gw = agrad.grad(g, [zt, w], grad_outputs=agrad.asarray(d))
    close(gz, jz)
    close(gw, jw)


# -- forward mode ---------------------------------------------------------------------------
def test_jvp_is_the_same_in_both_conventions():
    for fn in (holo, loss):
        _, jax_t = jax.jvp(lambda z, fn=fn: fn(jnp, z), (Z,), (V,))
        _, ours = func.jvp(lambda z, fn=fn: fn(agrad, z), (Z,), (V,))
        close(ours, jax_t)
        with agrad.complex_convention("jax"):
            _, ours = func.jvp(lambda z, fn=fn: fn(agrad, z), (Z,), (V,))
        close(ours, jax_t)
    _, torch_t = torch.func.jvp(lambda z: holo(torch, z), (t(Z),), (t(V),))
    close(func.jvp(lambda z: holo(agrad, z), (Z,), (V,))[1], torch_t)


# -- rules, hooks and Functions see torch's convention ------------------------------------
def test_hooks_and_functions_see_torch_convention():
    seen = {}

    class Square(agrad.Function):
        @staticmethod
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return z * z

        @staticmethod
        def backward(ctx, g):
            (z,) = ctx.saved_tensors
            seen["function"] = g.array.copy()
            return g * agrad.conj(2 * z)  # written in torch's convention

    zt = agrad.tensor(Z, requires_grad=True)
    zt.register_hook(lambda g: seen.__setitem__("hook", g.array.copy()))
    with agrad.complex_convention("jax"):
        Square.apply(zt).backward(V)
    # inside, the cotangent V in JAX's convention is conj(V) in torch's
    torch_g = torch_grad(lambda xp, z: z * z, Z, cotangent=np.conj(V))[0]
    close(seen["function"], np.conj(V))
    close(seen["hook"], torch_g)
    (jax_g,) = jax.vjp(lambda z: z * z, Z)[1](V)
    close(zt.grad, jax_g)


def test_backward_passes_run_inside_a_rule_are_in_torch_convention():
    # agrad.checkpoint's backward runs agrad.grad itself, inside the outer sweep; a
    # Function whose backward calls agrad.func.vjp too: both must see torch's convention
    def inner(z):
        return holo(agrad, z)

    class ViaVjp(agrad.Function):
        @staticmethod
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return holo(agrad, z)

        @staticmethod
        def backward(ctx, g):
            (z,) = ctx.saved_tensors
            seen.append(agrad.get_complex_convention())
            return func.vjp(inner, z.detach())[1](g)[0]

    seen = []
    jax_g = np.asarray(jax.grad(lambda z: loss(jnp, holo(jnp, z)))(Z))
    zt = agrad.tensor(Z, requires_grad=True)
    with agrad.complex_convention("jax"):
        (g,) = agrad.grad(loss(agrad, agrad.checkpoint(inner, zt)), zt)
        close(g, jax_g)
        (g,) = agrad.grad(loss(agrad, ViaVjp.apply(zt)), zt)
        close(g, jax_g)
        assert agrad.get_complex_convention() == "jax"
    assert seen == ["torch"]


# -- HIPS autograd itself ---------------------------------------------------------------------
HIPS = Path("/tmp/hips/autograd-1.9.1")

HIPS_SCRIPT = """
import json, sys
import autograd.numpy as np
from autograd import grad, make_vjp, make_hvp, holomorphic_grad
z, v = (np.array([complex(*p) for p in json.loads(a)]) for a in sys.argv[1:3])
x = np.array(json.loads(sys.argv[3]))
loss = lambda z: np.sum(np.abs(z) ** 2 * np.real(z) + np.imag(z) ** 3 + np.real(np.sin(z) * z))
holo = lambda z: np.sin(z) * z + z**3
mixed = lambda x, z: np.sum(np.real(np.exp(z) * x) + x**2 * np.imag(z))
out = {
    "grad": grad(loss)(z),
    "vjp": make_vjp(holo)(z)[0](v),
    "hvp": make_hvp(loss)(z)[0](v),
    "holomorphic_grad": holomorphic_grad(lambda z: np.sum(holo(z)))(z),
    "mixed_z": grad(mixed, 1)(x, z),
}
print(json.dumps({k: [[c.real, c.imag] for c in np.ravel(a)] for k, a in out.items()}))
"""


@pytest.mark.skipif(not HIPS.is_dir(), reason="HIPS autograd's sdist is not unpacked in /tmp/hips")
def test_jax_convention_is_hips_autograds():
    def pairs(a):
        return json.dumps([[c.real, c.imag] for c in a])

    env = {**os.environ, "PYTHONPATH": str(HIPS)}
    done = subprocess.run(
        [sys.executable, "-c", HIPS_SCRIPT, pairs(Z), pairs(V), json.dumps(X.tolist())],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    hips = {k: np.array([complex(*p) for p in v]) for k, v in json.loads(done.stdout).items()}
    with agrad.complex_convention("jax"):
        close(func.grad(lambda z: loss(agrad, z))(Z), hips["grad"])
        close(func.vjp(lambda z: holo(agrad, z), Z)[1](V)[0], hips["vjp"])
        close(func.hvp(lambda z: loss(agrad, z), (Z,), (V,))[1][0], hips["hvp"])
        _, vjp_fn = func.vjp(lambda z: agrad.sum(holo(agrad, z)), Z)
        close(vjp_fn(np.array(1.0 + 0j))[0], hips["holomorphic_grad"])
        close(func.grad(lambda x, z: mixed(agrad, x, z), argnums=1)(X, Z), hips["mixed_z"])


# -- the conformance kit checks both ----------------------------------------------------------
def test_compare_checks_the_jax_convention_on_complex_examples_only():
    from agrad.conformance import compare

    comps = compare(lambda z: agrad.exp(z) * z, [Z], torch_fn=lambda z: z.exp() * z)
    assert [(c.order, c.what) for c in comps] == [
        (1, "input 0"),
        (2, "input 0"),
        (2, "cotangent 0"),
        (1, "input 0 (jax)"),
        (2, "input 0 (jax)"),
        (2, "cotangent 0 (jax)"),
    ]
    assert all(c.ok for c in comps)
    # a real input with a complex output (a complex cotangent) is checked in both too
    comps = compare(lambda x: agrad.exp(x * 1j), [X], torch_fn=lambda x: (x * 1j).exp())
    assert sum(c.what.endswith("(jax)") for c in comps) == 3
    assert all(c.ok for c in comps)
    comps = compare(agrad.sin, [X], torch_fn=torch.sin)  # real: the conventions agree
    assert not any(c.what.endswith("(jax)") for c in comps)
    comps = compare(agrad.sin, [Z], torch_fn=torch.sin, convention="jax")
    assert [c.what for c in comps] == ["input 0 (jax)", "input 0 (jax)", "cotangent 0 (jax)"]
    with pytest.raises(ValueError, match="convention"):
        compare(agrad.sin, [Z], torch_fn=torch.sin, convention="hips")


def test_the_kit_catches_a_wrong_jax_conversion(monkeypatch):
    from agrad.conformance import GradientMismatch, check

    from agrad import _autograd

    ok = check(lambda z: agrad.sin(z) * z, Z, torch_fn=lambda z: z.sin() * z, order=2)
    assert ok.ok
    # gradients that leave a backward pass unconjugated: torch's convention is still right,
    # JAX's is not, and only the second pass sees it
    monkeypatch.setattr(_autograd, "_conj_of", lambda t, g: g)
    assert check(agrad.sin, Z, torch_fn=torch.sin, convention="torch").ok
    with pytest.raises(GradientMismatch, match=r"order 1, input 0 in JAX's convention"):
        check(agrad.sin, Z, torch_fn=torch.sin)
    with pytest.raises(ValueError, match="convention"):
        check(agrad.sin, Z, convention="both ways")


def test_a_user_function_in_both_conventions():
    from agrad.conformance import check

    class Square(agrad.Function):
        @staticmethod
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return z * z

        @staticmethod
        def backward(ctx, g):
            (z,) = ctx.saved_tensors
            return g * agrad.conj(2 * z)  # torch's convention, always

    result = check(Square, Z, order=2)
    assert result.ok
    assert check(Square, Z, order=2, convention="jax").ok


def test_a_spec_search_checks_both_and_the_suite_skips_dask_when_quick():
    from agrad.conformance import run
    from agrad.conformance.specs import get_spec
    from agrad.conformance.suite import default_convention

    assert run(get_spec("tanh"), "numpy", "complex128", max_examples=3).ok
    assert run(get_spec("matmul"), "torch:cpu", "complex64", max_examples=2).ok
    assert default_convention("dask") == "torch"
    assert default_convention("dask", thorough=True) == "both"
    assert default_convention("jax:cpu") == "both"
