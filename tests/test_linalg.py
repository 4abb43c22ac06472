"""The ``linalg`` extension against torch.autograd.

Each case calls an ``agrad.linalg`` function and its torch twin on the same random inputs,
built to keep the functions differentiable: invertible matrices, Hermitian positive-definite
ones for ``cholesky`` and ``eigh``, and random ones otherwise (their eigenvalues and singular
values are distinct). A case returns one or more arrays; the loss is
``sum_k sum(sin(out_k) * w_k)`` for fixed random ``w_k``, and order 2 differentiates
``sum_i sum(grad_i * v_i)``. Eigenvectors, singular vectors and ``Q`` are defined only up to
signs or phases, so their cases return quantities that do not depend on that choice
(``|V|**2``, ``U @ Vh``).

- float64: orders 1 and 2, to rounding;
- float32: order 1, looser tolerances;
- complex128: order 1, for the cases torch also supports on complex numbers.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest
import torch

import agrad
import agrad.linalg as la
from agrad._registry import TABLE
from agrad._spec import CATEGORIES
from agrad.errors import NotDifferentiableError

F64_TOL = {"rtol": 1e-7, "atol": 1e-9}
F32_TOL = {"rtol": 2e-3, "atol": 2e-3}
C128_TOL = F64_TOL


# -- inputs --------------------------------------------------------------------------------
Maker = Callable[[np.random.Generator, bool], Any]


def _normal(rng: np.random.Generator, shape: tuple[int, ...], cplx: bool) -> Any:
    x = rng.standard_normal(shape)
    if cplx:
        x = x + 1j * rng.standard_normal(shape)
    return x


def _eye(shape: tuple[int, ...]) -> Any:
    return np.broadcast_to(np.eye(shape[-1]), shape)


def normal(*shape: int) -> Maker:
    """Standard normal entries: distinct eigenvalues and singular values, full rank."""
    return lambda rng, cplx: _normal(rng, shape, cplx)


def invertible(*shape: int) -> Maker:
    """Normal entries plus ``n`` times the identity: well conditioned."""
    return lambda rng, cplx: _normal(rng, shape, cplx) + shape[-1] * _eye(shape)


def negative_det(*shape: int) -> Maker:
    """Invertible, with its first row negated (so the determinant changes sign)."""

    def make(rng: np.random.Generator, cplx: bool) -> Any:
        x = invertible(*shape)(rng, cplx)
        return np.concatenate([-x[..., :1, :], x[..., 1:, :]], axis=-2)

    return make


def spd(*shape: int) -> Maker:
    """Hermitian positive definite, ``B B^H / n + I``, with distinct eigenvalues."""

    def make(rng: np.random.Generator, cplx: bool) -> Any:
        b = _normal(rng, shape, cplx)
        return b @ np.conj(np.swapaxes(b, -1, -2)) / shape[-1] + _eye(shape)

    return make


# -- the case table --------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Case:
    """One call of an ``agrad.linalg`` function and the same call in torch."""

    id: str
    rule: str  # the name in agrad's rule table this case exercises
    f_agrad: Callable[..., Any]  # an array, or a tuple of them
    f_torch: Callable[..., Any]
    inputs: tuple[Maker, ...]
    cplx: bool = False  # also check complex128 at first order
    f32: bool = True  # also check float32 at first order


def _sq_agrad(t: Any) -> Any:
    """``|t|**2``: unchanged by the sign or phase of an eigen- or singular vector."""
    if agrad.isdtype(t.dtype, "complex floating"):
        return agrad.real(t * agrad.conj(t))
    return t * t


def _sq_torch(t: Any) -> Any:
    return (t * t.conj()).real if t.is_complex() else t * t


def _svd_agrad(full: bool, k: int | None = None) -> Callable[[Any], Any]:
    def f(x: Any) -> Any:
        u, s, vh = la.svd(x, full_matrices=full)
        if k is not None:
            u, vh = u[..., :k], vh[..., :k, :]
        return _sq_agrad(u), s, _sq_agrad(vh)

    return f


def _svd_torch(full: bool, k: int | None = None) -> Callable[[Any], Any]:
    def f(x: Any) -> Any:
        u, s, vh = torch.linalg.svd(x, full_matrices=full)
        if k is not None:
            u, vh = u[..., :k], vh[..., :k, :]
        return _sq_torch(u), s, _sq_torch(vh)

    return f


def _svd_polar_agrad(x: Any) -> Any:
    u, _, vh = la.svd(x, full_matrices=False)
    return u @ vh  # its gradient needs the term for the singular vectors' joint phase


def _svd_polar_torch(x: Any) -> Any:
    u, _, vh = torch.linalg.svd(x, full_matrices=False)
    return u @ vh


def _qr_agrad(mode: str) -> Callable[[Any], Any]:
    def f(x: Any) -> Any:
        q, r = la.qr(x, mode=mode)
        return _sq_agrad(q), _sq_agrad(r), q @ r

    return f


def _qr_torch(mode: str) -> Callable[[Any], Any]:
    def f(x: Any) -> Any:
        q, r = torch.linalg.qr(x, mode=mode)
        return _sq_torch(q), _sq_torch(r), q @ r

    return f


def _eigh_agrad(x: Any) -> Any:
    w, v = la.eigh(x)
    return w, _sq_agrad(v)


def _eigh_torch(x: Any) -> Any:
    w, v = torch.linalg.eigh(x)
    return w, _sq_torch(v)


def _eig_agrad(x: Any) -> Any:
    w, v = la.eig(x)
    return w, _sq_agrad(v)


def _eig_torch(x: Any) -> Any:
    w, v = torch.linalg.eig(x)
    return w, _sq_torch(v)


def _eig_reconstruct_agrad(x: Any) -> Any:
    w, v = la.eig(x)
    return (v * w[..., None, :]) @ la.inv(v)


def _eig_reconstruct_torch(x: Any) -> Any:
    w, v = torch.linalg.eig(x)
    return (v * w[..., None, :]) @ torch.linalg.inv(v)


def _torch_trace(offset: int) -> Callable[[Any], Any]:
    return lambda x: torch.diagonal(x, offset, dim1=-2, dim2=-1).sum(-1)


def _solve_vector_torch(a: Any, b: Any) -> Any:
    return torch.linalg.solve(a, b.unsqueeze(-1)).squeeze(-1)


def _vector_norm(ord: float, axis: Any = None, keepdims: bool = False, **kw: Any) -> Case:
    return Case(
        f"vector_norm-ord{ord}-axis{axis}" + ("-keepdims" if keepdims else ""),
        "linalg.vector_norm",
        lambda x: la.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord),
        lambda x: torch.linalg.vector_norm(x, ord=ord, dim=axis, keepdim=keepdims),
        (normal(2, 3, 4),),
        **kw,
    )


def _matrix_norm(ord: Any, keepdims: bool = False, **kw: Any) -> Case:
    return Case(
        f"matrix_norm-{ord}" + ("-keepdims" if keepdims else ""),
        "linalg.matrix_norm",
        lambda x: la.matrix_norm(x, keepdims=keepdims, ord=ord),
        lambda x: torch.linalg.matrix_norm(x, ord=ord, keepdim=keepdims),
        (normal(2, 4, 3),),
        **kw,
    )


def _diagonal(offset: int, shape: tuple[int, ...], **kw: Any) -> Case:
    return Case(
        f"diagonal-offset{offset}-{'x'.join(map(str, shape))}",
        "linalg.diagonal",
        lambda x: la.diagonal(x, offset=offset) * 2.0,
        lambda x: torch.linalg.diagonal(x, offset=offset) * 2.0,
        (normal(*shape),),
        **kw,
    )


def _matrix_power(n: int, **kw: Any) -> Case:
    return Case(
        f"matrix_power-{n}",
        "linalg.matrix_power",
        lambda x: la.matrix_power(x, n),
        lambda x: torch.linalg.matrix_power(x, n),
        (invertible(2, 3, 3),),
        **kw,
    )


CASES: list[Case] = [
    # -- inverse, solve, determinants ---------------------------------------------------
    Case("inv", "linalg.inv", la.inv, torch.linalg.inv, (invertible(3, 3),), cplx=True),
    Case("inv-batch", "linalg.inv", la.inv, torch.linalg.inv, (invertible(2, 3, 3),)),
    Case(
        "solve",
        "linalg.solve",
        la.solve,
        torch.linalg.solve,
        (invertible(3, 3), normal(3, 2)),
        cplx=True,
    ),
    Case(
        "solve-broadcast-b",
        "linalg.solve",
        la.solve,
        torch.linalg.solve,
        (invertible(2, 3, 3), normal(3, 4)),
    ),
    Case(
        "solve-broadcast-a",
        "linalg.solve",
        la.solve,
        torch.linalg.solve,
        (invertible(1, 3, 3), normal(2, 3, 4)),
        cplx=True,
    ),
    Case(
        "solve-vector",
        "linalg.solve",
        la.solve,
        _solve_vector_torch,
        (invertible(2, 3, 3), normal(3)),
        cplx=True,
    ),
    Case("det", "linalg.det", la.det, torch.linalg.det, (invertible(3, 3),), cplx=True),
    Case("det-batch", "linalg.det", la.det, torch.linalg.det, (negative_det(2, 4, 4),)),
    Case(
        "slogdet",
        "linalg.slogdet",
        la.slogdet,
        torch.linalg.slogdet,
        (negative_det(2, 3, 3),),
        cplx=True,
    ),
    Case(
        "slogdet-logabsdet",
        "linalg.slogdet",
        lambda x: la.slogdet(x).logabsdet,
        lambda x: torch.linalg.slogdet(x).logabsdet,
        (invertible(3, 3),),
        cplx=True,
    ),
    Case("pinv-square", "linalg.pinv", la.pinv, torch.linalg.pinv, (invertible(3, 3),)),
    Case("pinv-tall", "linalg.pinv", la.pinv, torch.linalg.pinv, (normal(2, 4, 3),), cplx=True),
    Case("pinv-wide", "linalg.pinv", la.pinv, torch.linalg.pinv, (normal(3, 5),), cplx=True),
    # -- decompositions ---------------------------------------------------------------------
    Case(
        "cholesky", "linalg.cholesky", la.cholesky, torch.linalg.cholesky, (spd(3, 3),), cplx=True
    ),
    Case(
        "cholesky-upper-batch",
        "linalg.cholesky",
        lambda x: la.cholesky(x, upper=True),
        lambda x: torch.linalg.cholesky(x, upper=True),
        (spd(2, 4, 4),),
        cplx=True,
    ),
    Case("eigh", "linalg.eigh", _eigh_agrad, _eigh_torch, (spd(2, 4, 4),), cplx=True),
    Case(
        "eigh-eigenvalues",
        "linalg.eigh",
        lambda x: la.eigh(x).eigenvalues,
        lambda x: torch.linalg.eigh(x).eigenvalues,
        (spd(3, 3),),
    ),
    Case(
        "eigh-eigenvectors",
        "linalg.eigh",
        lambda x: _sq_agrad(la.eigh(x).eigenvectors),
        lambda x: _sq_torch(torch.linalg.eigh(x).eigenvectors),
        (spd(3, 3),),
        cplx=True,
    ),
    Case(
        "eigvalsh",
        "linalg.eigvalsh",
        la.eigvalsh,
        torch.linalg.eigvalsh,
        (spd(2, 3, 3),),
        cplx=True,
    ),
    Case("eig", "linalg.eig", _eig_agrad, _eig_torch, (normal(2, 3, 3),), cplx=True),
    Case(
        "eig-reconstruct",
        "linalg.eig",
        _eig_reconstruct_agrad,
        _eig_reconstruct_torch,
        (normal(4, 4),),
        cplx=True,
    ),
    Case("eigvals", "linalg.eigvals", la.eigvals, torch.linalg.eigvals, (normal(4, 4),), cplx=True),
    Case("qr-tall", "linalg.qr", _qr_agrad("reduced"), _qr_torch("reduced"), (normal(4, 3),)),
    Case(
        "qr-square-batch",
        "linalg.qr",
        _qr_agrad("reduced"),
        _qr_torch("reduced"),
        (normal(2, 3, 3),),
        cplx=True,
    ),
    Case(
        "qr-tall-batch",
        "linalg.qr",
        _qr_agrad("reduced"),
        _qr_torch("reduced"),
        (normal(2, 5, 3),),
        cplx=True,
    ),
    Case(
        "qr-wide",
        "linalg.qr",
        _qr_agrad("reduced"),
        _qr_torch("reduced"),
        (normal(3, 5),),
        cplx=True,
    ),
    Case(
        # Q and R themselves, not only gauge-free functions of them: the R diagonal is real,
        # so only the real part of the diagonal term reaches the gradient
        "qr-factors",
        "linalg.qr",
        lambda x: tuple(la.qr(x)),
        lambda x: tuple(torch.linalg.qr(x)),
        (normal(4, 3),),
        cplx=True,
    ),
    Case(
        "qr-wide-complete",
        "linalg.qr",
        _qr_agrad("complete"),
        _qr_torch("complete"),
        (normal(2, 3, 4),),
    ),
    Case("svd-tall", "linalg.svd", _svd_agrad(False), _svd_torch(False), (normal(4, 3),)),
    Case(
        "svd-wide-batch",
        "linalg.svd",
        _svd_agrad(False),
        _svd_torch(False),
        (normal(2, 3, 5),),
        cplx=True,
    ),
    Case(
        "svd-square",
        "linalg.svd",
        _svd_agrad(False),
        _svd_torch(False),
        (normal(3, 3),),
        cplx=True,
    ),
    Case(
        "svd-full-matrices",
        "linalg.svd",
        _svd_agrad(True, 3),
        _svd_torch(True, 3),
        (normal(5, 3),),
        cplx=True,
    ),
    Case("svd-polar", "linalg.svd", _svd_polar_agrad, _svd_polar_torch, (normal(4, 3),), cplx=True),
    Case(
        "svdvals",
        "linalg.svdvals",
        la.svdvals,
        torch.linalg.svdvals,
        (normal(2, 3, 4),),
        cplx=True,
    ),
    # -- products ---------------------------------------------------------------------------
    Case("cross", "linalg.cross", la.cross, torch.linalg.cross, (normal(3), normal(3)), cplx=True),
    Case(
        "cross-broadcast-axis",
        "linalg.cross",
        lambda a, b: la.cross(a, b, axis=-2),
        lambda a, b: torch.linalg.cross(a[None], b, dim=-2),  # torch wants equal ndim
        (normal(3, 4), normal(2, 3, 4)),
        cplx=True,
    ),
    Case("outer", "linalg.outer", la.outer, torch.outer, (normal(3), normal(4)), cplx=True),
    Case(
        "matmul",
        "linalg.matmul",
        la.matmul,
        torch.matmul,
        (normal(2, 3, 4), normal(4, 2)),
        cplx=True,
    ),
    Case(
        "matrix_transpose",
        "linalg.matrix_transpose",
        lambda x: la.matrix_transpose(x) * x[..., :1],
        lambda x: x.mT * x[..., :1],
        (normal(2, 3, 3),),
    ),
    Case(
        "tensordot",
        "linalg.tensordot",
        lambda a, b: la.tensordot(a, b, axes=1),
        lambda a, b: torch.tensordot(a, b, dims=1),
        (normal(2, 3), normal(3, 4)),
    ),
    Case(
        "vecdot",
        "linalg.vecdot",
        la.vecdot,
        torch.linalg.vecdot,
        (normal(2, 3), normal(3)),
        cplx=True,
    ),
    _matrix_power(2, cplx=True),
    _matrix_power(3),
    _matrix_power(1),
    _matrix_power(-2),
    # -- diagonals --------------------------------------------------------------------------
    _diagonal(0, (3, 4), cplx=True),
    _diagonal(1, (3, 4)),
    _diagonal(2, (2, 4, 3)),
    _diagonal(-1, (3, 4)),
    _diagonal(-2, (2, 4, 3), cplx=True),
    Case(
        "trace",
        "linalg.trace",
        la.trace,
        _torch_trace(0),
        (normal(2, 3, 3),),
        cplx=True,
    ),
    Case(
        "trace-offset",
        "linalg.trace",
        lambda x: la.trace(x, offset=-1),
        _torch_trace(-1),
        (normal(3, 4),),
    ),
    # -- norms ------------------------------------------------------------------------------
    _vector_norm(2, cplx=True),
    _vector_norm(2, axis=1),
    _vector_norm(2, axis=(0, 2), keepdims=True, cplx=True),
    _vector_norm(1, axis=-1, cplx=True),
    _vector_norm(math.inf, axis=(1, 2), cplx=True),
    _vector_norm(-math.inf, axis=0),
    _vector_norm(3, axis=-1, cplx=True),
    _vector_norm(1.5),
    _vector_norm(0.5, axis=1),
    _vector_norm(-1, axis=-1, cplx=True),
    _vector_norm(0, axis=-1),
    _matrix_norm("fro", cplx=True),
    _matrix_norm("fro", keepdims=True),
    _matrix_norm("nuc", cplx=True),
    _matrix_norm(2, cplx=True),
    _matrix_norm(-2, keepdims=True),
    _matrix_norm(1),
    _matrix_norm(-1, cplx=True),
    _matrix_norm(math.inf, keepdims=True, cplx=True),
    _matrix_norm(-math.inf),
]


# -- the comparison -----------------------------------------------------------------------------
def _as_tuple(out: Any) -> tuple[Any, ...]:
    return tuple(out) if isinstance(out, tuple) else (out,)


def _draw_like(rng: np.random.Generator, t: Any) -> Any:
    return _normal(rng, tuple(t.shape), t.is_complex()).astype(t.detach().numpy().dtype)


def _loss(outs: tuple[Any, ...], ws: list[Any], lib: Any, convert: Any) -> Any:
    total = 0.0
    for out, w in zip(outs, ws, strict=True):
        term = lib.sum(lib.sin(out) * convert(w))
        total = total + (lib.real(term) if w.dtype.kind == "c" else term)
    return total


def _assert_grad(actual: Any, expected: Any, x: Any, where: str, tol: Mapping[str, float]) -> None:
    """``actual`` (agrad) matches ``expected`` (torch); ``None`` reads as zeros."""
    zeros = np.zeros(x.shape, x.dtype)
    if actual is not None:
        assert actual.shape == x.shape, f"{where}: shape {actual.shape}, input has {x.shape}"
        assert actual.array.dtype == x.dtype, f"{where}: dtype {actual.array.dtype} != {x.dtype}"
        actual = np.asarray(actual.array)
    expected = zeros if expected is None else expected.detach().resolve_conj().numpy()
    np.testing.assert_allclose(zeros if actual is None else actual, expected, err_msg=where, **tol)


def _grads(lib: str, loss: Any, xs: list[Any], create: bool) -> tuple[Any, ...]:
    if lib == "agrad":
        if not loss.requires_grad:
            return (None,) * len(xs)
        return tuple(agrad.grad([loss], xs, create_graph=create, allow_unused=True))
    if not loss.requires_grad:
        return (None,) * len(xs)
    return torch.autograd.grad([loss], xs, create_graph=create, allow_unused=True)


def _check_against_torch(case: Case, dtype: Any, order: int, tol: Mapping[str, float]) -> None:
    rng = np.random.default_rng(zlib.crc32(case.id.encode()))
    cplx = np.dtype(dtype).kind == "c"
    arrays = [np.asarray(make(rng, cplx)).astype(dtype) for make in case.inputs]
    a_xs = [agrad.tensor(a, requires_grad=True) for a in arrays]
    t_xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    a_outs = _as_tuple(case.f_agrad(*a_xs))
    t_outs = _as_tuple(case.f_torch(*t_xs))
    assert len(a_outs) == len(t_outs)
    for k, (a_out, t_out) in enumerate(zip(a_outs, t_outs, strict=True)):
        expected = t_out.detach().resolve_conj().numpy()
        assert a_out.shape == expected.shape, f"output {k} shape"
        assert a_out.array.dtype == expected.dtype, f"output {k} dtype"
        np.testing.assert_allclose(a_out.array, expected, err_msg=f"forward {k}", **tol)

    ws = [_draw_like(rng, t) for t in t_outs]
    a_loss = _loss(a_outs, ws, agrad, agrad.asarray)
    t_loss = _loss(t_outs, ws, torch, torch.tensor)
    for k in range(order):
        create = k + 1 < order
        a_gs = _grads("agrad", a_loss, a_xs, create)
        t_gs = _grads("torch", t_loss, t_xs, create)
        for i, (a_g, t_g) in enumerate(zip(a_gs, t_gs, strict=True)):
            _assert_grad(a_g, t_g, arrays[i], f"order {k + 1}, input {i}", tol)
        # the next order differentiates sum_i sum(grad_i * v_i)
        vs = [_normal(rng, a.shape, cplx).astype(dtype) for a in arrays]
        a_loss = sum(
            (agrad.sum(g * v) for g, v in zip(a_gs, vs, strict=True) if g is not None),
            start=agrad.asarray(0.0),
        )
        t_loss = sum(
            (
                torch.sum(g * torch.tensor(v))
                for g, v in zip(t_gs, vs, strict=True)
                if g is not None
            ),
            start=torch.tensor(0.0, dtype=torch.float64),
        )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_float64_to_second_order(case: Case) -> None:
    _check_against_torch(case, np.float64, 2, F64_TOL)


@pytest.mark.parametrize("case", [c for c in CASES if c.f32], ids=[c.id for c in CASES if c.f32])
def test_float32_first_and_second_order(case: Case) -> None:
    _check_against_torch(case, np.float32, 2, F32_TOL)


_COMPLEX = [c for c in CASES if c.cplx]


@pytest.mark.parametrize("case", _COMPLEX, ids=[c.id for c in _COMPLEX])
def test_complex128_first_order(case: Case) -> None:
    _check_against_torch(case, np.complex128, 1, C128_TOL)


# -- special points, errors, the API ------------------------------------------------------------
def test_vector_norm_and_frobenius_gradient_at_zero_is_zero_as_in_torch() -> None:
    x = np.zeros((2, 3))
    x[1] = [1.0, -2.0, 2.0]
    a = agrad.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    for a_f, t_f in [
        (la.vector_norm(a, axis=-1), torch.linalg.vector_norm(t, dim=-1)),
        (la.vector_norm(a[0]), torch.linalg.vector_norm(t[0])),
        (la.matrix_norm(a[:, None] * 0.0), torch.linalg.matrix_norm(t[:, None] * 0.0)),
    ]:
        (a_g,) = agrad.grad([agrad.sum(a_f)], [a])
        (t_g,) = torch.autograd.grad([t_f.sum()], [t])
        np.testing.assert_allclose(a_g.array, t_g.numpy())
        assert np.isfinite(a_g.array).all()


def test_qr_complete_with_more_rows_than_columns_is_not_differentiable() -> None:
    x = agrad.tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    q, _ = la.qr(x, mode="complete")
    assert q.shape == (4, 4)
    with pytest.raises(NotDifferentiableError, match="mode='reduced'"):
        agrad.sum(q * q).backward()


def test_matrix_rank_has_no_gradient() -> None:
    x = agrad.tensor([[1.0, 2.0], [2.0, 4.0]], requires_grad=True)
    rank = la.matrix_rank(x)
    assert rank.item() == 1
    assert not rank.requires_grad
    diag = agrad.asarray([[1.0, 0.0], [0.0, 0.1]])
    assert la.matrix_rank(diag, rtol=0.05).item() == 2
    assert la.matrix_rank(diag, rtol=agrad.asarray(0.5)).item() == 1


def test_matrix_power_zero_is_the_identity() -> None:
    x = agrad.tensor(np.ones((2, 3, 3)), requires_grad=True)
    np.testing.assert_array_equal(
        la.matrix_power(x, 0).array, np.broadcast_to(np.eye(3), (2, 3, 3))
    )


def test_results_are_named_tuples() -> None:
    x = agrad.asarray(invertible(3, 3)(np.random.default_rng(1), False))
    assert la.eigh(x).eigenvectors.shape == (3, 3)
    assert la.eig(x).eigenvalues.dtype == agrad.complex128
    assert la.qr(x).R.shape == (3, 3)
    assert la.svd(x).Vh.shape == (3, 3)
    assert la.slogdet(x).logabsdet.shape == ()


def test_forward_matches_the_backend() -> None:
    import array_api_compat.numpy as xp

    a = invertible(2, 3, 3)(np.random.default_rng(2), False)
    x = agrad.asarray(a)
    np.testing.assert_allclose(
        la.matrix_norm(x, ord="nuc").array, xp.linalg.matrix_norm(a, ord="nuc")
    )
    np.testing.assert_allclose(la.matrix_power(x, -3).array, xp.linalg.matrix_power(a, -3))
    np.testing.assert_allclose(la.trace(x, offset=1).array, xp.linalg.trace(a, offset=1))
    np.testing.assert_allclose(la.pinv(x, rtol=0.9).array, xp.linalg.pinv(a, rtol=0.9))


#: the 2025.12 standard's signatures: (name, kind, default) per parameter
_P, _K, _E = "POSITIONAL_ONLY", "KEYWORD_ONLY", inspect.Parameter.empty
SIGNATURES: dict[str, list[tuple[str, str, Any]]] = {
    "cholesky": [("x", _P, _E), ("upper", _K, False)],
    "cross": [("x1", _P, _E), ("x2", _P, _E), ("axis", _K, -1)],
    "det": [("x", _P, _E)],
    "diagonal": [("x", _P, _E), ("offset", _K, 0)],
    "eig": [("x", _P, _E)],
    "eigh": [("x", _P, _E)],
    "eigvals": [("x", _P, _E)],
    "eigvalsh": [("x", _P, _E)],
    "inv": [("x", _P, _E)],
    "matmul": [("x1", _P, _E), ("x2", _P, _E)],
    "matrix_norm": [("x", _P, _E), ("keepdims", _K, False), ("ord", _K, "fro")],
    "matrix_power": [("x", _P, _E), ("n", _P, _E)],
    "matrix_rank": [("x", _P, _E), ("rtol", _K, None)],
    "matrix_transpose": [("x", _P, _E)],
    "outer": [("x1", _P, _E), ("x2", _P, _E)],
    "pinv": [("x", _P, _E), ("rtol", _K, None)],
    "qr": [("x", _P, _E), ("mode", _K, "reduced")],
    "slogdet": [("x", _P, _E)],
    "solve": [("x1", _P, _E), ("x2", _P, _E)],
    "svd": [("x", _P, _E), ("full_matrices", _K, True)],
    "svdvals": [("x", _P, _E)],
    "tensordot": [("x1", _P, _E), ("x2", _P, _E), ("axes", _K, 2)],
    "trace": [("x", _P, _E), ("offset", _K, 0), ("dtype", _K, None)],
    "vecdot": [("x1", _P, _E), ("x2", _P, _E), ("axis", _K, -1)],
    "vector_norm": [("x", _P, _E), ("axis", _K, None), ("keepdims", _K, False), ("ord", _K, 2)],
}


def test_every_linalg_function_exists_with_the_standards_signature() -> None:
    names = [n.removeprefix("linalg.") for n in CATEGORIES["linalg"]]
    assert sorted(names) == sorted(SIGNATURES)
    for name in names:
        params = inspect.signature(getattr(la, name)).parameters.values()
        got = [(p.name, p.kind.name, p.default) for p in params]
        assert got == SIGNATURES[name], name
        assert ">>>" in (getattr(la, name).__doc__ or ""), f"`linalg.{name}` has no example"


def test_every_linalg_rule_has_a_case() -> None:
    ruled = {n for n, r in TABLE.items() if n.startswith("linalg.") and not r.nondiff}
    missing = sorted(ruled - {case.rule for case in CASES})
    assert not missing, f"linalg rules without a case: {missing}"
    assert {c.rule for c in CASES} <= ruled
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("device", ["numpy", "torch:cpu"])
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (2, 0, 0)])
def test_matrix_rank_of_an_empty_matrix_is_zero_as_torch(
    device: str, shape: tuple[int, ...]
) -> None:
    x = agrad.asarray(np.zeros(shape), device=device)
    rank = la.matrix_rank(x)
    expected = torch.linalg.matrix_rank(torch.zeros(shape, dtype=torch.float64))
    assert rank.shape == tuple(expected.shape)
    assert rank.dtype == agrad.int64
    np.testing.assert_array_equal(np.asarray(rank.to_device("numpy").array), expected.numpy())
