"""The rest of NumPy's everyday functions: ``clip``, ``round``, ``interp``, ``convolve``...

All take tensors, NumPy arrays and scalars; the differentiable ones are built from the
standard's functions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy

from agrad._api import elementwise as _e
from agrad._api import manipulation as _m
from agrad._api.creation import asarray as _asarray
from agrad._api.creation import zeros, zeros_like
from agrad._api.data_type import astype, finfo
from agrad._api.data_type import result_type as _result_type
from agrad._api.indexing import take
from agrad._api.linear_algebra import matmul
from agrad._api.searching import searchsorted
from agrad._api.searching import where as _where
from agrad._api.utility import all as _all
from agrad._arraylike import (
    NOVALUE,
    ArrayLike,
    as_tensor,
    as_tensors,
    default_float,
    dtype_of,
    finish,
    flatten,
    given,
    refuse,
)
from agrad._dtypes import DType
from agrad._tensor import Tensor
from agrad.errors import AgradValueError
from agrad.scipy.special import i0 as _i0

__all__ = [
    "allclose",
    "angle",
    "around",
    "array_equal",
    "array_equiv",
    "asarray_chkfinite",
    "asfortranarray",
    "clip",
    "convolve",
    "correlate",
    "fix",
    "frexp",
    "i0",
    "imag",
    "interp",
    "isclose",
    "iscomplex",
    "iscomplexobj",
    "isneginf",
    "isposinf",
    "isreal",
    "isrealobj",
    "isscalar",
    "nan_to_num",
    "polyval",
    "real",
    "real_if_close",
    "require",
    "result_type",
    "round",
    "sinc",
    "unwrap",
]


def _bound(value: Any, device: Any) -> Any:
    if value is None or value is NOVALUE or type(value) in (bool, int, float):
        return None if value is NOVALUE else value
    return as_tensor(value, device=device)


def clip(
    a: ArrayLike,
    a_min: Any = NOVALUE,
    a_max: Any = NOVALUE,
    out: Any = None,
    *,
    min: Any = NOVALUE,
    max: Any = NOVALUE,
    **kwargs: Any,
) -> Any:
    """``numpy.clip``: the gradient passes inside the bounds, and to tensor bounds where
    they are active, as torch's ``clamp``."""
    for key, value in kwargs.items():
        refuse("numpy.clip", key, value)
    x = as_tensor(a)
    lo = _bound(min if given(min) else a_min, x.device)
    hi = _bound(max if given(max) else a_max, x.device)
    if isinstance(lo, Tensor) and lo.dtype is not x.dtype:
        lo = astype(lo, x.dtype)
    if isinstance(hi, Tensor) and hi.dtype is not x.dtype:
        hi = astype(hi, x.dtype)
    return finish("numpy.clip", _e.clip(x, lo, hi), out)


def round(a: ArrayLike, decimals: int = 0, out: Any = None) -> Any:
    """``numpy.round`` (half to even; no gradient)."""
    x = as_tensor(a)
    if decimals == 0 or not x.dtype.is_floating:
        result = _e.round(x) if x.dtype.is_floating else x
    else:
        scale = 10.0**decimals
        result = _e.round(x * scale) / scale
    return finish("numpy.round", result, out)


def around(a: ArrayLike, decimals: int = 0, out: Any = None) -> Any:
    """``numpy.around``: the same as :func:`round`."""
    return round(a, decimals, out)


def fix(x: ArrayLike, out: Any = None) -> Any:
    """``numpy.fix``: rounded towards zero (no gradient)."""
    return finish("numpy.fix", _e.trunc(as_tensor(x)), out)


def nan_to_num(
    x: ArrayLike,
    copy: bool = True,
    nan: float = 0.0,
    posinf: float | None = None,
    neginf: float | None = None,
) -> Tensor:
    """``numpy.nan_to_num``: NaN and infinities replaced; the gradient passes where ``x``
    is finite."""
    t = as_tensor(x)
    if not t.dtype.is_floating or t.dtype.kind == "c":
        return t
    big = finfo(t.dtype).max
    result = _where(_e.isnan(t), nan, t)
    result = _where(_e.isinf(t) & (t > 0), big if posinf is None else posinf, result)
    return _where(_e.isinf(t) & (t < 0), -big if neginf is None else neginf, result)


