"""The operation kinds of the fuzzer: a plan, an agrad callable and a torch callable each.

A plan sees the pool of live variables with their concrete values (the program is executed
while it is generated), so it picks only inputs and parameters that are valid: shapes that
broadcast, values inside the op's domain with a margin (so finite differences stay away
from branch cuts and poles), well-conditioned matrices, separated eigen- and singular
values. It returns ``(input ids, params)`` or ``None`` when the pool has nothing suitable.

Both callables take ``(ctx, *inputs, **params)``; ``ctx.dev`` is agrad's device (unused by
torch) and ``ctx.const`` makes a constant array in that world. An in-place op returns the
tensor that replaces its first input's slot (what ``x += y`` rebinds ``x`` to).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

import agrad

A, AL, T, TL = agrad, agrad.linalg, torch, torch.linalg
Plan = tuple[tuple[int, ...], dict[str, Any]]


@dataclass
class Var:
    id: int
    t: Any  # the agrad tensor of the generating run (the program's device, no grad)
    leafish: bool  # a leaf, or a view of one: in-place writes are refused by both
    base: int | None = None  # the variable this one views, if any
    exact: bool = True  # values copied from the leaves: both worlds hold the same bits

    @property
    def a(self) -> np.ndarray:
        a = self.t.array
        if isinstance(a, torch.Tensor):
            return a.resolve_conj().resolve_neg().numpy()  # type: ignore[no-any-return]
        return np.asarray(a)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.t.shape)

    @property
    def ndim(self) -> int:
        return len(self.t.shape)

    @property
    def cplx(self) -> bool:
        return bool(self.t.dtype == agrad.complex128)


@dataclass(frozen=True)
class Op:
    name: str
    plan: Callable[[Any, list[Var]], Plan | None]
    fa: Callable[..., Any]
    ft: Callable[..., Any]
    inplace: bool = False
    view: bool = False  # may return a view of its first input
    moves: bool = False  # only moves, selects or negates values (exact in both worlds)
    tags: frozenset[str] = field(default_factory=frozenset)


OPS: dict[str, Op] = {}


def op(name: str, plan: Any, fa: Any, ft: Any, **kw: Any) -> None:
    assert name not in OPS, name
    OPS[name] = Op(name, plan, fa, ft, **kw)


# -- helpers for plans -----------------------------------------------------------------------
def choose(src: Any, pool: list[Var], pred: Callable[[Var], bool]) -> Var | None:
    cands = [v for v in pool if pred(v)]
    return src.choice(cands) if cands else None


def choose_pair(src: Any, pool: list[Var], pred: Callable[[Var, Var], bool]) -> Any:
    cands = [(u, v) for u, v in itertools.product(pool, pool) if pred(u, v)]
    return src.choice(cands) if cands else None


def bshape(*shapes: tuple[int, ...]) -> tuple[int, ...] | None:
    if any(n != n for shape in shapes for n in shape):
        return None  # a length Dask knows only when it computes (nan)
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None


def draw_axis(src: Any, ndim: int, *, none: bool = True, tup: bool = True) -> Any:
    if ndim == 0:
        return None
    kinds = ["int"] + (["none"] if none else []) + (["tuple"] if tup and ndim > 1 else [])
    kind = src.choice(kinds)
    if kind == "none":
        return None
    if kind == "int":
        return src.integer(-ndim, ndim - 1)
    k = src.integer(1, ndim)
    axes = src.seed_rng().permutation(ndim)[:k].tolist()
    return tuple(a - ndim if src.flag(0.3) else a for a in axes)


def torch_axis(axis: Any, ndim: int) -> Any:
    return tuple(range(ndim)) if axis is None else axis


def real_only(v: Var) -> bool:
    return not v.cplx


def all_(cond: np.ndarray) -> bool:
    return bool(np.all(cond))


def away_from_cut(z: np.ndarray) -> bool:  # log and sqrt: cut along the negative real axis
    return all_((np.abs(z) > 0.2) & ((z.real > 0.1) | (np.abs(z.imag) > 0.2)))


def finite_small(a: np.ndarray, bound: float = 30.0) -> bool:
    return all_(np.isfinite(a) & (np.abs(a) < bound))


def apart(a: np.ndarray, b: Any = 0.0) -> bool:
    """``a`` and ``b`` equal or clearly apart: a kink or jump is not decided by rounding."""
    d = np.abs(np.asarray(a) - b)
    return all_((d == 0) | (d > 1e-6))


def strictly_apart(a: np.ndarray, b: Any = 0.0) -> bool:
    """``a`` and ``b`` clearly apart: for computed values, whose ties rounding decides (a
    library's eigvalsh and another's eigh may differ in the last bit)."""
    return all_(np.abs(np.asarray(a) - b) > 1e-6)


def no_near_ties(a: np.ndarray) -> bool:
    flat = np.sort(np.asarray(a).ravel())
    return apart(np.diff(flat)) if flat.size > 1 else True


def _dist_int(a: np.ndarray, shift: float = 0.0) -> np.ndarray:
    return np.abs(a - shift - np.round(a - shift))  # type: ignore[no-any-return]


# -- elementwise unary ---------------------------------------------------------------------
Dom = Callable[[np.ndarray], bool] | None
ANY: Dom = finite_small
POS: Dom = lambda a: all_((a > 0.2) & (a < 1e3))  # noqa: E731
UNIT: Dom = lambda a: all_(np.abs(a) < 0.9)  # noqa: E731
NONZERO: Dom = lambda a: all_((np.abs(a) > 0.2) & (np.abs(a) < 1e3))  # noqa: E731
BOUNDED: Dom = lambda a: finite_small(a, 15.0)  # noqa: E731


def unary(
    name: str,
    rdom: Dom,
    cdom: Dom = None,
    tname: str | None = None,
    jump: Dom = None,
    **kw: Any,
) -> None:
    afn = getattr(A, name)
    tfn = getattr(T, tname or name)

    def guarded(v: Var) -> bool:
        return v.exact or jump is None or jump(v.a)

    def plan(src: Any, pool: list[Var]) -> Plan | None:
        def ok(v: Var) -> bool:
            dom = cdom if v.cplx else rdom
            return dom is not None and dom(v.a) and guarded(v)

        v = choose(src, pool, ok)
        return None if v is None else ((v.id,), {})

    op(name, plan, lambda ctx, x: afn(x), lambda ctx, x: tfn(x), **kw)


unary("negative", ANY, ANY, "neg", moves=True)
unary("positive", ANY, ANY, moves=True)
unary("abs", ANY, lambda z: all_(np.abs(z) > 0.05) and finite_small(z), jump=apart, moves=True)
unary("exp", BOUNDED, BOUNDED)
unary("expm1", BOUNDED, BOUNDED)
unary("log", POS, away_from_cut)
unary("log1p", lambda a: all_((a > -0.8) & (a < 1e3)), lambda z: away_from_cut(z + 1))
unary("log2", POS, away_from_cut)
unary("log10", POS, away_from_cut)
unary("sqrt", POS, away_from_cut)
unary("square", ANY, ANY)
unary("sin", ANY, BOUNDED)
unary("cos", ANY, BOUNDED)
unary("tan", lambda a: all_(np.abs(a) < 1.3), lambda z: all_(np.abs(z) < 1.3))
unary("sinh", BOUNDED, BOUNDED)
unary("cosh", BOUNDED, BOUNDED)
unary("tanh", ANY, lambda z: all_(np.abs(z) < 1.3))
unary("asin", UNIT, lambda z: all_((np.abs(z.imag) > 0.2) | (np.abs(z.real) < 0.9)))
unary("acos", UNIT, lambda z: all_((np.abs(z.imag) > 0.2) | (np.abs(z.real) < 0.9)))
unary("atan", ANY, lambda z: all_((np.abs(z.real) > 0.2) | (np.abs(z.imag) < 0.9)))
unary("asinh", ANY, lambda z: all_((np.abs(z.real) > 0.2) | (np.abs(z.imag) < 0.9)))
unary(
    "acosh",
    lambda a: all_((a > 1.2) & (a < 1e3)),
    lambda z: all_(((np.abs(z.imag) > 0.2) | (z.real > 1.2)) & (np.abs(z) < 30)),
)
unary("atanh", UNIT, lambda z: all_((np.abs(z.imag) > 0.2) | (np.abs(z.real) < 0.9)))
unary("reciprocal", NONZERO, lambda z: all_((np.abs(z) > 0.2) & (np.abs(z) < 1e3)))
unary("sign", ANY, lambda z: all_(np.abs(z) > 0.1) and finite_small(z), "sgn", jump=apart)
unary("floor", ANY, jump=lambda a: all_(_dist_int(a) > 1e-6))
unary("ceil", ANY, jump=lambda a: all_(_dist_int(a) > 1e-6))
unary("trunc", ANY, jump=lambda a: all_(_dist_int(a) > 1e-6))
unary("round", ANY, jump=lambda a: all_(_dist_int(a, 0.5) > 1e-6))
unary("conj", ANY, ANY, moves=True)
unary("real", ANY, ANY, view=True, moves=True)
unary("imag", None, ANY, view=True, moves=True)


# -- elementwise binary ----------------------------------------------------------------------
Dom2 = Callable[[np.ndarray, np.ndarray], bool] | None


def binary(
    name: str,
    rdom: Dom2,
    cdom: Dom2 = None,
    tname: str | None = None,
    afn: Any = None,
    tfn: Any = None,
    jump: Dom2 = None,
) -> None:
    afn = afn or getattr(A, name)
    tfn = tfn or getattr(T, tname or name)

    def plan(src: Any, pool: list[Var]) -> Plan | None:
        def ok(u: Var, v: Var) -> bool:
            if bshape(u.shape, v.shape) is None:
                return False
            dom = cdom if (u.cplx or v.cplx) else rdom
            if dom is None:
                return False
            a1, a2 = np.broadcast_arrays(u.a, v.a)
            if jump is not None and not (u.exact and v.exact) and not jump(a1, a2):
                return False
            return finite_small(a1, 1e3) and finite_small(a2, 1e3) and dom(a1, a2)

        pair = choose_pair(src, pool, ok)
        return None if pair is None else ((pair[0].id, pair[1].id), {})

    op(name, plan, lambda ctx, x, y: afn(x, y), lambda ctx, x, y: tfn(x, y))


def _frac_ok(a1: np.ndarray, a2: np.ndarray) -> bool:
    if not all_(np.abs(a2) > 0.2):
        return False
    f = a1 / a2 - np.floor(a1 / a2)
    return all_((f > 0.02) & (f < 0.98))


BOTH: Dom2 = lambda a1, a2: True  # noqa: E731
binary("add", BOTH, BOTH)
binary("subtract", BOTH, BOTH, "sub")
binary("multiply", BOTH, BOTH, "mul")
binary("divide", lambda a1, a2: all_(np.abs(a2) > 0.2), lambda a1, a2: all_(np.abs(a2) > 0.2))
binary(
    "pow",
    lambda a1, a2: all_((a1 > 0.2) & (a1 < 5) & (np.abs(a2) < 3)),
    lambda a1, a2: away_from_cut(a1) and all_((np.abs(a1) < 5) & (np.abs(a2) < 3)),
)
# atan2 jumps by 2 pi across the negative x2 axis, where a computed zero's sign decides
binary("atan2", lambda a1, a2: all_((a1 * a1 + a2 * a2 > 0.04) & ((a2 > 0) | (np.abs(a1) > 1e-6))))
binary("hypot", lambda a1, a2: all_(a1 * a1 + a2 * a2 > 0.04))
binary("maximum", BOTH, jump=strictly_apart)
binary("minimum", BOTH, jump=strictly_apart)
binary("logaddexp", BOTH)
# a computed zero's sign depends on rounding: x2 is kept away from zero
binary(
    "copysign",
    lambda a1, a2: all_(np.abs(a1) > 0.05),
    jump=lambda a1, a2: all_(np.abs(a2) > 1e-6),
)
binary("remainder", _frac_ok)
binary("floor_divide", _frac_ok, tfn=lambda x, y: T.floor(x / y))
# at x1 == x2 torch's convention (zero to both) is no derivative of the function's values
# and x1 == 0 gives a subnormal, whose products underflow to 0, where torch's prod gradient
# (out / x) is 0 and the true one (agrad's, a product of the others) is not
binary("nextafter", lambda a1, a2: all_((np.abs(a1 - a2) > 1e-6) & (np.abs(a1) > 1e-3)))
binary("operator_add", BOTH, BOTH, afn=lambda x, y: x + y, tfn=lambda x, y: x + y)
binary("operator_mul", BOTH, BOTH, afn=lambda x, y: x * y, tfn=lambda x, y: x * y)
binary(
    "operator_pow",
    lambda a1, a2: all_((a1 > 0.2) & (a1 < 5) & (np.abs(a2) < 3)),
    afn=lambda x, y: x**y,
    tfn=lambda x, y: x**y,
)
binary(
    "complex",
    lambda a1, a2: True,
    afn=lambda x, y: x + 1j * y,
    tfn=lambda x, y: x + 1j * y,
)


# -- with a Python scalar -------------------------------------------------------------------
def scalar(name: str, fn: Callable[[Any, Any], Any], values: list[Any], dom: Any = None) -> None:
    def plan(src: Any, pool: list[Var]) -> Plan | None:
        c = src.choice(values)
        v = choose(src, pool, lambda v: finite_small(v.a, 1e3) and (dom is None or dom(v.a, c)))
        return None if v is None else ((v.id,), {"c": c})

    op(name, plan, lambda ctx, x, c: fn(x, c), lambda ctx, x, c: fn(x, c))


scalar("x+c", lambda x, c: x + c, [2.0, -0.5, 1j])
scalar("c-x", lambda x, c: c - x, [1.0, 3.0])
scalar("x*c", lambda x, c: x * c, [2.0, -3.0, 0.5j])
scalar("c*x", lambda x, c: c * x, [2.0, -1.5])
scalar("c/x", lambda x, c: c / x, [1.0, -2.0], lambda a, c: all_(np.abs(a) > 0.2))
scalar("x/c", lambda x, c: x / c, [4.0, -0.25])
scalar(
    "x**c",
    lambda x, c: x**c,
    [2, 3, 2.0, 0.5, -1.0, 1.5],
    lambda a, c: (
        (not np.iscomplexobj(a) and (all_(a > 0.2) or (c in (2, 3, 2.0) and np.isrealobj(a))))
        or (np.iscomplexobj(a) and c in (2, 3))
    ),
)
scalar("c**x", lambda x, c: c**x, [2.0, 0.5], lambda a, c: all_(np.abs(a) < 20))


# -- reductions ------------------------------------------------------------------------------
def _torch_prod(x: torch.Tensor, axis: Any, keepdims: bool) -> torch.Tensor:
    if axis is None:
        out = T.prod(x)
        return out.reshape((1,) * x.ndim) if keepdims else out
    axes = sorted({a % x.ndim for a in (axis if isinstance(axis, tuple) else (axis,))})
    for a in reversed(axes):
        x = T.prod(x, dim=a, keepdim=keepdims)
    return x


def reduction(name: str, afn: Any, tfn: Any, pred: Callable[[Var], bool], **extra: Any) -> None:
    def plan(src: Any, pool: list[Var]) -> Plan | None:
        v = choose(src, pool, pred)
        if v is None:
            return None
        if name in ("max", "min", "vector_norm") and not (v.exact or no_near_ties(v.a)):
            return None
        axis = draw_axis(src, v.ndim)
        params = {"axis": axis, "keepdims": src.flag(0.4)}
        for k, vals in extra.items():
            params[k] = src.choice(vals)
        axes = range(v.ndim) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
        count = int(np.prod([v.shape[a] for a in axes]))
        if name in ("max", "min") and count == 0:
            return None
        if "correction" in params:
            # the standard deviation of a constant has no derivative (sqrt at 0)
            spread = np.var(v.a, axis=axis) if count > 1 else 0.0
            if count <= params["correction"] or (name == "std" and np.any(spread < 1e-2)):
                return None
        return (v.id,), params

    op(name, plan, afn, tfn)


reduction(
    "sum",
    lambda ctx, x, axis, keepdims: A.sum(x, axis=axis, keepdims=keepdims),
    lambda ctx, x, axis, keepdims: T.sum(x, dim=torch_axis(axis, x.ndim), keepdim=keepdims),
    lambda v: True,
)
reduction(
    "prod",
    lambda ctx, x, axis, keepdims: A.prod(x, axis=axis, keepdims=keepdims),
    lambda ctx, x, axis, keepdims: _torch_prod(x, axis, keepdims),
    lambda v: v.a.size <= 12 and finite_small(v.a, 5.0),
)
reduction(
    "mean",
    lambda ctx, x, axis, keepdims: A.mean(x, axis=axis, keepdims=keepdims),
    lambda ctx, x, axis, keepdims: T.mean(x, dim=torch_axis(axis, x.ndim), keepdim=keepdims),
    lambda v: v.a.size > 0,
)
for _n in ("std", "var"):
    reduction(
        _n,
        lambda ctx, x, axis, keepdims, correction, _n=_n: getattr(A, _n)(
            x, axis=axis, keepdims=keepdims, correction=correction
        ),
        lambda ctx, x, axis, keepdims, correction, _n=_n: getattr(T, _n)(
            x, dim=torch_axis(axis, x.ndim), keepdim=keepdims, correction=correction
        ),
        lambda v: real_only(v) and v.a.size > 0,
        correction=[0, 1, 1.0],
    )
reduction(
    "max",
    lambda ctx, x, axis, keepdims: A.max(x, axis=axis, keepdims=keepdims),
    lambda ctx, x, axis, keepdims: T.amax(x, dim=torch_axis(axis, x.ndim), keepdim=keepdims),
    real_only,
)
reduction(
    "min",
    lambda ctx, x, axis, keepdims: A.min(x, axis=axis, keepdims=keepdims),
    lambda ctx, x, axis, keepdims: T.amin(x, dim=torch_axis(axis, x.ndim), keepdim=keepdims),
    real_only,
)
reduction(
    "vector_norm",
    lambda ctx, x, axis, keepdims, ord: AL.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord),
    lambda ctx, x, axis, keepdims, ord: TL.vector_norm(x, ord=ord, dim=axis, keepdim=keepdims),
    lambda v: v.a.size > 0 and all_(np.abs(v.a) > 0.05),
    ord=[2, 1, float("inf"), 3],
)


def _cumulative(name: str, tname: str, initial: float) -> None:
    def plan(src: Any, pool: list[Var]) -> Plan | None:
        ok = (
            (lambda v: v.ndim >= 1 and finite_small(v.a, 5.0) and v.a.size <= 12)
            if (name == "cumulative_prod")
            else (lambda v: v.ndim >= 1)
        )
        v = choose(src, pool, ok)
        if v is None:
            return None
        axis = src.integer(-v.ndim, v.ndim - 1) if v.ndim > 1 or src.flag(0.5) else None
        return (v.id,), {"axis": axis, "include_initial": src.flag(0.3)}

    def ft(ctx: Any, x: torch.Tensor, axis: Any, include_initial: bool) -> torch.Tensor:
        d = 0 if axis is None else axis
        out = getattr(T, tname)(x, dim=d)
        if include_initial:
            shape = list(x.shape)
            shape[d] = 1
            out = T.cat([T.full(shape, initial, dtype=x.dtype), out], dim=d)
        return out

    op(
        name,
        plan,
        lambda ctx, x, axis, include_initial: getattr(A, name)(
            x, axis=axis, include_initial=include_initial
        ),
        ft,
    )


_cumulative("cumulative_sum", "cumsum", 0.0)
_cumulative("cumulative_prod", "cumprod", 1.0)
