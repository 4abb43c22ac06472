"""NumPy's two-input universal functions (``np.add``, ``np.maximum``, ...) as agrad ufuncs.

Each runs the agrad function of the standard it names (``arctan2`` runs ``agrad.atan2``),
or, for the ufuncs the standard lacks (``fmod``, ``fmax``, ``heaviside``, ``ldexp``,
``divmod``, ``matvec``), a composite of standard functions.
"""

from __future__ import annotations

import math
from typing import Any

from agrad._api import elementwise as _e
from agrad._api.creation import full_like
from agrad._api.data_type import astype
from agrad._api.linear_algebra import matmul as _matmul
from agrad._api.linear_algebra import vecdot as _vecdot
from agrad._api.manipulation import expand_dims
from agrad._api.searching import where as _where
from agrad._api.statistical import sum as _sum
from agrad._arraylike import ArrayLike, as_tensor, default_float
from agrad._dtypes import complex128, float64
from agrad._tensor import Tensor
from agrad.numpy._ufunc import call, call2, make_ufunc

__all__ = [
    "add",
    "arctan2",
    "atan2",
    "bitwise_and",
    "bitwise_left_shift",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "copysign",
    "divide",
    "divmod",
    "equal",
    "float_power",
    "floor_divide",
    "fmax",
    "fmin",
    "fmod",
    "greater",
    "greater_equal",
    "heaviside",
    "hypot",
    "ldexp",
    "left_shift",
    "less",
    "less_equal",
    "logaddexp",
    "logaddexp2",
    "logical_and",
    "logical_or",
    "logical_xor",
    "matmul",
    "matvec",
    "maximum",
    "minimum",
    "mod",
    "multiply",
    "nextafter",
    "not_equal",
    "pow",
    "power",
    "remainder",
    "right_shift",
    "subtract",
    "true_divide",
    "vecdot",
    "vecmat",
]


# -- composites: ufuncs the standard does not have --------------------------------------
_LN2 = math.log(2.0)


def _divmod(x1: Any, x2: Any) -> tuple[Tensor, Tensor]:
    return _e.floor_divide(x1, x2), _e.remainder(x1, x2)


def _float_power(x1: Any, x2: Any) -> Tensor:
    def wide(x: Any) -> Any:
        if not isinstance(x, Tensor):
            return x
        target = complex128 if x.dtype.kind == "c" else float64
        return x if x.dtype is target else astype(x, target)

    return _e.pow(wide(x1), wide(x2))


def _fmod(x1: Any, x2: Any) -> Tensor:
    # C's fmod: the remainder takes the sign of x1 (d/dx1 = 1, d/dx2 = -trunc(x1 / x2))
    quotient = _e.trunc(_e.divide(x1, x2))
    return _e.subtract(x1, _e.multiply(quotient, x2))


def _fmax(x1: Any, x2: Any) -> Tensor:
    # NaN loses to a number, where maximum propagates it
    best = _e.maximum(x1, x2)
    best = _where(_e.isnan(_as_like(x1, best)), x2, best)
    return _where(_e.isnan(_as_like(x2, best)), x1, best)


def _fmin(x1: Any, x2: Any) -> Tensor:
    best = _e.minimum(x1, x2)
    best = _where(_e.isnan(_as_like(x1, best)), x2, best)
    return _where(_e.isnan(_as_like(x2, best)), x1, best)


def _as_like(x: Any, like: Tensor) -> Tensor:
    return x if isinstance(x, Tensor) else as_tensor(x, device=like.device)


def _logaddexp2(x1: Any, x2: Any) -> Tensor:
    return _e.logaddexp(_e.multiply(x1, _LN2), _e.multiply(x2, _LN2)) / _LN2


def _heaviside(x1: Any, x2: Any) -> Tensor:
    x1 = default_float(_as_like(x1, x2) if not isinstance(x1, Tensor) else x1)
    step = _where(x1 > 0, 1.0, 0.0)
    step = _where(_e.isnan(x1), x1, step)
    return _where(x1 == 0, x2, step)


