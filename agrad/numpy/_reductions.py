"""Reductions with NumPy's signatures: ``sum``, ``mean``, ``std``, ``max``, ``cumsum``...

``keepdims``, ``dtype``, ``out=`` (a tensor), ``where=`` and ``initial=`` work as in NumPy;
``ddof`` is the standard's ``correction``. The ``nan*`` variants skip NaN.
"""

from __future__ import annotations

import math
from typing import Any

import numpy

from agrad._api import elementwise as _e
from agrad._api import statistical as _s
from agrad._api.creation import asarray as _asarray
from agrad._api.data_type import astype
from agrad._api.manipulation import (
    broadcast_to,
)
from agrad._api.searching import argmax as _argmax
from agrad._api.searching import argmin as _argmin
from agrad._api.searching import count_nonzero as _count_nonzero
from agrad._api.searching import where as _select
from agrad._api.utility import all as _all
from agrad._api.utility import any as _any
from agrad._arraylike import (
    NOVALUE,
    ArrayLike,
    Axis,
    as_tensor,
    default_float,
    finish,
    flag,
    flatten,
    given,
    normalize_axis,
    refuse,
    to_dtype,
)
from agrad._dtypes import int64
from agrad._tensor import Tensor
from agrad.errors import AgradValueError

__all__ = [
    "all",
    "amax",
    "amin",
    "any",
    "argmax",
    "argmin",
    "count_nonzero",
    "cumprod",
    "cumsum",
    "cumulative_prod",
    "cumulative_sum",
    "max",
    "mean",
    "min",
    "nanargmax",
    "nanargmin",
    "nancumprod",
    "nancumsum",
    "nanmax",
    "nanmean",
    "nanmin",
    "nanprod",
    "nanstd",
    "nansum",
    "nanvar",
    "prod",
    "ptp",
    "std",
    "sum",
    "var",
]


def _axis(axis: Axis, ndim: int) -> int | tuple[int, ...] | None:
    axes = normalize_axis(axis, ndim)
    if axes is None or ndim == 0:
        return None
    return axes[0] if isinstance(axis, int) else axes


def _prepared(name: str, a: ArrayLike, dtype: Any, where: Any, fill: Any) -> Tensor:
    """The input of a reduction: cast to ``dtype``, masked places replaced with ``fill``."""
    x = as_tensor(a)
    dt = to_dtype(dtype)
    if dt is not None and x.dtype is not dt:
        x = astype(x, dt)
    if given(where) and where is not True:
        if fill is None:
            refuse(name, "where", where)
        mask = as_tensor(where, device=x.device)
        x = where_(mask, x, fill)
    return x


def where_(mask: Tensor, x: Tensor, fill: Any) -> Tensor:
    if mask.shape != x.shape:
        x = broadcast_to(x, numpy.broadcast_shapes(mask.shape, x.shape))
    return _select(mask, x, fill)


def _int_if_bool(x: Tensor) -> Tensor:
    # NumPy sums and multiplies booleans as integers
    return astype(x, int64) if x.dtype.kind == "b" else x


def sum(
    a: ArrayLike,
    axis: Axis = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: Any = NOVALUE,
    initial: Any = NOVALUE,
    where: Any = NOVALUE,
) -> Any:
    """``numpy.sum``."""
    x = _int_if_bool(_prepared("numpy.sum", a, dtype, where, 0))
    result = _s.sum(x, axis=_axis(axis, x.ndim), keepdims=flag(keepdims))
    if given(initial):
        result = result + initial
    return finish("numpy.sum", result, out)


def prod(
    a: ArrayLike,
    axis: Axis = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: Any = NOVALUE,
    initial: Any = NOVALUE,
    where: Any = NOVALUE,
) -> Any:
    """``numpy.prod``; its gradient is exact with zeros in the input."""
    x = _int_if_bool(_prepared("numpy.prod", a, dtype, where, 1))
    result = _s.prod(x, axis=_axis(axis, x.ndim), keepdims=flag(keepdims))
    if given(initial):
        result = result * initial
    return finish("numpy.prod", result, out)


