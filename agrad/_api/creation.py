"""Creation functions (https://data-apis.org/array-api/latest/API_specification/creation_functions.html).

They make constant tensors: call ``.requires_grad_()`` or use :func:`agrad.tensor` for
leaves that require grad. ``asarray`` of a tensor stays in the graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import agrad._dtypes as _dtypes
from agrad._api._convert import native_dtype, resolve_device
from agrad._api.data_type import astype
from agrad._device import Device, move_array, refused, shares_memory
from agrad._dtypes import DType
from agrad._grad_mode import no_grad
from agrad._info import Info
from agrad._ops import apply, device_of_array, link_view, raw_nested
from agrad._registry import TABLE
from agrad._tensor import Tensor, make
from agrad._views import DETACH
from agrad.errors import AgradTypeError, AgradValueError

__all__ = [
    "arange",
    "asarray",
    "empty",
    "empty_like",
    "eye",
    "from_dlpack",
    "full",
    "full_like",
    "linspace",
    "meshgrid",
    "ones",
    "ones_like",
    "tensor",
    "tril",
    "triu",
    "zeros",
    "zeros_like",
]


def _asarray_raw(obj: Any, dtype: Any, device: Any, copy: bool | None) -> tuple[Any, Device]:
    """A raw array for ``obj`` (not a Tensor) and the device it lives on."""
    own = device_of_array(obj)
    if device is not None:
        dev = resolve_device(device)
    elif own is None or own.backend.name == "numpy":
        dev = resolve_device(None)  # NumPy data is host data, as lists are: the default device
    else:
        dev = own
    if own is not None and own is not dev:
        source = own.backend.ensure_array(obj)
        obj = move_array(source, own, dev)
        if copy is False and not shares_memory(source, own, obj, dev):
            msg = (
                f"`asarray(..., copy=False)` cannot bring a {own.name!r} array to {dev.name!r} "
                "without a copy; pass `copy=None` to allow one."
            )
            raise AgradValueError(msg)
        own = dev
    if isinstance(obj, (list, tuple)) and _contains_tensor(obj):
        if _contains_tensor(obj, needing_grad=True):
            msg = (
                "`asarray` got a list holding tensors that require grad, and would drop "
                "their graph; use `agrad.stack` to keep it, or `t.detach()` each one."
            )
            raise AgradTypeError(msg)
        obj = raw_nested(obj)
    if obj is None or isinstance(obj, (str, bytes)):
        raise _no_numbers(obj, type(obj).__name__)
    if dtype is None and own is None and dev.backend.name != "numpy":
        dtype = _inferred(obj, dev)
    if own is None and dev.backend.name != "numpy" and _holds_numpy(obj):
        obj = np.asarray(obj)  # torch reads lists of NumPy arrays element by element, or not
    kwargs: dict[str, Any] = {"dtype": native_dtype(dtype, dev), "copy": copy}
    if own is None:
        kwargs["device"] = dev.native
    try:
        array = dev.xp.asarray(obj, **kwargs)
    except (ValueError, OverflowError) as e:  # a ragged list, a value the dtype cannot hold
        name = "asarray"
        refused(name, (obj,), dev, e)
    # NumPy (and CuPy, JAX) make arrays of objects, strings, bytes or dates out of anything
    if getattr(array.dtype, "kind", "f") in "OUSVMm":
        raise _no_numbers(obj, f"an array of dtype {array.dtype}")
    return dev.backend.ensure_array(array), dev


def _holds_numpy(obj: Any) -> bool:
    """Whether a (nested) list or tuple holds NumPy arrays or scalars."""
    if not isinstance(obj, (list, tuple)):
        return False
    return any(isinstance(o, (np.ndarray, np.generic)) or _holds_numpy(o) for o in obj)


def _inferred(obj: Any, dev: Device) -> DType | None:
    """The dtype NumPy infers for Python data, at ``dev``'s default precision (torch would
    make Python floats float32)."""
    if not isinstance(obj, (bool, int, float, complex, list, tuple)):
        return None
    try:
        kind = np.asarray(obj).dtype.kind
    except (ValueError, TypeError, OverflowError):
        return None  # the library's own call reports it
    key = {"f": "real floating", "c": "complex floating", "i": "integral"}.get(kind)
    if key is not None:
        return _defaults(dev)[key]
    return _dtypes.bool if kind == "b" else None


def _no_numbers(obj: Any, what: str) -> AgradTypeError:
    shown = repr(obj)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    msg = (
        f"`agrad.asarray`/`agrad.tensor` need numbers (bool, int, float or complex, nested "
        f"lists of them, or an array), got {shown} ({what}). Convert the data to numbers "
        "first; a tensor cannot hold objects, strings or None."
    )
    return AgradTypeError(msg)


def _contains_tensor(obj: Any, *, needing_grad: bool = False) -> bool:
    for o in obj:
        if isinstance(o, Tensor):
            if o.requires_grad or not needing_grad:
                return True
        elif isinstance(o, (list, tuple)) and _contains_tensor(o, needing_grad=needing_grad):
            return True
    return False


def asarray(
    obj: Any,
    /,
    *,
    dtype: DType | None = None,
    device: Any = None,
    copy: bool | None = None,
) -> Tensor:
    """A tensor from ``obj``; a tensor argument stays in the graph (a copy with ``copy=True``).

    Examples
    --------
    >>> import agrad
    >>> agrad.asarray([1, 2, 3]).dtype
    agrad.int64
    """
    if isinstance(obj, Tensor):
        if device is not None and resolve_device(device) is not obj._dev:
            obj = obj.to_device(resolve_device(device))
        if dtype is not None and obj.dtype is not dtype:
            return astype(obj, dtype)
        if copy:
            copied: Tensor = apply(TABLE["asarray"], (obj,), {"copy": True}, _copy_forward)
            return copied
        same: Tensor = obj
        return same
    array, dev = _asarray_raw(obj, dtype, device, copy)
    result: Tensor = make(array, dev)
    return result


def _copy_forward(xp: Any, a: Any, *, copy: bool) -> Any:
    return xp.asarray(a, copy=True)


def tensor(
    data: Any,
    *,
    dtype: DType | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A new leaf tensor holding a copy of ``data``, like ``torch.tensor``.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor([1.0, 2.0], requires_grad=True)
    >>> x.requires_grad, x.is_leaf
    (True, True)
    """
    source = data.detach()._array if isinstance(data, Tensor) else data
    array, dev = _asarray_raw(
        source, dtype, device if device is not None else getattr(data, "_dev", None), True
    )
    t = make(array, dev)
    if requires_grad is not False:  # the setter refuses what is no bool ("no" is truthy)
        t.requires_grad = requires_grad
    return t