def _ldexp(x1: Any, x2: Any) -> Tensor:
    x1 = default_float(_as_like(x1, x2) if not isinstance(x1, Tensor) else x1)
    exponent = _as_like(x2, x1)
    result: Tensor = x1 * _e.pow(full_like(x1, 2.0), astype(exponent, x1.dtype))
    return result


def _matvec(x1: Tensor, x2: Tensor) -> Tensor:
    return _sum(x1 * expand_dims(x2, axis=-2), axis=-1)


def _vecmat(x1: Tensor, x2: Tensor) -> Tensor:
    return _sum(expand_dims(_e.conj(x1), axis=-1) * x2, axis=-2)


# -- one entry per ufunc ---------------------------------------------------------------
@make_ufunc(2)
def add(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.add``."""
    return call("add", _e.add, (x1, x2), out, kwargs)


@make_ufunc(2)
def subtract(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.subtract``."""
    return call("subtract", _e.subtract, (x1, x2), out, kwargs)


@make_ufunc(2)
def multiply(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.multiply``."""
    return call("multiply", _e.multiply, (x1, x2), out, kwargs)


@make_ufunc(2)
def divide(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.divide``."""
    return call("divide", _e.divide, (x1, x2), out, kwargs)


true_divide = divide


@make_ufunc(2)
def floor_divide(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.floor_divide`` (no gradient)."""
    return call("floor_divide", _e.floor_divide, (x1, x2), out, kwargs)


@make_ufunc(2)
def power(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.power`` (``agrad.pow``)."""
    return call("power", _e.pow, (x1, x2), out, kwargs)


pow = power


@make_ufunc(2)
def float_power(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.float_power``: ``pow`` in float64 (complex128 for complex input)."""
    return call("float_power", _float_power, (x1, x2), out, kwargs)


@make_ufunc(2)
def remainder(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.remainder``."""
    return call("remainder", _e.remainder, (x1, x2), out, kwargs)


mod = remainder


@make_ufunc(2)
def fmod(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.fmod``: the remainder with the sign of ``x1``."""
    return call("fmod", _fmod, (x1, x2), out, kwargs)


@make_ufunc(2)
def arctan2(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.arctan2`` (``agrad.atan2``)."""
    return call("arctan2", _e.atan2, (x1, x2), out, kwargs)


atan2 = arctan2


@make_ufunc(2)
def hypot(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.hypot``."""
    return call("hypot", _e.hypot, (x1, x2), out, kwargs)


@make_ufunc(2)
def logaddexp(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.logaddexp``."""
    return call("logaddexp", _e.logaddexp, (x1, x2), out, kwargs)


@make_ufunc(2)
def logaddexp2(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.logaddexp2``."""
    return call("logaddexp2", _logaddexp2, (x1, x2), out, kwargs)


@make_ufunc(2)
def maximum(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.maximum``; at ties the gradient is split evenly, as in torch."""
    return call("maximum", _e.maximum, (x1, x2), out, kwargs)


@make_ufunc(2)
def minimum(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.minimum``; at ties the gradient is split evenly, as in torch."""
    return call("minimum", _e.minimum, (x1, x2), out, kwargs)


@make_ufunc(2)
def fmax(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.fmax``: ``maximum`` ignoring NaN."""
    return call("fmax", _fmax, (x1, x2), out, kwargs)


@make_ufunc(2)
def fmin(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.fmin``: ``minimum`` ignoring NaN."""
    return call("fmin", _fmin, (x1, x2), out, kwargs)


@make_ufunc(2)
def copysign(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.copysign``."""
    return call("copysign", _e.copysign, (x1, x2), out, kwargs)


@make_ufunc(2)
def nextafter(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.nextafter``; the gradient is 1 for ``x1`` (0 where ``x1 == x2``), 0 for ``x2``."""
    return call("nextafter", _e.nextafter, (x1, x2), out, kwargs)


@make_ufunc(2)
def heaviside(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.heaviside``: the gradient reaches ``x2`` where ``x1 == 0``."""
    return call("heaviside", _heaviside, (x1, x2), out, kwargs)


@make_ufunc(2)
def ldexp(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.ldexp``: ``x1 * 2 ** x2``."""
    return call("ldexp", _ldexp, (x1, x2), out, kwargs)


@make_ufunc(2, 2)
def divmod(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.divmod``: ``floor_divide`` and ``remainder`` together."""
    return call2("divmod", _divmod, (x1, x2), out, kwargs)


@make_ufunc(2)
def equal(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.equal``."""
    return call("equal", _e.equal, (x1, x2), out, kwargs)


@make_ufunc(2)
def not_equal(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.not_equal``."""
    return call("not_equal", _e.not_equal, (x1, x2), out, kwargs)


@make_ufunc(2)
def less(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.less``."""
    return call("less", _e.less, (x1, x2), out, kwargs)


@make_ufunc(2)
def less_equal(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.less_equal``."""
    return call("less_equal", _e.less_equal, (x1, x2), out, kwargs)


@make_ufunc(2)
def greater(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.greater``."""
    return call("greater", _e.greater, (x1, x2), out, kwargs)


@make_ufunc(2)
def greater_equal(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.greater_equal``."""
    return call("greater_equal", _e.greater_equal, (x1, x2), out, kwargs)


@make_ufunc(2)
def logical_and(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.logical_and``."""
    return call("logical_and", _logical(_e.logical_and), (x1, x2), out, kwargs)


@make_ufunc(2)
def logical_or(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.logical_or``."""
    return call("logical_or", _logical(_e.logical_or), (x1, x2), out, kwargs)


@make_ufunc(2)
def logical_xor(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.logical_xor``."""
    return call("logical_xor", _logical(_e.logical_xor), (x1, x2), out, kwargs)


def _logical(fn: Any) -> Any:
    # NumPy's logical functions take any dtype (non-zero is true); the standard's want bool
    def logical(x1: Any, x2: Any) -> Tensor:
        result: Tensor = fn(_truth(x1), _truth(x2))
        return result

    return logical


@make_ufunc(1)
def _truth(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x if x.dtype.kind == "b" else x != 0
    return bool(x)


@make_ufunc(2)
def bitwise_and(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.bitwise_and``."""
    return call("bitwise_and", _e.bitwise_and, (x1, x2), out, kwargs)


@make_ufunc(2)
def bitwise_or(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.bitwise_or``."""
    return call("bitwise_or", _e.bitwise_or, (x1, x2), out, kwargs)


@make_ufunc(2)
def bitwise_xor(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.bitwise_xor``."""
    return call("bitwise_xor", _e.bitwise_xor, (x1, x2), out, kwargs)


@make_ufunc(2)
def left_shift(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.left_shift`` (``agrad.bitwise_left_shift``)."""
    return call("left_shift", _e.bitwise_left_shift, (x1, x2), out, kwargs)


bitwise_left_shift = left_shift


@make_ufunc(2)
def right_shift(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.right_shift`` (``agrad.bitwise_right_shift``)."""
    return call("right_shift", _e.bitwise_right_shift, (x1, x2), out, kwargs)


bitwise_right_shift = right_shift


@make_ufunc(2)
def matmul(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.matmul`` (the gufunc's ``axes=`` is not supported)."""
    return call("matmul", _matmul, (x1, x2), out, kwargs)


@make_ufunc(2)
def vecdot(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.vecdot`` (``agrad.vecdot``; conjugates ``x1``); takes ``axis=``."""
    axis = kwargs.pop("axis", -1)

    def along(a: Any, b: Any) -> Tensor:
        return _vecdot(a, b, axis=axis)

    return call("vecdot", along, (x1, x2), out, kwargs)


@make_ufunc(2)
def matvec(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.matvec``: matrices (``x1``) times vectors (``x2``)."""
    return call("matvec", _matvec, (x1, x2), out, kwargs)


@make_ufunc(2)
def vecmat(x1: ArrayLike, x2: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.vecmat``: the conjugated vectors ``x1`` times matrices ``x2``."""
    return call("vecmat", _vecmat, (x1, x2), out, kwargs)