def _count(x: Tensor, axis: Any, keepdims: bool, where: Any) -> Any:
    """How many elements each reduction of ``x`` over ``axis`` sees."""
    if given(where) and where is not True:
        mask = as_tensor(where, device=x.device)
        mask = broadcast_to(mask, numpy.broadcast_shapes(mask.shape, x.shape))
        return _s.sum(astype(mask, x.dtype), axis=axis, keepdims=keepdims)
    axes = range(x.ndim) if axis is None else ((axis,) if isinstance(axis, int) else axis)
    return math.prod(x.shape[i] for i in axes)


def mean(
    a: ArrayLike,
    axis: Axis = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: Any = NOVALUE,
    *,
    where: Any = NOVALUE,
) -> Any:
    """``numpy.mean`` (integers are averaged in float64)."""
    x = default_float(_prepared("numpy.mean", a, dtype, NOVALUE, None))
    ax = _axis(axis, x.ndim)
    if given(where) and where is not True:
        total = _s.sum(
            where_(as_tensor(where, device=x.device), x, 0), axis=ax, keepdims=flag(keepdims)
        )
        result = total / _count(x, ax, flag(keepdims), where)
    else:
        result = _s.mean(x, axis=ax, keepdims=flag(keepdims))
    return finish("numpy.mean", result, out)


def _correction(name: str, ddof: Any, correction: Any, mean: Any, where: Any) -> Any:
    if given(mean):
        refuse(name, "mean", mean)
    if given(where) and where is not True:
        refuse(name, "where", where)
    if given(correction):
        if ddof != 0:
            msg = f"`{name}` takes `ddof` or `correction`, not both."
            raise AgradValueError(msg)
        return correction
    return ddof


def var(
    a: ArrayLike,
    axis: Axis = None,
    dtype: Any = None,
    out: Any = None,
    ddof: float = 0,
    keepdims: Any = NOVALUE,
    *,
    where: Any = NOVALUE,
    mean: Any = NOVALUE,
    correction: Any = NOVALUE,
) -> Any:
    """``numpy.var``; ``ddof`` is the standard's ``correction``."""
    c = _correction("numpy.var", ddof, correction, mean, where)
    x = default_float(_prepared("numpy.var", a, dtype, NOVALUE, None))
    result = _s.var(x, axis=_axis(axis, x.ndim), correction=c, keepdims=flag(keepdims))
    return finish("numpy.var", result, out)


def std(
    a: ArrayLike,
    axis: Axis = None,
    dtype: Any = None,
    out: Any = None,
    ddof: float = 0,
    keepdims: Any = NOVALUE,
    *,
    where: Any = NOVALUE,
    mean: Any = NOVALUE,
    correction: Any = NOVALUE,
) -> Any:
    """``numpy.std``; ``ddof`` is the standard's ``correction``."""
    c = _correction("numpy.std", ddof, correction, mean, where)
    x = default_float(_prepared("numpy.std", a, dtype, NOVALUE, None))
    result = _s.std(x, axis=_axis(axis, x.ndim), correction=c, keepdims=flag(keepdims))
    return finish("numpy.std", result, out)


def _extreme(
    name: str, fn: Any, a: Any, axis: Any, out: Any, keepdims: Any, initial: Any, where: Any
) -> Any:
    x = as_tensor(a)
    if given(where) and where is not True:
        if not given(initial):
            msg = f"`{name}` with `where=` needs `initial=` (as in NumPy)."
            raise AgradValueError(msg)
        x = where_(as_tensor(where, device=x.device), x, initial)
    result = fn(x, axis=_axis(axis, x.ndim), keepdims=flag(keepdims))
    if given(initial):
        pick = _e.maximum if fn is _s.max else _e.minimum
        result = pick(result, _asarray(initial, dtype=result.dtype, device=result.device))
    return finish(name, result, out)


