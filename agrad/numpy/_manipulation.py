"""Shapes, joining and splitting with NumPy's signatures: ``reshape``, ``concatenate``, ``pad``...

All are differentiable: they are built from the standard's manipulation functions and
indexing, whose gradients route values back to where they came from.
"""

from __future__ import annotations

import builtins
import itertools
from typing import Any

import numpy

from agrad._api import manipulation as _m
from agrad._api.creation import asarray as _asarray
from agrad._api.creation import full
from agrad._api.data_type import astype as _astype
from agrad._api.data_type import result_type
from agrad._api.indexing import take
from agrad._api.linear_algebra import matrix_transpose as _matrix_transpose
from agrad._arraylike import (
    ArrayLike,
    Axis,
    as_tensor,
    as_tensors,
    dtype_of,
    finish,
    flatten,
    normalize_axis,
    refuse,
    shape_tuple,
)
from agrad._tensor import Tensor
from agrad.errors import AgradValueError

__all__ = [
    "append",
    "array_split",
    "astype",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "block",
    "broadcast_arrays",
    "broadcast_to",
    "column_stack",
    "concat",
    "concatenate",
    "delete",
    "dsplit",
    "dstack",
    "expand_dims",
    "flip",
    "fliplr",
    "flipud",
    "hsplit",
    "hstack",
    "insert",
    "matrix_transpose",
    "moveaxis",
    "ndim",
    "pad",
    "permute_dims",
    "ravel",
    "repeat",
    "reshape",
    "roll",
    "rollaxis",
    "rot90",
    "row_stack",
    "shape",
    "size",
    "split",
    "squeeze",
    "stack",
    "swapaxes",
    "tile",
    "transpose",
    "unstack",
    "vsplit",
    "vstack",
]


# -- shapes ------------------------------------------------------------------------------
def reshape(
    a: ArrayLike,
    /,
    shape: Any = None,
    order: str = "C",
    *,
    newshape: Any = None,
    copy: bool | None = None,
) -> Tensor:
    """``numpy.reshape`` (orders ``"C"``, ``"F"`` and ``"A"``)."""
    x = as_tensor(a)
    target = shape_tuple(shape if shape is not None else newshape)
    if order == "F":
        reverse = tuple(range(x.ndim))[::-1]
        flipped = _m.reshape(_m.permute_dims(x, reverse), target[::-1])
        return _m.permute_dims(flipped, tuple(range(len(target)))[::-1])
    if order not in ("C", "A"):
        refuse("numpy.reshape", "order", order)
    return _m.reshape(x, target, copy=copy)


def ravel(a: ArrayLike, order: str = "C") -> Tensor:
    """``numpy.ravel``: the flattened tensor."""
    return reshape(a, (-1,), order)


def transpose(a: ArrayLike, axes: Any = None) -> Tensor:
    """``numpy.transpose``: the axes reversed (or permuted as ``axes`` says)."""
    x = as_tensor(a)
    if axes is None:
        axes = tuple(range(x.ndim))[::-1]
    normal = normalize_axis(axes, x.ndim)
    assert normal is not None
    return _m.permute_dims(x, normal)


def permute_dims(a: ArrayLike, axes: Any = None) -> Tensor:
    """``numpy.permute_dims``: the same as :func:`transpose`."""
    return transpose(a, axes)


def matrix_transpose(x: ArrayLike, /) -> Tensor:
    """``numpy.matrix_transpose``: the last two axes swapped."""
    return _matrix_transpose(as_tensor(x))


def swapaxes(a: ArrayLike, axis1: int, axis2: int) -> Tensor:
    """``numpy.swapaxes``."""
    x = as_tensor(a)
    axes = list(range(x.ndim))
    i, j = axis1 % x.ndim, axis2 % x.ndim
    axes[i], axes[j] = axes[j], axes[i]
    return _m.permute_dims(x, tuple(axes))


def moveaxis(a: ArrayLike, source: Any, destination: Any) -> Tensor:
    """``numpy.moveaxis``."""
    return _m.moveaxis(as_tensor(a), source, destination)