def _defaults(dev: Device) -> dict[str, DType]:
    return Info().default_dtypes(device=dev)


def _default_dtype(name: str, dev: Device, args: tuple[Any, ...]) -> DType | None:
    """The dtype NumPy's rules give a creation call without ``dtype``, at the device's
    default precision (``default_dtypes``): torch's own default float is float32, and the
    same program must make the same dtypes on every device."""
    if dev.backend.name == "numpy":
        return None  # NumPy's own rules are these
    kinds: set[type] = {type(a) for a in args if isinstance(a, (bool, int, float, complex))}
    if name == "full":
        fill = args[1] if len(args) > 1 else None
        if isinstance(fill, bool):
            return _dtypes.bool
        kinds = {type(fill)}
    elif name not in ("arange", "linspace"):
        return _defaults(dev)["real floating"]
    if complex in kinds:
        return _defaults(dev)["complex floating"]
    if float in kinds or name == "linspace":
        return _defaults(dev)["real floating"]
    return _defaults(dev)["integral"] if int in kinds or bool in kinds else None


def _create(name: str, dtype: Any, device: Any, *args: Any, **kwargs: Any) -> Tensor:
    dev = resolve_device(device)
    if dtype is None:
        dtype = _default_dtype(name, dev, args)
    native = native_dtype(dtype, dev)
    try:
        array = getattr(dev.xp, name)(*args, dtype=native, device=dev.native, **kwargs)
    except Exception as e:
        refused(name, args, dev, e)
    return make(dev.backend.ensure_array(array), dev)


def zeros(
    shape: int | tuple[int, ...], *, dtype: DType | None = None, device: Any = None
) -> Tensor:
    """Zeros of ``shape``.

    Examples
    --------
    >>> import agrad
    >>> agrad.zeros((2,)).shape
    (2,)
    """
    return _create("zeros", dtype, device, shape)


def ones(shape: int | tuple[int, ...], *, dtype: DType | None = None, device: Any = None) -> Tensor:
    """Ones of ``shape``.

    Examples
    --------
    >>> import agrad
    >>> agrad.ones(3).tolist()
    [1.0, 1.0, 1.0]
    """
    return _create("ones", dtype, device, shape)