def max(
    a: ArrayLike,
    axis: Axis = None,
    out: Any = None,
    keepdims: Any = NOVALUE,
    initial: Any = NOVALUE,
    where: Any = NOVALUE,
) -> Any:
    """``numpy.max``; tied maxima share the gradient evenly, as in torch."""
    return _extreme("numpy.max", _s.max, a, axis, out, keepdims, initial, where)


def amax(
    a: ArrayLike,
    axis: Axis = None,
    out: Any = None,
    keepdims: Any = NOVALUE,
    initial: Any = NOVALUE,
    where: Any = NOVALUE,
) -> Any:
    """``numpy.amax``: the same as :func:`max`."""
    return _extreme("numpy.amax", _s.max, a, axis, out, keepdims, initial, where)


def min(
    a: ArrayLike,
    axis: Axis = None,
    out: Any = None,
    keepdims: Any = NOVALUE,
    initial: Any = NOVALUE,
    where: Any = NOVALUE,
) -> Any:
    """``numpy.min``; tied minima share the gradient evenly, as in torch."""
    return _extreme("numpy.min", _s.min, a, axis, out, keepdims, initial, where)


def amin(
    a: ArrayLike,
    axis: Axis = None,
    out: Any = None,
    keepdims: Any = NOVALUE,
    initial: Any = NOVALUE,
    where: Any = NOVALUE,
) -> Any:
    """``numpy.amin``: the same as :func:`min`."""
    return _extreme("numpy.amin", _s.min, a, axis, out, keepdims, initial, where)


def ptp(a: ArrayLike, axis: Axis = None, out: Any = None, keepdims: Any = NOVALUE) -> Any:
    """``numpy.ptp``: ``max - min``."""
    x = as_tensor(a)
    ax = _axis(axis, x.ndim)
    result = _s.max(x, axis=ax, keepdims=flag(keepdims)) - _s.min(
        x, axis=ax, keepdims=flag(keepdims)
    )
    return finish("numpy.ptp", result, out)


def argmax(
    a: ArrayLike, axis: int | None = None, out: Any = None, *, keepdims: Any = NOVALUE
) -> Any:
    """``numpy.argmax`` (no gradient)."""
    x = as_tensor(a)
    return finish("numpy.argmax", _argmax(x, axis=axis, keepdims=flag(keepdims)), out)


def argmin(
    a: ArrayLike, axis: int | None = None, out: Any = None, *, keepdims: Any = NOVALUE
) -> Any:
    """``numpy.argmin`` (no gradient)."""
    x = as_tensor(a)
    return finish("numpy.argmin", _argmin(x, axis=axis, keepdims=flag(keepdims)), out)


def _cumulative(name: str, fn: Any, a: Any, axis: Any, dtype: Any, out: Any) -> Any:
    x = _int_if_bool(as_tensor(a))
    if axis is None:
        x = flatten(x)
        axis = 0
    result = fn(x, axis=axis, dtype=to_dtype(dtype))
    return finish(name, result, out)


def cumsum(a: ArrayLike, axis: int | None = None, dtype: Any = None, out: Any = None) -> Any:
    """``numpy.cumsum`` (flattened when ``axis`` is None)."""
    return _cumulative("numpy.cumsum", _s.cumulative_sum, a, axis, dtype, out)


def cumprod(a: ArrayLike, axis: int | None = None, dtype: Any = None, out: Any = None) -> Any:
    """``numpy.cumprod`` (flattened when ``axis`` is None)."""
    return _cumulative("numpy.cumprod", _s.cumulative_prod, a, axis, dtype, out)


def cumulative_sum(
    x: ArrayLike,
    /,
    *,
    axis: int | None = None,
    dtype: Any = None,
    out: Any = None,
    include_initial: bool = False,
) -> Any:
    """``numpy.cumulative_sum`` (the standard's ``cumulative_sum``)."""
    t = _int_if_bool(as_tensor(x))
    result = _s.cumulative_sum(t, axis=axis, dtype=to_dtype(dtype), include_initial=include_initial)
    return finish("numpy.cumulative_sum", result, out)


