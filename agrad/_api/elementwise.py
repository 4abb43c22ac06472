"""Elementwise functions (https://data-apis.org/array-api/latest/API_specification/elementwise_functions.html).

Each records its rule from ``agrad/rules/elementwise.py`` when an input requires grad.
Python scalars are accepted where the standard allows them and stay scalars.
"""

from __future__ import annotations

from typing import Any

from agrad._ops import apply, binary, power, to_tensor, unary
from agrad._registry import TABLE
from agrad._tensor import Tensor
from agrad._views import getitem

__all__ = [
    "abs",
    "acos",
    "acosh",
    "add",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "bitwise_and",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "ceil",
    "clip",
    "conj",
    "copysign",
    "cos",
    "cosh",
    "divide",
    "equal",
    "exp",
    "expm1",
    "floor",
    "floor_divide",
    "greater",
    "greater_equal",
    "hypot",
    "imag",
    "isfinite",
    "isinf",
    "isnan",
    "less",
    "less_equal",
    "log",
    "log1p",
    "log2",
    "log10",
    "logaddexp",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "maximum",
    "minimum",
    "multiply",
    "negative",
    "nextafter",
    "not_equal",
    "positive",
    "pow",
    "real",
    "reciprocal",
    "remainder",
    "round",
    "sign",
    "signbit",
    "sin",
    "sinh",
    "sqrt",
    "square",
    "subtract",
    "tan",
    "tanh",
    "trunc",
]


def abs(x: Tensor, /) -> Tensor:
    """Absolute value; the gradient at 0 is 0, as in torch.

    Examples
    --------
    >>> import agrad
    >>> agrad.abs(agrad.asarray([0.5, -2.0])).tolist()
    [0.5, 2.0]
    """
    return unary(TABLE["abs"], x)


def bitwise_invert(x: Tensor, /) -> Tensor:
    """Bitwise NOT of integers and booleans (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.bitwise_invert(agrad.asarray([1, 6])).tolist()
    [-2, -7]
    """
    return unary(TABLE["bitwise_invert"], x)


def ceil(x: Tensor, /) -> Tensor:
    """Round up (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.ceil(agrad.asarray([0.5, -2.0])).tolist()
    [1.0, -2.0]
    """
    return unary(TABLE["ceil"], x)


def cos(x: Tensor, /) -> Tensor:
    """Cosine.

    Examples
    --------
    >>> import agrad
    >>> agrad.cos(agrad.asarray([0.5, -2.0])).tolist()
    [0.8775825618903728, -0.4161468365471424]
    """
    return unary(TABLE["cos"], x)


def exp(x: Tensor, /) -> Tensor:
    """Exponential.

    Examples
    --------
    >>> import agrad
    >>> agrad.exp(agrad.asarray([0.5, -2.0])).tolist()
    [1.6487212707001282, 0.1353352832366127]
    """
    return unary(TABLE["exp"], x)


def floor(x: Tensor, /) -> Tensor:
    """Round down (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.floor(agrad.asarray([0.5, -2.0])).tolist()
    [0.0, -2.0]
    """
    return unary(TABLE["floor"], x)


def isfinite(x: Tensor, /) -> Tensor:
    """Whether each element is finite (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.isfinite(agrad.asarray([0.5, -2.0])).tolist()
    [True, True]
    """
    return unary(TABLE["isfinite"], x)


def isinf(x: Tensor, /) -> Tensor:
    """Whether each element is infinite (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.isinf(agrad.asarray([0.5, -2.0])).tolist()
    [False, False]
    """
    return unary(TABLE["isinf"], x)


def isnan(x: Tensor, /) -> Tensor:
    """Whether each element is NaN (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.isnan(agrad.asarray([0.5, -2.0])).tolist()
    [False, False]
    """
    return unary(TABLE["isnan"], x)


def log(x: Tensor, /) -> Tensor:
    """Natural logarithm.

    Examples
    --------
    >>> import agrad
    >>> agrad.log(agrad.asarray([1.0, 4.0])).tolist()
    [0.0, 1.3862943611198906]
    """
    return unary(TABLE["log"], x)


