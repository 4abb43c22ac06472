"""Statistics with NumPy's signatures: ``median``, ``quantile``, ``average``, ``cov``,
``diff``, ``gradient``, ``trapezoid``.

Order statistics sort (differentiably: the gradient follows the elements) and interpolate;
the weighted ones are differentiable in the weights too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

from agrad._api import elementwise as _e
from agrad._api import statistical as _s
from agrad._api.creation import asarray as _asarray
from agrad._api.data_type import astype, result_type
from agrad._api.indexing import take, take_along_axis
from agrad._api.linear_algebra import matmul
from agrad._api.manipulation import (
    broadcast_to,
    concat,
    expand_dims,
    moveaxis,
    permute_dims,
    reshape,
    squeeze,
)
from agrad._api.searching import where as _where
from agrad._api.sorting import sort
from agrad._api.utility import diff as _diff
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
from agrad.errors import AgradTypeError, AgradValueError
from agrad.linalg import diagonal as _diagonal
from agrad.numpy._reductions import _axis, _count

__all__ = [
    "average",
    "corrcoef",
    "cov",
    "diff",
    "ediff1d",
    "gradient",
    "median",
    "nanmedian",
    "nanpercentile",
    "nanquantile",
    "percentile",
    "quantile",
    "trapezoid",
]


# -- order statistics --------------------------------------------------------------------
_METHODS = ("linear", "lower", "higher", "nearest", "midpoint")


def _to_last(x: Tensor, axis: Axis) -> tuple[Tensor, tuple[int, ...]]:
    """``x`` with the reduced axes merged into one last axis, and which axes they were."""
    if axis is None:
        return flatten(x), tuple(range(x.ndim))
    axes = normalize_axis(axis, x.ndim)
    assert axes is not None
    kept = [i for i in range(x.ndim) if i not in axes]
    moved = permute_dims(x, (*kept, *axes))
    shape = tuple(x.shape[i] for i in kept)
    return reshape(moved, (*shape, -1)), axes


def _quantile(name: str, a: Any, q: Any, axis: Any, out: Any, method: str, keepdims: bool) -> Any:
    if method not in _METHODS:
        refuse(name, "method", method)
    x = default_float(as_tensor(a))
    flat, axes = _to_last(x, axis)
    ordered = sort(flat, axis=-1)
    n = ordered.shape[-1]
    qt = default_float(as_tensor(q, device=x.device))
    position = qt * (n - 1)
    q_raw = numpy.asarray(position.detach().tolist(), dtype=numpy.float64)
    lo_raw = numpy.clip(numpy.floor(q_raw), 0, n - 1).astype(numpy.int64)
    hi_raw = numpy.minimum(lo_raw + 1, n - 1)
    dev = x.device
    lo_idx = _asarray(lo_raw.reshape(-1), device=dev)
    hi_idx = _asarray(hi_raw.reshape(-1), device=dev)
    low = take(ordered, lo_idx, axis=-1)
    high = take(ordered, hi_idx, axis=-1)
    # NumPy's higher (and midpoint) rounds the position up: at a whole position, that element
    up_raw = numpy.clip(numpy.ceil(q_raw), 0, n - 1).astype(numpy.int64).reshape(-1)
    up = take(ordered, _asarray(up_raw, device=dev), axis=-1)
    result = _interpolate(
        method,
        low,
        high,
        up,
        # NumPy rounds half to even, as Python does
        lambda: take(
            ordered,
            _asarray(numpy.around(q_raw).astype(numpy.int64).reshape(-1), device=dev),
            axis=-1,
        ),
        lambda: reshape(position - _asarray(lo_raw, dtype=position.dtype, device=dev), (-1,)),
    )
    return _arranged(name, result, x, axes, qt, keepdims, out)


def _interpolate(
    method: str,
    low: Tensor,
    high: Tensor,
    up: Tensor,
    nearest: Callable[[], Tensor],
    frac: Callable[[], Tensor],
) -> Tensor:
    """The quantile ``method`` picks from the neighbours at each position: ``low`` (floor),
    ``high`` (floor + 1), ``up`` (ceil); ``nearest`` and ``frac`` are computed on demand."""
    if method == "lower":
        return low
    if method == "higher":
        return up
    if method == "midpoint":
        return (low + up) / 2
    if method == "nearest":
        return nearest()
    return low + (high - low) * frac()


def _arranged(
    name: str,
    result: Tensor,
    x: Tensor,
    axes: tuple[int, ...],
    qt: Tensor,
    keepdims: bool,
    out: Any,
) -> Any:
    """Quantiles along the last axis laid out as NumPy lays them out: q's axes first."""
    result = moveaxis(result, -1, 0)
    if keepdims:
        shape = [1 if i in axes else s for i, s in enumerate(x.shape)]
        result = reshape(result, (result.shape[0], *shape))
    result = reshape(result, (*qt.shape, *result.shape[1:]))
    return finish(name, result, out)


