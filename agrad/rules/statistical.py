"""Rules for the standard's statistical functions (reductions)."""

from __future__ import annotations

from typing import Any

from agrad.extend import Rule, along, conj


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
    # d prod / dx_i = the product of the others, P / x_i with P the product of the non-zero
    # entries. With one zero z: P at z, and P / x_i * z elsewhere (0, but written so that
    # its own derivative in z is right). With two or more zeros: 0 (first order only).
    axes = _axes(axis, x.ndim)
    is_zero = x == 0
    safe = xp.where(is_zero, xp.ones_like(x), x)
    nonzero_prod = xp.prod(safe, axis=axes, keepdims=True)
    zeros = xp.sum(xp.astype(is_zero, xp.int64), axis=axes, keepdims=True)
    the_zero = xp.sum(xp.where(is_zero, x, xp.zeros_like(x)), axis=axes, keepdims=True)
    others = xp.where(
        zeros == 0,
        nonzero_prod / safe,
        xp.where(
            zeros == 1,
            xp.where(is_zero, nonzero_prod, nonzero_prod / safe * the_zero),
            xp.zeros_like(x),
        ),
    )
    return _expand_back(g, x, axis, keepdims, xp) * conj(others, xp)


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
    return _expand_back(g, x, axis, keepdims, xp) * (2 / (count - correction)) * centred


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
    # d out_j / d x_i = prod_{k <= j, k != i} x_k for j >= i. Before the first zero that is
    # out_j / x_i; at the first zero z it is sum_{j >= z} g_j * cumprod(x with x_z = 1)_j;
    # after it, every term holds x_z = 0. Exact at first order; where x has zeros, the
    # derivatives of this expression (second order and up) are not.
    ax = (-1 if axis is None else axis) % x.ndim
    if include_initial:  # drop the leading 1, which depends on nothing
        g = g[along(ax, slice(1, None))]
        out = out[along(ax, slice(1, None))]
    is_zero = x == 0
    zeros_so_far = xp.cumulative_sum(xp.astype(is_zero, xp.int64), axis=ax)
    before = zeros_so_far == 0
    first = is_zero & (zeros_so_far == 1)
    ones = xp.ones_like(x)
    plain = _reverse_cumsum(g * conj(out, xp), ax, xp) / conj(xp.where(before, x, ones), xp)
    skipped = xp.cumulative_prod(xp.where(first, ones, x), axis=ax)
    at_zero = xp.sum(
        xp.where(before, xp.zeros_like(g), g * conj(skipped, xp)), axis=ax, keepdims=True
    )
    return xp.where(before, plain, xp.where(first, at_zero, xp.zeros_like(g)))


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
