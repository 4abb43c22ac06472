"""Operation kinds that move data: views, joins, indexing, ``__setitem__``, in-place ops."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .keys import agrad_key, draw_key, torch_get, torch_set
from .ops import (
    AL,
    A,
    Plan,
    T,
    Var,
    apart,
    bshape,
    choose,
    choose_pair,
    draw_axis,
    no_near_ties,
    op,
    strictly_apart,
)


def _reshape_target(src: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    size = int(np.prod(shape))
    if size == 0:
        return src.choice([(0,), tuple(reversed(shape)), (*shape, 1)])
    dims, n = [], size
    while n > 1 and len(dims) < 3:
        divisors = [d for d in range(2, n + 1) if n % d == 0]
        d = src.choice(divisors)
        dims.append(d)
        n //= d
    if n > 1:
        dims.append(n)
    perm = src.seed_rng().permutation(len(dims)).tolist()
    dims = [dims[i] for i in perm]
    for _ in range(src.integer(0, 1)):
        dims.insert(src.integer(0, len(dims)), 1)
    if dims and src.flag(0.3):
        dims[src.integer(0, len(dims) - 1)] = -1
    return tuple(dims)


def simple(name: str, draw: Any, fa: Any, ft: Any, pred: Any = None, view: bool = True) -> None:
    def plan(src: Any, pool: list[Var]) -> Plan | None:
        v = choose(src, pool, pred or (lambda v: True))
        if v is None:
            return None
        params = draw(src, v)
        return None if params is None else ((v.id,), params)

    op(name, plan, fa, ft, view=view, moves=name != "diff")


simple(
    "reshape",
    lambda src, v: {"shape": _reshape_target(src, v.shape)},
    lambda ctx, x, shape: A.reshape(x, shape),
    lambda ctx, x, shape: T.reshape(x, shape),
)
simple(
    "squeeze",
    lambda src, v: (
        {
            "axis": src.choice([d for d in range(v.ndim) if v.shape[d] == 1])
            - src.integer(0, 1) * v.ndim
        }
        if 1 in v.shape
        else None
    ),
    lambda ctx, x, axis: A.squeeze(x, axis=axis),
    lambda ctx, x, axis: T.squeeze(x, dim=axis),
)
simple(
    "expand_dims",
    lambda src, v: {"axis": src.integer(-v.ndim - 1, v.ndim)},
    lambda ctx, x, axis: A.expand_dims(x, axis=axis),
    lambda ctx, x, axis: T.unsqueeze(x, axis),
)
simple(
    "permute_dims",
    lambda src, v: {"axes": tuple(src.seed_rng().permutation(v.ndim).tolist())},
    lambda ctx, x, axes: A.permute_dims(x, axes),
    lambda ctx, x, axes: T.permute(x, axes),
)
simple(
    "matrix_transpose",
    lambda src, v: {},
    lambda ctx, x: A.matrix_transpose(x),
    lambda ctx, x: T.transpose(x, -2, -1),
    lambda v: v.ndim >= 2,
)
simple(
    ".mT",
    lambda src, v: {},
    lambda ctx, x: x.mT,
    lambda ctx, x: x.mT,
    lambda v: v.ndim >= 2,
)
simple(
    "flip",
    lambda src, v: {"axis": draw_axis(src, v.ndim)},
    lambda ctx, x, axis: A.flip(x, axis=axis),
    lambda ctx, x, axis: T.flip(
        x, tuple(range(x.ndim)) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    ),
)
simple(
    "moveaxis",
    lambda src, v: (
        {"source": src.integer(-v.ndim, v.ndim - 1), "destination": src.integer(0, v.ndim - 1)}
        if v.ndim
        else None
    ),
    lambda ctx, x, source, destination: A.moveaxis(x, source, destination),
    lambda ctx, x, source, destination: T.movedim(x, source, destination),
)


def _broadcast_target(src: Any, v: Var) -> dict[str, Any]:
    shape = [src.integer(1, 3) if (d == 1 and src.flag(0.7)) else d for d in v.shape]
    lead = [src.integer(1, 3) for _ in range(src.integer(0, 2 if v.ndim < 3 else 0))]
    return {"shape": tuple(lead + shape)}


simple(
    "broadcast_to",
    _broadcast_target,
    lambda ctx, x, shape: A.broadcast_to(x, shape),
    lambda ctx, x, shape: T.broadcast_to(x, shape),
)
simple(
    "diagonal",
    lambda src, v: {"offset": src.integer(-1, 1)},
    lambda ctx, x, offset: AL.diagonal(x, offset=offset),
    lambda ctx, x, offset: T.diagonal(x, offset=offset, dim1=-2, dim2=-1),
    lambda v: v.ndim >= 2,
)
simple(
    "getitem",
    lambda src, v: {"key": draw_key(src, v.shape, for_set=False)},
    lambda ctx, x, key: x[agrad_key(key, ctx.dev)],
    lambda ctx, x, key: torch_get(x, key),
)
simple(
    "unstack",
    lambda src, v: (
        {"axis": src.choice([d for d in range(v.ndim) if 1 <= v.shape[d] <= 4])}
        if any(1 <= d <= 4 for d in v.shape)
        else None
    ),
    lambda ctx, x, axis: A.unstack(x, axis=axis),
    lambda ctx, x, axis: T.unbind(x, dim=axis),
)
simple(
    "roll",
    lambda src, v: {
        "shift": src.integer(-3, 3),
        "axis": None if v.ndim == 0 or src.flag(0.3) else src.integer(-v.ndim, v.ndim - 1),
    },
    lambda ctx, x, shift, axis: A.roll(x, shift, axis=axis),
    lambda ctx, x, shift, axis: T.roll(x, shift, dims=axis),
    view=False,
)
simple(
    "tile",
    lambda src, v: {"reps": tuple(src.integer(1, 2) for _ in range(src.integer(0, 3)))},
    lambda ctx, x, reps: A.tile(x, reps),
    lambda ctx, x, reps: T.tile(x, reps),
    view=False,
)
simple(
    "repeat",
    lambda src, v: {
        "repeats": src.integer(0, 3),
        "axis": src.integer(-v.ndim, v.ndim - 1) if v.ndim and src.flag(0.7) else None,
    },
    lambda ctx, x, repeats, axis: A.repeat(x, repeats, axis=axis),
    lambda ctx, x, repeats, axis: T.repeat_interleave(x, repeats, dim=axis),
    view=False,
)
for _n in ("tril", "triu"):
    simple(
        _n,
        lambda src, v: {"k": src.integer(-1, 1)},
        lambda ctx, x, k, _n=_n: getattr(A, _n)(x, k=k),
        lambda ctx, x, k, _n=_n: getattr(T, _n)(x, diagonal=k),
        lambda v: v.ndim >= 2,
        view=False,
    )
simple(
    "diff",
    lambda src, v: {"axis": src.integer(-v.ndim, v.ndim - 1), "n": src.integer(1, 2)},
    lambda ctx, x, axis, n: A.diff(x, axis=axis, n=n),
    lambda ctx, x, axis, n: T.diff(x, n=n, dim=axis),
    lambda v: v.ndim >= 1,
    view=False,
)
simple(
    "sort",
    lambda src, v: {"axis": src.integer(-v.ndim, v.ndim - 1), "descending": src.flag(0.4)},
    lambda ctx, x, axis, descending: A.sort(x, axis=axis, descending=descending, stable=True),
    lambda ctx, x, axis, descending: T.sort(x, dim=axis, descending=descending, stable=True)[0],
    lambda v: v.ndim >= 1 and not v.cplx and (v.exact or no_near_ties(v.a)),
    view=False,
)
simple(
    "take",
    lambda src, v: {
        "idx": src.seed_rng().integers(0, v.shape[0], src.integer(1, 4)).tolist(),
        "axis": 0,
    },
    lambda ctx, x, idx, axis: A.take(x, ctx.const(np.asarray(idx, dtype=np.int64)), axis=axis),
    lambda ctx, x, idx, axis: T.index_select(x, axis, T.tensor(idx, dtype=T.int64)),
    lambda v: v.ndim >= 1 and v.shape[0] > 0,
    view=False,
)


def _along_draw(src: Any, v: Var) -> dict[str, Any] | None:
    axis = src.integer(-v.ndim, v.ndim - 1)
    shape = list(v.shape)
    n = shape[axis]
    shape[axis] = src.integer(1, 3)
    return {"idx": src.seed_rng().integers(0, n, shape).tolist(), "axis": axis}


simple(
    "take_along_axis",
    _along_draw,
    lambda ctx, x, idx, axis: A.take_along_axis(
        x, ctx.const(np.asarray(idx, dtype=np.int64)), axis=axis
    ),
    lambda ctx, x, idx, axis: T.take_along_dim(x, T.tensor(idx, dtype=T.int64), dim=axis),
    lambda v: v.ndim >= 1 and all(d > 0 for d in v.shape),
    view=False,
)


# -- joins -------------------------------------------------------------------------------
def _join(name: str, fa: Any, ft: Any) -> None:
    def plan(src: Any, pool: list[Var]) -> Plan | None:
        first = choose(src, pool, lambda v: v.ndim >= 1 or name == "stack")
        if first is None:
            return None
        if name == "stack":
            axis = src.integer(-first.ndim - 1, first.ndim)
            same = [v for v in pool if v.shape == first.shape and v.cplx == first.cplx]
        elif src.flag(0.2):
            axis = None
            same = [v for v in pool if v.cplx == first.cplx and v.ndim >= 1]
        else:
            axis = src.integer(-first.ndim, first.ndim - 1)
            ax = axis % first.ndim

            def fits(v: Var) -> bool:
                s1, s2 = list(v.shape), list(first.shape)
                if len(s1) != len(s2):
                    return False
                s1[ax] = s2[ax] = 0
                return s1 == s2 and v.cplx == first.cplx

            same = [v for v in pool if fits(v)]
        others = [src.choice(same) for _ in range(src.integer(0, 2))]
        return tuple(v.id for v in [first, *others]), {"axis": axis}

    op(name, plan, fa, ft, moves=True)


def _torch_concat(ctx: Any, *xs: torch.Tensor, axis: Any) -> torch.Tensor:
    if axis is None:
        return T.cat([x.reshape(-1) for x in xs])
    return T.cat(xs, dim=axis)


_join("concat", lambda ctx, *xs, axis: A.concat(list(xs), axis=axis), _torch_concat)
_join(
    "stack",
    lambda ctx, *xs, axis: A.stack(xs, axis=axis),
    lambda ctx, *xs, axis: T.stack(xs, axis),
)


def _where_plan(src: Any, pool: list[Var]) -> Plan | None:
    # a computed zero may be rounding's in the other world (`cross(v, v)`): strictly apart
    c = choose(src, pool, lambda v: not v.cplx and (v.exact or strictly_apart(v.a)))
    pair = (
        choose_pair(
            src,
            pool,
            lambda u, v: u.cplx == v.cplx and bshape(c.shape, u.shape, v.shape) is not None,
        )
        if c is not None
        else None
    )
    return None if pair is None else ((c.id, pair[0].id, pair[1].id), {})  # type: ignore[union-attr]


op(
    "where",
    _where_plan,
    lambda ctx, c, x, y: A.where(c > 0, x, y),
    lambda ctx, c, x, y: T.where(c > 0, x, y),
    moves=True,
)


def _clip_plan(src: Any, pool: list[Var]) -> Plan | None:
    x = choose(src, pool, lambda v: not v.cplx)
    if x is None:
        return None
    if src.flag(0.5):
        lo = src.choice([None, -1.0, -0.5, 0.0])
        hi = src.choice([None, 0.5, 1.0]) if lo is not None else src.choice([0.5, 1.0])
        if not x.exact and not all(b is None or apart(x.a, b) for b in (lo, hi)):
            return None
        return (x.id,), {"lo": lo, "hi": hi}
    pair = choose_pair(
        src,
        pool,
        lambda u, v: (
            not u.cplx
            and not v.cplx
            and bshape(x.shape, u.shape) == x.shape
            and bshape(x.shape, v.shape) == x.shape
            and bool(np.all(np.broadcast_arrays(u.a, v.a)[0] < np.broadcast_arrays(u.a, v.a)[1]))
            and (x.exact or (apart(x.a, u.a) and apart(x.a, v.a)))
        ),
    )
    return None if pair is None else ((x.id, pair[0].id, pair[1].id), {})


op(
    "clip",
    _clip_plan,
    lambda ctx, x, lo=None, hi=None: A.clip(x, min=lo, max=hi),
    lambda ctx, x, lo=None, hi=None: T.clamp(x, lo, hi),
    moves=True,
)


# -- in place --------------------------------------------------------------------------------
def _target(src: Any, pool: list[Var], pred: Any = None) -> Var | None:
    leafish_ok = src.flag(0.05)  # a few writes into leaves: both must refuse
    return choose(src, pool, lambda v: (leafish_ok or not v.leafish) and (pred is None or pred(v)))


def _value_for(
    src: Any, pool: list[Var], target: Var, shape: tuple[int, ...], nonzero: bool
) -> Any:
    vals = [
        v
        for v in pool
        if bshape(v.shape, shape) == shape
        and (target.cplx or not v.cplx)
        and (not nonzero or bool(np.all(np.abs(v.a) > 0.2)))
    ]
    if vals and src.flag(0.7):
        return src.choice(vals)
    return src.choice([2.0, -0.5, 3.0] + ([1.5j] if target.cplx else []))


def _iop(name: str, fn: Any) -> None:
    nonzero = name == "/="

    def plan(src: Any, pool: list[Var]) -> Plan | None:
        x = _target(src, pool)
        if x is None:
            return None
        val = _value_for(src, pool, x, x.shape, nonzero)
        if isinstance(val, Var):
            return (x.id, val.id), {}
        return (x.id,), {"c": val}

    def run(ctx: Any, x: Any, y: Any = None, c: Any = None) -> Any:
        return fn(x, c if y is None else y)

    op(name, plan, run, run, inplace=True)


def _iadd(x: Any, y: Any) -> Any:
    x += y
    return x


def _isub(x: Any, y: Any) -> Any:
    x -= y
    return x


def _imul(x: Any, y: Any) -> Any:
    x *= y
    return x


def _idiv(x: Any, y: Any) -> Any:
    x /= y
    return x


_iop("+=", _iadd)
_iop("-=", _isub)
_iop("*=", _imul)
_iop("/=", _idiv)


def _setitem_plan(src: Any, pool: list[Var]) -> Plan | None:
    x = _target(src, pool)
    if x is None:
        return None
    key = draw_key(src, x.shape, for_set=True)
    shape = tuple(x.t[agrad_key(key, "numpy")].shape)
    val = _value_for(src, pool, x, shape, nonzero=False)
    if isinstance(val, Var):
        return (x.id, val.id), {"key": key}
    return (x.id,), {"key": key, "c": val}


def _setitem_a(ctx: Any, x: Any, y: Any = None, key: Any = None, c: Any = None) -> Any:
    x[agrad_key(key, ctx.dev)] = c if y is None else y
    return x


def _setitem_t(ctx: Any, x: Any, y: Any = None, key: Any = None, c: Any = None) -> Any:
    torch_set(x, key, c if y is None else y)
    return x


op("setitem", _setitem_plan, _setitem_a, _setitem_t, inplace=True)


def _slice_iop(name: str, fn: Any) -> None:
    """``x[key] += y`` as Python runs it: read ``x[key]`` (a view for basic keys), change it
    in place, store it back. After a node saved ``x``, torch refuses the write at backward;
    agrad copies the whole view family on write (checked against finite differences)."""
    nonzero = name.endswith("/=")

    def plan(src: Any, pool: list[Var]) -> Plan | None:
        x = _target(src, pool)
        if x is None:
            return None
        key = draw_key(src, x.shape, for_set=True)
        shape = tuple(x.t[agrad_key(key, "numpy")].shape)
        val = _value_for(src, pool, x, shape, nonzero)
        if isinstance(val, Var):
            return (x.id, val.id), {"key": key}
        return (x.id,), {"key": key, "c": val}

    def run_a(ctx: Any, x: Any, y: Any = None, key: Any = None, c: Any = None) -> Any:
        k = agrad_key(key, ctx.dev)
        x[k] = fn(x[k], c if y is None else y)
        return x

    def run_t(ctx: Any, x: Any, y: Any = None, key: Any = None, c: Any = None) -> Any:
        torch_set(x, key, fn(torch_get(x, key), c if y is None else y))
        return x

    op(name, plan, run_a, run_t, inplace=True)


_slice_iop("[]+=", _iadd)
_slice_iop("[]*=", _imul)