def logical_not(x: Tensor, /) -> Tensor:
    """Logical NOT (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.logical_not(agrad.asarray([True, False])).tolist()
    [False, True]
    """
    return unary(TABLE["logical_not"], x)


def negative(x: Tensor, /) -> Tensor:
    """``-x``.

    Examples
    --------
    >>> import agrad
    >>> agrad.negative(agrad.asarray([0.5, -2.0])).tolist()
    [-0.5, 2.0]
    """
    return unary(TABLE["negative"], x)


def positive(x: Tensor, /) -> Tensor:
    """``+x``.

    Examples
    --------
    >>> import agrad
    >>> agrad.positive(agrad.asarray([0.5, -2.0])).tolist()
    [0.5, -2.0]
    """
    return unary(TABLE["positive"], x)


def sign(x: Tensor, /) -> Tensor:
    """Sign; ``z / |z|`` for complex ``z``, whose gradient torch's ``sgn`` defines.

    Examples
    --------
    >>> import agrad
    >>> agrad.sign(agrad.asarray([0.5, -2.0])).tolist()
    [1.0, -1.0]
    """
    return unary(TABLE["sign"], x)


def signbit(x: Tensor, /) -> Tensor:
    """Whether the sign bit is set (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.signbit(agrad.asarray([0.5, -2.0])).tolist()
    [False, True]
    """
    return unary(TABLE["signbit"], x)


def sin(x: Tensor, /) -> Tensor:
    """Sine.

    Examples
    --------
    >>> import agrad
    >>> agrad.sin(agrad.asarray([0.5, -2.0])).tolist()
    [0.479425538604203, -0.9092974268256817]
    """
    return unary(TABLE["sin"], x)


def sqrt(x: Tensor, /) -> Tensor:
    """Square root.

    Examples
    --------
    >>> import agrad
    >>> agrad.sqrt(agrad.asarray([1.0, 4.0])).tolist()
    [1.0, 2.0]
    """
    return unary(TABLE["sqrt"], x)


def tanh(x: Tensor, /) -> Tensor:
    """Hyperbolic tangent.

    Examples
    --------
    >>> import agrad
    >>> agrad.tanh(agrad.asarray([0.5, -2.0])).tolist()
    [0.46211715726000974, -0.9640275800758169]
    """
    return unary(TABLE["tanh"], x)


def trunc(x: Tensor, /) -> Tensor:
    """Round toward zero (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.trunc(agrad.asarray([0.5, -2.0])).tolist()
    [0.0, -2.0]
    """
    return unary(TABLE["trunc"], x)


