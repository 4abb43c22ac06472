"""Linear-algebra functions (https://data-apis.org/array-api/latest/API_specification/linear_algebra_functions.html)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from agrad._api.elementwise import conj
from agrad._api.manipulation import permute_dims, reshape
from agrad._api.statistical import sum
from agrad._ops import apply, binary, to_tensor
from agrad._registry import TABLE
from agrad._tensor import Tensor
from agrad.errors import AgradValueError
from agrad.extend import Rule

__all__ = ["matmul", "matrix_transpose", "tensordot", "vecdot"]

# The product inside `tensordot` and `vecdot`, recorded under the name the user called, so
# that an error about its saved inputs (modified in place) names the function they know.
_MATMUL = TABLE["matmul"]
_TENSORDOT_PRODUCT = Rule("tensordot", *_MATMUL.vjps, save=_MATMUL.save)
_MULTIPLY = TABLE["multiply"]
_VECDOT_PRODUCT = Rule("vecdot", *_MULTIPLY.vjps, save=_MULTIPLY.save)


def _matmul_forward(a: Any, b: Any) -> Any:
    return a @ b


def _multiply_forward(a: Any, b: Any) -> Any:
    return a * b


def matmul(x1: Tensor, x2: Tensor, /) -> Tensor:
    """Matrix product with the standard's 1-d and batch rules (``x1 @ x2``).

    Examples
    --------
    >>> import agrad
    >>> agrad.matmul(agrad.ones((2, 3)), agrad.ones(3)).tolist()
    [3.0, 3.0]
    """
    return binary(TABLE["matmul"], x1, x2)


def matrix_transpose(x: Tensor, /) -> Tensor:
    """Swap the last two axes (``x.mT``).

    Examples
    --------
    >>> import agrad
    >>> agrad.matrix_transpose(agrad.zeros((4, 2, 3))).shape
    (4, 3, 2)
    """
    return apply(TABLE["matrix_transpose"], (x,))  # type: ignore[no-any-return]


def tensordot(
    x1: Tensor,
    x2: Tensor,
    /,
    *,
    axes: int | tuple[Sequence[int], Sequence[int]] = 2,
) -> Tensor:
    """Contract ``x1`` and ``x2`` over ``axes``, as a ``matmul`` of reshaped operands.

    Examples
    --------
    >>> import agrad
    >>> agrad.tensordot(agrad.ones((2, 3, 4)), agrad.ones((3, 4, 5))).shape
    (2, 5)
    """
    x1, x2 = to_tensor(x1), to_tensor(x2)
    if isinstance(axes, int):
        a1 = tuple(range(x1.ndim - axes, x1.ndim))
        a2 = tuple(range(axes))
    else:
        a1 = tuple(a % x1.ndim for a in axes[0])
        a2 = tuple(a % x2.ndim for a in axes[1])
    free1 = tuple(i for i in range(x1.ndim) if i not in a1)
    free2 = tuple(i for i in range(x2.ndim) if i not in a2)
    s1, s2 = x1.shape, x2.shape
    inner = math.prod(s1[i] for i in a1)
    left = reshape(permute_dims(x1, free1 + a1), (math.prod(s1[i] for i in free1), inner))
    right = reshape(permute_dims(x2, a2 + free2), (inner, math.prod(s2[i] for i in free2)))
    out_shape = tuple(s1[i] for i in free1) + tuple(s2[i] for i in free2)
    return reshape(binary(_TENSORDOT_PRODUCT, left, right, _matmul_forward), out_shape)


def vecdot(x1: Tensor, x2: Tensor, /, *, axis: int = -1) -> Tensor:
    """``sum(conj(x1) * x2, axis=axis)``, the standard's vector dot product.

    Examples
    --------
    >>> import agrad
    >>> agrad.vecdot(agrad.asarray([1.0, 2.0]), agrad.asarray([3.0, 4.0])).item()
    11.0
    """
    x1, x2 = to_tensor(x1), to_tensor(x2)
    ndim = max(x1.ndim, x2.ndim)
    n1 = (1,) * (ndim - x1.ndim) + x1.shape
    n2 = (1,) * (ndim - x2.ndim) + x2.shape
    if not -ndim <= axis < ndim or n1[axis] != n2[axis]:
        msg = (
            f"`vecdot` contracts axis {axis}, which must exist in both inputs with the same "
            f"size (no broadcasting there); got shapes {x1.shape!r} and {x2.shape!r}."
        )
        raise AgradValueError(msg)
    if x1.dtype.kind == "c":
        x1 = conj(x1)
    product = binary(_VECDOT_PRODUCT, x1, x2, _multiply_forward)
    return sum(product, axis=axis, dtype=product.dtype)
