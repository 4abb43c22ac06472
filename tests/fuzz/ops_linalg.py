"""Linear-algebra operation kinds, on well-conditioned inputs only."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

import agrad.numpy as anp

from .ops import AL, TL, A, Plan, T, Var, all_, bshape, choose, choose_pair, op

COND = 30.0


def _square(v: Var, nmax: int = 4) -> bool:
    return v.ndim >= 2 and v.shape[-1] == v.shape[-2] and 1 <= v.shape[-1] <= nmax and v.a.size > 0


def _svals(a: np.ndarray) -> np.ndarray:
    return np.linalg.svd(a, compute_uv=False)


def _conditioned(v: Var) -> bool:
    if not np.all(np.isfinite(v.a)):
        return False
    s = _svals(v.a)
    return bool(np.all(s[..., -1] > 0.1) and np.all(s[..., 0] / s[..., -1] < COND))


def _well(v: Var) -> bool:
    return _square(v) and _conditioned(v)


def _separated(vals: np.ndarray, gap: float = 0.2) -> bool:
    vals = np.sort(vals, axis=-1)
    return vals.shape[-1] < 2 or bool(np.all(np.diff(vals, axis=-1) > gap))


def _herm(x: Any, xp: Any) -> Any:
    return (x + xp.conj(x).mT) / 2


def one(name: str, pred: Any, fa: Any, ft: Any, draw: Any = None) -> None:
    def plan(src: Any, pool: list[Var]) -> Plan | None:
        v = choose(src, pool, pred)
        if v is None:
            return None
        return (v.id,), (draw(src, v) if draw else {})

    op(name, plan, fa, ft)


one("linalg.inv", _well, lambda ctx, x: AL.inv(x), lambda ctx, x: TL.inv(x))
one("linalg.det", _well, lambda ctx, x: AL.det(x), lambda ctx, x: TL.det(x))
one(
    "linalg.slogdet",
    _well,
    lambda ctx, x: AL.slogdet(x).logabsdet,
    lambda ctx, x: TL.slogdet(x).logabsdet,
)
one(
    "linalg.cholesky(AA^H+I)",
    lambda v: _square(v) and np.all(np.abs(v.a) < 10),
    lambda ctx, x: AL.cholesky(x @ A.conj(x).mT + ctx.eye(x.shape[-1])),
    lambda ctx, x: TL.cholesky(x @ x.conj().mT + T.eye(x.shape[-1], dtype=x.dtype)),
)
one(
    "linalg.qr",
    # exact zeros leave the sign of a Householder reflection to LAPACK's handling of -0.0
    lambda v: (
        v.ndim >= 2
        and v.shape[-2] >= v.shape[-1] >= 1
        and v.shape[-2] <= 4
        and _conditioned(v)
        and bool(np.all(np.abs(v.a) > 1e-6))
    ),
    lambda ctx, x: tuple(AL.qr(x)),
    lambda ctx, x: tuple(TL.qr(x)),
)


def _eigh_ok(v: Var) -> bool:
    if not _square(v) or not np.all(np.abs(v.a) < 10):
        return False
    h = (v.a + np.conj(np.swapaxes(v.a, -1, -2))) / 2
    return _separated(np.linalg.eigvalsh(h))


def _eigh_a(ctx: Any, x: Any) -> Any:
    w, vec = AL.eigh(_herm(x, A))
    return w, A.real(vec * A.conj(vec)) if vec.dtype == A.complex128 else vec * vec


def _eigh_t(ctx: Any, x: torch.Tensor) -> Any:
    w, vec = TL.eigh(_herm(x, T))
    return w, (vec * vec.conj()).real if vec.is_complex() else vec * vec


op("linalg.eigh", lambda src, pool: _one_plan(src, pool, _eigh_ok), _eigh_a, _eigh_t)
one(
    "linalg.eigvalsh",
    _eigh_ok,
    lambda ctx, x: AL.eigvalsh(_herm(x, A)),
    lambda ctx, x: TL.eigvalsh(_herm(x, T)),
)


def _one_plan(src: Any, pool: list[Var], pred: Any) -> Plan | None:
    v = choose(src, pool, pred)
    return None if v is None else ((v.id,), {})


def _svd_ok(v: Var) -> bool:
    if v.ndim < 2 or v.a.size == 0 or max(v.shape[-2:]) > 4 or not np.all(np.isfinite(v.a)):
        return False
    s = _svals(v.a)
    return bool(np.all(s > 0.2)) and _separated(s)


one("linalg.svdvals", _svd_ok, lambda ctx, x: AL.svdvals(x), lambda ctx, x: TL.svdvals(x))
one(
    "linalg.pinv",
    lambda v: _svd_ok(v) and _conditioned(v),
    lambda ctx, x: AL.pinv(x),
    lambda ctx, x: TL.pinv(x),
)
one(
    "linalg.matrix_norm",
    lambda v: v.ndim >= 2 and v.a.size > 0 and all_(np.linalg.norm(v.a, axis=(-2, -1)) > 0.1),
    lambda ctx, x, keepdims: AL.matrix_norm(x, keepdims=keepdims),
    lambda ctx, x, keepdims: TL.matrix_norm(x, keepdim=keepdims),
    lambda src, v: {"keepdims": src.flag(0.3)},
)
one(
    "linalg.trace",
    lambda v: v.ndim >= 2,
    lambda ctx, x, offset: AL.trace(x, offset=offset),
    lambda ctx, x, offset: T.diagonal(x, offset=offset, dim1=-2, dim2=-1).sum(-1),
    lambda src, v: {"offset": src.integer(-1, 1)},
)
one(
    "linalg.matrix_power",
    lambda v: _square(v) and np.all(np.abs(v.a) < 5),
    lambda ctx, x, n: AL.matrix_power(x, n),
    lambda ctx, x, n: TL.matrix_power(x, n),
    lambda src, v: {"n": src.choice([0, 1, 2, 3] + ([-1, -2] if _conditioned(v) else []))},
)


def _solve_plan(src: Any, pool: list[Var]) -> Plan | None:
    pair = choose_pair(
        src,
        pool,
        lambda a, b: (
            _square(a)
            and b.ndim == a.ndim
            and b.shape[:-2] == a.shape[:-2]
            and b.shape[-2] == a.shape[-1]
            and (b.cplx == a.cplx)
            and _conditioned(a)
        ),
    )
    return None if pair is None else ((pair[0].id, pair[1].id), {})


op(
    "linalg.solve",
    _solve_plan,
    lambda ctx, a, b: AL.solve(a, b),
    lambda ctx, a, b: TL.solve(a, b),
)


def two(name: str, fa: Any, ft: Any, draw_params: Any = None) -> None:
    """An op of two arrays whose valid shapes NumPy's own function decides."""

    def plan(src: Any, pool: list[Var]) -> Plan | None:
        params = draw_params(src) if draw_params else {}

        def ok(u: Var, v: Var) -> bool:
            if u.cplx != v.cplx or u.a.size > 64 or v.a.size > 64:
                return False
            try:
                out = np.asarray(NUMPY[name](u.a, v.a, **params))
            except (ValueError, IndexError):
                return False
            return out.size <= 64

        pair = choose_pair(src, pool, ok)
        return None if pair is None else ((pair[0].id, pair[1].id), params)

    op(name, plan, fa, ft)


