"""``agrad.numpy`` (door 3), and NumPy's own functions on tensors (door 2), against NumPy.

Each case is a function of a namespace ``m`` and some float64 arrays. It runs three ways:
with NumPy on NumPy arrays (the reference), with ``agrad.numpy`` on tensors, and, where NumPy
hands the call to the tensors (``__array_function__`` / ``__array_ufunc__``), with NumPy
itself on tensors. The tensors' values must equal NumPy's, and the gradients of
``sum(out * w)`` (fixed random ``w``) must equal central finite differences of the NumPy
run: the oracle is NumPy's own function, not agrad.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import agrad
import agrad.numpy as anp

RNG = np.random.default_rng(0)
TOL = {"rtol": 1e-6, "atol": 1e-7}


def normal(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


def positive(*shape: int) -> np.ndarray:
    return RNG.uniform(0.5, 2.0, shape)


def spd(n: int) -> np.ndarray:
    a = RNG.standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    fn: Callable[..., Any]
    inputs: tuple[np.ndarray, ...]
    door2: bool = True  # NumPy itself dispatches this call to tensors
    grad: bool = True  # finite differences can check the gradient (not in float32)


def case(
    id: str, fn: Callable[..., Any], *inputs: np.ndarray, door2: bool = True, grad: bool = True
) -> Any:
    return pytest.param(Case(id, fn, inputs, door2, grad), id=id)


A = normal(3, 4)
NAN = np.array([1.0, np.nan, 3.0, -2.0, 0.5])
INF = np.array([1.0, np.nan, np.inf, -np.inf, 0.5])

CASES = [
    # -- ufuncs, their keywords and methods
    case("sin", lambda m, a: m.sin(a), A),
    case("arcsinh", lambda m, a: m.arcsinh(a), A),
    case("power", lambda m, a, b: m.power(a, b), positive(3, 4), normal(4)),
    case("float_power", lambda m, a: m.float_power(a, 1.5), positive(3, 4)),
    case("exp2", lambda m, a: m.exp2(a), A),
    case("cbrt", lambda m, a: m.cbrt(a), A),
    case("deg2rad", lambda m, a: m.deg2rad(a), A),
    case("logaddexp", lambda m, a, b: m.logaddexp(a, b), A, normal(4)),
    case("logaddexp2", lambda m, a: m.logaddexp2(a, 1.0), A),
    case("hypot", lambda m, a, b: m.hypot(a, b), A, normal(3, 1)),
    case("arctan2", lambda m, a, b: m.arctan2(a, b), A, normal(3, 4)),
    case("fmod", lambda m, a, b: m.fmod(a * 5, b), A, positive(4)),
    case("remainder", lambda m, a: m.remainder(a * 5, 1.5), A),
    case("fmax", lambda m, a: m.fmax(a, 0.1), NAN),
    case("maximum", lambda m, a, b: m.maximum(a, b), A, normal(4)),
    case("heaviside", lambda m, a, b: m.heaviside(m.round(a), b), A, normal(3, 4)),
    case("ldexp", lambda m, a: m.ldexp(a, 3), A),
    case("copysign", lambda m, a, b: m.copysign(a, b), A, normal(3, 4)),
    case("divmod", lambda m, a: m.divmod(a * 3, 2.0), A),
    case("modf", lambda m, a: m.modf(a * 3), A),
    case("matmul", lambda m, a, b: m.matmul(a, b), A, normal(4, 2)),
    case("matvec", lambda m, a, b: m.matvec(a, b), A, normal(4)),
    case("vecmat", lambda m, a, b: m.vecmat(a, b), normal(3), A),
    case("vecdot", lambda m, a, b: m.vecdot(a, b), A, normal(4)),
    case("out", lambda m, a: m.sin(a, out=m.zeros_like(a)), A),
    case("where-out", lambda m, a: m.divide(1.0, a, out=m.ones_like(a), where=a > 0), A),
    case("dtype", lambda m, a: m.add(a, 1, dtype=m.float32), A, grad=False),
    case("outer", lambda m, a, b: m.subtract.outer(a, b), normal(3), normal(2)),
    case("reduce-add", lambda m, a: m.add.reduce(a, axis=1), A),
    case("reduce-logaddexp", lambda m, a: m.logaddexp.reduce(a, axis=1, keepdims=True), A),
    case("reduce-hypot", lambda m, a: m.hypot.reduce(a, axis=None), A),
    case("accumulate-max", lambda m, a: m.maximum.accumulate(a, axis=1), A),
    case("accumulate-mul", lambda m, a: m.multiply.accumulate(a), A),
    # -- reductions and statistics
    case("sum", lambda m, a: m.sum(a, axis=1, keepdims=True), A),
    case("sum-where", lambda m, a: m.sum(a, where=a > 0, initial=1.0), A),
    case("prod", lambda m, a: m.prod(a, axis=0), A),
    case("mean", lambda m, a: m.mean(a, axis=(0, 1)), A),
    case("mean-where", lambda m, a: m.mean(a, axis=0, where=a > -0.5), A),
    case("std-ddof", lambda m, a: m.std(a, axis=0, ddof=1), A),
    case("var", lambda m, a: m.var(a), A),
    case("max-initial", lambda m, a: m.max(a, axis=0, initial=0.5), A),
    case("amin", lambda m, a: m.amin(a, axis=1), A),
    case("ptp", lambda m, a: m.ptp(a, axis=1), A),
    case("cumsum", lambda m, a: m.cumsum(a), A),
    case("cumprod", lambda m, a: m.cumprod(a, axis=1), A),
    case("cumulative_sum", lambda m, a: m.cumulative_sum(a, axis=1, include_initial=True), A),
    case("median", lambda m, a: m.median(a, axis=1), A),
    case("median-even", lambda m, a: m.median(a), A),
    case("quantile", lambda m, a: m.quantile(a, [0.1, 0.5, 0.9], axis=0), A),
    case("percentile", lambda m, a: m.percentile(a, 30, axis=1, keepdims=True), A),
    case("quantile-midpoint", lambda m, a: m.quantile(a, 0.37, method="midpoint"), A),
    case("average", lambda m, a, w: m.average(a, axis=1, weights=w), A, positive(4)),
    case("cov", lambda m, a: m.cov(a), A),
    case("cov-rowvar", lambda m, a: m.cov(a, rowvar=False, ddof=0), A),
    case("cov-weights", lambda m, a: m.cov(a, fweights=[1, 2, 1, 3], aweights=[0.5, 1, 2, 1]), A),
    case("corrcoef", lambda m, a: m.corrcoef(a), A),
    case("nansum", lambda m, a: m.nansum(a), NAN),
    case("nanmean", lambda m, a: m.nanmean(a), NAN),
    case("nanstd", lambda m, a: m.nanstd(a, ddof=1), NAN),
    case("nanmax", lambda m, a: m.nanmax(a), NAN),
    case("diff", lambda m, a: m.diff(a, n=2, axis=1), A),
    case("diff-prepend", lambda m, a: m.diff(a, prepend=0.0), A),
    case("ediff1d", lambda m, a: m.ediff1d(a, to_begin=[9.0]), normal(5)),
    case("gradient", lambda m, a: m.gradient(a, 0.5, axis=1), A),
    case("gradient-all", lambda m, a: m.gradient(a), A),
    case("trapezoid", lambda m, a, x: m.trapezoid(a, x=m.cumsum(x)), A, positive(4)),
    case("argmax", lambda m, a: m.argmax(a, axis=1), A),
    case("count_nonzero", lambda m, a: m.count_nonzero(a > 0, axis=0), A),
    # -- shapes, joining, splitting
    case("reshape-F", lambda m, a: m.reshape(a, (2, 6), order="F"), A),
    case("transpose", lambda m, a: m.transpose(a), A),
    case("swapaxes", lambda m, a: m.swapaxes(a, 0, 1), A),
    case("expand_dims", lambda m, a: m.expand_dims(a, (0, 3)), A),
    case("squeeze", lambda m, a: m.squeeze(m.expand_dims(a, 0)), A),
    case("atleast_3d", lambda m, a: m.atleast_3d(a), normal(4)),
    case("tile", lambda m, a: m.tile(a, (2, 1, 2)), A),
    case("repeat", lambda m, a: m.repeat(a, [1, 2, 0], axis=0), A),
    case("flip", lambda m, a: m.flip(a), A),
    case("roll", lambda m, a: m.roll(a, (1, -1), axis=(0, 1)), A),
    case("rot90", lambda m, a: m.rot90(a, 3), A),
    case("concatenate", lambda m, a, b: m.concatenate([a, b], axis=None), A, normal(2)),
    case("stack", lambda m, a, b: m.stack([a, b], axis=2), A, normal(3, 4)),
    case("hstack", lambda m, a, b: m.hstack([a, b]), A, normal(3, 2)),
    case("vstack", lambda m, a, b: m.vstack([a, b]), normal(4), A),
    case("column_stack", lambda m, a, b: m.column_stack([a, b]), normal(4), normal(4)),
    case("block", lambda m, a, b: m.block([[a, a], [b, b]]), A, normal(1, 4)),
    case("split", lambda m, a: m.split(a, [1, 3], axis=1)[2], A),
    case("array_split", lambda m, a: m.array_split(a, 3, axis=1)[0], A),
    case("append", lambda m, a, b: m.append(a, b, axis=0), A, normal(1, 4)),
    case("delete", lambda m, a: m.delete(a, [0, 2], axis=1), A),
    case("insert", lambda m, a, b: m.insert(a, [1, 3], b), normal(5), normal(2)),
    case("pad-constant", lambda m, a: m.pad(a, ((1, 2), (0, 1)), constant_values=3.0), A),
    case("pad-reflect", lambda m, a: m.pad(a, (2, 3), mode="reflect"), A),
    case("pad-symmetric", lambda m, a: m.pad(a, 1, mode="symmetric"), A),
    case("pad-wrap", lambda m, a: m.pad(a, (1, 5), mode="wrap"), A),
    case("pad-edge", lambda m, a: m.pad(a, 2, mode="edge"), A),
    # -- indexing, selection, sorting
    case("take", lambda m, a: m.take(a, [[0, 1], [2, 2]], axis=1), A),
    case("take-flat-wrap", lambda m, a: m.take(a, [5, -13, 5], mode="wrap"), A),
    case("take_along_axis", lambda m, a: m.take_along_axis(a, m.argsort(a, axis=1), axis=1), A),
    case("where", lambda m, a, b: m.where(a > 0, a, b), A, normal(4)),
    case("nonzero", lambda m, a: m.nonzero(a > 0)[1], A),
    case("select", lambda m, a: m.select([a < -0.5, a > 0.5], [a * 2, a**2], -1.0), A),
    case(
        "piecewise",
        lambda m, a: m.piecewise(a, [a < 0, a >= 0], [lambda x: m.sqrt(-x), lambda x: x**2]),
        A,
    ),
    case("extract", lambda m, a: m.extract(a > 0, a), A),
    case("sort", lambda m, a: m.sort(a, axis=0), A),
    case("sort-flat", lambda m, a: m.sort(a, axis=None), A),
    case("searchsorted", lambda m, a: m.searchsorted(m.sort(a, axis=None), [0.0, 1.0]), A),
    case("digitize", lambda m, a: m.digitize(a, [1.0, 0.0, -1.0], right=True), A),
    case("unique", lambda m, a: m.unique(m.round(a), return_counts=True), A),
    case("diag-vector", lambda m, a: m.diag(a, k=-2), normal(4)),
    case("diag-matrix", lambda m, a: m.diag(a, k=1), A),
    case("diagonal", lambda m, a: m.diagonal(m.reshape(a, (2, 2, 3)), 0, 0, 2), A),
    case("trace", lambda m, a: m.trace(a, 1), A),
    case("tril", lambda m, a: m.tril(a, -1), A),
    case("unravel_index", lambda m, a: m.unravel_index(m.argmax(a), a.shape)[1], A),
    case("bincount", lambda m, w: m.bincount([0, 1, 1, 3, 0], weights=w), normal(5)),
    case("add.at", lambda m, a, b: _add_at(m, a, b), A, normal(5)),
    case("apply_along_axis", lambda m, a: m.apply_along_axis(lambda r: r**2 + 1, 1, a), A),
    case("isin", lambda m, a: m.isin(m.round(a), [0.0, 1.0]), A),
    # -- elementwise helpers
    case("clip", lambda m, a: m.clip(a, -0.5, 0.5), A),
    case("clip-tensor-bound", lambda m, a, b: m.clip(a, a_min=None, a_max=b), A, normal(4)),
    case("round", lambda m, a: m.round(a, 2), A),
    case("nan_to_num", lambda m, a: m.nan_to_num(a + INF, posinf=5.0, neginf=-4.0), normal(5)),
    case("sinc", lambda m, a: m.sinc(a), A),
    case("angle", lambda m, a: m.angle(a), A),
    case("interp", lambda m, x, fp: m.interp(x, [-1.0, 0.0, 2.0], fp), A, normal(3)),
    case("interp-edges", lambda m, x: m.interp(x, [-0.5, 0.0, 0.5], [1.0, 3.0, -1.0], -9, 9), A),
    case("convolve", lambda m, a, v: m.convolve(a, v), normal(5), normal(3)),
    case("convolve-same", lambda m, a, v: m.convolve(a, v, "same"), normal(3), normal(5)),
    case("correlate", lambda m, a, v: m.correlate(a, v, "full"), normal(5), normal(3)),
    case("polyval", lambda m, p, x: m.polyval(p, x), normal(3), A),
    # -- products
    case("dot", lambda m, a, b: m.dot(a, b), A, normal(4, 2)),
    case("dot-nd", lambda m, a, b: m.dot(a, b), normal(3, 2, 2), normal(2, 2, 3)),
    case("dot-vector", lambda m, a, b: m.dot(a, b), normal(4), A.T.copy()),
    case("vdot", lambda m, a, b: m.vdot(a, b), A, normal(3, 4)),
    case("inner", lambda m, a, b: m.inner(a, b), A, normal(2, 4)),
    case("outer", lambda m, a, b: m.outer(a, b), A, normal(2)),
    case("tensordot", lambda m, a, b: m.tensordot(a, b, axes=(1, 0)), A, normal(4, 2)),
    case("kron", lambda m, a, b: m.kron(a, b), normal(2, 3), normal(2, 2)),
    case("cross", lambda m, a, b: m.cross(a, b), normal(4, 3), normal(3)),
    case("einsum-matmul", lambda m, a, b: m.einsum("ij,kj->ik", a, b), A, normal(2, 4)),
    case("einsum-trace", lambda m, a: m.einsum("ii", a), normal(3, 3)),
    case("einsum-diagonal", lambda m, a: m.einsum("ii->i", a), normal(3, 3)),
    case("einsum-implicit", lambda m, a, b: m.einsum("ij,jk", a, b), A, normal(4, 2)),
    case("einsum-ellipsis", lambda m, a, b: m.einsum("...j,j->...", a, b), A, normal(4)),
    case(
        "einsum-chain",
        lambda m, a, b, c: m.einsum("ij,jk,kl->il", a, b, c),
        A,
        normal(4, 2),
        normal(2, 3),
    ),
    case(
        "einsum-broadcast",
        lambda m, a, b: m.einsum("bij,bjk->bik", a, b),
        normal(1, 2, 3),
        normal(3, 3, 2),
    ),
    case(
        "einsum-sublists", lambda m, a, b: m.einsum(a, [0, 1], b, [2, 1], [0, 2]), A, normal(2, 4)
    ),
    case("einsum-sum", lambda m, a, b: m.einsum("ij,j,k->ik", a, b, b[:2]), A, normal(4)),
    # -- creation
    case("linspace", lambda m: m.linspace(0, 1, 7), door2=False),
    case("linspace-tensors", lambda m, a, b: m.linspace(a, b, 5, axis=1), normal(3), normal(3)),
    case("logspace", lambda m: m.logspace(0, 2, 4), door2=False),
    case("geomspace", lambda m: m.geomspace(1, 100, 3), door2=False),
    case("arange", lambda m: m.arange(0.0, 1.0, 0.25), door2=False),
    case("eye", lambda m: m.eye(3, 4, k=1), door2=False),
    case("tri", lambda m: m.tri(3, 4, -1), door2=False),
    case("mgrid", lambda m: m.mgrid[0:2, 0:3], door2=False),
    case("indices", lambda m: m.indices((2, 3)), door2=False),
    case("meshgrid", lambda m, a, b: m.meshgrid(a, b, indexing="ij"), normal(3), normal(2)),
    case("meshgrid-sparse", lambda m, a, b: m.meshgrid(a, b, sparse=True)[0], normal(3), normal(2)),
    case("full_like", lambda m, a: m.full_like(a, 2) + a, A),
    case("array", lambda m, a: m.array([a[0] * 2, a[1] + 1]), normal(2), door2=False),
    case("array-ndmin", lambda m, a: m.array(a, ndmin=3), normal(2), door2=False),
    case("copy", lambda m, a: m.copy(a) * 2, A),
    case("ix_", lambda m, a: a[m.ix_([0, 2], [1, 3])], A),
    case("tril_indices", lambda m, a: a[m.tril_indices(3)], normal(3, 3), door2=False),
    # -- linalg
    case("norm", lambda m, a: m.linalg.norm(a), A),
    case("norm-axis", lambda m, a: m.linalg.norm(a, axis=1), A),
    case("norm-1", lambda m, a: m.linalg.norm(a, 1), A),
    case("norm-inf", lambda m, a: m.linalg.norm(a, np.inf), normal(4)),
    case("norm-nuc", lambda m, a: m.linalg.norm(a, "nuc"), A),
    case("norm-keepdims", lambda m, a: m.linalg.norm(a, axis=(0, 1), keepdims=True), A),
    case("solve", lambda m, a, b: m.linalg.solve(a, b), spd(3), normal(3)),
    case("inv", lambda m, a: m.linalg.inv(a), spd(3)),
    case("det", lambda m, a: m.linalg.det(a), normal(3, 3)),
    case("slogdet", lambda m, a: m.linalg.slogdet(a)[1], normal(3, 3)),
    # perturbing one entry of a symmetric matrix leaves the symmetric ones: these cases build
    # their symmetric input from an unconstrained one
    case("cholesky", lambda m, a: m.linalg.cholesky(_sym(m, a)), normal(3, 3)),
    case("eigh", lambda m, a: m.linalg.eigh(_sym(m, a))[0], normal(3, 3)),
    # NumPy reads the upper triangle; its eigenvectors' signs are LAPACK's for that triangle
    case("eigh-upper-vectors", lambda m, a: m.linalg.eigh(a, "U")[1], normal(4, 4)),
    case("eigvalsh-upper", lambda m, a: m.linalg.eigvalsh(_sym(m, a), UPLO="U"), normal(3, 3)),
    case("svd-values", lambda m, a: m.linalg.svd(a, compute_uv=False), A),
    case("svd-reconstruct", lambda m, a: _svd_product(m, a), A),
    case("qr", lambda m, a: m.abs(m.linalg.qr(a, mode="r")), normal(4, 3)),
    case("pinv", lambda m, a: m.linalg.pinv(a), A),
    case("lstsq", lambda m, a, b: m.linalg.lstsq(a, b)[0], normal(4, 3), normal(4)),
    case("multi_dot", lambda m, a, b: m.linalg.multi_dot([a, b, a.T]), A, normal(4, 4)),
    case("cond", lambda m, a: m.linalg.cond(a), spd(3)),
    case("cond-1", lambda m, a: m.linalg.cond(a, 1), spd(3)),
    case("matrix_power", lambda m, a: m.linalg.matrix_power(a, 3), normal(3, 3)),
    case("matrix_rank", lambda m, a: m.linalg.matrix_rank(a), A),
    # -- fft
    case("fft", lambda m, a: m.fft.fft(a), A),
    case("ifft2", lambda m, a: m.fft.ifft2(a), A),
    case("rfftn", lambda m, a: m.fft.rfftn(a), A),
    case("irfft", lambda m, a: m.fft.irfft(m.fft.rfft(a) * 2), A),
    case("hfft", lambda m, a: m.fft.hfft(a, 6), normal(4)),
    case("fftshift", lambda m, a: m.fft.fftshift(a, axes=1), A),
]


def _add_at(m: Any, a: Any, b: Any) -> Any:
    target = m.zeros_like(a) + a
    m.add.at(target, (np.array([0, 2, 2, 1, 0]), np.array([1, 3, 3, 0, 1])), b)
    return target


def _sym(m: Any, a: Any) -> Any:
    return m.matmul(a, m.transpose(a)) + 3.0 * m.eye(a.shape[0])


def _svd_product(m: Any, a: Any) -> Any:
    u, s, vh = m.linalg.svd(a, full_matrices=False)
    return m.matmul(u * s, vh) + m.matmul(u, vh)


# -- running a case ----------------------------------------------------------------------
def _leaves(out: Any) -> list[Any]:
    if isinstance(out, (tuple, list)):
        return [leaf for o in out for leaf in _leaves(o)]
    return [out]


def _numpy_leaves(out: Any) -> list[np.ndarray]:
    return [np.asarray(o) for o in _leaves(out)]


def _weights(case_: Case, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    rng = np.random.default_rng(zlib.crc32(case_.id.encode()))
    return [rng.standard_normal(s) for s in shapes]


def _is_float(a: np.ndarray) -> bool:
    return a.dtype.kind in "fc"


def _loss_numpy(out: Any, weights: list[np.ndarray]) -> float:
    total = 0.0
    leaves = [o for o in _numpy_leaves(out) if _is_float(o)]
    for o, w in zip(leaves, weights, strict=True):
        total += float(np.sum(o.real * w)) + (
            float(np.sum(o.imag * w[::-1])) if o.dtype.kind == "c" else 0.0
        )
    return total


def _loss_agrad(out: Any, weights: list[np.ndarray]) -> Any:
    total: Any = 0.0
    leaves = [o for o in _leaves(out) if isinstance(o, agrad.Tensor) and o.dtype.is_floating]
    for o, w in zip(leaves, weights, strict=True):
        if o.dtype.kind == "c":
            total = total + agrad.sum(agrad.real(o) * w) + agrad.sum(agrad.imag(o) * w[::-1])
        else:
            total = total + agrad.sum(o * w)
    return total


def _finite_differences(case_: Case, weights: list[np.ndarray], i: int) -> np.ndarray:
    arrays = list(case_.inputs)
    grad = np.zeros_like(arrays[i])
    for j in np.ndindex(arrays[i].shape):
        h = 1e-6 * max(1.0, abs(arrays[i][j]))
        values = []
        for sign in (1, -1):
            moved = arrays[i].copy()
            moved[j] += sign * h
            trial = [*arrays[:i], moved, *arrays[i + 1 :]]
            values.append(_loss_numpy(case_.fn(np, *trial), weights))
        grad[j] = (values[0] - values[1]) / (2 * h)
    return grad


def _check(case_: Case, namespace: Any) -> None:
    expected = case_.fn(np, *case_.inputs)
    tensors = [agrad.tensor(a, requires_grad=True) for a in case_.inputs]
    got = case_.fn(namespace, *tensors)
    exp_leaves = _numpy_leaves(expected)
    got_leaves = _leaves(got)
    assert len(got_leaves) == len(exp_leaves)
    for g, e in zip(got_leaves, exp_leaves, strict=True):
        assert isinstance(g, agrad.Tensor), f"{case_.id}: got a {type(g).__name__}, not a tensor"
        assert g.shape == e.shape
        assert np.dtype(g.dtype.name) == e.dtype or e.dtype.kind == g.dtype.kind, (g.dtype, e.dtype)
        np.testing.assert_allclose(g.detach().array, e, rtol=1e-10, atol=1e-12, equal_nan=True)
    float_shapes = [e.shape for e in exp_leaves if _is_float(e)]
    if not float_shapes or not tensors or not case_.grad:
        return
    weights = _weights(case_, float_shapes)
    loss = _loss_agrad(got, weights)
    if not (isinstance(loss, agrad.Tensor) and loss.requires_grad):
        # no gradient recorded (rounding, counting): NumPy's must be zero as well
        for i in range(len(tensors)):
            np.testing.assert_allclose(_finite_differences(case_, weights, i), 0.0, atol=1e-9)
        return
    grads = agrad.grad(loss, tensors, allow_unused=True)
    for i, (g, a) in enumerate(zip(grads, case_.inputs, strict=True)):
        actual = np.zeros_like(a) if g is None else g.array
        np.testing.assert_allclose(
            actual, _finite_differences(case_, weights, i), **TOL, err_msg=f"{case_.id}: input {i}"
        )


@pytest.mark.parametrize("c", CASES)
def test_agrad_numpy_matches_numpy(c: Case) -> None:
    _check(c, anp)


@pytest.mark.parametrize("c", [p for p in CASES if p.values[0].door2])
def test_numpy_on_tensors_matches_numpy(c: Case) -> None:
    _check(c, np)


# -- agrad.numpy specifics ---------------------------------------------------------------
def test_creation_defaults_follow_numpy():
    assert anp.zeros(3).dtype == anp.float64
    assert anp.arange(3).dtype == anp.int64
    assert anp.array([1, 2]).dtype == anp.int64
    assert anp.array([1.0, 2]).dtype == anp.float64
    assert anp.eye(2, dtype="float32").dtype == anp.float32
    assert anp.ones(2, dtype=np.float32).dtype == anp.float32
    assert anp.full((2,), 1, dtype=int).dtype == anp.int64
    assert anp.zeros(2).device == agrad.get_default_device()


def test_array_copies_numpy_input_and_stacks_tensors():
    raw = np.array([1.0, 2.0])
    t = anp.array(raw)
    t[0] = 5.0
    assert raw[0] == 1.0  # np.array copies
    s = anp.asarray(raw)
    s[1] = 7.0
    assert raw[1] == 7.0  # np.asarray does not
    x = agrad.tensor([1.0, 2.0], requires_grad=True)
    stacked = anp.array([[x[0], 3.0], [x[1] * x[1], x[0]]])
    agrad.sum(stacked).backward()
    assert stacked.shape == (2, 2)
    assert x.grad.tolist() == [2.0, 4.0]


def test_in_place_updates_of_created_arrays_are_differentiable():
    # a NumPy idiom that door 3 supports: fill a preallocated array in a loop
    def program(np, theta):
        out = np.zeros(4)
        for i in range(4):
            out[i] = theta * i + theta**2
        out += 1.0
        return np.sum(out**2)

    theta = anp.array(0.7).requires_grad_()
    program(anp, theta).backward()
    # out_i = theta * i + theta^2 + 1, so d/dtheta sum(out_i^2) = sum(2 out_i (i + 2 theta))
    expected = sum(2 * (0.7 * i + 0.49 + 1) * (i + 1.4) for i in range(4))
    assert theta.grad.item() == pytest.approx(expected, rel=1e-12)


def test_ufunc_objects_behave_like_numpy_ufuncs():
    assert isinstance(anp.add, anp.ufunc)
    assert (anp.add.nin, anp.add.nout, anp.divmod.nout) == (2, 1, 2)
    assert anp.asin is anp.arcsin
    assert anp.abs is anp.absolute
    assert repr(anp.sin) == "<agrad.numpy ufunc 'sin'>"
    with pytest.raises(TypeError, match=r"numpy\.maximum\.at"):
        anp.maximum.at(anp.zeros(3), [0], 1.0)
    with pytest.raises(TypeError, match=r"numpy\.add\.reduceat"):
        anp.add.reduceat(anp.zeros(3), [0, 1])
    with pytest.raises(ValueError, match="binary"):
        anp.sin.reduce(anp.zeros(3))


def test_unsupported_arguments_are_named():
    x = anp.ones(3)
    with pytest.raises(TypeError, match="signature"):
        anp.add(x, x, signature="dd->d")
    with pytest.raises(TypeError, match="mode='bogus'"):
        anp.pad(x, 1, mode="bogus")
    with pytest.raises(TypeError, match="method='hazen'"):
        anp.quantile(x, 0.5, method="hazen")
    with pytest.raises(TypeError, match="like"):
        anp.zeros(3, like=np.zeros(1))


def test_out_must_hold_the_graph():
    x = agrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="out="):
        anp.sin(x, out=np.zeros(2))
    target = np.zeros(2)
    anp.sin(x.detach(), out=target)  # without a graph a NumPy array may take the values
    np.testing.assert_allclose(target, np.sin([1.0, 2.0]))


def test_dtypes_and_constants():
    assert anp.float64 is agrad.float64
    assert anp.ndarray is agrad.Tensor
    assert anp.finfo(anp.float32).eps == np.finfo(np.float32).eps
    assert anp.finfo(agrad.ones(2)).bits == 64
    assert anp.iinfo("int16").max == 32767
    assert anp.pi == np.pi
    assert anp.newaxis is None
    x = anp.ones((2, 3))
    assert x[:, anp.newaxis].shape == (2, 1, 3)


def test_random_draws_and_reparameterisation():
    anp.random.seed(3)
    a = anp.random.normal(size=(2, 3))
    anp.random.seed(3)
    b = anp.random.normal(size=(2, 3))
    assert a.tolist() == b.tolist()
    assert anp.random.rand(2, 3).shape == (2, 3)
    assert anp.random.randn(4).shape == (4,)
    r = anp.random.randint(0, 5, size=100)
    assert r.dtype == anp.int64
    assert int(anp.min(r)) >= 0
    assert int(anp.max(r)) < 5
    perm = anp.random.permutation(6)
    assert sorted(perm.tolist()) == list(range(6))
    picks = anp.random.choice(5, size=3, replace=False)
    assert len(set(picks.tolist())) == 3
    rng = anp.random.default_rng(0)
    weighted = rng.choice(3, size=2000, p=[0.1, 0.0, 0.9])
    assert 1 not in weighted.tolist()
    # the parameters are differentiable: d/d(loc, scale) of sum(loc + scale * z)
    loc = anp.array(1.0).requires_grad_()
    scale = anp.array(2.0).requires_grad_()
    rng = anp.random.default_rng(5)
    draws = rng.normal(loc, scale, size=50)
    anp.sum(draws).backward()
    z = (draws.detach() - 1.0) / 2.0
    assert loc.grad.item() == pytest.approx(50.0)
    assert scale.grad.item() == pytest.approx(float(anp.sum(z)))
    u = anp.random.uniform(anp.array(1.0), 3.0, size=1000)
    assert float(anp.min(u)) >= 1.0
    assert float(anp.max(u)) < 3.0
    shuffled = anp.array([1.0, 2.0, 3.0, 4.0]).requires_grad_()
    data = shuffled * 1.0
    anp.random.shuffle(data)
    assert sorted(data.tolist()) == [1.0, 2.0, 3.0, 4.0]
    anp.sum(data * data).backward()
    assert shuffled.grad.tolist() == [2.0, 4.0, 6.0, 8.0]


@pytest.mark.gpu
def test_agrad_numpy_is_the_door_for_cupy_programs():
    pytest.importorskip("cupy")
    program = (Path(__file__).parent / "numpy_programs" / "softmax_regression.py").read_text()
    module: dict[str, Any] = {}
    exec(program.replace("import numpy as np\n", "import agrad.numpy as cp\nnp = cp\n"), module)
    W0, b0 = RNG.normal(size=(4, 3)), RNG.normal(size=3)
    X, labels = RNG.normal(size=(20, 4)), RNG.integers(0, 3, size=20)
    with agrad.default_device("cupy"):
        W, b = anp.array(W0).requires_grad_(), anp.array(b0).requires_grad_()
        assert W.device.name.startswith("cupy")
        loss = module["loss"](W, b, anp.asarray(X), anp.asarray(labels))
        loss.backward()
    tW, tb = torch.tensor(W0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    logits = torch.tensor(X) @ tW + tb
    penalty = 0.05 * (tW**2).sum()
    expected = torch.nn.functional.cross_entropy(logits, torch.tensor(labels)) + penalty
    expected.backward()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-10)
    np.testing.assert_allclose(W.grad.to_device("numpy").array, tW.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(b.grad.to_device("numpy").array, tb.grad.numpy(), rtol=1e-10)