def cumulative_prod(
    x: ArrayLike,
    /,
    *,
    axis: int | None = None,
    dtype: Any = None,
    out: Any = None,
    include_initial: bool = False,
) -> Any:
    """``numpy.cumulative_prod`` (the standard's ``cumulative_prod``)."""
    t = _int_if_bool(as_tensor(x))
    result = _s.cumulative_prod(
        t, axis=axis, dtype=to_dtype(dtype), include_initial=include_initial
    )
    return finish("numpy.cumulative_prod", result, out)


def _logical_reduction(
    name: str, fn: Any, a: Any, axis: Any, out: Any, keepdims: Any, where: Any, fill: bool
) -> Any:
    x = as_tensor(a)
    if given(where) and where is not True:
        x = where_(as_tensor(where, device=x.device), x != 0, fill)
    return finish(name, fn(x, axis=_axis(axis, x.ndim), keepdims=flag(keepdims)), out)


def all(
    a: ArrayLike,
    axis: Axis = None,
    out: Any = None,
    keepdims: Any = NOVALUE,
    *,
    where: Any = NOVALUE,
) -> Any:
    """``numpy.all``."""
    return _logical_reduction("numpy.all", _all, a, axis, out, keepdims, where, True)


def any(
    a: ArrayLike,
    axis: Axis = None,
    out: Any = None,
    keepdims: Any = NOVALUE,
    *,
    where: Any = NOVALUE,
) -> Any:
    """``numpy.any``."""
    return _logical_reduction("numpy.any", _any, a, axis, out, keepdims, where, False)


def count_nonzero(a: ArrayLike, axis: Axis = None, *, keepdims: bool = False) -> Any:
    """``numpy.count_nonzero``."""
    x = as_tensor(a)
    return _count_nonzero(x, axis=_axis(axis, x.ndim), keepdims=keepdims)


# -- NaN-skipping ------------------------------------------------------------------------
def _nan_filled(a: Any, fill: float) -> Tensor:
    x = as_tensor(a)
    if not x.dtype.is_floating:
        return x
    return _select(_e.isnan(x), fill, x)


def nansum(
    a: ArrayLike,
    axis: Axis = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: Any = NOVALUE,
    initial: Any = NOVALUE,
    where: Any = NOVALUE,
) -> Any:
    """``numpy.nansum``: NaN counts as 0."""
    return sum(_nan_filled(a, 0.0), axis, dtype, out, keepdims, initial, where)


def nanprod(
    a: ArrayLike,
    axis: Axis = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: Any = NOVALUE,
    initial: Any = NOVALUE,
    where: Any = NOVALUE,
) -> Any:
    """``numpy.nanprod``: NaN counts as 1."""
    return prod(_nan_filled(a, 1.0), axis, dtype, out, keepdims, initial, where)


def _valid(x: Tensor) -> Tensor:
    return _e.logical_not(_e.isnan(x))


def nanmean(
    a: ArrayLike,
    axis: Axis = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: Any = NOVALUE,
    *,
    where: Any = NOVALUE,
) -> Any:
    """``numpy.nanmean``: the mean of the values that are not NaN."""
    if given(where) and where is not True:
        refuse("numpy.nanmean", "where", where)
    x = default_float(_prepared("numpy.nanmean", a, dtype, NOVALUE, None))
    ax = _axis(axis, x.ndim)
    valid = _valid(x)
    total = _s.sum(_select(valid, x, 0.0), axis=ax, keepdims=flag(keepdims))
    count = _s.sum(astype(valid, x.dtype), axis=ax, keepdims=flag(keepdims))
    return finish("numpy.nanmean", total / count, out)


