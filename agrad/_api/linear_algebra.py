"""Linear-algebra functions (https://data-apis.org/array-api/latest/API_specification/linear_algebra_functions.html)."""

from __future__ import annotations

from agrad._ops import apply, binary
from agrad._registry import TABLE
from agrad._tensor import Tensor

__all__ = ["matmul", "matrix_transpose"]


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
