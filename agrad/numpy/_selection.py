"""NumPy's partitioning, choosing and writing-by-index functions: ``partition``, ``choose``,
``compress``, ``put_along_axis``, ``fill_diagonal``...

Which elements are chosen is computed from the values (no gradient); the chosen elements
carry theirs. The writing functions (``fill_diagonal``, ``copyto``, ``putmask``, ``place``,
``put``, ``put_along_axis``) write into a tensor in place, differentiably (a NumPy array is
handed to NumPy).
"""

from __future__ import annotations

import math
from typing import Any

import numpy

from agrad._api import manipulation as _m
from agrad._api.creation import asarray as _asarray
from agrad._api.creation import zeros
from agrad._api.data_type import astype, result_type
from agrad._api.indexing import take
from agrad._api.sorting import argsort as _argsort
from agrad._api.sorting import sort as _sort
from agrad._arraylike import ArrayLike, as_tensor, flatten, normalize_axis, refuse
from agrad._dtypes import complex64, complex128
from agrad._tensor import Tensor
from agrad.errors import AgradTypeError, AgradValueError
from agrad.numpy._indexing import diag_indices, take_along_axis, tril_indices, triu_indices

__all__ = [
    "argpartition",
    "choose",
    "compress",
    "copyto",
    "diag_indices_from",
    "fill_diagonal",
    "partition",
    "place",
    "put",
    "put_along_axis",
    "putmask",
    "resize",
    "sort_complex",
    "tril_indices_from",
    "trim_zeros",
    "triu_indices_from",
]


def _values(t: Tensor) -> numpy.ndarray:
    """A tensor's values as a NumPy array (to decide which elements to pick)."""
    return numpy.asarray(t.detach().tolist())


def partition(
    a: ArrayLike, kth: Any, axis: int | None = -1, kind: str = "introselect", order: Any = None
) -> Tensor:
    """``numpy.partition``, as a full sort: a valid partition for every ``kth``, differentiable
    (the gradient follows the elements). The order inside each part may differ from NumPy's.

    Examples
    --------
    >>> import agrad.numpy as np
    >>> np.partition(np.array([3.0, 1.0, 2.0, 0.0]), 1).tolist()
    [0.0, 1.0, 2.0, 3.0]
    """
    if order is not None:
        refuse("numpy.partition", "order", order)
    x = as_tensor(a)
    if axis is None:
        return _sort(flatten(x), axis=0)
    return _sort(x, axis=int(axis))


def argpartition(
    a: ArrayLike, kth: Any, axis: int | None = -1, kind: str = "introselect", order: Any = None
) -> Tensor:
    """``numpy.argpartition``, as a stable ``argsort`` (a valid partition for every ``kth``)."""
    if order is not None:
        refuse("numpy.argpartition", "order", order)
    x = as_tensor(a)
    if axis is None:
        return _argsort(flatten(x), axis=0, stable=True)
    return _argsort(x, axis=int(axis), stable=True)


def sort_complex(a: ArrayLike) -> Tensor:
    """``numpy.sort_complex``: sorted by real part, then imaginary part, along the last axis;
    the result is complex, as NumPy's."""
    x = as_tensor(a)
    order = numpy.argsort(_values(x), axis=-1, kind="stable")
    result = take_along_axis(x, _asarray(order, device=x.device), axis=-1)
    if result.dtype.kind != "c":
        target = (
            complex64
            if result.dtype.name in ("float32", "int8", "uint8", "int16", "uint16")
            else complex128
        )
        result = astype(result, target)
    return result


def choose(a: ArrayLike, choices: Any, out: Any = None, mode: str = "raise") -> Tensor:
    """``numpy.choose``: the element of ``choices[a]`` at each place, differentiable in the
    choices."""
    if out is not None:
        refuse("numpy.choose", "out", out)
    index = as_tensor(a)
    options = [as_tensor(c, device=index.device) for c in choices]
    raw = _values(index).astype(numpy.int64)
    n = len(options)
    if mode == "wrap":
        raw = raw % n
    elif mode == "clip":
        raw = numpy.clip(raw, 0, n - 1)
    elif mode != "raise":
        refuse("numpy.choose", "mode", mode)
    elif raw.size and (raw.min() < 0 or raw.max() >= n):
        msg = f"`numpy.choose`: an index is outside [0, {n}); use mode='wrap' or 'clip'."
        raise AgradValueError(msg)
    shape = numpy.broadcast_shapes(raw.shape, *(o.shape for o in options))
    common = options[0].dtype
    if len({o.dtype for o in options}) > 1:
        common = result_type(*options)
    stacked = _m.stack(
        [_m.broadcast_to(o if o.dtype is common else astype(o, common), shape) for o in options]
    )
    picks = _asarray(numpy.broadcast_to(raw, shape)[None], device=index.device)
    return take_along_axis(stacked, picks, axis=0)[0]


