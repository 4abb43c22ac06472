"""Rules for the standard's statistical functions (reductions)."""

from __future__ import annotations

import math
from typing import Any

from agrad.extend import Rule, along, conj, device_of


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
        # broadcasting adds leading axes itself: only reductions over inner axes reshape
        if sorted(axes) != list(range(len(axes))):
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


def _prod_vjp(g: Any, out: Any, x: Any, *, xp: Any, axis: Any, dtype: Any, keepdims: bool) -> Any:
    # d prod / dx_i = the product of the others = (product before i) * (product after i):
    # two exclusive cumulative products, no division, so exact with zeros at every order
    # (their own derivatives are cumulative_prod's, which are exact too)
    axes = _axes(axis, x.ndim)
    g = _expand_back(g, x, axis, keepdims, xp)
    if not axes:
        return g
    if len(axes) == 1:
        return g * conj(_others_product(x, axes[0], xp), xp)
    # several axes: move them to the end, as one
    kept = tuple(i for i in range(x.ndim) if i not in axes)
    order = kept + tuple(sorted(axes))
    moved = xp.permute_dims(x, order)
    size = 1  # (not -1: a kept axis of length 0 leaves -1 undetermined)
    for n in moved.shape[len(kept) :]:
        size *= n
    flat = xp.reshape(moved, (*moved.shape[: len(kept)], size))
    others = xp.reshape(_others_product(flat, -1, xp), moved.shape)
    inverse = tuple(order.index(i) for i in range(x.ndim))
    return g * conj(xp.permute_dims(others, inverse), xp)


def _others_product(x: Any, ax: int, xp: Any) -> Any:
    """``prod_{k != i} x_k`` along ``ax``, as exclusive products from both sides."""
    ax = ax % x.ndim
    drop_last = along(ax, slice(0, -1))
    before = xp.cumulative_prod(x, axis=ax, include_initial=True)[drop_last]
    flipped = xp.flip(x, axis=ax)
    after = xp.flip(xp.cumulative_prod(flipped, axis=ax, include_initial=True)[drop_last], axis=ax)
    return before * after


def _extreme_vjp(g: Any, out: Any, x: Any, *, xp: Any, axis: Any, keepdims: bool) -> Any:
    # ties share the gradient evenly, as torch's max/min/amax/amin do
    full_out = _expand_back(out, x, axis, keepdims, xp)
    hit = xp.astype(x == full_out, x.dtype)
    count = xp.sum(hit, axis=_axes(axis, x.ndim), keepdims=True)
    return _expand_back(g, x, axis, keepdims, xp) * hit / count


def _var_vjp(
    g: Any, out: Any, x: Any, *, xp: Any, axis: Any, correction: float, keepdims: bool
) -> Any:
    # d var / dx_i = 2 (x_i - mean) / (N - correction)
    axes = _axes(axis, x.ndim)
    count = 1
    for i in axes:
        count *= x.shape[i]
    centred = x - xp.mean(x, axis=axes, keepdims=True)
    g = _expand_back(g, x, axis, keepdims, xp)
    if count - correction <= 0:
        # the forward divides by max(0, N - correction) = 0, so 2 / 0 times the centred
        # values, NaN at the mean. As torch: over all axes the infinity takes g's sign only;
        # over some axes also the centred value's (torch's dim= path at N == correction)
        if len(axes) == x.ndim:
            return g * xp.where(centred == 0, math.nan, xp.full_like(centred, math.inf))
        return g * (centred * math.inf)
    return g * (2 / (count - correction)) * centred


def _std_vjp(
    g: Any, out: Any, x: Any, *, xp: Any, axis: Any, correction: float, keepdims: bool
) -> Any:
    # d std = d var / (2 std); 0 where std == 0, as torch
    full_out = _expand_back(out, x, axis, keepdims, xp)
    safe = xp.where(full_out == 0, xp.ones_like(full_out), full_out)
    scale = xp.where(full_out == 0, xp.zeros_like(full_out), 1 / (2 * safe))
    var_g = _var_vjp(g, None, x, xp=xp, axis=axis, correction=correction, keepdims=keepdims)
    return var_g * scale


def _cumulative_sum_vjp(
    g: Any, out: Any, x: Any, *, xp: Any, axis: Any, dtype: Any, include_initial: bool
) -> Any:
    # each x_i feeds every later partial sum: the gradient is a reversed cumulative sum
    ax = (-1 if axis is None else axis) % g.ndim
    if include_initial:  # the leading 0 depends on nothing
        g = g[along(ax, slice(1, None))]
    return _reverse_cumsum(g, ax, xp)


def _reverse_cumsum(g: Any, ax: int, xp: Any) -> Any:
    return xp.flip(xp.cumulative_sum(xp.flip(g, axis=ax), axis=ax), axis=ax)


def _cumulative_prod_vjp(
    g: Any, out: Any, x: Any, *, xp: Any, axis: Any, dtype: Any, include_initial: bool
) -> Any:
    # d out_j / d x_i = L_i prod_{i<k<=j} x_k for j >= i, with L_i = prod_{k<i} x_k, so the
    # gradient is L_i S_i, S_i = sum_{j>=i} g_j prod_{i<k<=j} x_k = g_i + x_{i+1} S_{i+1}.
    # No division: exact with zeros at every order.
    ax = (-1 if axis is None else axis) % x.ndim
    if include_initial:  # out = [1, out_0, ...]: its first n entries are L
        g = g[along(ax, slice(1, None))]
        before = out[along(ax, slice(0, -1))]
    else:
        before = _shift(out, -1, ax, xp, fill=1)
    after = _reverse_linear_scan(g, conj(_shift(x, 1, ax, xp), xp), ax, xp)
    return conj(before, xp) * after


def _shift(x: Any, d: int, ax: int, xp: Any, *, fill: int = 0) -> Any:
    """``y_i = x_{i+d}`` along ``ax``, ``fill`` where ``i + d`` is outside."""
    n = x.shape[ax]
    d = max(-n, min(n, d))
    pad_shape = tuple(abs(d) if i == ax else m for i, m in enumerate(x.shape))
    pad = xp.full(pad_shape, fill, dtype=x.dtype, device=device_of(x))
    if d >= 0:
        return xp.concat([x[along(ax, slice(d, None))], pad], axis=ax)
    return xp.concat([pad, x[along(ax, slice(0, n + d))]], axis=ax)


def _reverse_linear_scan(g: Any, a: Any, ax: int, xp: Any) -> Any:
    """``s_i = g_i + a_i s_{i+1}`` (``s_n = 0``) along ``ax``, by recursive doubling.

    After the step with stride ``d``, ``s_i`` holds the terms of ``g_i .. g_{i+2d-1}`` and
    ``a_i`` the product ``a_i .. a_{i+2d-1}``: log2(n) steps of products and sums, each a
    polynomial, so every derivative is exact.
    """
    n = g.shape[ax]
    d = 1
    while d < n:
        g = g + a * _shift(g, d, ax, xp)
        if 2 * d < n:
            a = a * _shift(a, d, ax, xp)
        d *= 2
    return g


RULES = [
    Rule("cumulative_prod", _cumulative_prod_vjp),
    Rule("sum", _sum_vjp, save="meta"),
    Rule("mean", _mean_vjp, save="meta"),
    Rule("prod", _prod_vjp, save="inputs"),
    Rule("max", _extreme_vjp),
    Rule("min", _extreme_vjp),
    Rule("var", _var_vjp, save="inputs"),
    Rule("std", _std_vjp),
    Rule("cumulative_sum", _cumulative_sum_vjp, linear=True),
]
