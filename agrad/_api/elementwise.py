"""Elementwise functions (https://data-apis.org/array-api/latest/API_specification/elementwise_functions.html).

Each records its rule from ``agrad/rules/elementwise.py`` when an input requires grad.
Python scalars are accepted where the standard allows them and stay scalars.
"""

from __future__ import annotations

import operator

from agrad._ops import binary, unary
from agrad._registry import TABLE
from agrad._tensor import Tensor

__all__ = [
    "abs",
    "add",
    "bitwise_and",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "ceil",
    "conj",
    "cos",
    "divide",
    "equal",
    "exp",
    "floor",
    "floor_divide",
    "greater",
    "greater_equal",
    "imag",
    "isfinite",
    "isinf",
    "isnan",
    "less",
    "less_equal",
    "log",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "maximum",
    "multiply",
    "negative",
    "not_equal",
    "positive",
    "pow",
    "real",
    "remainder",
    "round",
    "sign",
    "signbit",
    "sin",
    "sqrt",
    "subtract",
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
    """Sign (no gradient: zero almost everywhere).

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
    return binary(TABLE["pow"], x1, x2, operator.pow)


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

    Examples
    --------
    >>> import agrad
    >>> agrad.imag(agrad.asarray([1 + 2j])).tolist()
    [2.0]
    """
    return unary(TABLE["imag"], x)


def real(x: Tensor, /) -> Tensor:
    """Real part; the gradient flows back as ``g + 0j``.

    Examples
    --------
    >>> import agrad
    >>> agrad.real(agrad.asarray([1 + 2j])).tolist()
    [1.0]
    """
    return unary(TABLE["real"], x)
