"""NumPy's dtype information functions, for agrad dtypes and tensors as well."""

from __future__ import annotations

from typing import Any

import numpy

from agrad._api.creation import from_dlpack as _from_dlpack
from agrad._api.data_type import astype
from agrad._api.data_type import isdtype as _isdtype
from agrad._arraylike import to_dtype
from agrad._dtypes import DType
from agrad._tensor import Tensor

__all__ = ["cast_to", "errstate", "finfo", "from_dlpack", "iinfo", "isdtype"]

#: ``numpy.errstate``: how NumPy (the default backend) treats floating-point errors
errstate = numpy.errstate


def _numpy_dtype(dtype: Any) -> Any:
    if isinstance(dtype, Tensor):
        dtype = dtype.dtype
    agrad_dtype = to_dtype(dtype)
    assert isinstance(agrad_dtype, DType)
    return numpy.dtype(agrad_dtype.name)


def finfo(dtype: Any) -> Any:
    """``numpy.finfo`` of an agrad dtype, a tensor's dtype, or any NumPy spelling of one.

    Examples
    --------
    >>> import agrad.numpy as np
    >>> np.finfo(np.float32).bits
    32
    """
    return numpy.finfo(_numpy_dtype(dtype))


def iinfo(dtype: Any) -> Any:
    """``numpy.iinfo`` of an agrad dtype, a tensor's dtype, or any NumPy spelling of one.

    Examples
    --------
    >>> import agrad.numpy as np
    >>> np.iinfo(np.int8).max
    127
    """
    return numpy.iinfo(_numpy_dtype(dtype))


def cast_to(dtype: DType, value: Any) -> Any:
    """What NumPy code means by calling a scalar type, ``np.float64(value)``.

    A tensor is cast with ``astype`` (differentiable between floating dtypes, a 0-d tensor
    staying 0-d), so the graph is kept rather than silently dropped; anything else (Python
    numbers, strings, NumPy scalars and arrays, lists) gives what NumPy's scalar type gives.

    Examples
    --------
    >>> import agrad.numpy as np
    >>> from agrad.numpy._types import cast_to
    >>> cast_to(np.float32, 1.5)
    np.float32(1.5)
    >>> x = np.array(2.0).requires_grad_()
    >>> cast_to(np.float32, x).dtype
    agrad.float32
    """
    if isinstance(value, Tensor):
        return value if value.dtype is dtype else astype(value, dtype)
    return numpy.dtype(dtype.name).type(value)


def isdtype(dtype: Any, kind: Any) -> bool:
    """``numpy.isdtype`` of an agrad dtype or any NumPy spelling of one; ``kind`` is a kind
    name ("real floating", ...), a dtype, or a tuple of them."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    converted = tuple(k if isinstance(k, str) else to_dtype(k) for k in kinds)
    return bool(_isdtype(to_dtype(dtype), converted))  # type: ignore[arg-type]


def from_dlpack(x: Any, /, *, device: Any = None, copy: bool | None = None) -> Tensor:
    """``numpy.from_dlpack``: a tensor sharing the memory of any DLPack producer, on the
    default device when it can be reached there (``agrad.from_dlpack``)."""
    return _from_dlpack(x, device=device, copy=copy)
