"""Array creation with NumPy's signatures, on agrad's default device.

``array``, ``asarray`` and ``copy`` keep tensors in the graph (a list of tensors is stacked);
the other functions make constants. ``dtype=`` takes agrad dtypes, NumPy dtypes, Python
types and dtype names; ``device=`` takes agrad devices (``"cpu"`` means ``"numpy"``).
``order=`` is accepted and has no effect.
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy

from agrad._api import creation as _c
from agrad._api.creation import asarray as _asarray
from agrad._api.data_type import astype
from agrad._api.elementwise import exp, log, pow
from agrad._api.manipulation import broadcast_to, expand_dims, moveaxis, reshape
from agrad._arraylike import (
    ArrayLike,
    as_tensor,
    as_tensors,
    dtype_of,
    flatten,
    refuse,
    shape_tuple,
    to_dtype,
)
from agrad._device import Device, get_default_device
from agrad._dtypes import float64
from agrad._tensor import Tensor

__all__ = [
    "arange",
    "array",
    "asanyarray",
    "asarray",
    "ascontiguousarray",
    "copy",
    "empty",
    "empty_like",
    "eye",
    "full",
    "full_like",
    "geomspace",
    "identity",
    "indices",
    "linspace",
    "logspace",
    "meshgrid",
    "mgrid",
    "ogrid",
    "ones",
    "ones_like",
    "tri",
    "zeros",
    "zeros_like",
]


def _device(device: Any) -> Any:
    if device == "cpu":
        return Device("numpy")
    return device


def _no_like(function: str, like: Any) -> None:
    if like is not None:
        refuse(function, "like", like)


def _float_default(dtype: Any) -> Any:
    # NumPy's creation functions default to float64, whatever the device's default is
    return float64 if dtype is None else to_dtype(dtype)


def array(
    object: ArrayLike,
    dtype: Any = None,
    *,
    copy: bool = True,
    order: str = "K",
    subok: bool = False,
    ndmin: int = 0,
    ndmax: int = 0,
    like: Any = None,
) -> Tensor:
    """``numpy.array``: a tensor from data; tensors in ``object`` stay in the graph.

    A list of tensors is stacked, differentiably. ``copy=True`` (the default) copies a
    tensor argument in the graph.
    """
    _no_like("numpy.array", like)
    t = as_tensor(object, dtype, copy=True if copy else None)
    if copy and t is object:
        t = _asarray(t, copy=True)
    if ndmin > t.ndim:
        t = reshape(t, (1,) * (ndmin - t.ndim) + t.shape)
    return t


def asarray(
    a: ArrayLike,
    dtype: Any = None,
    order: str | None = None,
    *,
    device: Any = None,
    copy: bool | None = None,
    like: Any = None,
) -> Tensor:
    """``numpy.asarray``: a tensor from data; a tensor passes through, in the graph."""
    _no_like("numpy.asarray", like)
    t = as_tensor(a, dtype, device=_device(device))
    if copy and t is a:
        t = _asarray(t, copy=True)
    return t


def asanyarray(
    a: ArrayLike,
    dtype: Any = None,
    order: str | None = None,
    *,
    device: Any = None,
    copy: bool | None = None,
    like: Any = None,
) -> Tensor:
    """``numpy.asanyarray``: the same as :func:`asarray`."""
    return asarray(a, dtype, order, device=device, copy=copy, like=like)


def ascontiguousarray(a: ArrayLike, dtype: Any = None, *, like: Any = None) -> Tensor:
    """``numpy.ascontiguousarray``: the same as :func:`asarray` (at least 1-d)."""
    t = asarray(a, dtype, like=like)
    return reshape(t, (1,)) if t.ndim == 0 else t


def copy(a: ArrayLike, order: str = "K", subok: bool = False) -> Tensor:
    """``numpy.copy``: a copy that stays in the graph."""
    return _asarray(as_tensor(a), copy=True)


def zeros(
    shape: Any, dtype: Any = None, order: str = "C", *, device: Any = None, like: Any = None
) -> Tensor:
    """``numpy.zeros`` (float64 by default)."""
    _no_like("numpy.zeros", like)
    return _c.zeros(shape_tuple(shape), dtype=_float_default(dtype), device=_device(device))


def ones(
    shape: Any, dtype: Any = None, order: str = "C", *, device: Any = None, like: Any = None
) -> Tensor:
    """``numpy.ones`` (float64 by default)."""
    _no_like("numpy.ones", like)
    return _c.ones(shape_tuple(shape), dtype=_float_default(dtype), device=_device(device))


def empty(
    shape: Any, dtype: Any = None, order: str = "C", *, device: Any = None, like: Any = None
) -> Tensor:
    """``numpy.empty`` (float64 by default)."""
    _no_like("numpy.empty", like)
    return _c.empty(shape_tuple(shape), dtype=_float_default(dtype), device=_device(device))


def full(
    shape: Any,
    fill_value: Any,
    dtype: Any = None,
    order: str = "C",
    *,
    device: Any = None,
    like: Any = None,
) -> Tensor:
    """``numpy.full``; a tensor ``fill_value`` is broadcast in the graph."""
    _no_like("numpy.full", like)
    shape = shape_tuple(shape)
    if isinstance(fill_value, Tensor):
        value = fill_value if dtype is None else astype(fill_value, dtype_of(dtype))
        return _asarray(broadcast_to(value, shape), copy=True)
    if isinstance(fill_value, numpy.ndarray) and fill_value.ndim > 0:
        return full(shape, as_tensor(fill_value, device=_device(device)), dtype)
    if isinstance(fill_value, numpy.generic):
        fill_value = fill_value.item()
    return _c.full(shape, fill_value, dtype=to_dtype(dtype), device=_device(device))


def _like_shape(a: Any, shape: Any) -> tuple[int, ...]:
    if shape is not None:
        return shape_tuple(shape)
    return a.shape if isinstance(a, Tensor) else tuple(numpy.shape(a))


def _like_dtype(a: Any, dtype: Any) -> Any:
    if dtype is not None:
        return to_dtype(dtype)
    return a.dtype if isinstance(a, Tensor) else to_dtype(numpy.result_type(a))


def _like_device(a: Any, device: Any) -> Any:
    if device is not None:
        return _device(device)
    return a.device if isinstance(a, Tensor) else get_default_device()


def zeros_like(
    a: ArrayLike,
    dtype: Any = None,
    order: str = "K",
    subok: bool = True,
    shape: Any = None,
    *,
    device: Any = None,
) -> Tensor:
    """``numpy.zeros_like``: a constant on ``a``'s device."""
    return _c.zeros(
        _like_shape(a, shape), dtype=_like_dtype(a, dtype), device=_like_device(a, device)
    )


