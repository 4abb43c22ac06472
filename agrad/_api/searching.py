"""Searching functions (https://data-apis.org/array-api/latest/API_specification/searching_functions.html)."""

from __future__ import annotations

from typing import Any, Literal

from agrad._api.creation import asarray
from agrad._ops import SCALARS, apply, to_tensor
from agrad._registry import TABLE
from agrad._tensor import Tensor

__all__ = ["argmax", "argmin", "count_nonzero", "nonzero", "searchsorted", "where"]


def where(condition: Tensor, x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1`` where ``condition`` holds, else ``x2``; gradients go to the chosen side.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.asarray([-1.0, 2.0])
    >>> agrad.where(x > 0, x, 0.0).tolist()
    [0.0, 2.0]
    """
    if isinstance(x1, SCALARS) and isinstance(x2, SCALARS):
        # two Python scalars (NumPy and torch take them; the standard wants one array): the
        # first becomes a 0-d array of the dtype NumPy infers for the pair
        dev = condition._dev if isinstance(condition, Tensor) else None
        x1 = asarray(x1, dtype=asarray([x1, x2], device=dev).dtype, device=dev)
    return apply(TABLE["where"], (condition, x1, x2))  # type: ignore[no-any-return]


def argmax(x: Tensor, /, *, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the first maximum (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.argmax(agrad.asarray([1.0, 5.0, 5.0])).item()
    1
    """
    return apply(TABLE["argmax"], (x,), {"axis": axis, "keepdims": keepdims})  # type: ignore[no-any-return]


def argmin(x: Tensor, /, *, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the first minimum (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.argmin(agrad.asarray([[3.0, 1.0], [0.0, 2.0]]), axis=1).tolist()
    [1, 0]
    """
    return apply(TABLE["argmin"], (x,), {"axis": axis, "keepdims": keepdims})  # type: ignore[no-any-return]


def nonzero(x: Tensor, /) -> tuple[Tensor, ...]:
    """The indices of the non-zero elements, one tensor per axis (no gradient).

    Examples
    --------
    >>> import agrad
    >>> [t.tolist() for t in agrad.nonzero(agrad.asarray([0.0, 2.0, 3.0]))]
    [[1, 2]]
    """
    x = to_tensor(x)
    return apply(TABLE["nonzero"], (x,), None, _nonzero_forward, nout=x.ndim)  # type: ignore[no-any-return]


def _nonzero_forward(xp: Any, a: Any) -> tuple[Any, ...]:
    return tuple(xp.nonzero(a))


def searchsorted(
    x1: Tensor,
    x2: Tensor,
    /,
    *,
    side: Literal["left", "right"] = "left",
    sorter: Tensor | None = None,
) -> Tensor:
    """Where the elements of ``x2`` would go in the sorted ``x1`` (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.searchsorted(agrad.asarray([1.0, 2.0, 3.0]), agrad.asarray([2.5])).tolist()
    [2]
    """
    return apply(TABLE["searchsorted"], (x1, x2, sorter), {"side": side}, _searchsorted_forward)  # type: ignore[no-any-return]


def _searchsorted_forward(xp: Any, a: Any, v: Any, sorter: Any, *, side: str) -> Any:
    return xp.searchsorted(a, v, side=side, sorter=sorter)


def count_nonzero(
    x: Tensor, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> Tensor:
    """How many elements are non-zero (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.count_nonzero(agrad.asarray([0.0, 2.0, 3.0])).item()
    2
    """
    return apply(TABLE["count_nonzero"], (x,), {"axis": axis, "keepdims": keepdims})  # type: ignore[no-any-return]
