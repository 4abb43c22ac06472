"""Sorting functions (https://data-apis.org/array-api/latest/API_specification/sorting_functions.html)."""

from __future__ import annotations

from agrad._ops import apply
from agrad._registry import TABLE
from agrad._tensor import Tensor

__all__ = ["argsort", "sort"]


def sort(x: Tensor, /, *, axis: int = -1, descending: bool = False, stable: bool = True) -> Tensor:
    """``x`` sorted along ``axis``; each gradient goes back to the element's old place.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor([3.0, 1.0, 2.0], requires_grad=True)
    >>> y = agrad.sort(x)
    >>> agrad.sum(y * agrad.asarray([1.0, 10.0, 100.0])).backward()
    >>> x.grad.tolist()
    [100.0, 1.0, 10.0]
    """
    kw = {"axis": axis, "descending": descending, "stable": stable}
    return apply(TABLE["sort"], (x,), kw)  # type: ignore[no-any-return]


def argsort(
    x: Tensor, /, *, axis: int = -1, descending: bool = False, stable: bool = True
) -> Tensor:
    """The indices that sort ``x`` along ``axis`` (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.argsort(agrad.asarray([3.0, 1.0, 2.0])).tolist()
    [1, 2, 0]
    """
    kw = {"axis": axis, "descending": descending, "stable": stable}
    return apply(TABLE["argsort"], (x,), kw)  # type: ignore[no-any-return]