def empty(
    shape: int | tuple[int, ...], *, dtype: DType | None = None, device: Any = None
) -> Tensor:
    """An uninitialised tensor of ``shape``.

    Examples
    --------
    >>> import agrad
    >>> agrad.empty((2, 2)).shape
    (2, 2)
    """
    return _create("empty", dtype, device, shape)


def _numbers(*values: Any) -> tuple[Any, ...]:
    """0-d arrays (agrad's or a library's) as Python numbers, as NumPy and torch take them
    where the standard has Python scalars (``arange``, ``linspace``); no gradient flows
    through these arguments in either."""
    out = []
    for v in values:
        if isinstance(v, Tensor) or hasattr(v, "__array_namespace__"):
            t = asarray(v)
            if t.ndim != 0:
                msg = f"Expected a number or a 0-d array, got an array of shape {t.shape!r}."
                raise AgradValueError(msg)
            v = t.item()
        out.append(v)
    return tuple(out)


def full(
    shape: int | tuple[int, ...],
    fill_value: bool | int | float | complex,
    *,
    dtype: DType | None = None,
    device: Any = None,
) -> Tensor:
    """A tensor of ``shape`` filled with ``fill_value``.

    Examples
    --------
    >>> import agrad
    >>> agrad.full(2, 7.0).tolist()
    [7.0, 7.0]
    """
    if isinstance(fill_value, Tensor) or hasattr(fill_value, "__array_namespace__"):
        fill = asarray(fill_value)
        dev = resolve_device(device) if device is not None else fill._dev
        return _filled(zeros(shape, dtype=dtype or fill.dtype, device=dev), fill, dtype)
    return _create("full", dtype, device, shape, fill_value)


def _filled(base: Tensor, fill: Tensor, dtype: DType | None) -> Tensor:
    """``base`` (zeros) filled with the 0-d array ``fill``: a constant fill becomes a
    Python number (as NumPy and torch take it), one that requires grad stays in the graph."""
    if fill.ndim != 0:
        msg = (
            f"`full` takes a scalar or a 0-d array as `fill_value`, got shape {fill.shape!r}. "
            "Use `agrad.broadcast_to` to repeat an array."
        )
        raise AgradValueError(msg)
    if fill._dev is not base._dev:
        fill = fill.to_device(base._dev)
    if not fill.requires_grad:
        with no_grad():
            return full(base.shape, fill.item(), dtype=base.dtype, device=base._dev)
    return base + (fill if fill.dtype == base.dtype else astype(fill, base.dtype))


def _like(name: str, x: Tensor, dtype: Any, device: Any, *args: Any) -> Tensor:
    if not isinstance(x, Tensor):
        x = asarray(x)
    dev = resolve_device(device) if device is not None else x._dev
    dt = native_dtype(dtype, dev) if dtype is not None else x._array.dtype
    shape = x._array.shape
    if dev is x._dev and not all(isinstance(n, int) for n in shape):
        # sizes a lazy library does not know yet (Dask's nan after a mask): its own `*_like`
        array = getattr(dev.xp, name + "_like")(x._array, *args, dtype=dt)
    else:
        array = getattr(dev.xp, name)(shape, *args, dtype=dt, device=dev.native)
    return make(dev.backend.ensure_array(array), dev)


def zeros_like(x: Tensor, /, *, dtype: DType | None = None, device: Any = None) -> Tensor:
    """Zeros with the shape (and, by default, dtype and device) of ``x``.

    Examples
    --------
    >>> import agrad
    >>> agrad.zeros_like(agrad.ones(2)).tolist()
    [0.0, 0.0]
    """
    return _like("zeros", x, dtype, device)


def ones_like(x: Tensor, /, *, dtype: DType | None = None, device: Any = None) -> Tensor:
    """Ones with the shape (and, by default, dtype and device) of ``x``.

    Examples
    --------
    >>> import agrad
    >>> agrad.ones_like(agrad.zeros(2)).tolist()
    [1.0, 1.0]
    """
    return _like("ones", x, dtype, device)


def empty_like(x: Tensor, /, *, dtype: DType | None = None, device: Any = None) -> Tensor:
    """An uninitialised tensor with the shape (and, by default, dtype and device) of ``x``.

    Examples
    --------
    >>> import agrad
    >>> agrad.empty_like(agrad.zeros(3)).shape
    (3,)
    """
    return _like("empty", x, dtype, device)


