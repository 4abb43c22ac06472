"""Statistical functions (https://data-apis.org/array-api/latest/API_specification/statistical_functions.html)."""

from __future__ import annotations

from agrad._api._convert import native_dtype
from agrad._dtypes import DType
from agrad._ops import apply, to_tensor
from agrad._registry import TABLE
from agrad._tensor import Tensor

__all__ = ["mean", "sum"]


def sum(
    x: Tensor,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    dtype: DType | None = None,
    keepdims: bool = False,
) -> Tensor:
    """Sum over ``axis`` (all axes by default).

    Examples
    --------
    >>> import agrad
    >>> agrad.sum(agrad.asarray([[1.0, 2.0], [3.0, 4.0]]), axis=0).tolist()
    [4.0, 6.0]
    """
    x = to_tensor(x)
    kw = {"axis": axis, "dtype": native_dtype(dtype, x._dev), "keepdims": keepdims}
    return apply(TABLE["sum"], (x,), kw)  # type: ignore[no-any-return]


def mean(
    x: Tensor,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
) -> Tensor:
    """Arithmetic mean over ``axis`` (all axes by default).

    Examples
    --------
    >>> import agrad
    >>> agrad.mean(agrad.asarray([1.0, 3.0])).item()
    2.0
    """
    return apply(TABLE["mean"], (x,), {"axis": axis, "keepdims": keepdims})  # type: ignore[no-any-return]
