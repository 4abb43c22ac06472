"""Searching functions (https://data-apis.org/array-api/latest/API_specification/searching_functions.html)."""

from __future__ import annotations

from agrad._ops import apply
from agrad._registry import TABLE
from agrad._tensor import Tensor

__all__ = ["where"]


def where(condition: Tensor, x1: Tensor | complex, x2: Tensor | complex, /) -> Tensor:
    """``x1`` where ``condition`` holds, else ``x2``; gradients go to the chosen side.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.asarray([-1.0, 2.0])
    >>> agrad.where(x > 0, x, 0.0).tolist()
    [0.0, 2.0]
    """
    return apply(TABLE["where"], (condition, x1, x2))  # type: ignore[no-any-return]