def add(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 + x2``.

    Examples
    --------
    >>> import agrad
    >>> agrad.add(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [2.0, 2.0]
    """
    return binary(TABLE["add"], x1, x2)


def bitwise_and(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 & x2`` (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.bitwise_and(agrad.asarray([1, 6]), agrad.asarray([3, 1])).tolist()
    [1, 0]
    """
    return binary(TABLE["bitwise_and"], x1, x2)


def bitwise_left_shift(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 << x2`` (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.bitwise_left_shift(agrad.asarray([1, 6]), agrad.asarray([3, 1])).tolist()
    [8, 12]
    """
    return binary(TABLE["bitwise_left_shift"], x1, x2)


def bitwise_or(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 | x2`` (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.bitwise_or(agrad.asarray([1, 6]), agrad.asarray([3, 1])).tolist()
    [3, 7]
    """
    return binary(TABLE["bitwise_or"], x1, x2)


def bitwise_right_shift(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 >> x2`` (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.bitwise_right_shift(agrad.asarray([1, 6]), agrad.asarray([3, 1])).tolist()
    [0, 3]
    """
    return binary(TABLE["bitwise_right_shift"], x1, x2)


def bitwise_xor(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 ^ x2`` (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.bitwise_xor(agrad.asarray([1, 6]), agrad.asarray([3, 1])).tolist()
    [2, 7]
    """
    return binary(TABLE["bitwise_xor"], x1, x2)


def divide(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 / x2``.

    Examples
    --------
    >>> import agrad
    >>> agrad.divide(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [0.3333333333333333, -0.5]
    """
    return binary(TABLE["divide"], x1, x2)


def equal(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 == x2`` (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.equal(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [False, False]
    """
    return binary(TABLE["equal"], x1, x2)


def floor_divide(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 // x2`` (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.floor_divide(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [0.0, -1.0]
    """
    return binary(TABLE["floor_divide"], x1, x2)


def greater(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 > x2`` (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.greater(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [False, False]
    """
    return binary(TABLE["greater"], x1, x2)


def greater_equal(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 >= x2`` (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.greater_equal(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [False, False]
    """
    return binary(TABLE["greater_equal"], x1, x2)


def less(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 < x2`` (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.less(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [True, True]
    """
    return binary(TABLE["less"], x1, x2)


def less_equal(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 <= x2`` (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.less_equal(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [True, True]
    """
    return binary(TABLE["less_equal"], x1, x2)


def logical_and(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """Logical AND (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.logical_and(agrad.asarray([True, False]), agrad.asarray([True, True])).tolist()
    [True, False]
    """
    return binary(TABLE["logical_and"], x1, x2)


def logical_or(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """Logical OR (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.logical_or(agrad.asarray([True, False]), agrad.asarray([True, True])).tolist()
    [True, True]
    """
    return binary(TABLE["logical_or"], x1, x2)


def logical_xor(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """Logical XOR (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.logical_xor(agrad.asarray([True, False]), agrad.asarray([True, True])).tolist()
    [False, True]
    """
    return binary(TABLE["logical_xor"], x1, x2)


def maximum(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """Elementwise maximum; at ties the gradient is split in half, as in torch.

    Examples
    --------
    >>> import agrad
    >>> agrad.maximum(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [1.5, 4.0]
    """
    return binary(TABLE["maximum"], x1, x2)


def multiply(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 * x2``.

    Examples
    --------
    >>> import agrad
    >>> agrad.multiply(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [0.75, -8.0]
    """
    return binary(TABLE["multiply"], x1, x2)


def not_equal(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 != x2`` (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.not_equal(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [True, True]
    """
    return binary(TABLE["not_equal"], x1, x2)


def remainder(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 % x2``; the gradient for ``x2`` is ``-floor(x1 / x2)``.

    Examples
    --------
    >>> import agrad
    >>> agrad.remainder(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [0.5, 2.0]
    """
    return binary(TABLE["remainder"], x1, x2)


def subtract(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 - x2``.

    Examples
    --------
    >>> import agrad
    >>> agrad.subtract(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [-1.0, -6.0]
    """
    return binary(TABLE["subtract"], x1, x2)


def pow(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1 ** x2``; a Python exponent uses the backend's fast integer powers.

    Examples
    --------
    >>> import agrad
    >>> agrad.pow(agrad.asarray([3.0]), 2).tolist()
    [9.0]
    """
    return binary(TABLE["pow"], x1, x2, power)


def round(x: Tensor, /) -> Tensor:
    """Round to the nearest integer, half to even (zero gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.round(agrad.asarray([2.5])).tolist()
    [2.0]
    """
    return unary(TABLE["round"], x)


def conj(x: Tensor, /) -> Tensor:
    """Complex conjugate; its gradient is the conjugate of the incoming one.

    Examples
    --------
    >>> import agrad
    >>> agrad.conj(agrad.asarray([1 + 2j])).tolist()
    [(1-2j)]
    """
    return unary(TABLE["conj"], x)


def imag(x: Tensor, /) -> Tensor:
    """Imaginary part; the gradient flows back as ``1j * g``.

    A copy, where NumPy and torch return a view of a complex input: writing into it leaves
    ``x`` unchanged.

    Examples
    --------
    >>> import agrad
    >>> agrad.imag(agrad.asarray([1 + 2j])).tolist()
    [2.0]
    """
    return apply(TABLE["imag"], (x,))  # type: ignore[no-any-return]  # (apply copies views)


def real(x: Tensor, /) -> Tensor:
    """Real part; the gradient flows back as ``g + 0j``.

    Of a complex input, a copy (NumPy and torch return a view: writing into the result
    leaves ``x`` unchanged here). Of a real input, a view of ``x`` itself, as in NumPy and
    torch: writing into it changes ``x``, and the gradient follows.

    Examples
    --------
    >>> import agrad
    >>> agrad.real(agrad.asarray([1 + 2j])).tolist()
    [1.0]
    """
    x = to_tensor(x)
    if x.dtype.kind == "c":
        return apply(TABLE["real"], (x,))  # type: ignore[no-any-return]  # (apply copies views)
    return getitem(x, Ellipsis)


def acos(x: Tensor, /) -> Tensor:
    """Inverse cosine.

    Examples
    --------
    >>> import agrad
    >>> agrad.acos(agrad.asarray([0.5, -0.25])).tolist()
    [1.0471975511965976, 1.8234765819369754]
    """
    return unary(TABLE["acos"], x)


def acosh(x: Tensor, /) -> Tensor:
    """Inverse hyperbolic cosine.

    Examples
    --------
    >>> import agrad
    >>> agrad.acosh(agrad.asarray([1.5, 3.0])).tolist()
    [0.9624236501192069, 1.762747174039086]
    """
    return unary(TABLE["acosh"], x)


def asin(x: Tensor, /) -> Tensor:
    """Inverse sine.

    Examples
    --------
    >>> import agrad
    >>> agrad.asin(agrad.asarray([0.5, -0.25])).tolist()
    [0.5235987755982989, -0.25268025514207865]
    """
    return unary(TABLE["asin"], x)


def asinh(x: Tensor, /) -> Tensor:
    """Inverse hyperbolic sine.

    Examples
    --------
    >>> import agrad
    >>> agrad.asinh(agrad.asarray([0.5, -2.0])).tolist()
    [0.48121182505960347, -1.4436354751788103]
    """
    return unary(TABLE["asinh"], x)


def atan(x: Tensor, /) -> Tensor:
    """Inverse tangent.

    Examples
    --------
    >>> import agrad
    >>> agrad.atan(agrad.asarray([0.5, -2.0])).tolist()
    [0.4636476090008061, -1.1071487177940904]
    """
    return unary(TABLE["atan"], x)


def atanh(x: Tensor, /) -> Tensor:
    """Inverse hyperbolic tangent.

    Examples
    --------
    >>> import agrad
    >>> agrad.atanh(agrad.asarray([0.5, -0.25])).tolist()
    [0.5493061443340549, -0.25541281188299536]
    """
    return unary(TABLE["atanh"], x)


def cosh(x: Tensor, /) -> Tensor:
    """Hyperbolic cosine.

    Examples
    --------
    >>> import agrad
    >>> agrad.cosh(agrad.asarray([0.5, -2.0])).tolist()
    [1.1276259652063807, 3.7621956910836314]
    """
    return unary(TABLE["cosh"], x)


def sinh(x: Tensor, /) -> Tensor:
    """Hyperbolic sine.

    Examples
    --------
    >>> import agrad
    >>> agrad.sinh(agrad.asarray([0.5, -2.0])).tolist()
    [0.5210953054937474, -3.6268604078470186]
    """
    return unary(TABLE["sinh"], x)


def tan(x: Tensor, /) -> Tensor:
    """Tangent.

    Examples
    --------
    >>> import agrad
    >>> agrad.tan(agrad.asarray([0.5, -1.0])).tolist()
    [0.5463024898437905, -1.5574077246549023]
    """
    return unary(TABLE["tan"], x)


def expm1(x: Tensor, /) -> Tensor:
    """``exp(x) - 1``, accurate near 0.

    Examples
    --------
    >>> import agrad
    >>> agrad.expm1(agrad.asarray([0.5, -2.0])).tolist()
    [0.6487212707001282, -0.8646647167633873]
    """
    return unary(TABLE["expm1"], x)


def log1p(x: Tensor, /) -> Tensor:
    """``log(1 + x)``, accurate near 0.

    Examples
    --------
    >>> import agrad
    >>> agrad.log1p(agrad.asarray([0.5, 3.0])).tolist()
    [0.4054651081081644, 1.3862943611198906]
    """
    return unary(TABLE["log1p"], x)


def log2(x: Tensor, /) -> Tensor:
    """Base-2 logarithm.

    Examples
    --------
    >>> import agrad
    >>> agrad.log2(agrad.asarray([0.5, 8.0])).tolist()
    [-1.0, 3.0]
    """
    return unary(TABLE["log2"], x)


def log10(x: Tensor, /) -> Tensor:
    """Base-10 logarithm.

    Examples
    --------
    >>> import agrad
    >>> agrad.log10(agrad.asarray([0.5, 100.0])).tolist()
    [-0.3010299956639812, 2.0]
    """
    return unary(TABLE["log10"], x)


def square(x: Tensor, /) -> Tensor:
    """``x * x``.

    Examples
    --------
    >>> import agrad
    >>> agrad.square(agrad.asarray([0.5, -2.0])).tolist()
    [0.25, 4.0]
    """
    return unary(TABLE["square"], x)


def reciprocal(x: Tensor, /) -> Tensor:
    """``1 / x``.

    Examples
    --------
    >>> import agrad
    >>> agrad.reciprocal(agrad.asarray([0.5, -2.0])).tolist()
    [2.0, -0.5]
    """
    return unary(TABLE["reciprocal"], x)


def atan2(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """Quadrant-aware inverse tangent of ``x1 / x2``.

    Examples
    --------
    >>> import agrad
    >>> agrad.atan2(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [0.3217505543966422, -0.4636476090008061]
    """
    return binary(TABLE["atan2"], x1, x2)


def hypot(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``sqrt(x1**2 + x2**2)`` without overflow.

    Examples
    --------
    >>> import agrad
    >>> agrad.hypot(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [1.5811388300841898, 4.47213595499958]
    """
    return binary(TABLE["hypot"], x1, x2)


def logaddexp(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``log(exp(x1) + exp(x2))``, computed stably.

    Examples
    --------
    >>> import agrad
    >>> agrad.logaddexp(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [1.8132616875182228, 4.00247568513773]
    """
    return binary(TABLE["logaddexp"], x1, x2)


def copysign(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """The magnitude of ``x1`` with the sign of ``x2`` (no gradient for ``x2``).

    Examples
    --------
    >>> import agrad
    >>> agrad.copysign(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [0.5, 2.0]
    """
    return binary(TABLE["copysign"], x1, x2)


def minimum(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """Elementwise minimum; at ties the gradient is split in half, as in torch.

    Examples
    --------
    >>> import agrad
    >>> agrad.minimum(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [0.5, -2.0]
    """
    return binary(TABLE["minimum"], x1, x2)


def nextafter(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """The next representable float after ``x1`` toward ``x2``; its gradient is torch's.

    ``d/dx1`` is 1 (0 where ``x1 == x2``, whose result is ``x2``) and ``d/dx2`` is 0.

    Examples
    --------
    >>> import agrad
    >>> agrad.nextafter(agrad.asarray([0.5, -2.0]), agrad.asarray([1.5, 4.0])).tolist()
    [0.5000000000000001, -1.9999999999999998]
    """
    return binary(TABLE["nextafter"], x1, x2)


def clip(
    x: Tensor,
    /,
    min: Tensor | float | None = None,
    max: Tensor | float | None = None,
) -> Tensor:
    """``x`` limited to ``[min, max]``; the gradient passes inside, and to a tensor bound
    where it is active, as torch's ``clamp``.

    Examples
    --------
    >>> import agrad
    >>> agrad.clip(agrad.asarray([-2.0, 0.5, 3.0]), min=0.0, max=1.0).tolist()
    [0.0, 0.5, 1.0]
    """
    return apply(TABLE["clip"], (x, min, max), None, _clip_forward)  # type: ignore[no-any-return]


def _clip_forward(xp: Any, a: Any, lo: Any, hi: Any) -> Any:
    return xp.clip(a, min=lo, max=hi)