def rollaxis(a: ArrayLike, axis: int, start: int = 0) -> Tensor:
    """``numpy.rollaxis``: ``axis`` moved to just before ``start``."""
    x = as_tensor(a)
    axis %= x.ndim
    start = start % (x.ndim + 1) if start < 0 else start
    if axis < start:
        start -= 1
    return _m.moveaxis(x, axis, start) if axis != start else x


def expand_dims(a: ArrayLike, axis: Axis) -> Tensor:
    """``numpy.expand_dims`` (several axes at once too)."""
    x = as_tensor(a)
    axes = (axis,) if isinstance(axis, int) else tuple(axis or ())
    ndim = x.ndim + len(axes)
    normal = sorted(a % ndim for a in axes)
    shape = list(x.shape)
    for a in normal:
        shape.insert(a, 1)
    return _m.reshape(x, tuple(shape))


def squeeze(a: ArrayLike, axis: Axis = None) -> Tensor:
    """``numpy.squeeze``: without the size-one axes (all of them when ``axis`` is None)."""
    x = as_tensor(a)
    if axis is None:
        axes = tuple(i for i, s in enumerate(x.shape) if s == 1)
    else:
        normal = normalize_axis(axis, x.ndim)
        assert normal is not None
        axes = normal
    return _m.squeeze(x, axis=axes) if axes else x


def _atleast(arys: tuple[Any, ...], nd: int) -> Any:
    result = []
    for a in arys:
        x = as_tensor(a)
        if x.ndim < nd:
            if nd == 3 and x.ndim == 2:
                shape: tuple[int, ...] = (*x.shape, 1)
            elif nd == 3 and x.ndim == 1:
                shape = (1, x.shape[0], 1)
            else:
                shape = (1,) * (nd - x.ndim) + x.shape
            x = _m.reshape(x, shape)
        result.append(x)
    return result[0] if len(result) == 1 else tuple(result)


def atleast_1d(*arys: ArrayLike) -> Any:
    """``numpy.atleast_1d``."""
    return _atleast(arys, 1)


def atleast_2d(*arys: ArrayLike) -> Any:
    """``numpy.atleast_2d``."""
    return _atleast(arys, 2)


def atleast_3d(*arys: ArrayLike) -> Any:
    """``numpy.atleast_3d``."""
    return _atleast(arys, 3)


def broadcast_to(array: ArrayLike, shape: Any, subok: bool = False) -> Tensor:
    """``numpy.broadcast_to``; the gradient sums the broadcast axes back."""
    return _m.broadcast_to(as_tensor(array), shape_tuple(shape))


def broadcast_arrays(*args: ArrayLike, subok: bool = False) -> tuple[Tensor, ...]:
    """``numpy.broadcast_arrays``."""
    return _m.broadcast_arrays(*as_tensors(args))


def tile(A: ArrayLike, reps: Any) -> Tensor:
    """``numpy.tile``."""
    x = as_tensor(A)
    reps_t = shape_tuple(reps)
    if len(reps_t) < x.ndim:
        reps_t = (1,) * (x.ndim - len(reps_t)) + reps_t
    return _m.tile(x, reps_t)


def repeat(a: ArrayLike, repeats: Any, axis: int | None = None) -> Tensor:
    """``numpy.repeat`` (flattened first when ``axis`` is None)."""
    x = as_tensor(a)
    if axis is None:
        x = flatten(x)
        axis = 0
    if not isinstance(repeats, int):
        repeats = as_tensor(repeats, device=x.device)
        if repeats.ndim == 0:
            repeats = int(repeats.item())
    return _m.repeat(x, repeats, axis=axis)


def flip(m: ArrayLike, axis: Axis = None) -> Tensor:
    """``numpy.flip``."""
    x = as_tensor(m)
    normal = normalize_axis(axis, x.ndim)
    return _m.flip(x, axis=normal)


def fliplr(m: ArrayLike) -> Tensor:
    """``numpy.fliplr``: reversed along axis 1."""
    return _m.flip(as_tensor(m), axis=1)


def flipud(m: ArrayLike) -> Tensor:
    """``numpy.flipud``: reversed along axis 0."""
    return _m.flip(as_tensor(m), axis=0)


def roll(a: ArrayLike, shift: Any, axis: Axis = None) -> Tensor:
    """``numpy.roll``."""
    x = as_tensor(a)
    if axis is None:
        return _m.reshape(_m.roll(flatten(x), _shift(shift)), x.shape)
    return _m.roll(x, _shift(shift), axis=axis if isinstance(axis, int) else tuple(axis))