def compress(
    condition: ArrayLike, a: ArrayLike, axis: int | None = None, out: Any = None
) -> Tensor:
    """``numpy.compress``: the slices along ``axis`` where ``condition`` is true."""
    if out is not None:
        refuse("numpy.compress", "out", out)
    x = as_tensor(a)
    cond = numpy.asarray(
        _values(as_tensor(condition)) if isinstance(condition, Tensor) else condition
    )
    if axis is None:
        x, axis = flatten(x), 0
    picked = numpy.flatnonzero(cond.reshape(-1))
    if picked.size and picked[-1] >= x.shape[axis]:
        msg = (
            f"`numpy.compress`: the condition selects index {picked[-1]}, past the axis "
            f"length {x.shape[axis]}."
        )
        raise AgradValueError(msg)
    return take(x, _asarray(picked, device=x.device), axis=int(axis))


def trim_zeros(filt: ArrayLike, trim: str = "fb", axis: Any = None) -> Tensor:
    """``numpy.trim_zeros`` of a 1-d sequence: a slice of it, differentiable."""
    x = as_tensor(filt)
    if x.ndim != 1 or axis not in (None, 0, -1):
        msg = "`numpy.trim_zeros` in agrad.numpy takes a 1-d sequence."
        raise AgradValueError(msg)
    nonzero = numpy.flatnonzero(_values(x))
    if nonzero.size == 0:
        return x[0:0]
    start = int(nonzero[0]) if "f" in trim.lower() else 0
    stop = int(nonzero[-1]) + 1 if "b" in trim.lower() else x.shape[0]
    return x[start:stop]