def _nanvar(name: str, a: Any, axis: Any, dtype: Any, ddof: float, keepdims: bool) -> Tensor:
    x = default_float(_prepared(name, a, dtype, NOVALUE, None))
    ax = _axis(axis, x.ndim)
    valid = _valid(x)
    count = _s.sum(astype(valid, x.dtype), axis=ax, keepdims=True)
    centre = _s.sum(_select(valid, x, 0.0), axis=ax, keepdims=True) / count
    deviation = _select(valid, x - centre, 0.0)
    if deviation.dtype.kind == "c":
        deviation = _e.abs(deviation)
    total = _s.sum(deviation * deviation, axis=ax, keepdims=keepdims)
    n = count if keepdims else _s.sum(astype(valid, x.dtype), axis=ax)
    return total / (n - ddof)


def nanvar(
    a: ArrayLike,
    axis: Axis = None,
    dtype: Any = None,
    out: Any = None,
    ddof: float = 0,
    keepdims: Any = NOVALUE,
    *,
    where: Any = NOVALUE,
    mean: Any = NOVALUE,
    correction: Any = NOVALUE,
) -> Any:
    """``numpy.nanvar``: the variance of the values that are not NaN."""
    c = _correction("numpy.nanvar", ddof, correction, mean, where)
    result = _nanvar("numpy.nanvar", a, axis, dtype, c, flag(keepdims))
    return finish("numpy.nanvar", result, out)


def nanstd(
    a: ArrayLike,
    axis: Axis = None,
    dtype: Any = None,
    out: Any = None,
    ddof: float = 0,
    keepdims: Any = NOVALUE,
    *,
    where: Any = NOVALUE,
    mean: Any = NOVALUE,
    correction: Any = NOVALUE,
) -> Any:
    """``numpy.nanstd``: the standard deviation of the values that are not NaN."""
    c = _correction("numpy.nanstd", ddof, correction, mean, where)
    result = _e.sqrt(_nanvar("numpy.nanstd", a, axis, dtype, c, flag(keepdims)))
    return finish("numpy.nanstd", result, out)


def nanmax(
    a: ArrayLike,
    axis: Axis = None,
    out: Any = None,
    keepdims: Any = NOVALUE,
    initial: Any = NOVALUE,
    where: Any = NOVALUE,
) -> Any:
    """``numpy.nanmax``: NaN is skipped (an all-NaN slice gives ``-inf``, not NaN)."""
    return max(_nan_filled(a, -math.inf), axis, out, keepdims, initial, where)


def nanmin(
    a: ArrayLike,
    axis: Axis = None,
    out: Any = None,
    keepdims: Any = NOVALUE,
    initial: Any = NOVALUE,
    where: Any = NOVALUE,
) -> Any:
    """``numpy.nanmin``: NaN is skipped (an all-NaN slice gives ``inf``, not NaN)."""
    return min(_nan_filled(a, math.inf), axis, out, keepdims, initial, where)


def nanargmax(
    a: ArrayLike, axis: int | None = None, out: Any = None, *, keepdims: Any = NOVALUE
) -> Any:
    """``numpy.nanargmax``."""
    return argmax(_nan_filled(a, -math.inf), axis, out, keepdims=keepdims)


def nanargmin(
    a: ArrayLike, axis: int | None = None, out: Any = None, *, keepdims: Any = NOVALUE
) -> Any:
    """``numpy.nanargmin``."""
    return argmin(_nan_filled(a, math.inf), axis, out, keepdims=keepdims)


def nancumsum(a: ArrayLike, axis: int | None = None, dtype: Any = None, out: Any = None) -> Any:
    """``numpy.nancumsum``: NaN counts as 0."""
    return cumsum(_nan_filled(a, 0.0), axis, dtype, out)


def nancumprod(a: ArrayLike, axis: int | None = None, dtype: Any = None, out: Any = None) -> Any:
    """``numpy.nancumprod``: NaN counts as 1."""
    return cumprod(_nan_filled(a, 1.0), axis, dtype, out)
