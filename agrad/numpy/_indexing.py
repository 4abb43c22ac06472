"""Indexing, selection, sorting and searching with NumPy's signatures.

Selections (``take``, ``where``, ``select``, ``piecewise``, ``diag``) are differentiable;
index results (``nonzero``, ``argsort``, ``searchsorted``) have no gradient.
``bincount(x, weights)`` and ``np.add.at`` scatter-add differentiably.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy

import agrad
from agrad._api import manipulation as _m
from agrad._api.creation import arange, zeros, zeros_like
from agrad._api.creation import asarray as _asarray
from agrad._api.creation import eye as _eye
from agrad._api.creation import tril as _tril
from agrad._api.creation import triu as _triu
from agrad._api.data_type import astype, result_type
from agrad._api.elementwise import clip as _clip
from agrad._api.elementwise import logical_not, remainder
from agrad._api.indexing import take as _take
from agrad._api.indexing import take_along_axis as _take_along_axis
from agrad._api.searching import nonzero as _nonzero
from agrad._api.searching import searchsorted as _searchsorted
from agrad._api.searching import where as _where
from agrad._api.set import isin as _isin
from agrad._api.set import unique_all
from agrad._api.sorting import argsort as _argsort
from agrad._api.sorting import sort as _sort
from agrad._api.statistical import max as _max
from agrad._api.statistical import sum as _sum
from agrad._arraylike import (
    ArrayLike,
    as_tensor,
    as_tensors,
    finish,
    flatten,
    refuse,
    shape_tuple,
    to_dtype,
)
from agrad._device import get_default_device
from agrad._dtypes import float64, int64
from agrad._tensor import Tensor
from agrad.errors import AgradTypeError, AgradValueError
from agrad.extend import backend_of
from agrad.linalg import diagonal as _diagonal

__all__ = [
    "add_at",
    "apply_along_axis",
    "argsort",
    "argwhere",
    "bincount",
    "diag",
    "diag_indices",
    "diagflat",
    "diagonal",
    "digitize",
    "extract",
    "flatnonzero",
    "isin",
    "ix_",
    "nonzero",
    "piecewise",
    "ravel_multi_index",
    "searchsorted",
    "select",
    "sort",
    "take",
    "take_along_axis",
    "trace",
    "tril",
    "tril_indices",
    "triu",
    "triu_indices",
    "unique",
    "unravel_index",
    "where",
]


def _bool(x: Tensor) -> Tensor:
    return x if x.dtype.kind == "b" else x != 0


# -- taking ------------------------------------------------------------------------------
def take(
    a: ArrayLike, indices: Any, axis: int | None = None, out: Any = None, mode: str = "raise"
) -> Any:
    """``numpy.take`` (``mode`` ``"raise"``, ``"wrap"`` or ``"clip"``)."""
    x = as_tensor(a)
    if axis is None:
        x = flatten(x)
        axis = 0
    axis %= x.ndim
    idx = as_tensor(indices, device=x.device)
    n = x.shape[axis]
    if mode == "wrap":
        idx = remainder(idx, n)
    elif mode == "clip":
        idx = _clip(idx, 0, n - 1)
    elif mode != "raise":
        refuse("numpy.take", "mode", mode)
    result = _take(x, flatten(idx), axis=axis)
    if idx.ndim != 1:
        result = _m.reshape(result, (*x.shape[:axis], *idx.shape, *x.shape[axis + 1 :]))
    return finish("numpy.take", result, out)


def take_along_axis(arr: ArrayLike, indices: Any, axis: int | None = -1) -> Tensor:
    """``numpy.take_along_axis`` (flattened when ``axis`` is None)."""
    x = as_tensor(arr)
    idx = as_tensor(indices, device=x.device)
    if axis is None:
        return _take_along_axis(flatten(x), flatten(idx), axis=0)
    return _take_along_axis(x, idx, axis=axis)


def where(condition: ArrayLike, x: Any = None, y: Any = None) -> Any:
    """``numpy.where``: the three-argument form is differentiable; the one-argument form
    is ``nonzero``. The arguments may be given by name too (``condition=``, ``x=``,
    ``y=``), as HIPS autograd allows."""
    if x is None and y is None:
        return nonzero(condition)
    if x is None or y is None:
        msg = "`numpy.where` takes one argument or three."
        raise AgradValueError(msg)
    tensors = [v for v in (condition, x, y) if isinstance(v, Tensor)]
    device = tensors[0].device if tensors else None
    cond = _bool(as_tensor(condition, device=device))
    choices = [
        v if type(v) in (bool, int, float, complex) else as_tensor(v, device=cond.device)
        for v in (x, y)
    ]
    first, second = choices
    if isinstance(first, Tensor) and isinstance(second, Tensor) and first.dtype is not second.dtype:
        common = result_type(first, second)
        first, second = (v if v.dtype is common else astype(v, common) for v in (first, second))
    return _where(cond, first, second)


def select(condlist: Any, choicelist: Any, default: Any = 0) -> Tensor:
    """``numpy.select``: where the first true condition holds, its choice."""
    conds = [_bool(c) for c in as_tensors(list(condlist))]
    choices = as_tensors(list(choicelist))
    common = result_type(*choices, *([default] if isinstance(default, Tensor) else []))
    result: Any = default
    for cond, choice in reversed(list(zip(conds, choices, strict=True))):
        choice = choice if choice.dtype is common else astype(choice, common)
        result = _where(cond, choice, result)
    assert isinstance(result, Tensor)
    return result


def piecewise(x: ArrayLike, condlist: Any, funclist: Any, *args: Any, **kw: Any) -> Tensor:
    """``numpy.piecewise``: each function sees only the elements of its condition, as in
    NumPy (so a branch that is undefined elsewhere adds no NaN to the gradient)."""
    t = as_tensor(x)
    if isinstance(condlist, Tensor) or (numpy.ndim(condlist) == t.ndim and t.ndim > 0):
        condlist = [condlist]
    conds = [_m.broadcast_to(_bool(as_tensor(c, device=t.device)), t.shape) for c in condlist]
    funcs = list(funclist)
    if len(funcs) == len(conds) + 1:
        rest = conds[0]
        for c in conds[1:]:
            rest = rest | c
        conds.append(logical_not(rest))
    result = zeros_like(t)
    for cond, f in zip(conds, funcs, strict=True):
        if not callable(f):
            result[cond] = f
            continue
        selected = t[cond]
        if selected.shape[0]:  # NumPy does not call a function on no elements
            result[cond] = f(selected, *args, **kw)
    return result


def nonzero(a: ArrayLike) -> tuple[Tensor, ...]:
    """``numpy.nonzero``."""
    return _nonzero(as_tensor(a))


def argwhere(a: ArrayLike) -> Tensor:
    """``numpy.argwhere``: the indices of the non-zero elements, one row each."""
    x = as_tensor(a)
    if x.ndim == 0:
        x = _m.reshape(x, (1,))
        return _m.reshape(_nonzero(x)[0], (-1, 0))
    return _m.stack(_nonzero(x), axis=1)


def flatnonzero(a: ArrayLike) -> Tensor:
    """``numpy.flatnonzero``."""
    return _nonzero(flatten(as_tensor(a)))[0]


def extract(condition: ArrayLike, arr: ArrayLike) -> Tensor:
    """``numpy.extract``: the elements where ``condition`` is true, flattened."""
    x = flatten(as_tensor(arr))
    return x[_bool(flatten(as_tensor(condition, device=x.device)))]


# -- sorting and searching ---------------------------------------------------------------
def sort(
    a: ArrayLike, axis: int | None = -1, kind: Any = None, order: Any = None, *, stable: Any = None
) -> Tensor:
    """``numpy.sort`` (differentiable: the gradient follows the elements)."""
    if order is not None:
        refuse("numpy.sort", "order", order)
    x = as_tensor(a)
    if axis is None:
        return _sort(flatten(x), axis=0)
    return _sort(x, axis=axis)


def argsort(
    a: ArrayLike, axis: int | None = -1, kind: Any = None, order: Any = None, *, stable: Any = None
) -> Tensor:
    """``numpy.argsort`` (stable; no gradient)."""
    if order is not None:
        refuse("numpy.argsort", "order", order)
    x = as_tensor(a)
    if axis is None:
        return _argsort(flatten(x), axis=0)
    return _argsort(x, axis=axis)


def searchsorted(a: ArrayLike, v: Any, side: str = "left", sorter: Any = None) -> Tensor:
    """``numpy.searchsorted`` (no gradient)."""
    x = as_tensor(a)
    vt = as_tensor(v, device=x.device)
    s = None if sorter is None else as_tensor(sorter, device=x.device)
    if side not in ("left", "right"):
        refuse("numpy.searchsorted", "side", side)
    return _searchsorted(x, vt, side="left" if side == "left" else "right", sorter=s)


def digitize(x: ArrayLike, bins: ArrayLike, right: bool = False) -> Tensor:
    """``numpy.digitize``: the bin of each value (increasing or decreasing bins)."""
    t = as_tensor(x)
    b = as_tensor(bins, device=t.device)
    side: Literal["left", "right"] = "left" if right else "right"
    if b.shape[0] > 1 and bool((b[-1] < b[0]).item()):
        return b.shape[0] - _searchsorted(_m.flip(b), t, side=side)
    return _searchsorted(b, t, side=side)


def unique(
    ar: ArrayLike,
    return_index: bool = False,
    return_inverse: bool = False,
    return_counts: bool = False,
    axis: int | None = None,
    *,
    equal_nan: bool = True,
    sorted: bool = True,
) -> Any:
    """``numpy.unique`` (flattened; ``axis`` is not supported). The values are taken from
    their first occurrences, so gradients reach those."""
    if axis is not None:
        refuse("numpy.unique", "axis", axis)
    x = as_tensor(ar)
    flat = flatten(x)
    result = unique_all(flat)
    order = _argsort(result.values)
    first = _take(result.indices, order)
    values = _take(flat, first)
    extras: list[Tensor] = []
    if return_index:
        extras.append(first)
    if return_inverse:
        # positions in the sorted values: invert the permutation `order`
        rank = _take(_argsort(order), flatten(result.inverse_indices))
        extras.append(_m.reshape(rank, x.shape) if x.ndim > 1 else rank)
    if return_counts:
        extras.append(_take(result.counts, order))
    return (values, *extras) if extras else values


def isin(
    element: ArrayLike,
    test_elements: ArrayLike,
    assume_unique: bool = False,
    invert: bool = False,
    *,
    kind: Any = None,
) -> Tensor:
    """``numpy.isin``."""
    x = as_tensor(element)
    return _isin(x, flatten(as_tensor(test_elements, device=x.device)), invert=invert)


# -- diagonals and triangles -------------------------------------------------------------
def diag(v: ArrayLike, k: int = 0) -> Tensor:
    """``numpy.diag``: a 1-d tensor's diagonal matrix, or a 2-d tensor's diagonal."""
    x = as_tensor(v)
    if x.ndim == 2:
        return _diagonal(x, offset=k)
    if x.ndim != 1:
        msg = "`numpy.diag` takes a 1-d or 2-d array."
        raise AgradValueError(msg)
    m = x.shape[0]
    n = m + abs(k)
    padded = _m.concat([x, zeros(abs(k), dtype=x.dtype, device=x.device)]) if k else x
    mask = _eye(n, k=k, dtype=x.dtype, device=x.device)
    # row i holds v[i] for k >= 0; column j holds v[j] for k < 0
    return mask * (_m.expand_dims(padded, axis=1) if k >= 0 else _m.expand_dims(padded, axis=0))


def diagflat(v: ArrayLike, k: int = 0) -> Tensor:
    """``numpy.diagflat``: the flattened input on diagonal ``k``."""
    return diag(flatten(as_tensor(v)), k)


def diagonal(a: ArrayLike, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """``numpy.diagonal`` (a differentiable copy, not a read-only view)."""
    x = as_tensor(a)
    moved = _m.moveaxis(x, (axis1, axis2), (-2, -1)) if (axis1, axis2) != (-2, -1) else x
    return _diagonal(moved, offset=offset)


def trace(
    a: ArrayLike,
    offset: int = 0,
    axis1: int = 0,
    axis2: int = 1,
    dtype: Any = None,
    out: Any = None,
) -> Any:
    """``numpy.trace``: the sum along a diagonal."""
    result = _sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=to_dtype(dtype))
    return finish("numpy.trace", result, out)


def tril(m: ArrayLike, k: int = 0) -> Tensor:
    """``numpy.tril``."""
    return _tril(as_tensor(m), k=k)


def triu(m: ArrayLike, k: int = 0) -> Tensor:
    """``numpy.triu``."""
    return _triu(as_tensor(m), k=k)


def _constant(values: Any) -> Tensor:
    return _asarray(values, device=get_default_device())


def tril_indices(n: int, k: int = 0, m: int | None = None) -> tuple[Tensor, ...]:
    """``numpy.tril_indices`` (tensors on the default device)."""
    return tuple(_constant(i) for i in numpy.tril_indices(n, k, m))


def triu_indices(n: int, k: int = 0, m: int | None = None) -> tuple[Tensor, ...]:
    """``numpy.triu_indices`` (tensors on the default device)."""
    return tuple(_constant(i) for i in numpy.triu_indices(n, k, m))


def diag_indices(n: int, ndim: int = 2) -> tuple[Tensor, ...]:
    """``numpy.diag_indices`` (tensors on the default device)."""
    return tuple(_constant(i) for i in numpy.diag_indices(n, ndim))


# -- index arithmetic --------------------------------------------------------------------
def ix_(*args: Any) -> tuple[Tensor, ...]:
    """``numpy.ix_``: open index grids (boolean masks become their indices)."""
    tensors = as_tensors(args)
    n = len(tensors)
    grids = []
    for i, t in enumerate(tensors):
        if t.dtype.kind == "b":
            t = _nonzero(t)[0]
        shape = [1] * n
        shape[i] = t.shape[0]
        grids.append(_m.reshape(t, tuple(shape)))
    return tuple(grids)


def unravel_index(indices: Any, shape: Any, order: str = "C") -> tuple[Tensor, ...]:
    """``numpy.unravel_index``: flat indices as coordinate tensors."""
    idx = as_tensor(indices)
    dims = shape_tuple(shape)
    coords: list[Tensor] = []
    walk = dims[::-1] if order == "C" else dims
    for d in walk:
        coords.append(remainder(idx, d))
        idx = idx // d
    return tuple(coords[::-1] if order == "C" else coords)


def ravel_multi_index(multi_index: Any, dims: Any, mode: str = "raise", order: str = "C") -> Tensor:
    """``numpy.ravel_multi_index``: coordinates as flat indices."""
    coords = as_tensors(list(multi_index))
    shape = shape_tuple(dims)
    if mode != "raise":
        refuse("numpy.ravel_multi_index", "mode", mode)
    axes = range(len(shape) - 1, -1, -1) if order == "C" else range(len(shape))
    flat: Any = 0
    stride = 1
    for ax in axes:
        flat = flat + coords[ax] * stride
        stride *= shape[ax]
    assert isinstance(flat, Tensor)
    return flat


# -- scatter-add -------------------------------------------------------------------------
def _scatter_flat(size: int, positions: Tensor, values: Tensor) -> Tensor:
    """Zeros of ``size`` with ``values`` added at ``positions`` (repeats add up)."""
    start = zeros(size, dtype=values.dtype, device=values.device)
    scattered: Tensor = backend_of(agrad).scatter_add(start, positions, values, axis=0)
    return scattered


def bincount(x: ArrayLike, /, weights: ArrayLike | None = None, minlength: int = 0) -> Tensor:
    """``numpy.bincount``; the result is differentiable in ``weights``."""
    idx = flatten(as_tensor(x))
    if idx.dtype.kind not in "iu":
        msg = f"`numpy.bincount` takes non-negative integers, got {idx.dtype!r}."
        raise AgradTypeError(msg)
    n = max(int(_max(idx).item()) + 1 if idx.shape[0] else 0, minlength)
    if weights is None:
        w = _m.broadcast_to(_asarray(1, dtype=int64, device=idx.device), idx.shape)
    else:
        w = flatten(as_tensor(weights, device=idx.device))
        if not w.dtype.is_floating:
            w = astype(w, float64)
    return _scatter_flat(n, idx, w)


def add_at(a: Any, indices: Any, b: Any) -> None:
    """``numpy.add.at``: add ``b`` into ``a`` at ``indices``, repeated indices adding up.

    ``a`` is changed in place, differentiably; a NumPy array ``a`` can only take values
    without a graph.
    """
    values = b
    if not isinstance(a, Tensor):
        if isinstance(values, Tensor) and values.requires_grad:
            msg = (
                "`numpy.add.at` would add values that require grad into a NumPy array, "
                "which cannot hold their graph. Make the target a tensor (for instance "
                "with `np.zeros_like(t)`)."
            )
            raise AgradTypeError(msg)
        raw_values = values.detach().array if isinstance(values, Tensor) else values
        numpy.add.at(a, _raw_key(indices), raw_values)
        return
    size = 1
    for s in a.shape:
        size *= s
    positions = _m.reshape(arange(size, device=a.device), a.shape)[indices]
    v = as_tensor(values, device=a.device)
    if v.dtype is not a.dtype:
        v = astype(v, a.dtype)
    v = _m.broadcast_to(v, positions.shape)
    delta = _scatter_flat(size, flatten(positions), flatten(v))
    a += _m.reshape(delta, a.shape)


def _raw_key(key: Any) -> Any:
    if isinstance(key, tuple):
        return tuple(_raw_key(k) for k in key)
    return key.detach().array if isinstance(key, Tensor) else key


def apply_along_axis(func1d: Any, axis: int, arr: ArrayLike, *args: Any, **kwargs: Any) -> Tensor:
    """``numpy.apply_along_axis``: ``func1d`` on every 1-d slice along ``axis`` (a Python
    loop over the slices, each call recorded)."""
    x = as_tensor(arr)
    axis %= x.ndim
    moved = _m.moveaxis(x, axis, -1)
    outer = moved.shape[:-1]
    rows = _m.reshape(moved, (-1, moved.shape[-1]))
    results = [
        as_tensor(func1d(rows[i], *args, **kwargs), device=x.device) for i in range(rows.shape[0])
    ]
    stacked = _m.stack(results)
    inner = stacked.shape[1:]
    out = _m.reshape(stacked, (*outer, *inner))
    if inner:
        ends = tuple(range(len(outer), len(outer) + len(inner)))
        out = _m.moveaxis(out, ends, tuple(range(axis, axis + len(inner))))
    return out