def ones_like(
    a: ArrayLike,
    dtype: Any = None,
    order: str = "K",
    subok: bool = True,
    shape: Any = None,
    *,
    device: Any = None,
) -> Tensor:
    """``numpy.ones_like``: a constant on ``a``'s device."""
    return _c.ones(
        _like_shape(a, shape), dtype=_like_dtype(a, dtype), device=_like_device(a, device)
    )


def empty_like(
    prototype: ArrayLike,
    dtype: Any = None,
    order: str = "K",
    subok: bool = True,
    shape: Any = None,
    *,
    device: Any = None,
) -> Tensor:
    """``numpy.empty_like``: a constant on ``prototype``'s device."""
    return _c.empty(
        _like_shape(prototype, shape),
        dtype=_like_dtype(prototype, dtype),
        device=_like_device(prototype, device),
    )


def full_like(
    a: ArrayLike,
    fill_value: Any,
    dtype: Any = None,
    order: str = "K",
    subok: bool = True,
    shape: Any = None,
    *,
    device: Any = None,
) -> Tensor:
    """``numpy.full_like``: ``fill_value`` (a tensor stays in the graph) on ``a``'s device."""
    dt = _like_dtype(a, dtype)
    shp = _like_shape(a, shape)
    dev = _like_device(a, device)
    if isinstance(fill_value, (Tensor, numpy.ndarray)):
        return full(shp, as_tensor(fill_value, device=dev), dt)
    if isinstance(fill_value, numpy.generic):
        fill_value = fill_value.item()
    return _c.full(shp, fill_value, dtype=dt, device=dev)


def arange(
    start_or_stop: Any,
    /,
    stop: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    like: Any = None,
) -> Tensor:
    """``numpy.arange``."""
    _no_like("numpy.arange", like)
    return _c.arange(
        _scalar(start_or_stop),
        _scalar(stop),
        _scalar(step),
        dtype=to_dtype(dtype),
        device=_device(device),
    )


def _scalar(x: Any) -> Any:
    if isinstance(x, (Tensor, numpy.ndarray, numpy.generic)):
        return x.item()
    return x


def linspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
    *,
    device: Any = None,
) -> Any:
    """``numpy.linspace``; tensor end points stay in the graph."""
    dt = to_dtype(dtype)
    dev = _device(device)
    div = (num - 1) if endpoint else num
    scalars = not isinstance(start, Tensor) and not isinstance(stop, Tensor)
    if scalars and numpy.ndim(start) == 0 and numpy.ndim(stop) == 0:
        lo_, hi_ = _scalar(start), _scalar(stop)
        result = _c.linspace(lo_, hi_, num, dtype=dt or float64, device=dev, endpoint=endpoint)
        step = (hi_ - lo_) / div if div > 0 else math.nan
        return (result, step) if retstep else result
    lo, hi = (as_tensor(v, device=dev) for v in (start, stop))
    lo = lo if lo.dtype.is_floating else astype(lo, float64)
    fraction = _c.linspace(0.0, 1.0, num, dtype=lo.dtype, device=lo.device, endpoint=endpoint)
    span = hi - lo
    # the new axis first, then moved where NumPy puts it
    fraction = reshape(fraction, (num,) + (1,) * builtins.max(lo.ndim, hi.ndim))
    result = expand_dims(lo, axis=0) + fraction * expand_dims(span, axis=0)
    if axis != 0:
        result = moveaxis(result, 0, axis)
    if dt is not None and result.dtype is not dt:
        result = astype(result, dt)
    return (result, span / div if div > 0 else span * float("nan")) if retstep else result


def logspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    base: float = 10.0,
    dtype: Any = None,
    axis: int = 0,
) -> Tensor:
    """``numpy.logspace``: ``base ** linspace(start, stop)``."""
    exponent = linspace(start, stop, num, endpoint, axis=axis)
    result = pow(_c.full_like(exponent, base), exponent)
    return result if dtype is None else astype(result, dtype_of(dtype))


def geomspace(
    start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None, axis: int = 0
) -> Tensor:
    """``numpy.geomspace`` (for positive end points): ``exp(linspace(log start, log stop))``."""
    dev = get_default_device()
    lo, hi = (as_tensor(v, device=dev) for v in (start, stop))
    lo = lo if lo.dtype.is_floating else astype(lo, float64)
    hi = hi if hi.dtype.is_floating else astype(hi, float64)
    result = exp(linspace(log(lo), log(hi), num, endpoint, axis=axis))
    return result if dtype is None else astype(result, dtype_of(dtype))


def eye(
    N: int,
    M: int | None = None,
    k: int = 0,
    dtype: Any = float,
    order: str = "C",
    *,
    device: Any = None,
    like: Any = None,
) -> Tensor:
    """``numpy.eye``."""
    _no_like("numpy.eye", like)
    return _c.eye(N, M, k=k, dtype=to_dtype(dtype), device=_device(device))


def identity(n: int, dtype: Any = None, *, like: Any = None) -> Tensor:
    """``numpy.identity``."""
    _no_like("numpy.identity", like)
    return _c.eye(n, dtype=_float_default(dtype))


def tri(
    N: int, M: int | None = None, k: int = 0, dtype: Any = float, *, like: Any = None
) -> Tensor:
    """``numpy.tri``: ones on and below diagonal ``k``."""
    _no_like("numpy.tri", like)
    return _c.tril(_c.ones((N, N if M is None else M), dtype=to_dtype(dtype)), k=k)


def meshgrid(
    *xi: ArrayLike, copy: bool = True, sparse: bool = False, indexing: str = "xy"
) -> tuple[Tensor, ...]:
    """``numpy.meshgrid``; with ``sparse=True`` the grids are broadcastable, not broadcast."""
    arrays = [flatten(t) for t in as_tensors(xi)]
    if not sparse:
        return _c.meshgrid(*arrays, indexing=indexing)
    n = len(arrays)
    result = []
    for i, t in enumerate(arrays):
        j = i
        if indexing == "xy" and n >= 2 and i < 2:
            j = 1 - i
        shape = [1] * n
        shape[j] = t.shape[0]
        result.append(reshape(t, tuple(shape)))
    return tuple(result)


def indices(dimensions: Any, dtype: Any = int, sparse: bool = False) -> Any:
    """``numpy.indices``: the index grids of a shape (constants)."""
    dims = tuple(int(d) for d in dimensions)
    dev = get_default_device()
    if sparse:
        grids = numpy.indices(dims, numpy.dtype(dtype), sparse=True)
        return tuple(_asarray(g, device=dev) for g in grids)
    return _asarray(numpy.indices(dims, numpy.dtype(dtype)), device=dev)


class _Grid:
    """``mgrid`` and ``ogrid``: NumPy's index tricks, giving tensors on the default device."""

    def __init__(self, grid: Any) -> None:
        self._grid = grid

    def __getitem__(self, key: Any) -> Any:
        result = self._grid[key]
        if isinstance(result, (tuple, list)):
            return tuple(_asarray(r, device=get_default_device()) for r in result)
        return _asarray(result, device=get_default_device())


#: ``numpy.mgrid``: dense coordinate grids, ``mgrid[0:2, 0:3]``
mgrid = _Grid(numpy.mgrid)
#: ``numpy.ogrid``: open (broadcastable) coordinate grids
ogrid = _Grid(numpy.ogrid)
