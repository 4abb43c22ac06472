"""Rules for the standard's statistical functions (reductions)."""

from __future__ import annotations

from typing import Any

from agrad.extend import Rule


def _axes(axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    return tuple(a % ndim if ndim else a for a in axis)


def _expand_back(g: Any, x: Any, axis: Any, keepdims: bool, xp: Any) -> Any:
    """``g`` of a reduction over ``axis``, broadcast back to ``x``'s shape."""
    if not keepdims:
        axes = _axes(axis, x.ndim)
        shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
        g = xp.reshape(g, shape)
    return xp.broadcast_to(g, x.shape)


def _sum_vjp(g: Any, out: Any, x: Any, *, xp: Any, axis: Any, dtype: Any, keepdims: bool) -> Any:
    return _expand_back(g, x, axis, keepdims, xp)


def _mean_vjp(g: Any, out: Any, x: Any, *, xp: Any, axis: Any, keepdims: bool) -> Any:
    count = 1
    for i in _axes(axis, x.ndim):
        count *= x.shape[i]
    return _expand_back(g / count, x, axis, keepdims, xp)


RULES = [
    Rule("sum", _sum_vjp, save="meta"),
    Rule("mean", _mean_vjp, save="meta"),
]