def _shift(shift: Any) -> Any:
    if isinstance(shift, (int, numpy.integer)):
        return int(shift)
    return tuple(int(s) for s in shift)


def rot90(m: ArrayLike, k: int = 1, axes: tuple[int, int] = (0, 1)) -> Tensor:
    """``numpy.rot90``: rotated by 90 degrees ``k`` times in the plane of ``axes``."""
    x = as_tensor(m)
    k %= 4
    a0, a1 = axes
    if k == 0:
        return x
    if k == 2:
        return _m.flip(_m.flip(x, axis=a0), axis=a1)
    order = list(range(x.ndim))
    order[a0 % x.ndim], order[a1 % x.ndim] = order[a1 % x.ndim], order[a0 % x.ndim]
    if k == 1:
        return _m.permute_dims(_m.flip(x, axis=a1), tuple(order))
    return _m.flip(_m.permute_dims(x, tuple(order)), axis=a1)


def shape(a: ArrayLike) -> tuple[int, ...]:
    """``numpy.shape``."""
    return a.shape if isinstance(a, Tensor) else tuple(numpy.shape(a))


def ndim(a: ArrayLike) -> int:
    """``numpy.ndim``."""
    return a.ndim if isinstance(a, Tensor) else int(numpy.ndim(a))


def size(a: ArrayLike, axis: int | None = None) -> int:
    """``numpy.size``."""
    dims = shape(a)
    if axis is None:
        n = 1
        for d in dims:
            n *= d
        return n
    return dims[axis]


