"""Utility functions (https://data-apis.org/array-api/latest/API_specification/utility_functions.html)."""

from __future__ import annotations

from agrad._api.manipulation import concat
from agrad._ops import apply, to_tensor
from agrad._registry import TABLE
from agrad._tensor import Tensor

__all__ = ["all", "any", "diff"]


def all(
    x: Tensor, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> Tensor:
    """Whether every element along ``axis`` is true (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.all(agrad.asarray([1.0, 0.0])).item()
    False
    """
    return apply(TABLE["all"], (x,), {"axis": axis, "keepdims": keepdims})  # type: ignore[no-any-return]


def any(
    x: Tensor, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> Tensor:
    """Whether some element along ``axis`` is true (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.any(agrad.asarray([1.0, 0.0])).item()
    True
    """
    return apply(TABLE["any"], (x,), {"axis": axis, "keepdims": keepdims})  # type: ignore[no-any-return]


def diff(
    x: Tensor,
    /,
    *,
    axis: int = -1,
    n: int = 1,
    prepend: Tensor | None = None,
    append: Tensor | None = None,
) -> Tensor:
    """The ``n``-th forward difference along ``axis``, built from differentiable slices.

    Examples
    --------
    >>> import agrad
    >>> agrad.diff(agrad.asarray([1.0, 4.0, 9.0, 16.0]), n=2).tolist()
    [2.0, 2.0]
    """
    x = to_tensor(x)
    parts = [p for p in (prepend, x, append) if p is not None]
    if len(parts) > 1:
        x = concat(parts, axis=axis)
    ax = axis % x.ndim
    head = (slice(None),) * ax
    for _ in range(n):
        later = (*head, slice(1, None))
        earlier = (*head, slice(None, -1))
        x = x[later] - x[earlier]
    return x
