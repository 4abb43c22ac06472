"""Data-type functions (https://data-apis.org/array-api/latest/API_specification/data_type_functions.html)."""

from __future__ import annotations

from typing import Any

from agrad._api._convert import native_dtype, resolve_device
from agrad._dtypes import DType
from agrad._ops import apply, to_tensor
from agrad._registry import TABLE
from agrad._tensor import Tensor

__all__ = ["astype"]


def astype(x: Tensor, dtype: DType, /, *, copy: bool = True, device: Any = None) -> Tensor:
    """``x`` converted to ``dtype``; the gradient is cast back to ``x``'s dtype.

    Examples
    --------
    >>> import agrad
    >>> agrad.astype(agrad.asarray([1, 2]), agrad.float32).dtype
    agrad.float32
    """
    x = to_tensor(x)
    if device is not None and resolve_device(device) is not x._dev:
        x = x.to_device(resolve_device(device))
    if not copy and x.dtype is dtype:
        return x
    kw = {"dtype": native_dtype(dtype, x._dev), "copy": True}
    return apply(TABLE["astype"], (x,), kw, _astype_forward)  # type: ignore[no-any-return]


def _astype_forward(xp: Any, a: Any, *, dtype: Any, copy: bool) -> Any:
    return xp.astype(a, dtype, copy=copy)