def quantile(
    a: ArrayLike,
    q: ArrayLike,
    axis: Axis = None,
    out: Any = None,
    overwrite_input: bool = False,
    method: str = "linear",
    keepdims: bool = False,
    *,
    weights: Any = None,
) -> Any:
    """``numpy.quantile`` (methods linear, lower, higher, nearest, midpoint; no weights)."""
    if weights is not None:
        refuse("numpy.quantile", "weights", "...")
    return _quantile("numpy.quantile", a, q, axis, out, method, keepdims)


def percentile(
    a: ArrayLike,
    q: ArrayLike,
    axis: Axis = None,
    out: Any = None,
    overwrite_input: bool = False,
    method: str = "linear",
    keepdims: bool = False,
    *,
    weights: Any = None,
) -> Any:
    """``numpy.percentile``: :func:`quantile` of ``q / 100``."""
    if weights is not None:
        refuse("numpy.percentile", "weights", "...")
    qt = q / 100 if isinstance(q, Tensor) else numpy.asarray(q, dtype=numpy.float64) / 100
    return _quantile("numpy.percentile", a, qt, axis, out, method, keepdims)


def median(
    a: ArrayLike,
    axis: Axis = None,
    out: Any = None,
    overwrite_input: bool = False,
    keepdims: bool = False,
) -> Any:
    """``numpy.median``: the mean of the middle two for an even count."""
    return _quantile("numpy.median", a, 0.5, axis, out, "linear", keepdims)


def _nanquantile(
    name: str, a: Any, q: Any, axis: Any, out: Any, method: str, keepdims: bool
) -> Any:
    """``_quantile`` over the values that are not NaN: each row has its own count."""
    if method not in _METHODS:
        refuse(name, "method", method)
    x = default_float(as_tensor(a))
    flat, axes = _to_last(x, axis)
    ordered = sort(flat, axis=-1)  # NaNs sort last, on every backend
    dev = x.device
    valid = _e.logical_not(_e.isnan(flat))
    counts = numpy.asarray(_s.sum(astype(valid, int64), axis=-1).tolist(), dtype=numpy.int64)
    qt = default_float(as_tensor(q, device=dev))
    qflat = reshape(qt, (-1,))
    last = numpy.maximum(counts - 1, 0)[..., None]
    position = qflat * _asarray(last, dtype=qflat.dtype, device=dev)
    q_raw = numpy.asarray(position.detach().tolist(), dtype=numpy.float64).reshape(position.shape)
    lo_raw = numpy.clip(numpy.floor(q_raw), 0, last).astype(numpy.int64)
    hi_raw = numpy.minimum(lo_raw + 1, last)
    low = take_along_axis(ordered, _asarray(lo_raw, device=dev), axis=-1)
    high = take_along_axis(ordered, _asarray(hi_raw, device=dev), axis=-1)
    up_raw = numpy.clip(numpy.ceil(q_raw), 0, last).astype(numpy.int64)
    up = take_along_axis(ordered, _asarray(up_raw, device=dev), axis=-1)
    result = _interpolate(
        method,
        low,
        high,
        up,
        lambda: take_along_axis(
            ordered,
            _asarray(numpy.minimum(numpy.around(q_raw).astype(numpy.int64), last), device=dev),
            axis=-1,
        ),
        lambda: position - _asarray(lo_raw, dtype=position.dtype, device=dev),
    )
    empty = _asarray((counts == 0)[..., None], device=dev)
    if bool(numpy.any(counts == 0)):
        result = _where(empty, numpy.nan, result)
    return _arranged(name, result, x, axes, qt, keepdims, out)


def nanquantile(
    a: ArrayLike,
    q: ArrayLike,
    axis: Axis = None,
    out: Any = None,
    overwrite_input: bool = False,
    method: str = "linear",
    keepdims: Any = NOVALUE,
    *,
    weights: Any = None,
) -> Any:
    """``numpy.nanquantile``: :func:`quantile` of the values that are not NaN (NaN where
    all are); differentiable in ``a`` and ``q``.

    Examples
    --------
    >>> import agrad.numpy as np
    >>> x = np.array([3.0, np.nan, 1.0, 2.0]).requires_grad_()
    >>> y = np.nanquantile(x, 0.25)
    >>> y.backward()
    >>> y.item(), x.grad.tolist()
    (1.5, [0.0, 0.0, 0.5, 0.5])
    """
    if weights is not None:
        refuse("numpy.nanquantile", "weights", "...")
    return _nanquantile("numpy.nanquantile", a, q, axis, out, method, flag(keepdims))


