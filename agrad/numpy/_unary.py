"""NumPy's one-input universal functions (``np.sin``, ``np.exp``, ...) as agrad ufuncs.

Each runs the agrad function of the standard it names (``arcsin`` runs ``agrad.asin``), or,
for the ufuncs the standard lacks (``exp2``, ``cbrt``, ``deg2rad``, ``modf``), a composite of
standard functions, so all are differentiable where the function is.
"""

from __future__ import annotations

import math
from typing import Any

from agrad._api import elementwise as _e
from agrad._api.creation import full_like
from agrad._arraylike import ArrayLike, default_float
from agrad._tensor import Tensor
from agrad.numpy._ufunc import call, call2, make_ufunc

__all__ = [
    "abs",
    "absolute",
    "acos",
    "acosh",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctanh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "bitwise_invert",
    "bitwise_not",
    "cbrt",
    "ceil",
    "conj",
    "conjugate",
    "cos",
    "cosh",
    "deg2rad",
    "degrees",
    "exp",
    "exp2",
    "expm1",
    "fabs",
    "floor",
    "invert",
    "isfinite",
    "isinf",
    "isnan",
    "log",
    "log1p",
    "log2",
    "log10",
    "logical_not",
    "modf",
    "negative",
    "positive",
    "rad2deg",
    "radians",
    "reciprocal",
    "rint",
    "sign",
    "signbit",
    "sin",
    "sinh",
    "sqrt",
    "square",
    "tan",
    "tanh",
    "trunc",
]


# -- composites: ufuncs the standard does not have --------------------------------------


def _exp2(x: Tensor) -> Tensor:
    x = default_float(x)
    return _e.pow(full_like(x, 2.0), x)


def _cbrt(x: Tensor) -> Tensor:
    x = default_float(x)
    return _e.sign(x) * _e.pow(_e.abs(x), 1.0 / 3.0)


def _deg2rad(x: Tensor) -> Tensor:
    return default_float(x) * (math.pi / 180.0)


def _rad2deg(x: Tensor) -> Tensor:
    return default_float(x) * (180.0 / math.pi)


def _modf(x: Tensor) -> tuple[Tensor, Tensor]:
    whole = _e.trunc(x)
    return x - whole, whole


