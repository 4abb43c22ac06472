"""agrad.scipy.linalg: forward values equal SciPy's; gradients (to second order) agree with
torch.autograd where torch has the function, with finite differences elsewhere."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sla
import torch
from agrad.conformance import check

import agrad
from agrad.scipy import linalg

DEVICES = ["numpy", "torch:cpu"]
RNG = np.random.default_rng(7)


def _tri(n: int, lower: bool, dtype: str = "float64") -> np.ndarray:
    """A well-conditioned triangular matrix with junk in the other triangle."""
    m = RNG.standard_normal((n, n)) * 0.3
    if dtype.startswith("complex"):
        m = m + 1j * RNG.standard_normal((n, n)) * 0.3
    m = m + np.diag(2.0 + RNG.random(n))
    return m.astype(dtype)


def _spd(n: int) -> np.ndarray:
    m = RNG.standard_normal((n, n))
    return m @ m.T + n * np.eye(n)


def _np(t: agrad.Tensor) -> np.ndarray:
    return np.asarray(t.to_device("numpy").array)


def _torch_tri_solve(a, b, trans, lower, unit):
    m = torch.tril(a) if lower else torch.triu(a)
    if trans in (1, "T"):
        m, lower = m.mT, not lower
    elif trans in (2, "C"):
        m, lower = m.mH, not lower
    rhs = b[:, None] if b.ndim == 1 else b
    x = torch.linalg.solve_triangular(m, rhs, upper=not lower, unitriangular=unit)
    return x[:, 0] if b.ndim == 1 else x


# -- solve_triangular ---------------------------------------------------------------------
@pytest.mark.parametrize("trans", [0, 1, 2, "N", "T", "C"])
@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("unit", [False, True])
def test_solve_triangular_forward_equals_scipy(trans, lower, unit):
    a, b = _tri(4, lower), RNG.standard_normal((4, 2))
    got = linalg.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit)
    want = sla.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit)
    np.testing.assert_allclose(_np(got), want, rtol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    ("trans", "lower", "unit", "bshape"),
    [
        (0, True, False, (4,)),
        (1, False, False, (4, 2)),
        ("C", True, True, (4, 3)),
        (0, False, True, (4,)),
    ],
)
def test_solve_triangular_gradients_match_torch(device, trans, lower, unit, bshape):
    a, b = _tri(4, lower), RNG.standard_normal(bshape)
    check(
        lambda a, b: linalg.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit),
        a,
        b,
        torch_fn=lambda a, b: _torch_tri_solve(a, b, trans, lower, unit),
        order=2,
        device=device,
    )


@pytest.mark.parametrize("trans", ["N", "T", "C"])
def test_solve_triangular_complex_gradients_match_torch(trans):
    a = _tri(3, True, "complex128")
    b = (RNG.standard_normal((3, 2)) + 1j * RNG.standard_normal((3, 2))).astype("complex128")
    got = linalg.solve_triangular(a, b, trans=trans, lower=True)
    np.testing.assert_allclose(_np(got), sla.solve_triangular(a, b, trans=trans, lower=True))
    check(
        lambda a, b: linalg.solve_triangular(a, b, trans=trans, lower=True),
        a,
        b,
        torch_fn=lambda a, b: _torch_tri_solve(a, b, trans, True, False),
        order=2,
    )


def test_solve_triangular_batched_matches_torch():
    a = np.stack([_tri(3, True) for _ in range(2)])
    b = RNG.standard_normal((2, 3, 2))
    check(
        lambda a, b: linalg.solve_triangular(a, b, lower=True),
        a,
        b,
        torch_fn=lambda a, b: torch.linalg.solve_triangular(torch.tril(a), b, upper=False),
        order=2,
    )


def test_solve_triangular_refuses_unknown_trans():
    with pytest.raises(ValueError, match="trans"):
        linalg.solve_triangular(np.eye(2), np.ones(2), trans="X")


# -- Sylvester, sqrtm, expm, logm -------------------------------------------------------------
def _torch_sylvester(a, b, q):
    # vec(A X + X B) = (I (x) A + B^T (x) I) vec(X), vec stacking columns
    n, m = q.shape
    k = torch.kron(torch.eye(m, dtype=a.dtype), a) + torch.kron(
        b.mT.contiguous(), torch.eye(n, dtype=a.dtype)
    )
    x = torch.linalg.solve(k, q.mT.contiguous().reshape(-1))
    return x.reshape(m, n).mT


@pytest.mark.parametrize("device", DEVICES)
def test_solve_sylvester_matches_scipy_and_torch(device):
    a, b, q = _spd(3), _spd(2) + RNG.standard_normal((2, 2)), RNG.standard_normal((3, 2))
    got = linalg.solve_sylvester(agrad.asarray(a, device=device), b, q)
    np.testing.assert_allclose(_np(got), sla.solve_sylvester(a, b, q), rtol=1e-10)
    check(linalg.solve_sylvester, a, b, q, torch_fn=_torch_sylvester, order=2, device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_sqrtm_matches_scipy_and_finite_differences(device):
    a = _spd(3) + 0.3 * RNG.standard_normal((3, 3))  # not symmetric; eigenvalues positive
    got = linalg.sqrtm(agrad.asarray(a, device=device))
    np.testing.assert_allclose(_np(got), sla.sqrtm(a), rtol=1e-10)
    check(linalg.sqrtm, a, order=2, device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_expm_matches_scipy_and_torch(device):
    a = RNG.standard_normal((3, 3)) * 0.7
    got = linalg.expm(agrad.asarray(a, device=device))
    np.testing.assert_allclose(_np(got), sla.expm(a), rtol=1e-12)
    check(linalg.expm, a, torch_fn=torch.linalg.matrix_exp, order=2, device=device)


def test_expm_batched_and_complex_match_torch():
    a = RNG.standard_normal((2, 3, 3)) * 0.5
    check(linalg.expm, a, torch_fn=torch.linalg.matrix_exp, order=2)
    c = (RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))) * 0.5
    check(linalg.expm, c, torch_fn=torch.linalg.matrix_exp, order=1)


def test_logm_matches_scipy_and_finite_differences():
    a = _spd(3) + 0.2 * RNG.standard_normal((3, 3))
    np.testing.assert_allclose(_np(linalg.logm(a)), sla.logm(a), rtol=1e-10)
    check(linalg.logm, a, order=2)
    # logm inverts expm: the chain rule through both is the identity
    x = agrad.tensor(RNG.standard_normal((3, 3)) * 0.3, requires_grad=True)
    g = RNG.standard_normal((3, 3))
    (gx,) = agrad.grad(linalg.logm(linalg.expm(x)), [x], grad_outputs=agrad.asarray(g))
    np.testing.assert_allclose(_np(gx), g, atol=1e-8)


# -- Cholesky and LU ----------------------------------------------------------------------------
@pytest.mark.parametrize("lower", [False, True])
def test_cholesky_follows_scipy_default_and_torch(lower):
    a = _spd(3)
    np.testing.assert_allclose(_np(linalg.cholesky(a, lower=lower)), sla.cholesky(a, lower=lower))
    np.testing.assert_allclose(_np(linalg.cholesky(a)), sla.cholesky(a))  # upper by default
    check(
        lambda a: linalg.cholesky(a, lower=lower),
        a,
        torch_fn=lambda a: torch.linalg.cholesky(a, upper=not lower),
        order=2,
    )


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("lower", [False, True])
def test_cho_solve_matches_scipy_and_torch(device, lower):
    a, b = _spd(3), RNG.standard_normal((3, 2))
    c, low = linalg.cho_factor(agrad.asarray(a, device=device), lower=lower)
    assert low is lower
    np.testing.assert_allclose(_np(linalg.cho_solve((c, low), b)), sla.solve(a, b), rtol=1e-10)
    # a factor with junk in the triangle cho_solve never reads
    other = np.triu(RNG.random((3, 3)), 1) if lower else np.tril(RNG.random((3, 3)), -1)
    junk = sla.cholesky(a, lower=lower) + other

    def twin(c, b):
        low_factor = torch.tril(c) if lower else torch.triu(c).mT
        return torch.cholesky_solve(b, low_factor)

    check(
        lambda c, b: linalg.cho_solve((c, lower), b), junk, b, torch_fn=twin, order=2, device=device
    )


def test_lu_factor_matches_scipy_and_torch():
    a = RNG.standard_normal((4, 4))
    lu, piv = linalg.lu_factor(a)
    want_lu, want_piv = sla.lu_factor(a)
    np.testing.assert_allclose(_np(lu), want_lu, rtol=1e-12)
    np.testing.assert_array_equal(piv, want_piv)
    check(
        lambda a: linalg.lu_factor(a)[0],
        a,
        torch_fn=lambda a: torch.linalg.lu_factor(a)[0],
        order=2,
    )


@pytest.mark.parametrize("trans", [0, 1, 2])
def test_lu_solve_matches_scipy_and_torch(trans):
    a, b = RNG.standard_normal((4, 4)), RNG.standard_normal((4, 2))
    got = linalg.lu_solve(linalg.lu_factor(a), b, trans=trans)
    np.testing.assert_allclose(_np(got), sla.lu_solve(sla.lu_factor(a), b, trans=trans), rtol=1e-10)
    check(
        lambda a, b: linalg.lu_solve(linalg.lu_factor(a), b, trans=trans),
        a,
        b,
        torch_fn=lambda a, b: torch.linalg.solve(a if trans == 0 else a.mT, b),
        order=2,
    )


# -- banded, general solves, wrappers -------------------------------------------------------
@pytest.mark.parametrize("l_and_u", [(1, 1), (2, 0), (0, 1)])
def test_solve_banded_matches_scipy_and_finite_differences(l_and_u):
    lo, up = l_and_u
    ab = RNG.standard_normal((lo + up + 1, 5))
    ab[up] += 4.0  # a dominant diagonal
    b = RNG.standard_normal(5)
    got = linalg.solve_banded(l_and_u, ab, b)
    np.testing.assert_allclose(_np(got), sla.solve_banded(l_and_u, ab, b), rtol=1e-10)
    check(lambda ab, b: linalg.solve_banded(l_and_u, ab, b), ab, b, order=2)


@pytest.mark.parametrize(
    ("assume_a", "lower"),
    [(None, False), ("pos", True), ("sym", False), ("lower triangular", False)],
)
def test_solve_matches_scipy_and_torch(assume_a, lower):
    a = _spd(3) + np.triu(RNG.random((3, 3)), 1)  # the two triangles differ
    b = RNG.standard_normal(3)
    got = linalg.solve(a, b, assume_a=assume_a, lower=lower)
    want = sla.solve(a, b, assume_a=assume_a, lower=lower)
    np.testing.assert_allclose(_np(got), want, rtol=1e-10)

    def twin(a, b):
        if assume_a in ("pos", "sym"):
            t = torch.tril(a) if lower else torch.triu(a)
            a = t + (torch.tril(a, -1) if lower else torch.triu(a, 1)).mT
        elif assume_a == "lower triangular":
            a = torch.tril(a)
        return torch.linalg.solve(a, b)

    check(
        lambda a, b: linalg.solve(a, b, assume_a=assume_a, lower=lower),
        a,
        b,
        torch_fn=twin,
        order=2,
    )


def test_wrappers_match_scipy_and_torch():
    a = _spd(3) + 0.5 * RNG.standard_normal((3, 3))
    np.testing.assert_allclose(_np(linalg.inv(a)), sla.inv(a), rtol=1e-12)
    np.testing.assert_allclose(float(linalg.det(a)), sla.det(a), rtol=1e-12)
    np.testing.assert_allclose(float(linalg.norm(a)), sla.norm(a), rtol=1e-12)
    np.testing.assert_allclose(_np(linalg.svd(a, compute_uv=False)), sla.svd(a, compute_uv=False))
    u, s, vh = linalg.svd(a)
    np.testing.assert_allclose(_np(u) * _np(s) @ _np(vh), a, atol=1e-12)
    check(linalg.inv, a, torch_fn=torch.linalg.inv, order=2)
    check(linalg.det, a, torch_fn=torch.linalg.det, order=2)
    check(lambda a: linalg.svd(a, compute_uv=False), a, torch_fn=torch.linalg.svdvals, order=2)


@pytest.mark.parametrize("lower", [True, False])
def test_eigh_reads_one_triangle_and_solves_the_pencil(lower):
    a = _spd(3) + np.triu(RNG.random((3, 3)), 1)
    b = _spd(3)
    w = linalg.eigh(a, lower=lower, eigvals_only=True)
    np.testing.assert_allclose(_np(w), sla.eigh(a, lower=lower, eigvals_only=True), rtol=1e-12)
    w2, v2 = linalg.eigh(a, b, lower=lower)
    want_w, want_v = sla.eigh(a, b, lower=lower)
    np.testing.assert_allclose(_np(w2), want_w, rtol=1e-10)
    np.testing.assert_allclose(np.abs(_np(v2)), np.abs(want_v), rtol=1e-8)
    sub = linalg.eigh(a, lower=lower, subset_by_index=(1, 2), eigvals_only=True)
    np.testing.assert_allclose(_np(sub), sla.eigh(a, lower=lower, subset_by_index=(1, 2))[0])

    def twin(a):
        t = torch.tril(a) if lower else torch.triu(a)
        return torch.linalg.eigvalsh(t + (torch.tril(a, -1) if lower else torch.triu(a, 1)).mT)

    check(lambda a: linalg.eigh(a, lower=lower, eigvals_only=True), a, torch_fn=twin, order=2)
    check(lambda a, b: linalg.eigvalsh(a, b, lower=lower), a, b, order=2)


def test_block_diag_matches_scipy_and_is_differentiable():
    x, y, z = RNG.standard_normal((2, 2)), RNG.standard_normal(3), np.array(5.0)
    np.testing.assert_array_equal(_np(linalg.block_diag(x, y, z)), sla.block_diag(x, y, z))
    check(linalg.block_diag, x, y, torch_fn=torch.block_diag, order=1)


def test_names_scipy_has_and_agrad_lacks_raise_a_clear_attribute_error():
    from agrad.scipy import integrate, signal

    for module, name in ((linalg, "qz"), (signal, "lfilter"), (integrate, "solve_ivp")):
        with pytest.raises(AttributeError, match=f"has no '{name}'; it offers"):
            getattr(module, name)
        assert not hasattr(module, name)
