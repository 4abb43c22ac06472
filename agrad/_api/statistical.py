"""Statistical functions (https://data-apis.org/array-api/latest/API_specification/statistical_functions.html)."""

from __future__ import annotations

from agrad._api._convert import native_dtype
from agrad._dtypes import DType
from agrad._ops import apply, to_tensor
from agrad._registry import TABLE
from agrad._tensor import Tensor

__all__ = ["cumulative_prod", "cumulative_sum", "max", "mean", "min", "prod", "std", "sum", "var"]


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


def prod(
    x: Tensor,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    dtype: DType | None = None,
    keepdims: bool = False,
) -> Tensor:
    """Product over ``axis``; its gradient is exact with zeros in the input.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor([2.0, 0.0, 3.0], requires_grad=True)
    >>> agrad.prod(x).backward()
    >>> x.grad.tolist()
    [0.0, 6.0, 0.0]
    """
    x = to_tensor(x)
    kw = {"axis": axis, "dtype": native_dtype(dtype, x._dev), "keepdims": keepdims}
    return apply(TABLE["prod"], (x,), kw)  # type: ignore[no-any-return]


def max(
    x: Tensor, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> Tensor:
    """Maximum over ``axis``; tied maxima share the gradient evenly, as in torch.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor([1.0, 3.0, 3.0], requires_grad=True)
    >>> agrad.max(x).backward()
    >>> x.grad.tolist()
    [0.0, 0.5, 0.5]
    """
    return apply(TABLE["max"], (x,), {"axis": axis, "keepdims": keepdims})  # type: ignore[no-any-return]


def min(
    x: Tensor, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> Tensor:
    """Minimum over ``axis``; tied minima share the gradient evenly, as in torch.

    Examples
    --------
    >>> import agrad
    >>> agrad.min(agrad.asarray([[1.0, -2.0], [0.5, 4.0]]), axis=1).tolist()
    [-2.0, 0.5]
    """
    return apply(TABLE["min"], (x,), {"axis": axis, "keepdims": keepdims})  # type: ignore[no-any-return]


def var(
    x: Tensor,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    correction: int | float = 0.0,
    keepdims: bool = False,
) -> Tensor:
    """Variance over ``axis``, dividing by ``N - correction``.

    Examples
    --------
    >>> import agrad
    >>> agrad.var(agrad.asarray([1.0, 2.0, 3.0, 4.0]), correction=1).item()
    1.6666666666666667
    """
    kw = {"axis": axis, "correction": correction, "keepdims": keepdims}
    return apply(TABLE["var"], (x,), kw)  # type: ignore[no-any-return]


def std(
    x: Tensor,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    correction: int | float = 0.0,
    keepdims: bool = False,
) -> Tensor:
    """Standard deviation over ``axis``; its gradient is 0 where it is 0, as in torch.

    Examples
    --------
    >>> import agrad
    >>> agrad.std(agrad.asarray([1.0, 3.0])).item()
    1.0
    """
    kw = {"axis": axis, "correction": correction, "keepdims": keepdims}
    return apply(TABLE["std"], (x,), kw)  # type: ignore[no-any-return]


def cumulative_sum(
    x: Tensor,
    /,
    *,
    axis: int | None = None,
    dtype: DType | None = None,
    include_initial: bool = False,
) -> Tensor:
    """Running sums along ``axis`` (optional for 1-d input).

    Examples
    --------
    >>> import agrad
    >>> agrad.cumulative_sum(agrad.asarray([1.0, 2.0, 3.0]), include_initial=True).tolist()
    [0.0, 1.0, 3.0, 6.0]
    """
    x = to_tensor(x)
    kw = {"axis": axis, "dtype": native_dtype(dtype, x._dev), "include_initial": include_initial}
    return apply(TABLE["cumulative_sum"], (x,), kw)  # type: ignore[no-any-return]


def cumulative_prod(
    x: Tensor,
    /,
    *,
    axis: int | None = None,
    dtype: DType | None = None,
    include_initial: bool = False,
) -> Tensor:
    """Running products along ``axis``; the gradient is exact with zeros in the input.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor([2.0, 0.0, 3.0], requires_grad=True)
    >>> agrad.sum(agrad.cumulative_prod(x)).backward()
    >>> x.grad.tolist()
    [1.0, 8.0, 0.0]
    """
    x = to_tensor(x)
    kw = {"axis": axis, "dtype": native_dtype(dtype, x._dev), "include_initial": include_initial}
    return apply(TABLE["cumulative_prod"], (x,), kw)  # type: ignore[no-any-return]