def astype(x: ArrayLike, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Tensor:
    """``numpy.astype``: ``x`` cast to ``dtype`` (the gradient is cast back)."""
    t = as_tensor(x)
    return _astype(t, dtype_of(dtype), copy=copy, device=device)


# -- joining -----------------------------------------------------------------------------
def _common(tensors: list[Tensor], dtype: Any) -> list[Tensor]:
    target = dtype_of(dtype) if dtype is not None else result_type(*tensors)
    return [t if t.dtype is target else _astype(t, target) for t in tensors]


def concatenate(
    arrays: Any,
    /,
    axis: int | None = 0,
    out: Any = None,
    *,
    dtype: Any = None,
    casting: str = "same_kind",
) -> Any:
    """``numpy.concatenate`` (flattened first when ``axis`` is None)."""
    tensors = _common(as_tensors(list(arrays)), dtype)
    if axis is None:
        tensors = [flatten(t) for t in tensors]
        axis = 0
    return finish("numpy.concatenate", _m.concat(tensors, axis=axis), out)


def concat(
    arrays: Any,
    /,
    axis: int | None = 0,
    out: Any = None,
    *,
    dtype: Any = None,
    casting: str = "same_kind",
) -> Any:
    """``numpy.concat``: the same as :func:`concatenate`."""
    return concatenate(arrays, axis, out, dtype=dtype, casting=casting)


def stack(
    arrays: Any, axis: int = 0, out: Any = None, *, dtype: Any = None, casting: str = "same_kind"
) -> Any:
    """``numpy.stack``."""
    tensors = _common(as_tensors(list(arrays)), dtype)
    return finish("numpy.stack", _m.stack(tensors, axis=axis), out)


def hstack(tup: Any, *, dtype: Any = None, casting: str = "same_kind") -> Tensor:
    """``numpy.hstack``: along axis 1 (axis 0 for 1-d input)."""
    tensors = _atleast_list(tup, 1)
    axis = 0 if tensors and tensors[0].ndim == 1 else 1
    return _m.concat(_common(tensors, dtype), axis=axis)


def vstack(tup: Any, *, dtype: Any = None, casting: str = "same_kind") -> Tensor:
    """``numpy.vstack``: along axis 0, 1-d input as rows."""
    return _m.concat(_common(_atleast_list(tup, 2), dtype), axis=0)


def row_stack(tup: Any, *, dtype: Any = None, casting: str = "same_kind") -> Tensor:
    """``numpy.row_stack``: the same as :func:`vstack` (NumPy 2 deprecates the name; agrad
    keeps it for the code that uses it, without a warning)."""
    return vstack(tup, dtype=dtype, casting=casting)


def dstack(tup: Any) -> Tensor:
    """``numpy.dstack``: along axis 2."""
    return _m.concat(_common(_atleast_list(tup, 3), None), axis=2)


def _atleast_list(tup: Any, nd: int) -> list[Tensor]:
    tensors = as_tensors(list(tup))
    result = _atleast(tuple(tensors), nd)
    return [result] if isinstance(result, Tensor) else list(result)


def column_stack(tup: Any) -> Tensor:
    """``numpy.column_stack``: 1-d inputs become columns."""
    tensors = [_m.reshape(t, (-1, 1)) if t.ndim < 2 else t for t in as_tensors(list(tup))]
    return _m.concat(_common(tensors, None), axis=1)


def block(arrays: Any) -> Tensor:
    """``numpy.block``: a tensor assembled from nested lists of blocks."""

    def depth(a: Any) -> int:
        return 1 + depth(a[0]) if isinstance(a, list) else 0

    levels = depth(arrays)

    def leaf_ndim(a: Any) -> int:
        return leaf_ndim(a[0]) if isinstance(a, list) else as_tensor(a).ndim

    nd = builtins.max(levels, leaf_ndim(arrays)) if levels else 0

    def assemble(a: Any, level: int) -> Tensor:
        if not isinstance(a, list):
            t = as_tensor(a)
            return _m.reshape(t, (1,) * (nd - t.ndim) + t.shape) if t.ndim < nd else t
        parts = _common([assemble(p, level + 1) for p in a], None)
        return _m.concat(parts, axis=-(levels - level))

    return assemble(arrays, 0)


def unstack(x: ArrayLike, /, *, axis: int = 0) -> tuple[Tensor, ...]:
    """``numpy.unstack``."""
    return _m.unstack(as_tensor(x), axis=axis)


# -- splitting, inserting, deleting ------------------------------------------------------
def _split_points(n: int, sections: Any, even: bool) -> list[int]:
    if isinstance(sections, (int, numpy.integer)):
        k = int(sections)
        if even and n % k:
            msg = "array split does not result in an equal division"
            raise AgradValueError(msg)
        size, extra = divmod(n, k)
        bounds = [0]
        for i in range(k):
            bounds.append(bounds[-1] + size + (1 if i < extra else 0))
        return bounds
    points = [int(p) for p in sections]
    return [0, *points, n]


def _split(x: Tensor, sections: Any, axis: int, even: bool) -> list[Tensor]:
    axis %= x.ndim
    bounds = _split_points(x.shape[axis], sections, even)
    head = (slice(None),) * axis
    keys = [
        (*head, slice(builtins.min(lo, x.shape[axis]), builtins.max(lo, hi)))
        for lo, hi in itertools.pairwise(bounds)
    ]
    return [x[key] for key in keys]


def split(ary: ArrayLike, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """``numpy.split``."""
    return _split(as_tensor(ary), indices_or_sections, axis, even=True)


def array_split(ary: ArrayLike, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """``numpy.array_split``: sections may differ in size by one."""
    return _split(as_tensor(ary), indices_or_sections, axis, even=False)


def hsplit(ary: ArrayLike, indices_or_sections: Any) -> list[Tensor]:
    """``numpy.hsplit``."""
    x = as_tensor(ary)
    return _split(x, indices_or_sections, 0 if x.ndim == 1 else 1, even=True)


def vsplit(ary: ArrayLike, indices_or_sections: Any) -> list[Tensor]:
    """``numpy.vsplit``."""
    return _split(as_tensor(ary), indices_or_sections, 0, even=True)


def dsplit(ary: ArrayLike, indices_or_sections: Any) -> list[Tensor]:
    """``numpy.dsplit``."""
    return _split(as_tensor(ary), indices_or_sections, 2, even=True)


def append(arr: ArrayLike, values: ArrayLike, axis: int | None = None) -> Tensor:
    """``numpy.append`` (both flattened when ``axis`` is None)."""
    x, v = as_tensors([arr, values])
    if axis is None:
        return _m.concat(_common([flatten(x), flatten(v)], None), axis=0)
    return _m.concat(_common([x, v], None), axis=axis)


def _index_map(n: int, obj: Any, k_values: int | None) -> numpy.ndarray:
    positions = numpy.arange(n)
    if k_values is None:
        return numpy.delete(positions, obj)
    return numpy.insert(positions, obj, numpy.arange(n, n + k_values))


def delete(arr: ArrayLike, obj: Any, axis: int | None = None) -> Tensor:
    """``numpy.delete``: the kept elements, taken differentiably."""
    x = as_tensor(arr)
    if axis is None:
        x = flatten(x)
        axis = 0
    raw = obj.tolist() if isinstance(obj, Tensor) else obj
    keep = _index_map(x.shape[axis], raw, None)
    return take(x, _asarray(keep, device=x.device), axis=axis)


def insert(arr: ArrayLike, obj: Any, values: ArrayLike, axis: int | None = None) -> Tensor:
    """``numpy.insert`` (integer or sequence positions; ``values`` broadcast to fit)."""
    x = as_tensor(arr)
    if axis is None:
        x = flatten(x)
        axis = 0
    axis %= x.ndim
    raw = obj.tolist() if isinstance(obj, Tensor) else obj
    count = 1 if isinstance(raw, (int, numpy.integer)) else len(numpy.atleast_1d(raw))
    v = as_tensor(values, device=x.device)
    shape = list(x.shape)
    shape[axis] = count
    if isinstance(raw, (int, numpy.integer)) and v.ndim == x.ndim:
        shape[axis] = v.shape[axis]
        count = shape[axis]
        raw = [int(raw)] * count
    v = _m.broadcast_to(_m.moveaxis(v, 0, axis) if 0 < v.ndim < x.ndim else v, tuple(shape))
    joined = _m.concat(_common([x, v], None), axis=axis)
    mapping = _index_map(x.shape[axis], raw, count)
    return take(joined, _asarray(mapping, device=x.device), axis=axis)


# -- padding -----------------------------------------------------------------------------
_PAD_MODES = ("constant", "edge", "wrap", "reflect", "symmetric")


def _pad_widths(pad_width: Any, ndim: int) -> list[tuple[int, int]]:
    widths = numpy.broadcast_to(numpy.asarray(pad_width, dtype=numpy.int64), (ndim, 2))
    return [(int(lo), int(hi)) for lo, hi in widths]


def _pad_index(n: int, lo: int, hi: int, mode: str) -> numpy.ndarray:
    """Which source index each padded position copies, for the index-based modes."""
    i = numpy.arange(-lo, n + hi)
    if mode == "edge":
        return numpy.clip(i, 0, n - 1)
    if mode == "wrap":
        return numpy.mod(i, n)
    if mode == "reflect":
        if n == 1:
            return numpy.zeros_like(i)
        period = 2 * (n - 1)
        j = numpy.mod(i, period)
        return numpy.where(j < n, j, period - j)
    period = 2 * n  # symmetric: the edge value repeats
    j = numpy.mod(i, period)
    return numpy.where(j < n, j, period - 1 - j)


def pad(array: ArrayLike, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Tensor:
    """``numpy.pad`` (modes constant, edge, wrap, reflect and symmetric)."""
    if mode not in _PAD_MODES:
        refuse("numpy.pad", "mode", mode)
    x = as_tensor(array)
    widths = _pad_widths(pad_width, x.ndim)
    values = kwargs.pop("constant_values", 0)
    for key, value in kwargs.items():
        refuse("numpy.pad", key, value)
    if mode == "constant":
        fills = numpy.broadcast_to(numpy.asarray(values), (x.ndim, 2))
        for axis, (lo, hi) in enumerate(widths):
            parts = []
            for side, width in ((0, lo), (1, hi)):
                shape = list(x.shape)
                shape[axis] = width
                fill = fills[axis][side].item()
                parts.append(full(tuple(shape), fill, dtype=x.dtype, device=x.device))
            if lo or hi:
                x = _m.concat([parts[0], x, parts[1]], axis=axis)
        return x
    for axis, (lo, hi) in enumerate(widths):
        if lo or hi:
            index = _pad_index(x.shape[axis], lo, hi, mode)
            x = take(x, _asarray(index, device=x.device), axis=axis)
    return x