def resize(a: ArrayLike, new_shape: Any) -> Tensor:
    """``numpy.resize``: the elements repeated (or cut) to fill ``new_shape``."""
    x = flatten(as_tensor(a))
    shape = (int(new_shape),) if numpy.ndim(new_shape) == 0 else tuple(int(s) for s in new_shape)
    size = math.prod(shape)
    if x.shape[0] == 0 or size == 0:
        return zeros(shape, dtype=x.dtype, device=x.device)
    repeats = -(-size // x.shape[0])
    filled = _m.tile(x, (repeats,)) if repeats > 1 else x
    return _m.reshape(filled[:size], shape)


def tril_indices_from(arr: ArrayLike, k: int = 0) -> tuple[Tensor, ...]:
    """``numpy.tril_indices_from``: ``tril_indices`` of a 2-d array's shape."""
    shape = arr.shape if hasattr(arr, "shape") else numpy.shape(arr)
    return tril_indices(shape[-2], k, shape[-1])


def triu_indices_from(arr: ArrayLike, k: int = 0) -> tuple[Tensor, ...]:
    """``numpy.triu_indices_from``: ``triu_indices`` of a 2-d array's shape."""
    shape = arr.shape if hasattr(arr, "shape") else numpy.shape(arr)
    return triu_indices(shape[-2], k, shape[-1])


def diag_indices_from(arr: ArrayLike) -> tuple[Tensor, ...]:
    """``numpy.diag_indices_from``: ``diag_indices`` of an array with equal sides."""
    shape = tuple(arr.shape if hasattr(arr, "shape") else numpy.shape(arr))
    if len(shape) < 2 or len(set(shape)) != 1:
        msg = f"`numpy.diag_indices_from` needs at least 2 equal dimensions, got shape {shape!r}."
        raise AgradValueError(msg)
    return diag_indices(shape[0], len(shape))


# -- writing by index, in place ------------------------------------------------------------
def _target(function: str, a: Any) -> Tensor | None:
    """``a`` if it is a tensor; None for a NumPy array (NumPy writes it)."""
    if isinstance(a, Tensor):
        return a
    if isinstance(a, numpy.ndarray):
        return None
    msg = f"`numpy.{function}` writes into an array in place; got a {type(a).__name__}."
    raise AgradTypeError(msg)


def _cycled(values: Any, count: int, like: Tensor) -> Tensor:
    """``count`` values taken cyclically from ``values`` (NumPy's rule for short values)."""
    v = resize(as_tensor(values, device=like.device), count)
    return v if v.dtype is like.dtype else astype(v, like.dtype)


def _as_numpy_values(v: Any) -> Any:
    return _values(v) if isinstance(v, Tensor) else v


def fill_diagonal(a: Any, val: Any, wrap: bool = False) -> None:
    """``numpy.fill_diagonal``: writes ``val`` (repeated cyclically) into the main diagonal."""
    t = _target("fill_diagonal", a)
    if t is None:
        numpy.fill_diagonal(a, _as_numpy_values(val), wrap)
        return
    shape = t.shape
    if t.ndim < 2 or (t.ndim > 2 and len(set(shape)) != 1):
        msg = f"`numpy.fill_diagonal` needs a 2-d array or equal dimensions, got shape {shape!r}."
        raise AgradValueError(msg)
    size = math.prod(shape)
    if t.ndim == 2:
        step = shape[1] + 1
        end = size if wrap else min(size, shape[1] * shape[1])
    else:
        step = 1 + int(numpy.cumprod(shape[:-1]).sum())
        end = size
    positions = numpy.arange(0, end, step)
    index = tuple(_asarray(i, device=t.device) for i in numpy.unravel_index(positions, shape))
    t[index] = _cycled(val, positions.size, t)


def copyto(dst: Any, src: Any, casting: Any = "same_kind", where: Any = True) -> None:
    """``numpy.copyto``: ``src`` (broadcast) written into ``dst`` where ``where`` holds."""
    t = _target("copyto", dst)
    if t is None:
        numpy.copyto(dst, _as_numpy_values(src), casting, _as_numpy_values(where))
        return
    s = as_tensor(src, device=t.device)
    s = _m.broadcast_to(s if s.dtype is t.dtype else astype(s, t.dtype), t.shape)
    if where is True:
        t[...] = s
        return
    mask = numpy.broadcast_to(numpy.asarray(_as_numpy_values(where), dtype=bool), t.shape)
    m = _asarray(mask, device=t.device)
    t[m] = s[m]


def putmask(a: Any, mask: Any, values: Any) -> None:
    """``numpy.putmask``: ``a[mask] = values``, ``values`` repeated over all of ``a``."""
    t = _target("putmask", a)
    if t is None:
        numpy.putmask(a, _as_numpy_values(mask), _as_numpy_values(values))
        return
    m = _asarray(numpy.asarray(_as_numpy_values(mask), dtype=bool), device=t.device)
    filled = _m.reshape(_cycled(values, math.prod(t.shape), t), t.shape)
    t[m] = filled[m]


def place(arr: Any, mask: Any, vals: Any) -> None:
    """``numpy.place``: the places where ``mask`` holds take ``vals`` in turn (cyclically)."""
    t = _target("place", arr)
    if t is None:
        numpy.place(arr, _as_numpy_values(mask), _as_numpy_values(vals))
        return
    raw = numpy.asarray(_as_numpy_values(mask), dtype=bool)
    count = int(raw.sum())
    if count:
        t[_asarray(raw, device=t.device)] = _cycled(vals, count, t)


def put(a: Any, ind: Any, v: Any, mode: Any = "raise") -> None:
    """``numpy.put``: the flat positions ``ind`` take ``v`` (repeated cyclically)."""
    t = _target("put", a)
    if t is None:
        numpy.put(a, _as_numpy_values(ind), _as_numpy_values(v), mode)
        return
    positions = numpy.asarray(_as_numpy_values(ind), dtype=numpy.int64).reshape(-1)
    size = math.prod(t.shape)
    if mode == "wrap":
        positions = positions % size
    elif mode == "clip":
        positions = numpy.clip(positions, 0, size - 1)
    elif mode != "raise":
        refuse("numpy.put", "mode", mode)
    elif positions.size and (positions.min() < -size or positions.max() >= size):
        msg = f"`numpy.put`: an index is outside an array of size {size}."
        raise AgradValueError(msg)
    index = numpy.unravel_index(positions % size, t.shape)
    t[tuple(_asarray(i, device=t.device) for i in index)] = _cycled(v, positions.size, t)


def put_along_axis(arr: Any, indices: Any, values: Any, axis: int | None) -> None:
    """``numpy.put_along_axis``: the write that ``take_along_axis`` reads."""
    t = _target("put_along_axis", arr)
    if t is None:
        numpy.put_along_axis(arr, _as_numpy_values(indices), _as_numpy_values(values), axis)
        return
    idx = numpy.asarray(_as_numpy_values(indices), dtype=numpy.int64)
    if axis is None:
        positions = idx.reshape(-1) % math.prod(t.shape)
        index = numpy.unravel_index(positions, t.shape)
        shape: tuple[int, ...] = positions.shape
    else:
        (ax,) = normalize_axis(axis, t.ndim) or (0,)
        if idx.ndim != t.ndim:
            msg = "`numpy.put_along_axis` needs indices with as many dimensions as the array."
            raise AgradValueError(msg)
        grids = numpy.ogrid[tuple(slice(n) for n in idx.shape)]
        shape = tuple(numpy.broadcast_shapes(*(g.shape for g in grids)))
        index = tuple(
            numpy.broadcast_to(idx % t.shape[ax] if i == ax else g, shape)
            for i, g in enumerate(grids)
        )
    v = as_tensor(values, device=t.device)
    v = _m.broadcast_to(v if v.dtype is t.dtype else astype(v, t.dtype), shape)
    t[tuple(_asarray(numpy.ascontiguousarray(i), device=t.device) for i in index)] = v
