"""Set functions (https://data-apis.org/array-api/latest/API_specification/set_functions.html).

None has a gradient; the results are tensors without a graph.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from agrad._ops import apply
from agrad._registry import TABLE
from agrad._tensor import Tensor

__all__ = ["isin", "unique_all", "unique_counts", "unique_inverse", "unique_values"]


class UniqueAllResult(NamedTuple):
    values: Tensor
    indices: Tensor
    inverse_indices: Tensor
    counts: Tensor


class UniqueCountsResult(NamedTuple):
    values: Tensor
    counts: Tensor


class UniqueInverseResult(NamedTuple):
    values: Tensor
    inverse_indices: Tensor


def _unique(name: str, x: Tensor, nout: int) -> Any:
    def forward(xp: Any, a: Any) -> tuple[Any, ...]:
        return tuple(getattr(xp, name)(a))

    return apply(TABLE[name], (x,), None, forward, nout=nout)


def unique_all(x: Tensor, /) -> UniqueAllResult:
    """Unique values, first indices, inverse indices and counts.

    Examples
    --------
    >>> import agrad
    >>> agrad.unique_all(agrad.asarray([2.0, 1.0, 2.0])).counts.tolist()
    [1, 2]
    """
    return UniqueAllResult(*_unique("unique_all", x, 4))


def unique_counts(x: Tensor, /) -> UniqueCountsResult:
    """Unique values and how often each occurs.

    Examples
    --------
    >>> import agrad
    >>> agrad.unique_counts(agrad.asarray([2.0, 1.0, 2.0])).values.tolist()
    [1.0, 2.0]
    """
    return UniqueCountsResult(*_unique("unique_counts", x, 2))


def unique_inverse(x: Tensor, /) -> UniqueInverseResult:
    """Unique values and, for each element, the index of its value.

    Examples
    --------
    >>> import agrad
    >>> agrad.unique_inverse(agrad.asarray([2.0, 1.0, 2.0])).inverse_indices.tolist()
    [1, 0, 1]
    """
    return UniqueInverseResult(*_unique("unique_inverse", x, 2))


def unique_values(x: Tensor, /) -> Tensor:
    """The unique values of ``x``, sorted.

    Examples
    --------
    >>> import agrad
    >>> agrad.unique_values(agrad.asarray([2.0, 1.0, 2.0])).tolist()
    [1.0, 2.0]
    """
    return apply(TABLE["unique_values"], (x,))  # type: ignore[no-any-return]


def isin(x1: Tensor, x2: Tensor, /, *, invert: bool = False) -> Tensor:
    """Whether each element of ``x1`` occurs in ``x2``.

    Examples
    --------
    >>> import agrad
    >>> agrad.isin(agrad.asarray([1, 2, 3]), agrad.asarray([2, 5])).tolist()
    [False, True, False]
    """
    return apply(TABLE["isin"], (x1, x2), {"invert": invert})  # type: ignore[no-any-return]