def _np_vecdot(x1: np.ndarray, x2: np.ndarray, axis: int) -> np.ndarray:
    if min(x1.ndim, x2.ndim) < -axis or x1.shape[axis] != x2.shape[axis]:
        raise ValueError
    return np.sum(np.conj(x1) * x2, axis=axis)


NUMPY: dict[str, Any] = {
    "matmul": np.matmul,
    "@": np.matmul,
    "linalg.tensordot": lambda x1, x2, axes: np.tensordot(x1, x2, axes=axes),
    "linalg.vecdot": _np_vecdot,
    "linalg.outer": lambda x1, x2: (
        np.outer(x1, x2) if x1.ndim == x2.ndim == 1 else np.asarray([])[1]
    ),
    "linalg.cross": lambda x1, x2: (
        np.cross(x1, x2)
        if x1.ndim and x2.ndim and x1.shape[-1] == x2.shape[-1] == 3 and bshape(x1.shape, x2.shape)
        else np.asarray([])[1]
    ),
}
two("matmul", lambda ctx, x, y: A.matmul(x, y), lambda ctx, x, y: T.matmul(x, y))
two("@", lambda ctx, x, y: x @ y, lambda ctx, x, y: x @ y)
two(
    "linalg.tensordot",
    lambda ctx, x, y, axes: AL.tensordot(x, y, axes=axes),
    lambda ctx, x, y, axes: T.tensordot(x, y, dims=axes),
    lambda src: {"axes": src.choice([0, 1, 1, 2, ((0,), (0,)), ((-1,), (0,)), ((0, 1), (1, 0))])},
)
two(
    "linalg.vecdot",
    lambda ctx, x, y, axis: AL.vecdot(x, y, axis=axis),
    lambda ctx, x, y, axis: TL.vecdot(x, y, dim=axis),
    lambda src: {"axis": src.choice([-1, -1, -2])},
)
two("linalg.outer", lambda ctx, x, y: AL.outer(x, y), lambda ctx, x, y: T.outer(x, y))
two("linalg.cross", lambda ctx, x, y: AL.cross(x, y), lambda ctx, x, y: TL.cross(x, y))

EINSUM = [
    "ij,jk->ik",
    "ij->ji",
    "ij->",
    "ii->i",
    "ii",
    "ij,ij->i",
    "i,i->",
    "i,j->ij",
    "ij,j->i",
    "bij,bjk->bik",
    "ijk->kji",
    "ij,kj->ik",
    "ijk,ik->j",
    "...ij,...jk->...ik",
    "i...->...",
]


def _einsum_plan(src: Any, pool: list[Var]) -> Plan | None:
    spec = src.choice(EINSUM)
    nops = len(spec.split("->")[0].split(","))
    small = [v for v in pool if v.a.size <= 64]

    def ok(*vs: Var) -> bool:
        if len({v.cplx for v in vs}) > 1:
            return False
        try:
            return bool(np.asarray(np.einsum(spec, *[v.a for v in vs])).size <= 64)
        except ValueError:
            return False

    if nops == 1:
        cands = [(v,) for v in small if ok(v)]
    else:
        cands = [(u, v) for u in small for v in small if ok(u, v)]
    if not cands:
        return None
    return tuple(v.id for v in src.choice(cands)), {"spec": spec}


op(
    "einsum",
    _einsum_plan,
    lambda ctx, *xs, spec: anp.einsum(spec, *xs),
    lambda ctx, *xs, spec: T.einsum(spec, *xs),
)
