"""Indexing functions (https://data-apis.org/array-api/latest/API_specification/indexing_functions.html)."""

from __future__ import annotations

from typing import Any

from agrad._ops import apply
from agrad._registry import TABLE
from agrad._tensor import Tensor

__all__ = ["take", "take_along_axis"]


def take(x: Tensor, indices: Tensor, /, *, axis: int | None = None) -> Tensor:
    """Elements of ``x`` at ``indices`` along ``axis``; repeated indices add up in backward.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> agrad.sum(agrad.take(x, agrad.asarray([2, 2, 0]))).backward()
    >>> x.grad.tolist()
    [1.0, 0.0, 2.0]
    """
    return apply(TABLE["take"], (x, indices), {"axis": axis}, _take_forward)  # type: ignore[no-any-return]


def _take_forward(xp: Any, a: Any, i: Any, *, axis: int | None) -> Any:
    if axis is None:
        return xp.take(xp.reshape(a, (-1,)), i, axis=0)
    return xp.take(a, i, axis=axis)


def take_along_axis(x: Tensor, indices: Tensor, /, *, axis: int = -1) -> Tensor:
    """Elements of ``x`` picked along ``axis`` by ``indices`` of the same rank.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.asarray([[10.0, 30.0, 20.0]])
    >>> agrad.take_along_axis(x, agrad.asarray([[1, 2]]), axis=1).tolist()
    [[30.0, 20.0]]
    """
    return apply(TABLE["take_along_axis"], (x, indices), {"axis": axis}, _along_forward)  # type: ignore[no-any-return]


def _along_forward(xp: Any, a: Any, i: Any, *, axis: int) -> Any:
    return xp.take_along_axis(a, i, axis=axis)
