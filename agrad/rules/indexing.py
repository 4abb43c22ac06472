"""Rules for indexing: ``__getitem__``, ``__setitem__``, and agrad's internal scatter ops."""

from __future__ import annotations

from typing import Any

from agrad.extend import Rule, backend_of, device_of, put, size


def _has_integer_array(key: Any) -> bool:
    keys = key if isinstance(key, tuple) else (key,)
    for k in keys:
        dtype = getattr(k, "dtype", None)
        if dtype is not None and "bool" not in str(dtype):
            return True
    return False


def _getitem_vjp(g: Any, out: Any, x: Any, *, xp: Any, key: Any) -> Any:
    if not _has_integer_array(key) and not any(k is None for k in key):
        # slices, integers and boolean masks select each element at most once
        return put(xp.zeros(x.shape, dtype=g.dtype, device=device_of(g)), key, g, xp)
    # integer arrays may repeat an element, and new axes (None) can't be assigned through:
    # scatter-add into the flat positions the key selects
    return _scatter_flat(g, x, _flat_positions(x, xp, device_of(g))[key], xp)


def _setitem_vjp_x(g: Any, out: Any, x: Any, value: Any, *, xp: Any, key: Any) -> Any:
    # the overwritten positions get no gradient
    mask = put(xp.zeros(g.shape, dtype=xp.bool, device=device_of(g)), key, True, xp)
    return xp.where(mask, 0.0, g)


def _scatter_flat(g: Any, x: Any, positions: Any, xp: Any) -> Any:
    """Zeros shaped like ``x`` with ``g`` added at the flat ``positions`` (repeats add up)."""
    n = size(x)
    flat = backend_of(xp).scatter_add(
        xp.zeros(n, dtype=g.dtype, device=device_of(g)),
        xp.reshape(positions, (-1,)),
        xp.reshape(g, (-1,)),
        axis=0,
    )
    return xp.reshape(flat, x.shape)


def _flat_positions(x: Any, xp: Any, device: Any) -> Any:
    return xp.reshape(xp.arange(size(x), device=device), x.shape)


def _take_vjp(g: Any, out: Any, x: Any, indices: Any, *, xp: Any, axis: int | None) -> Any:
    where = _flat_positions(x, xp, device_of(g))
    if axis is None:
        where = xp.reshape(where, (-1,))
    return _scatter_flat(g, x, xp.take(where, indices, axis=0 if axis is None else axis), xp)


def _take_along_axis_vjp(g: Any, out: Any, x: Any, indices: Any, *, xp: Any, axis: int) -> Any:
    positions = xp.take_along_axis(_flat_positions(x, xp, device_of(g)), indices, axis=axis)
    return _scatter_flat(g, x, positions, xp)


RULES = [
    Rule("take", _take_vjp, None, save="inputs"),
    Rule("take_along_axis", _take_along_axis_vjp, None, save="inputs"),
    Rule("__getitem__", _getitem_vjp, save="meta", view=True),
    Rule(
        "__setitem__",
        _setitem_vjp_x,
        lambda g, out, x, value, *, xp, key: g[key],
        linear=True,
    ),
    # an in-place change through a view: the base loses the old values at the view's
    # positions (`mask`) and takes the view's new ones
    Rule(
        "_view_scatter",
        lambda g, out, base, view, *, xp, mask, replay: xp.where(mask, 0.0, g),
        lambda g, out, base, view, *, xp, mask, replay: replay(xp, g),
        linear=True,
    ),
    # the differentiable scatter-add that getitem's rule uses under create_graph
    Rule(
        "_scatter_add",
        lambda g, out, x, index, values, *, xp, axis: g,
        None,
        lambda g, out, x, index, values, *, xp, axis: xp.take(g, index, axis=axis),
        save="inputs",
    ),
]
