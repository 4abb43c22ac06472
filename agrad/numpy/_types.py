"""NumPy's dtype information functions, for agrad dtypes and tensors as well."""

from __future__ import annotations

from typing import Any

import numpy

from agrad._dtypes import DType
from agrad._tensor import Tensor
from agrad.numpy._common import to_dtype

__all__ = ["errstate", "finfo", "iinfo"]

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