def nanpercentile(
    a: ArrayLike,
    q: ArrayLike,
    axis: Axis = None,
    out: Any = None,
    overwrite_input: bool = False,
    method: str = "linear",
    keepdims: Any = NOVALUE,
    *,
    weights: Any = None,
) -> Any:
    """``numpy.nanpercentile``: :func:`nanquantile` of ``q / 100``."""
    if weights is not None:
        refuse("numpy.nanpercentile", "weights", "...")
    qt = q / 100 if isinstance(q, Tensor) else numpy.asarray(q, dtype=numpy.float64) / 100
    return _nanquantile("numpy.nanpercentile", a, qt, axis, out, method, flag(keepdims))


def nanmedian(
    a: ArrayLike,
    axis: Axis = None,
    out: Any = None,
    overwrite_input: bool = False,
    keepdims: Any = NOVALUE,
) -> Any:
    """``numpy.nanmedian``: the median of the values that are not NaN."""
    return _nanquantile("numpy.nanmedian", a, 0.5, axis, out, "linear", flag(keepdims))


# -- weighted statistics -----------------------------------------------------------------
def average(
    a: ArrayLike,
    axis: Axis = None,
    weights: ArrayLike | None = None,
    returned: bool = False,
    *,
    keepdims: Any = NOVALUE,
) -> Any:
    """``numpy.average``; the weights are differentiable too."""
    x = default_float(as_tensor(a))
    ax = _axis(axis, x.ndim)
    keep = flag(keepdims)
    if weights is None:
        result = _s.mean(x, axis=ax, keepdims=keep)
        count = _count(x, ax, keep, NOVALUE)
        if returned:
            return result, _asarray(float(count), dtype=result.dtype, device=x.device) + 0 * result
        return result
    w = as_tensor(weights, device=x.device)
    if w.shape != x.shape:
        if ax is None or w.ndim != 1:
            msg = "`numpy.average`: weights of a different shape need `axis` and must be 1-d."
            raise AgradValueError(msg)
        axis_ = ax if isinstance(ax, int) else ax[0]
        shape = [1] * x.ndim
        shape[axis_] = w.shape[0]
        w = reshape(w, tuple(shape))
    total = _s.sum(w * x, axis=ax, keepdims=keep)
    scale = _s.sum(
        broadcast_to(w, numpy.broadcast_shapes(w.shape, x.shape)), axis=ax, keepdims=keep
    )
    result = total / scale
    return (result, scale) if returned else result


def _rows(m: Any, rowvar: bool, dtype: Any, device: Any) -> Tensor:
    x = as_tensor(m, device=device)
    if x.ndim > 2:
        msg = "`numpy.cov` takes 1-d or 2-d input."
        raise AgradValueError(msg)
    if x.ndim < 2:
        x = reshape(x, (1, -1))
    if not rowvar and x.shape[0] != 1:
        x = permute_dims(x, (1, 0))
    dt = to_dtype(dtype)
    x = default_float(x) if dt is None else astype(x, dt)
    return x


