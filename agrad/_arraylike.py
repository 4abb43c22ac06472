"""What every part of ``agrad.numpy`` shares: turning NumPy-style arguments into agrad's.

NumPy functions take nested lists, NumPy arrays, scalars and dtypes written many ways
(``float``, ``"float32"``, ``np.float32``); agrad's namespace takes tensors and agrad dtypes.
These helpers convert the one into the other, keeping tensors (and lists of tensors) in the
graph, and refuse NumPy arguments that agrad does not support with a ``TypeError`` naming
them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

import numpy

from agrad._api.creation import asarray
from agrad._api.data_type import astype, result_type
from agrad._api.manipulation import reshape, stack
from agrad._device import Device, get_default_device
from agrad._dtypes import BY_NAME, DType, float64
from agrad._tensor import Tensor
from agrad.errors import AgradTypeError, AgradValueError

__all__ = [
    "NOVALUE",
    "ArrayLike",
    "Axis",
    "as_tensor",
    "as_tensors",
    "default_float",
    "dtype_of",
    "finish",
    "flag",
    "flatten",
    "given",
    "normalize_axis",
    "refuse",
    "shape_tuple",
    "to_dtype",
]

#: NumPy's marker for "argument not given" (``numpy._NoValue``): NumPy's own functions
#: pass it on, so agrad.numpy treats it as absent too.
NOVALUE: Any = numpy._NoValue

ArrayLike = Any
Axis = int | Sequence[int] | None


def flag(value: Any) -> bool:
    """A NumPy boolean argument whose default is ``numpy._NoValue`` (meaning False)."""
    return value is not NOVALUE and bool(value)


def given(value: Any) -> bool:
    """Whether an optional NumPy argument was given (neither None nor ``numpy._NoValue``)."""
    return value is not None and value is not NOVALUE


def refuse(function: str, argument: str, value: Any) -> NoReturn:
    """Raise the error for a NumPy argument agrad does not support."""
    msg = (
        f"`{function}` in agrad.numpy does not support `{argument}={value!r}`. Leave it out, "
        "or call NumPy itself on `t.detach().array` to work without gradients."
    )
    raise AgradTypeError(msg)


def dtype_of(dtype: Any) -> DType:
    """The agrad dtype for a ``dtype`` argument that must be given."""
    found = to_dtype(dtype)
    if found is None:
        msg = "A dtype is required here, got None."
        raise AgradTypeError(msg)
    return found


def to_dtype(dtype: Any) -> DType | None:
    """An agrad dtype for any way NumPy code names one (None stays None)."""
    if dtype is None or isinstance(dtype, DType):
        return dtype
    try:
        name = numpy.dtype(dtype).name
    except TypeError:
        name = None
    found = BY_NAME.get(name) if name is not None else None
    if found is None:
        msg = (
            f"agrad has no dtype for {dtype!r}; it supports {sorted(BY_NAME)!r} "
            "(as agrad dtypes, NumPy dtypes or their names)."
        )
        raise AgradTypeError(msg)
    return found


def _has_tensor(obj: Sequence[Any]) -> bool:
    for o in obj:
        if isinstance(o, Tensor):
            return True
        if isinstance(o, (list, tuple)) and _has_tensor(o):
            return True
    return False


def _stack_nested(obj: Sequence[Any], device: Any) -> Tensor:
    parts = [
        _stack_nested(o, device)
        if isinstance(o, (list, tuple))
        else (o if isinstance(o, Tensor) else asarray(o, device=device))
        for o in obj
    ]
    if not parts:
        return asarray([], device=device)
    dtypes = {p.dtype for p in parts}
    if len(dtypes) > 1:
        common = result_type(*parts)
        parts = [p if p.dtype is common else astype(p, common) for p in parts]
    return stack(parts)


def as_tensor(
    obj: ArrayLike, dtype: Any = None, device: Any = None, copy: bool | None = None
) -> Tensor:
    """``obj`` as a tensor: tensors pass unchanged, lists holding tensors are stacked (so
    they stay in the graph), anything else becomes a constant on ``device`` (the default
    device when None), copied when ``copy`` is true."""
    agrad_dtype = to_dtype(dtype)
    if isinstance(obj, Tensor):
        t = obj
    elif isinstance(obj, (list, tuple)) and _has_tensor(obj):
        t = _stack_nested(obj, next(_devices(obj)))
    else:
        if device is None:
            device = get_default_device()
        if isinstance(obj, numpy.generic):
            obj = numpy.asarray(obj)
        return asarray(obj, dtype=agrad_dtype, device=device, copy=copy)
    if agrad_dtype is not None and t.dtype is not agrad_dtype:
        t = astype(t, agrad_dtype)
    return t


def _devices(obj: Sequence[Any]) -> Iterator[Device]:
    for o in obj:
        if isinstance(o, Tensor):
            yield o.device
        elif isinstance(o, (list, tuple)):
            yield from _devices(o)


def as_tensors(objs: Sequence[ArrayLike]) -> list[Tensor]:
    """Several array-likes as tensors; those that are not tensors go to the device of the
    first tensor among them (or the default device)."""
    device = next((o.device for o in objs if isinstance(o, Tensor)), None)
    return [o if isinstance(o, Tensor) else as_tensor(o, device=device) for o in objs]


def default_float(x: Tensor) -> Tensor:
    """``x`` if it is floating point, else ``x`` cast to float64 (as NumPy's functions do)."""
    if x.dtype.is_floating:
        return x
    return astype(x, float64)


def normalize_axis(axis: Axis, ndim: int) -> tuple[int, ...] | None:
    """``axis`` as a tuple of non-negative axes (None stays None)."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, int) or hasattr(axis, "__index__") else tuple(axis)
    result = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < max(ndim, 1):
            msg = f"axis {a} is out of bounds for an array of dimension {ndim}."
            raise AgradValueError(msg)
        result.append(a % max(ndim, 1))
    return tuple(result)


def finish(function: str, result: Tensor, out: Any) -> Any:
    """Write ``result`` into ``out`` as NumPy's ``out=`` does, and return what NumPy returns.

    ``out`` may be a tensor (written in place, differentiably) or a one-element tuple of
    one. A NumPy array as ``out`` can only take values without a graph: agrad refuses to
    drop one silently.
    """
    if out is None:
        return result
    if isinstance(out, tuple):
        if len(out) != 1:
            msg = f"`{function}` has one output, but `out=` has {len(out)} entries."
            raise AgradTypeError(msg)
        (out,) = out
        if out is None:
            return result
    if isinstance(out, Tensor):
        out[...] = result
        return out
    if isinstance(out, numpy.ndarray):
        if result.requires_grad:
            msg = (
                f"`{function}` would write a result that requires grad into a NumPy array "
                "(`out=`), which cannot hold its graph. Make `out` a tensor (for instance "
                "with `np.zeros_like(t)`), or leave `out=` out and use the return value."
            )
            raise AgradTypeError(msg)
        out[...] = numpy.asarray(result.detach().array)
        return out
    msg = f"`out=` of `{function}` must be a tensor, got {type(out).__name__}."
    raise AgradTypeError(msg)


def shape_tuple(shape: Any) -> tuple[int, ...]:
    """A NumPy ``shape`` argument (an int or a sequence) as a tuple of ints."""
    if isinstance(shape, Tensor):
        return tuple(int(s) for s in shape.tolist())
    if isinstance(shape, (int, numpy.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def flatten(x: Tensor) -> Tensor:
    """``x`` as a 1-d tensor (C order)."""
    return x if x.ndim == 1 else reshape(x, (-1,))
