"""Vector spaces of values, as HIPS autograd's ``vspace`` describes them.

A value's vector space says what its gradient looks like (shape, dtype, container layout)
and gives the operations the gradient checks use: ``zeros``, ``ones``, ``randn``,
``standard_basis``, ``add``, ``scalar_mul``, ``inner_prod`` and ``covector``. Arrays, Python
and NumPy numbers, agrad Tensors (by their array) and lists, tuples and dicts of them have
one. ``add``, ``scalar_mul`` and ``inner_prod`` are differentiable: they are built from
``agrad.autograd.numpy`` functions.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any, NoReturn

import numpy as onp

import agrad.autograd.numpy as anp
from agrad._tensor import Tensor
from agrad.errors import AgradTypeError, NoRuleError


def _undefined(space: Any) -> NoReturn:
    # the caller's name, for the message: the method a subclass did not define
    name = sys._getframe(1).f_code.co_name
    msg = f"`{type(space).__name__}.{name}` is not defined: a `VSpace` subclass defines it."
    raise NoRuleError(msg)


class VSpace:
    """The vector space of a value; see :func:`vspace`."""

    size: int = 0
    iscomplex: bool = False

    def zeros(self) -> Any:
        _undefined(self)

    def ones(self) -> Any:
        _undefined(self)

    def randn(self) -> Any:
        _undefined(self)

    def standard_basis(self) -> Iterator[Any]:
        _undefined(self)

    def add(self, x: Any, y: Any) -> Any:
        _undefined(self)

    def scalar_mul(self, x: Any, a: Any) -> Any:
        _undefined(self)

    def inner_prod(self, x: Any, y: Any) -> Any:
        _undefined(self)

    def covector(self, x: Any) -> Any:
        _undefined(self)

    def mut_add(self, x: Any, y: Any) -> Any:
        return self.add(x, y)

    def __ne__(self, other: object) -> bool:
        return not self == other


class ArrayVSpace(VSpace):
    """Arrays (and numbers) of one shape and dtype."""

    def __init__(self, value: Any) -> None:
        arr = value.array if isinstance(value, Tensor) else onp.asarray(value)
        dtype = onp.dtype(arr.dtype)
        if dtype.kind not in "fc":
            msg = (
                f"`vspace` has no vector space for a value of dtype {dtype} ({type(value)!r}): "
                "gradients exist for floating-point and complex values."
            )
            raise AgradTypeError(msg)
        self.shape: tuple[int, ...] = tuple(int(n) for n in arr.shape)
        self.dtype = dtype
        self.iscomplex = dtype.kind == "c"
        self.size = int(onp.prod(self.shape)) * (2 if self.iscomplex else 1)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.shape == other.shape and self.dtype == other.dtype

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype))

    def __repr__(self) -> str:
        return f"ArrayVSpace(shape={self.shape}, dtype={self.dtype})"

    def zeros(self) -> Any:
        return onp.zeros(self.shape, dtype=self.dtype)

    def ones(self) -> Any:
        # the sum of the standard basis: 1 + 1j in a complex space
        one = 1.0 + 1.0j if self.iscomplex else 1.0
        return onp.full(self.shape, one, dtype=self.dtype)

    def randn(self) -> Any:
        real = onp.random.randn(*self.shape)
        if self.iscomplex:
            return onp.asarray(real + 1j * onp.random.randn(*self.shape), dtype=self.dtype)
        return onp.asarray(real, dtype=self.dtype)

    def standard_basis(self) -> Iterator[Any]:
        units = (1.0, 1.0j) if self.iscomplex else (1.0,)
        for idx in onp.ndindex(*self.shape):
            for unit in units:
                v = onp.zeros(self.shape, dtype=self.dtype)
                v[idx] = unit
                yield v

    def add(self, x: Any, y: Any) -> Any:
        return x + y

    def scalar_mul(self, x: Any, a: Any) -> Any:
        return x * a

    def inner_prod(self, x: Any, y: Any) -> Any:
        if self.iscomplex:
            return anp.real(anp.dot(anp.conj(anp.ravel(x)), anp.ravel(y)))
        return anp.dot(anp.ravel(x), anp.ravel(y))

    def covector(self, x: Any) -> Any:
        return anp.conj(x) if self.iscomplex else x


class _ContainerVSpace(VSpace):
    kind: type = list

    def __init__(self, value: Any) -> None:
        self.spaces = self._spaces(value)
        self.size = sum(s.size for s in self._values(self.spaces))
        self.iscomplex = any(s.iscomplex for s in self._values(self.spaces))

    def _spaces(self, value: Any) -> Any:
        return self.kind(vspace(v) for v in value)

    def _values(self, c: Any) -> list[Any]:
        return list(c)

    def _build(self, items: list[Any]) -> Any:
        return self.kind(items)

    def _map(self, fn: Any, *xs: Any) -> Any:
        cols = [self._values(x) for x in xs]
        spaces = self._values(self.spaces)
        return self._build([fn(s, *vals) for s, *vals in zip(spaces, *cols, strict=False)])

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.spaces == other.spaces

    def __hash__(self) -> int:
        return hash(type(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spaces!r})"

    def zeros(self) -> Any:
        return self._map(lambda s: s.zeros())

    def ones(self) -> Any:
        return self._map(lambda s: s.ones())

    def randn(self) -> Any:
        return self._map(lambda s: s.randn())

    def standard_basis(self) -> Iterator[Any]:
        spaces = self._values(self.spaces)
        for k, s in enumerate(spaces):
            for v in s.standard_basis():
                items = [v if j == k else other.zeros() for j, other in enumerate(spaces)]
                yield self._build(items)

    def add(self, x: Any, y: Any) -> Any:
        return self._map(lambda s, a, b: s.add(a, b), x, y)

    def scalar_mul(self, x: Any, a: Any) -> Any:
        return self._map(lambda s, v: s.scalar_mul(v, a), x)

    def inner_prod(self, x: Any, y: Any) -> Any:
        cols = zip(self._values(self.spaces), self._values(x), self._values(y), strict=False)
        total: Any = 0.0
        for s, a, b in cols:
            total = total + s.inner_prod(a, b)
        return total

    def covector(self, x: Any) -> Any:
        return self._map(lambda s, v: s.covector(v), x)


class ListVSpace(_ContainerVSpace):
    kind = list


class TupleVSpace(_ContainerVSpace):
    kind = tuple


class DictVSpace(_ContainerVSpace):
    kind = dict

    def _spaces(self, value: Any) -> Any:
        return {k: vspace(v) for k, v in value.items()}

    def _values(self, c: Any) -> list[Any]:
        return [c[k] for k in self.spaces]

    def _build(self, items: list[Any]) -> Any:
        return dict(zip(self.spaces, items, strict=True))


def vspace(value: Any) -> VSpace:
    """The vector space of ``value``: its gradient's layout and the operations on it.

    Parameters
    ----------
    value
        An array, a Python or NumPy number, an agrad Tensor, or a list, tuple or dict of
        them (nested).

    Returns
    -------
    VSpace
        Two values have equal vector spaces when their gradients are interchangeable:
        same container layout, shapes and dtypes.

    Raises
    ------
    TypeError
        ``value`` is an integer or boolean array, or an object with no vector space.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.autograd.core import vspace
    >>> vs = vspace([1.0, np.zeros(2)])
    >>> vs.size
    3
    >>> vs.zeros()
    [array(0.), array([0., 0.])]
    """
    if isinstance(value, (list, tuple, dict)):
        cls = {list: ListVSpace, tuple: TupleVSpace, dict: DictVSpace}
        for kind, space in cls.items():
            if isinstance(value, kind):
                return space(value)
    if isinstance(value, (Tensor, onp.ndarray, onp.generic, float, complex)):
        return ArrayVSpace(value)
    msg = (
        f"`vspace` found no vector space for a {type(value).__name__}: values with gradients "
        "are float or complex arrays and numbers, and lists, tuples and dicts of them."
    )
    raise AgradTypeError(msg)