def isclose(
    a: ArrayLike, b: ArrayLike, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """``numpy.isclose``: ``|a - b| <= atol + rtol * |b|``, infinities equal to themselves."""
    x, y = as_tensors([a, b])
    x, y = default_float(x), default_float(y)
    close = _e.abs(x - y) <= atol + rtol * _e.abs(y)
    result = (x == y) | (_e.isfinite(x) & _e.isfinite(y) & close)
    if equal_nan:
        result = result | (_e.isnan(x) & _e.isnan(y))
    return result


def allclose(
    a: ArrayLike, b: ArrayLike, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """``numpy.allclose``."""
    return bool(_all(isclose(a, b, rtol, atol, equal_nan)).item())


def array_equal(a1: ArrayLike, a2: ArrayLike, equal_nan: bool = False) -> bool:
    """``numpy.array_equal``: the same shape and elements."""
    x, y = as_tensors([a1, a2])
    if x.shape != y.shape:
        return False
    same = x == y
    if equal_nan:
        same = same | (_e.isnan(default_float(x)) & _e.isnan(default_float(y)))
    return bool(_all(same).item())


def array_equiv(a1: ArrayLike, a2: ArrayLike) -> bool:
    """``numpy.array_equiv``: equal after broadcasting."""
    x, y = as_tensors([a1, a2])
    try:
        numpy.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        return False
    return bool(_all(x == y).item())


def sinc(x: ArrayLike) -> Tensor:
    """``numpy.sinc``: ``sin(pi x) / (pi x)``, 1 at 0 (with gradient 0 there)."""
    t = default_float(as_tensor(x))
    at_zero = t == 0
    # keep 0 out of the division, so that its gradient has no NaN either
    safe = _where(at_zero, 1.0, t) * math.pi
    return _where(at_zero, 1.0, _e.sin(safe) / safe)


def angle(z: ArrayLike, deg: bool = False) -> Tensor:
    """``numpy.angle``: the argument of complex numbers (0 or pi for real ones)."""
    t = default_float(as_tensor(z))
    parts = (_e.imag(t), _e.real(t)) if t.dtype.kind == "c" else (zeros_like(t), t)
    result = _e.atan2(*parts)
    return result * (180.0 / math.pi) if deg else result


def real(val: ArrayLike) -> Tensor:
    """``numpy.real``: the real part (real input passes unchanged)."""
    t = as_tensor(val)
    return _e.real(t) if t.dtype.kind == "c" else t


def imag(val: ArrayLike) -> Tensor:
    """``numpy.imag``: the imaginary part (zeros for real input)."""
    t = as_tensor(val)
    return _e.imag(t) if t.dtype.kind == "c" else zeros_like(t)


def iscomplexobj(x: Any) -> bool:
    """``numpy.iscomplexobj``: whether the dtype is complex."""
    if isinstance(x, Tensor):
        return x.dtype.kind == "c"
    return bool(numpy.iscomplexobj(x))


def isrealobj(x: Any) -> bool:
    """``numpy.isrealobj``: whether the dtype is not complex."""
    return not iscomplexobj(x)


def iscomplex(x: ArrayLike) -> Tensor:
    """``numpy.iscomplex``: where the imaginary part is not zero."""
    return imag(x) != 0


def isreal(x: ArrayLike) -> Tensor:
    """``numpy.isreal``: where the imaginary part is zero."""
    return imag(x) == 0


def isscalar(element: Any) -> bool:
    """``numpy.isscalar`` (tensors, even 0-d ones, are not scalars)."""
    return bool(numpy.isscalar(element))


def result_type(*arrays_and_dtypes: Any) -> DType:
    """``numpy.result_type`` for tensors, dtypes (any spelling) and Python scalars."""
    items = []
    for a in arrays_and_dtypes:
        if isinstance(a, (Tensor, DType, bool, int, float, complex)):
            items.append(a)
        elif isinstance(a, numpy.ndarray):
            items.append(dtype_of(a.dtype))
        else:
            items.append(dtype_of(a))
    return _result_type(*items)


def interp(
    x: ArrayLike,
    xp: ArrayLike,
    fp: ArrayLike,
    left: Any = None,
    right: Any = None,
    period: Any = None,
) -> Tensor:
    """``numpy.interp``: piecewise-linear interpolation, differentiable in ``x`` and
    ``fp`` (and ``xp``)."""
    if period is not None:
        refuse("numpy.interp", "period", period)
    xt = default_float(as_tensor(x))
    xs, fs = (default_float(t) for t in as_tensors([xp, fp]))
    n = xs.shape[0]
    flat = flatten(xt)
    if n == 1:
        below = _m.broadcast_to(fs, flat.shape)
        return _m.reshape(below, xt.shape)
    index = searchsorted(xs, flat, side="right") - 1
    index = _e.clip(index, 0, n - 2)
    x0, x1 = take(xs, index), take(xs, index + 1)
    y0, y1 = take(fs, index), take(fs, index + 1)
    y = y0 + (flat - x0) / (x1 - x0) * (y1 - y0)
    y = _where(flat < xs[0], fs[0] if left is None else left, y)
    y = _where(flat > xs[-1], fs[-1] if right is None else right, y)
    return _m.reshape(y, xt.shape)


def _full_convolution(a: Tensor, v: Tensor) -> Tensor:
    """The full discrete convolution of two 1-d tensors, as one matrix product."""
    n, m = a.shape[0], v.shape[0]
    pad = zeros(m - 1, dtype=a.dtype, device=a.device)
    padded = _m.concat([pad, a, pad])
    # row k holds a[k - j] for j = 0..m-1 (zeros outside a)
    rows = numpy.arange(n + m - 1)[:, None] + (m - 1) - numpy.arange(m)[None, :]
    windows = take(padded, _asarray(rows.reshape(-1), device=a.device))
    return matmul(_m.reshape(windows, (n + m - 1, m)), v)


def convolve(a: ArrayLike, v: ArrayLike, mode: str = "full") -> Tensor:
    """``numpy.convolve`` of 1-d inputs (modes full, same, valid)."""
    x, w = (flatten(t) for t in as_tensors([a, v]))
    if x.dtype is not w.dtype:
        common = _result_type(x, w)
        x, w = (t if t.dtype is common else astype(t, common) for t in (x, w))
    n, m = x.shape[0], w.shape[0]
    if n == 0 or m == 0:
        msg = "`numpy.convolve` needs non-empty inputs."
        raise AgradValueError(msg)
    full = _full_convolution(x, w)
    if mode == "full":
        return full
    short, long = min(n, m), max(n, m)
    if mode == "same":
        start = (short - 1) // 2
        return full[start : start + long]
    if mode == "valid":
        return full[short - 1 : long]
    refuse("numpy.convolve", "mode", mode)


def correlate(a: ArrayLike, v: ArrayLike, mode: str = "valid") -> Tensor:
    """``numpy.correlate`` of 1-d inputs: ``convolve(a, conj(v[::-1]))``."""
    x, w = (flatten(t) for t in as_tensors([a, v]))
    if w.dtype.kind == "c":
        w = _e.conj(w)
    return convolve(x, _m.flip(w), mode)


def polyval(p: ArrayLike, x: ArrayLike) -> Tensor:
    """``numpy.polyval``: Horner's scheme, differentiable in the coefficients and ``x``."""
    coefficients, t = as_tensors([p, x])
    result: Any = zeros_like(default_float(t)) if t.dtype.is_floating else zeros_like(t)
    for i in range(coefficients.shape[0]):
        result = result * t + coefficients[i]
    assert isinstance(result, Tensor)
    return result


def real_if_close(a: ArrayLike, tol: float = 100) -> Tensor:
    """``numpy.real_if_close``: the real part when every imaginary part is within ``tol``
    machine epsilons (``tol`` itself when below 1) of zero; otherwise the input.

    Examples
    --------
    >>> import agrad.numpy as np
    >>> np.real_if_close(np.array([1.0 + 1e-18j, 2.0])).dtype
    agrad.float64
    """
    t = as_tensor(a)
    if t.dtype.kind != "c":
        return t
    limit = tol * float(finfo(t.dtype).eps) if tol > 1 else tol
    if bool(_all(_e.abs(_e.imag(t)) < limit)):
        return _e.real(t)
    return t


def unwrap(
    p: ArrayLike, discont: Any = None, axis: int = -1, *, period: float = 2 * math.pi
) -> Tensor:
    """``numpy.unwrap``: the jumps larger than ``discont`` taken out by adding multiples of
    ``period``. Those multiples are constant where they are defined, so the gradient passes
    through unchanged (NumPy's values for the correction, added to the tensor)."""
    t = default_float(as_tensor(p))
    values = numpy.asarray(t.detach().tolist(), dtype=numpy.dtype(t.dtype.name))
    fixed = numpy.unwrap(values, discont, axis, period=period)
    correction = _asarray(fixed - values, dtype=t.dtype, device=t.device)
    result: Tensor = t + correction
    return result


def frexp(x: ArrayLike, /) -> tuple[Tensor, Tensor]:
    """``numpy.frexp``: mantissas and exponents, ``x == m * 2**e``; the mantissa is
    differentiable (``x * 2**-e``), the exponent (int32) is not."""
    t = default_float(as_tensor(x))
    values = numpy.asarray(t.detach().tolist(), dtype=numpy.dtype(t.dtype.name))
    _, exponent = numpy.frexp(values)
    scale = _asarray(numpy.ldexp(1.0, -exponent), dtype=t.dtype, device=t.device)
    mantissa: Tensor = t * scale
    return mantissa, _asarray(exponent, device=t.device)


def isposinf(x: ArrayLike, out: Any = None) -> Any:
    """``numpy.isposinf`` (no gradient)."""
    t = as_tensor(x)
    return finish("numpy.isposinf", _e.logical_and(_e.isinf(t), t > 0), out)


def isneginf(x: ArrayLike, out: Any = None) -> Any:
    """``numpy.isneginf`` (no gradient)."""
    t = as_tensor(x)
    return finish("numpy.isneginf", _e.logical_and(_e.isinf(t), t < 0), out)


def asarray_chkfinite(a: ArrayLike, dtype: Any = None, order: Any = None) -> Tensor:
    """``numpy.asarray_chkfinite``: ``asarray``, refusing infinities and NaNs."""
    t = as_tensor(a, dtype)
    if t.dtype.is_floating and not bool(_all(_e.isfinite(t))):
        msg = "`numpy.asarray_chkfinite`: the array must not contain infs or NaNs."
        raise AgradValueError(msg)
    return t


def asfortranarray(a: ArrayLike, dtype: Any = None, *, like: Any = None) -> Tensor:
    """``numpy.asfortranarray``: the same as ``asarray`` (tensors have no memory order), at
    least 1-d."""
    if like is not None:
        refuse("numpy.asfortranarray", "like", like)
    t = as_tensor(a, dtype)
    return _m.reshape(t, (1,)) if t.ndim == 0 else t


def require(
    a: ArrayLike, dtype: Any = None, requirements: Any = None, *, like: Any = None
) -> Tensor:
    """``numpy.require``: ``asarray`` with ``dtype`` (the memory-layout requirements hold
    for every tensor, or do not apply)."""
    if like is not None:
        refuse("numpy.require", "like", like)
    return as_tensor(a, dtype)


def i0(x: ArrayLike) -> Tensor:
    """``numpy.i0``: the modified Bessel function of order 0 (``agrad.scipy.special.i0``),
    differentiable."""
    result: Tensor = _i0(default_float(as_tensor(x)))
    return result