def cov(
    m: ArrayLike,
    y: ArrayLike | None = None,
    rowvar: bool = True,
    bias: bool = False,
    ddof: int | None = None,
    fweights: ArrayLike | None = None,
    aweights: ArrayLike | None = None,
    *,
    dtype: Any = None,
) -> Any:
    """``numpy.cov``, with frequency and analytic weights."""
    device = next((v.device for v in (m, y) if isinstance(v, Tensor)), None)
    x = _rows(m, rowvar, dtype, device)
    if y is not None:
        x = concat([x, _rows(y, rowvar, dtype, x.device)], axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    w: Tensor | None = None
    if fweights is not None:
        w = default_float(as_tensor(fweights, device=x.device))
    aw: Tensor | None = None
    if aweights is not None:
        aw = default_float(as_tensor(aweights, device=x.device))
        w = aw if w is None else w * aw
    n = x.shape[1]
    if w is None:
        avg = _s.mean(x, axis=1, keepdims=True)
        fact: Any = n - ddof
    else:
        w_sum = _s.sum(w)
        avg = _s.sum(x * w, axis=1, keepdims=True) / w_sum
        if ddof == 0:
            fact = w_sum
        elif aw is None:
            fact = w_sum - ddof
        else:
            fact = w_sum - ddof * _s.sum(w * aw) / w_sum
    centred = x - avg
    weighted = centred if w is None else centred * w
    c = matmul(centred, _e.conj(permute_dims(weighted, (1, 0)))) / fact
    return _squeeze_all(c)


def _squeeze_all(x: Tensor) -> Tensor:
    ones = tuple(i for i, s in enumerate(x.shape) if s == 1)
    return squeeze(x, axis=ones) if ones else x


def corrcoef(
    x: ArrayLike, y: ArrayLike | None = None, rowvar: bool = True, *, dtype: Any = None
) -> Any:
    """``numpy.corrcoef`` (real input: the result is clipped to [-1, 1], as in NumPy)."""
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return c / c
    d = _diagonal(c)
    stddev = _e.sqrt(_e.real(d) if d.dtype.kind == "c" else d)
    c = c / expand_dims(stddev, axis=1)
    c = c / expand_dims(stddev, axis=0)
    if c.dtype.kind == "c":
        return c
    return _e.clip(c, -1.0, 1.0)


# -- differences and integrals -----------------------------------------------------------
def _edge(value: Any, x: Tensor, axis: int) -> Tensor:
    """``prepend`` / ``append`` of ``diff``: scalars are broadcast along ``axis``."""
    t = as_tensor(value, device=x.device)
    if t.ndim == 0:
        shape = list(x.shape)
        shape[axis] = 1
        t = broadcast_to(t, tuple(shape))
    if t.dtype is not x.dtype:
        common = result_type(t, x)
        t = astype(t, common) if t.dtype is not common else t
    return t


def diff(
    a: ArrayLike, n: int = 1, axis: int = -1, prepend: Any = NOVALUE, append: Any = NOVALUE
) -> Any:
    """``numpy.diff``."""
    x = as_tensor(a)
    if n == 0:
        return x
    ax = axis % x.ndim
    before = _edge(prepend, x, ax) if given(prepend) else None
    after = _edge(append, x, ax) if given(append) else None
    if x.dtype.kind == "b":
        msg = "`numpy.diff` of booleans (NumPy's `!=`) is not supported; cast first."
        raise AgradTypeError(msg)
    return _diff(x, axis=ax, n=n, prepend=before, append=after)


def ediff1d(
    ary: ArrayLike, to_end: ArrayLike | None = None, to_begin: ArrayLike | None = None
) -> Any:
    """``numpy.ediff1d``: the differences of the flattened array, with optional ends."""
    x = flatten(as_tensor(ary))
    parts = []
    if to_begin is not None:
        parts.append(flatten(as_tensor(to_begin, device=x.device)))
    parts.append(_diff(x) if x.shape[0] > 0 else x)
    if to_end is not None:
        parts.append(flatten(as_tensor(to_end, device=x.device)))
    return concat([astype(p, x.dtype) if p.dtype is not x.dtype else p for p in parts])


def gradient(f: ArrayLike, *varargs: Any, axis: Axis = None, edge_order: int = 1) -> Any:
    """``numpy.gradient`` with scalar spacings and ``edge_order=1``: central differences
    inside, one-sided ones at the edges."""
    if edge_order != 1:
        refuse("numpy.gradient", "edge_order", edge_order)
    x = default_float(as_tensor(f))
    axes = normalize_axis(axis, x.ndim) or tuple(range(x.ndim))
    if not varargs:
        spacing = [1.0] * len(axes)
    elif len(varargs) == 1:
        spacing = [varargs[0]] * len(axes)
    else:
        spacing = list(varargs)
    results = []
    for ax, h in zip(axes, spacing, strict=True):
        if not isinstance(h, (int, float)) and numpy.ndim(h) != 0:
            msg = "`numpy.gradient` in agrad.numpy takes scalar spacings only."
            raise AgradTypeError(msg)

        def along(s: slice, ax: int = ax) -> Tensor:
            key = (slice(None),) * ax + (s,)
            return x[key]

        inner = (along(slice(2, None)) - along(slice(None, -2))) / (2.0 * float(h))
        first = (along(slice(1, 2)) - along(slice(0, 1))) / float(h)
        last = (along(slice(-1, None)) - along(slice(-2, -1))) / float(h)
        results.append(concat([first, inner, last], axis=ax))
    return results[0] if len(results) == 1 else tuple(results)


def trapezoid(y: ArrayLike, x: ArrayLike | None = None, dx: float = 1.0, axis: int = -1) -> Any:
    """``numpy.trapezoid``: the trapezoidal rule along ``axis``."""
    yt = default_float(as_tensor(y))
    ax = axis % yt.ndim
    head = (slice(None),) * ax
    later, earlier = (*head, slice(1, None)), (*head, slice(None, -1))
    upper, lower = yt[later], yt[earlier]
    if x is None:
        return _s.sum(upper + lower, axis=ax) * (dx / 2.0)
    xt = default_float(as_tensor(x, device=yt.device))
    d = _diff(xt, axis=-1 if xt.ndim == 1 else ax)
    if xt.ndim == 1:
        shape = [1] * yt.ndim
        shape[ax] = d.shape[0]
        d = reshape(d, tuple(shape))
    return _s.sum(d * (upper + lower), axis=ax) / 2.0
