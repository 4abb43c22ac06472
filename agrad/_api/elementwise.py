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
    """`abs` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.abs(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["abs"], x)


def bitwise_invert(x: Tensor, /) -> Tensor:
    """`bitwise_invert` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.bitwise_invert(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["bitwise_invert"], x)


def ceil(x: Tensor, /) -> Tensor:
    """`ceil` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.ceil(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["ceil"], x)


def cos(x: Tensor, /) -> Tensor:
    """`cos` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.cos(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["cos"], x)


def exp(x: Tensor, /) -> Tensor:
    """`exp` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.exp(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["exp"], x)


def floor(x: Tensor, /) -> Tensor:
    """`floor` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.floor(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["floor"], x)


def isfinite(x: Tensor, /) -> Tensor:
    """`isfinite` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.isfinite(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["isfinite"], x)


def isinf(x: Tensor, /) -> Tensor:
    """`isinf` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.isinf(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["isinf"], x)


def isnan(x: Tensor, /) -> Tensor:
    """`isnan` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.isnan(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["isnan"], x)


def log(x: Tensor, /) -> Tensor:
    """`log` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.log(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["log"], x)


def logical_not(x: Tensor, /) -> Tensor:
    """`logical_not` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.logical_not(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["logical_not"], x)


def negative(x: Tensor, /) -> Tensor:
    """`negative` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.negative(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["negative"], x)


def positive(x: Tensor, /) -> Tensor:
    """`positive` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.positive(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["positive"], x)


def sign(x: Tensor, /) -> Tensor:
    """`sign` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.sign(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["sign"], x)


def signbit(x: Tensor, /) -> Tensor:
    """`signbit` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.signbit(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["signbit"], x)


def sin(x: Tensor, /) -> Tensor:
    """`sin` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.sin(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["sin"], x)


def sqrt(x: Tensor, /) -> Tensor:
    """`sqrt` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.sqrt(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["sqrt"], x)


def tanh(x: Tensor, /) -> Tensor:
    """`tanh` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.tanh(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["tanh"], x)


def trunc(x: Tensor, /) -> Tensor:
    """`trunc` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.trunc(agrad.asarray([1.0])).shape
    (1,)
    """
    return unary(TABLE["trunc"], x)


def add(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`add` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.add(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["add"], x1, x2)


def bitwise_and(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`bitwise_and` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.bitwise_and(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["bitwise_and"], x1, x2)


def bitwise_left_shift(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`bitwise_left_shift` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.bitwise_left_shift(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["bitwise_left_shift"], x1, x2)


def bitwise_or(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`bitwise_or` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.bitwise_or(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["bitwise_or"], x1, x2)


def bitwise_right_shift(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`bitwise_right_shift` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.bitwise_right_shift(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["bitwise_right_shift"], x1, x2)


def bitwise_xor(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`bitwise_xor` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.bitwise_xor(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["bitwise_xor"], x1, x2)


def divide(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`divide` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.divide(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["divide"], x1, x2)


def equal(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`equal` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.equal(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["equal"], x1, x2)


def floor_divide(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`floor_divide` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.floor_divide(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["floor_divide"], x1, x2)


def greater(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`greater` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.greater(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["greater"], x1, x2)


def greater_equal(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`greater_equal` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.greater_equal(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["greater_equal"], x1, x2)


def less(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`less` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.less(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["less"], x1, x2)


def less_equal(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`less_equal` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.less_equal(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["less_equal"], x1, x2)


def logical_and(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`logical_and` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.logical_and(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["logical_and"], x1, x2)


def logical_or(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`logical_or` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.logical_or(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["logical_or"], x1, x2)


def logical_xor(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`logical_xor` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.logical_xor(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["logical_xor"], x1, x2)


def maximum(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`maximum` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.maximum(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["maximum"], x1, x2)


def multiply(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`multiply` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.multiply(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["multiply"], x1, x2)


def not_equal(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`not_equal` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.not_equal(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["not_equal"], x1, x2)


def remainder(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`remainder` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.remainder(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
    """
    return binary(TABLE["remainder"], x1, x2)


def subtract(x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """`subtract` of the standard, differentiable where it has a gradient.

    Examples
    --------
    >>> import agrad
    >>> agrad.subtract(agrad.asarray([1.0]), agrad.asarray([2.0])).shape
    (1,)
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
    """`conj` of the standard, differentiable as in torch.

    Examples
    --------
    >>> import agrad
    >>> agrad.conj(agrad.asarray([1 + 2j])).shape
    (1,)
    """
    return unary(TABLE["conj"], x)


def imag(x: Tensor, /) -> Tensor:
    """`imag` of the standard, differentiable as in torch.

    Examples
    --------
    >>> import agrad
    >>> agrad.imag(agrad.asarray([1 + 2j])).shape
    (1,)
    """
    return unary(TABLE["imag"], x)


def real(x: Tensor, /) -> Tensor:
    """`real` of the standard, differentiable as in torch.

    Examples
    --------
    >>> import agrad
    >>> agrad.real(agrad.asarray([1 + 2j])).shape
    (1,)
    """
    return unary(TABLE["real"], x)
