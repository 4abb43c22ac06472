"""The Tensor's operators, bound onto the class by the namespace layer.

``x + y`` runs the rule table's ``add`` through :func:`agrad._ops.binary`, ``x += y`` the
same rule through :func:`agrad._views.inplace`, ``x[key]`` the indexing rules: operators
never get rules of their own. The Tensor layer below knows none of these modules, so the
functions are written here and set on :class:`~agrad._tensor.Tensor` by :func:`bind`, which
also installs what the Tensor's other methods call above it (:data:`agrad._tensor.UPPER`).
``agrad/__init__`` calls it once, as the namespace loads.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

from agrad._api.creation import _asarray_raw
from agrad._api.linear_algebra import matrix_transpose
from agrad._api.manipulation import permute_dims
from agrad._autograd import backward
from agrad._move import to_device
from agrad._ops import binary, power, retain_hook, unary
from agrad._registry import TABLE as R
from agrad._tensor import UPPER, Tensor
from agrad._views import detach, getitem, inplace, is_view, setitem

__all__ = ["bind"]


def __add__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["add"], self, other)


def __radd__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["add"], other, self)


def __sub__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["subtract"], self, other)


def __rsub__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["subtract"], other, self)


def __mul__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["multiply"], self, other)


def __rmul__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["multiply"], other, self)


def __truediv__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["divide"], self, other)


def __rtruediv__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["divide"], other, self)


def __floordiv__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["floor_divide"], self, other)


def __rfloordiv__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["floor_divide"], other, self)


def __mod__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["remainder"], self, other)


def __rmod__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["remainder"], other, self)


def __pow__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["pow"], self, other, power)


def __rpow__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["pow"], other, self, power)


def __matmul__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["matmul"], self, other)


def __rmatmul__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["matmul"], other, self)


def __and__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["bitwise_and"], self, other)


def __rand__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["bitwise_and"], other, self)


def __or__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["bitwise_or"], self, other)


def __ror__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["bitwise_or"], other, self)


def __xor__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["bitwise_xor"], self, other)


def __rxor__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["bitwise_xor"], other, self)


def __lshift__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["bitwise_left_shift"], self, other)


def __rlshift__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["bitwise_left_shift"], other, self)


def __rshift__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["bitwise_right_shift"], self, other)


def __rrshift__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["bitwise_right_shift"], other, self)


def __eq__(self: Tensor, other: object, /) -> Tensor:
    return binary(R["equal"], self, other)


def __ne__(self: Tensor, other: object, /) -> Tensor:
    return binary(R["not_equal"], self, other)


def __lt__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["less"], self, other)


def __le__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["less_equal"], self, other)


def __gt__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["greater"], self, other)


def __ge__(self: Tensor, other: Any, /) -> Tensor:
    return binary(R["greater_equal"], self, other)


def __neg__(self: Tensor) -> Tensor:
    return unary(R["negative"], self)


def __pos__(self: Tensor) -> Tensor:
    return unary(R["positive"], self)


def __abs__(self: Tensor) -> Tensor:
    return unary(R["abs"], self)


def __invert__(self: Tensor) -> Tensor:
    return unary(R["bitwise_invert"], self)


def __iadd__(self: Tensor, other: Any, /) -> Tensor:
    return inplace(R["add"], self, other)


def __isub__(self: Tensor, other: Any, /) -> Tensor:
    return inplace(R["subtract"], self, other)


def __imul__(self: Tensor, other: Any, /) -> Tensor:
    return inplace(R["multiply"], self, other)


def __itruediv__(self: Tensor, other: Any, /) -> Tensor:
    return inplace(R["divide"], self, other)


def __ifloordiv__(self: Tensor, other: Any, /) -> Tensor:
    return inplace(R["floor_divide"], self, other)


def __imod__(self: Tensor, other: Any, /) -> Tensor:
    return inplace(R["remainder"], self, other)


def __ipow__(self: Tensor, other: Any, /) -> Tensor:
    return inplace(R["pow"], self, other)


def __imatmul__(self: Tensor, other: Any, /) -> Tensor:
    return inplace(R["matmul"], self, other)


def __iand__(self: Tensor, other: Any, /) -> Tensor:
    return inplace(R["bitwise_and"], self, other)


def __ior__(self: Tensor, other: Any, /) -> Tensor:
    return inplace(R["bitwise_or"], self, other)


def __ixor__(self: Tensor, other: Any, /) -> Tensor:
    return inplace(R["bitwise_xor"], self, other)


def __ilshift__(self: Tensor, other: Any, /) -> Tensor:
    return inplace(R["bitwise_left_shift"], self, other)


def __irshift__(self: Tensor, other: Any, /) -> Tensor:
    return inplace(R["bitwise_right_shift"], self, other)


def __getitem__(self: Tensor, key: Any, /) -> Tensor:
    return getitem(self, key)


def __setitem__(self: Tensor, key: Any, value: Any, /) -> None:
    setitem(self, key, value)


_OPERATORS = (
    __add__,
    __radd__,
    __sub__,
    __rsub__,
    __mul__,
    __rmul__,
    __truediv__,
    __rtruediv__,
    __floordiv__,
    __rfloordiv__,
    __mod__,
    __rmod__,
    __pow__,
    __rpow__,
    __matmul__,
    __rmatmul__,
    __and__,
    __rand__,
    __or__,
    __ror__,
    __xor__,
    __rxor__,
    __lshift__,
    __rlshift__,
    __rshift__,
    __rrshift__,
    __eq__,
    __ne__,
    __lt__,
    __le__,
    __gt__,
    __ge__,
    __neg__,
    __pos__,
    __abs__,
    __invert__,
    __iadd__,
    __isub__,
    __imul__,
    __itruediv__,
    __ifloordiv__,
    __imod__,
    __ipow__,
    __imatmul__,
    __iand__,
    __ior__,
    __ixor__,
    __ilshift__,
    __irshift__,
    __getitem__,
    __setitem__,
)


def _namespace() -> ModuleType:
    return sys.modules["agrad"]


def bind() -> None:
    """Set the operators on :class:`Tensor` and install the hooks its methods call."""
    for fn in _OPERATORS:
        setattr(Tensor, fn.__name__, fn)
    UPPER.install(
        asarray_raw=_asarray_raw,
        retain_hook=retain_hook,
        detach=detach,
        is_view=is_view,
        backward=backward,
        permute_dims=permute_dims,
        matrix_transpose=matrix_transpose,
        to_device=to_device,
        namespace=_namespace,
    )
