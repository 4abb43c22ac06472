"""Manipulation functions (https://data-apis.org/array-api/latest/API_specification/manipulation_functions.html).

Where the backend returns a view (NumPy's ``reshape`` of a contiguous array), the result
shares memory and a version counter with its input, and in-place changes to it reach the
input's graph, as in PyTorch.
"""

from __future__ import annotations

from agrad._ops import apply
from agrad._registry import TABLE
from agrad._tensor import Tensor

__all__ = ["broadcast_to", "expand_dims", "flip", "permute_dims", "reshape", "squeeze"]


def reshape(x: Tensor, /, shape: tuple[int, ...], *, copy: bool | None = None) -> Tensor:
    """``x`` with a new shape.

    Examples
    --------
    >>> import agrad
    >>> agrad.reshape(agrad.arange(6), (2, 3)).shape
    (2, 3)
    """
    return apply(TABLE["reshape"], (x,), {"shape": tuple(shape), "copy": copy})  # type: ignore[no-any-return]


def permute_dims(x: Tensor, /, axes: tuple[int, ...]) -> Tensor:
    """``x`` with its axes reordered.

    Examples
    --------
    >>> import agrad
    >>> agrad.permute_dims(agrad.zeros((2, 3)), (1, 0)).shape
    (3, 2)
    """
    return apply(TABLE["permute_dims"], (x,), {"axes": tuple(axes)})  # type: ignore[no-any-return]


def broadcast_to(x: Tensor, /, shape: tuple[int, ...]) -> Tensor:
    """``x`` broadcast to ``shape``; its gradient sums the broadcast axes back.

    Examples
    --------
    >>> import agrad
    >>> agrad.broadcast_to(agrad.ones(3), (2, 3)).shape
    (2, 3)
    """
    return apply(TABLE["broadcast_to"], (x,), {"shape": tuple(shape)})  # type: ignore[no-any-return]


def expand_dims(x: Tensor, /, axis: int = 0) -> Tensor:
    """``x`` with a new axis of size one at ``axis``.

    Examples
    --------
    >>> import agrad
    >>> agrad.expand_dims(agrad.ones(3), axis=0).shape
    (1, 3)
    """
    return apply(TABLE["expand_dims"], (x,), {"axis": axis})  # type: ignore[no-any-return]


def squeeze(x: Tensor, /, axis: int | tuple[int, ...]) -> Tensor:
    """``x`` without the size-one axes ``axis``.

    Examples
    --------
    >>> import agrad
    >>> agrad.squeeze(agrad.ones((1, 3)), axis=0).shape
    (3,)
    """
    return apply(TABLE["squeeze"], (x,), {"axis": axis})  # type: ignore[no-any-return]


def flip(x: Tensor, /, *, axis: int | tuple[int, ...] | None = None) -> Tensor:
    """``x`` with the order of elements reversed along ``axis`` (all axes by default).

    Examples
    --------
    >>> import agrad
    >>> agrad.flip(agrad.asarray([1.0, 2.0, 3.0])).tolist()
    [3.0, 2.0, 1.0]
    """
    return apply(TABLE["flip"], (x,), {"axis": axis})  # type: ignore[no-any-return]
