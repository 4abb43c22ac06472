"""Data-type functions (https://data-apis.org/array-api/latest/API_specification/data_type_functions.html)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agrad._api._convert import agrad_dtype, native_dtype, resolve_device
from agrad._dtypes import KIND_LETTERS, DType
from agrad._ops import apply, to_tensor
from agrad._registry import TABLE
from agrad._tensor import Tensor, make
from agrad.backends import get_backend
from agrad.errors import AgradTypeError, AgradValueError

__all__ = ["astype", "can_cast", "finfo", "iinfo", "isdtype", "result_type"]


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
    dtype = agrad_dtype(dtype, x._dev)
    if not copy and x.dtype is dtype:
        return x
    kw = {"dtype": native_dtype(dtype, x._dev), "copy": True}
    if x._rg and isinstance(dtype, DType) and dtype.kind not in "fc":
        # an integer or boolean result carries no gradient (torch's too): the graph ends here
        dev = x._dev
        return make(dev.backend.ensure_array(_astype_forward(dev.xp, x._array, **kw)), dev)
    return apply(TABLE["astype"], (x,), kw, _astype_forward)  # type: ignore[no-any-return]


def _astype_forward(xp: Any, a: Any, *, dtype: Any, copy: bool) -> Any:
    return xp.astype(a, dtype, copy=copy)


# The standard's dtypes, and its promotion rules, are the same on every backend: NumPy's
# (with NEP 50 scalars) serve as the reference for agrad's dtype objects.
def _np_dtype(x: Any) -> Any:
    if isinstance(x, Tensor):
        x = x.dtype
    if isinstance(x, DType):
        return get_backend("numpy").to_dtype(x)
    msg = f"Expected an agrad dtype or a tensor, got {x!r}."
    raise AgradTypeError(msg)


def _from_np(native: Any) -> DType:
    dtype: DType = get_backend("numpy").from_dtype(native)
    return dtype


def result_type(*arrays_and_dtypes: Tensor | DType | bool | int | float | complex) -> DType:
    """The dtype the standard's promotion rules give for these arrays, dtypes and scalars.

    Examples
    --------
    >>> import agrad
    >>> agrad.result_type(agrad.float32, agrad.asarray([1.0]))
    agrad.float64
    >>> agrad.result_type(agrad.float32, 1.0)
    agrad.float32
    """
    import numpy as np

    if not arrays_and_dtypes:
        msg = "`result_type` needs at least one array or dtype."
        raise AgradValueError(msg)
    args = [
        a if isinstance(a, bool | int | float | complex) else _np_dtype(a)
        for a in arrays_and_dtypes
    ]
    if all(isinstance(a, bool | int | float | complex) for a in args):
        msg = "`result_type` needs at least one array or dtype besides Python scalars."
        raise AgradValueError(msg)
    return _from_np(np.result_type(*args))


def can_cast(from_: DType | Tensor, to: DType, /) -> bool:
    """Whether ``from_`` can be cast to ``to`` without changing values (safe casting).

    Examples
    --------
    >>> import agrad
    >>> agrad.can_cast(agrad.float32, agrad.float64), agrad.can_cast(agrad.float64, agrad.int8)
    (True, False)
    """
    import numpy as np

    return bool(np.can_cast(_np_dtype(from_), _np_dtype(to)))


@dataclass(frozen=True)
class finfo_object:
    """Limits of a floating-point dtype."""

    bits: int
    eps: float
    max: float
    min: float
    smallest_normal: float
    dtype: DType


@dataclass(frozen=True)
class iinfo_object:
    """Limits of an integer dtype."""

    bits: int
    max: int
    min: int
    dtype: DType


def finfo(type: DType | Tensor, /) -> finfo_object:
    """Machine limits of a real or complex floating-point dtype.

    Examples
    --------
    >>> import agrad
    >>> agrad.finfo(agrad.float32).bits
    32
    """
    import numpy as np

    dtype = type.dtype if isinstance(type, Tensor) else type
    info = np.finfo(_np_dtype(dtype))
    real = _from_np(info.dtype)
    return finfo_object(
        int(info.bits),
        float(info.eps),
        float(info.max),
        float(info.min),
        float(info.smallest_normal),
        real,
    )


def iinfo(type: DType | Tensor, /) -> iinfo_object:
    """Machine limits of an integer dtype.

    Examples
    --------
    >>> import agrad
    >>> agrad.iinfo(agrad.int8).max
    127
    """
    import numpy as np

    dtype = type.dtype if isinstance(type, Tensor) else type
    info = np.iinfo(_np_dtype(dtype))
    return iinfo_object(int(info.bits), int(info.max), int(info.min), dtype)


def isdtype(dtype: DType, kind: str | DType | tuple[str | DType, ...]) -> bool:
    """Whether ``dtype`` is of ``kind`` ("real floating", "integral", ..., or a dtype).

    Examples
    --------
    >>> import agrad
    >>> agrad.isdtype(agrad.float32, "real floating"), agrad.isdtype(agrad.int8, "numeric")
    (True, True)
    """
    if not isinstance(dtype, DType):
        msg = f"`isdtype` takes an agrad dtype, got {dtype!r}."
        raise AgradTypeError(msg)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    for k in kinds:
        if isinstance(k, DType):
            if k is dtype:
                return True
        elif isinstance(k, str):
            if k not in KIND_LETTERS:
                msg = (
                    f"Unknown dtype kind {k!r}; the standard's kinds are {sorted(KIND_LETTERS)!r}."
                )
                raise AgradValueError(msg)
            if dtype.kind in KIND_LETTERS[k]:
                return True
        else:
            msg = f"`isdtype` kinds are strings or dtypes, got {k!r}."
            raise AgradTypeError(msg)
    return False