def full_like(
    x: Tensor,
    /,
    fill_value: bool | int | float | complex,
    *,
    dtype: DType | None = None,
    device: Any = None,
) -> Tensor:
    """``fill_value`` in the shape (and, by default, dtype and device) of ``x``.

    Examples
    --------
    >>> import agrad
    >>> agrad.full_like(agrad.zeros(2), 3.0).tolist()
    [3.0, 3.0]
    """
    if isinstance(fill_value, Tensor) or hasattr(fill_value, "__array_namespace__"):
        fill = asarray(fill_value)
        return _filled(zeros_like(x, dtype=dtype, device=device), fill, dtype)
    return _like("full", x, dtype, device, fill_value)


def arange(
    start: int | float,
    /,
    stop: int | float | None = None,
    step: int | float = 1,
    *,
    dtype: DType | None = None,
    device: Any = None,
) -> Tensor:
    """Evenly spaced values in ``[start, stop)``.

    Examples
    --------
    >>> import agrad
    >>> agrad.arange(3).tolist()
    [0, 1, 2]
    """
    start, stop, step = _numbers(start, stop, step)
    return _create("arange", dtype, device, start, stop, step)


def linspace(
    start: int | float | complex,
    stop: int | float | complex,
    /,
    num: int,
    *,
    dtype: DType | None = None,
    device: Any = None,
    endpoint: bool = True,
) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop``.

    Examples
    --------
    >>> import agrad
    >>> agrad.linspace(0.0, 1.0, 3).tolist()
    [0.0, 0.5, 1.0]
    """
    start, stop, num = _numbers(start, stop, num)
    return _create("linspace", dtype, device, start, stop, num, endpoint=endpoint)


def eye(
    n_rows: int,
    n_cols: int | None = None,
    /,
    *,
    k: int = 0,
    dtype: DType | None = None,
    device: Any = None,
) -> Tensor:
    """A 2-d tensor with ones on the ``k``-th diagonal.

    Examples
    --------
    >>> import agrad
    >>> agrad.eye(2).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    return _create("eye", dtype, device, n_rows, n_cols, k=k)


def tril(x: Tensor, /, *, k: int = 0) -> Tensor:
    """The lower triangle of ``x`` (the last two axes), zeros above diagonal ``k``.

    Examples
    --------
    >>> import agrad
    >>> agrad.tril(agrad.ones((2, 2))).tolist()
    [[1.0, 0.0], [1.0, 1.0]]
    """
    return apply(TABLE["tril"], (x,), {"k": k})  # type: ignore[no-any-return]


def triu(x: Tensor, /, *, k: int = 0) -> Tensor:
    """The upper triangle of ``x`` (the last two axes), zeros below diagonal ``k``.

    Examples
    --------
    >>> import agrad
    >>> agrad.triu(agrad.ones((2, 2))).tolist()
    [[1.0, 1.0], [0.0, 1.0]]
    """
    return apply(TABLE["triu"], (x,), {"k": k})  # type: ignore[no-any-return]


def meshgrid(*arrays: Tensor, indexing: str = "xy") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-d arrays; each grid's gradient sums back onto its array.

    Examples
    --------
    >>> import agrad
    >>> [g.shape for g in agrad.meshgrid(agrad.ones(2), agrad.ones(3))]
    [(3, 2), (3, 2)]
    """
    if not arrays:
        return ()
    out = apply(
        TABLE["meshgrid"], arrays, {"indexing": indexing}, _meshgrid_forward, nout=len(arrays)
    )
    return tuple(out)


def _meshgrid_forward(xp: Any, *arrays: Any, indexing: str) -> tuple[Any, ...]:
    return tuple(xp.meshgrid(*arrays, indexing=indexing))


def from_dlpack(x: Any, /, *, device: Any = None, copy: bool | None = None) -> Tensor:
    """A constant tensor from any object with ``__dlpack__`` (zero-copy where possible).

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> agrad.from_dlpack(np.arange(3.0)).tolist()
    [0.0, 1.0, 2.0]
    """
    dev = resolve_device(device)
    kwargs: dict[str, Any] = {} if copy is None else {"copy": copy}
    array = dev.xp.from_dlpack(x, **kwargs)
    t = make(dev.backend.ensure_array(array), dev)
    if isinstance(x, Tensor) and x._dev is dev:
        # sharing a tensor's memory, the result is what `x.detach()` is: linked for good
        link_view(t, x, DETACH, None)
    return t