# -- one entry per ufunc ---------------------------------------------------------------
@make_ufunc(1)
def absolute(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.absolute`` (``agrad.abs``); the gradient at 0 is 0."""
    return call("absolute", _e.abs, (x,), out, kwargs)


abs = absolute


@make_ufunc(1)
def fabs(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.fabs`` (``agrad.abs``)."""
    return call("fabs", _e.abs, (x,), out, kwargs)


@make_ufunc(1)
def negative(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.negative``."""
    return call("negative", _e.negative, (x,), out, kwargs)


@make_ufunc(1)
def positive(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.positive``."""
    return call("positive", _e.positive, (x,), out, kwargs)


@make_ufunc(1)
def sin(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.sin``."""
    return call("sin", _e.sin, (x,), out, kwargs)


@make_ufunc(1)
def cos(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.cos``."""
    return call("cos", _e.cos, (x,), out, kwargs)


@make_ufunc(1)
def tan(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.tan``."""
    return call("tan", _e.tan, (x,), out, kwargs)


@make_ufunc(1)
def arcsin(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.arcsin`` (``agrad.asin``)."""
    return call("arcsin", _e.asin, (x,), out, kwargs)


asin = arcsin


@make_ufunc(1)
def arccos(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.arccos`` (``agrad.acos``)."""
    return call("arccos", _e.acos, (x,), out, kwargs)


acos = arccos


@make_ufunc(1)
def arctan(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.arctan`` (``agrad.atan``)."""
    return call("arctan", _e.atan, (x,), out, kwargs)


atan = arctan


@make_ufunc(1)
def sinh(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.sinh``."""
    return call("sinh", _e.sinh, (x,), out, kwargs)


@make_ufunc(1)
def cosh(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.cosh``."""
    return call("cosh", _e.cosh, (x,), out, kwargs)


@make_ufunc(1)
def tanh(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.tanh``."""
    return call("tanh", _e.tanh, (x,), out, kwargs)


@make_ufunc(1)
def arcsinh(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.arcsinh`` (``agrad.asinh``)."""
    return call("arcsinh", _e.asinh, (x,), out, kwargs)


asinh = arcsinh


@make_ufunc(1)
def arccosh(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.arccosh`` (``agrad.acosh``)."""
    return call("arccosh", _e.acosh, (x,), out, kwargs)


acosh = arccosh


@make_ufunc(1)
def arctanh(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.arctanh`` (``agrad.atanh``)."""
    return call("arctanh", _e.atanh, (x,), out, kwargs)


atanh = arctanh


@make_ufunc(1)
def exp(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.exp``."""
    return call("exp", _e.exp, (x,), out, kwargs)


@make_ufunc(1)
def exp2(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.exp2``: ``2 ** x``."""
    return call("exp2", _exp2, (x,), out, kwargs)


@make_ufunc(1)
def expm1(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.expm1``."""
    return call("expm1", _e.expm1, (x,), out, kwargs)


@make_ufunc(1)
def log(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.log``."""
    return call("log", _e.log, (x,), out, kwargs)


@make_ufunc(1)
def log2(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.log2``."""
    return call("log2", _e.log2, (x,), out, kwargs)


@make_ufunc(1)
def log10(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.log10``."""
    return call("log10", _e.log10, (x,), out, kwargs)


@make_ufunc(1)
def log1p(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.log1p``."""
    return call("log1p", _e.log1p, (x,), out, kwargs)


@make_ufunc(1)
def sqrt(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.sqrt``."""
    return call("sqrt", _e.sqrt, (x,), out, kwargs)


@make_ufunc(1)
def cbrt(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.cbrt``: ``sign(x) * |x| ** (1/3)`` (its gradient at 0 is NaN)."""
    return call("cbrt", _cbrt, (x,), out, kwargs)


@make_ufunc(1)
def square(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.square``."""
    return call("square", _e.square, (x,), out, kwargs)


@make_ufunc(1)
def reciprocal(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.reciprocal``."""
    return call("reciprocal", _e.reciprocal, (x,), out, kwargs)


@make_ufunc(1)
def sign(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.sign`` (no gradient for real input)."""
    return call("sign", _e.sign, (x,), out, kwargs)


@make_ufunc(1)
def floor(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.floor`` (no gradient)."""
    return call("floor", _e.floor, (x,), out, kwargs)


@make_ufunc(1)
def ceil(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.ceil`` (no gradient)."""
    return call("ceil", _e.ceil, (x,), out, kwargs)


@make_ufunc(1)
def trunc(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.trunc`` (no gradient)."""
    return call("trunc", _e.trunc, (x,), out, kwargs)


@make_ufunc(1)
def rint(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.rint`` (``agrad.round``, no gradient)."""
    return call("rint", _e.round, (x,), out, kwargs)


@make_ufunc(1)
def conjugate(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.conjugate`` (``agrad.conj``)."""
    return call("conjugate", _e.conj, (x,), out, kwargs)


conj = conjugate


@make_ufunc(1)
def isnan(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.isnan``."""
    return call("isnan", _e.isnan, (x,), out, kwargs)


@make_ufunc(1)
def isinf(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.isinf``."""
    return call("isinf", _e.isinf, (x,), out, kwargs)


@make_ufunc(1)
def isfinite(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.isfinite``."""
    return call("isfinite", _e.isfinite, (x,), out, kwargs)


@make_ufunc(1)
def signbit(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.signbit``."""
    return call("signbit", _e.signbit, (x,), out, kwargs)


@make_ufunc(1)
def logical_not(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.logical_not``."""
    return call("logical_not", _e.logical_not, (x,), out, kwargs)


@make_ufunc(1)
def invert(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.invert`` (``agrad.bitwise_invert``)."""
    return call("invert", _e.bitwise_invert, (x,), out, kwargs)


bitwise_not = invert
bitwise_invert = invert


@make_ufunc(1)
def deg2rad(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.deg2rad``."""
    return call("deg2rad", _deg2rad, (x,), out, kwargs)


@make_ufunc(1)
def radians(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.radians``."""
    return call("radians", _deg2rad, (x,), out, kwargs)


@make_ufunc(1)
def rad2deg(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.rad2deg``."""
    return call("rad2deg", _rad2deg, (x,), out, kwargs)


@make_ufunc(1)
def degrees(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.degrees``."""
    return call("degrees", _rad2deg, (x,), out, kwargs)


@make_ufunc(1, 2)
def modf(x: ArrayLike, /, out: Any = None, **kwargs: Any) -> Any:
    """``numpy.modf``: the fractional and the integral parts (the first has gradient 1)."""
    return call2("modf", _modf, (x,), out, kwargs)
