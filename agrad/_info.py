"""``agrad.__array_namespace_info__()``: what this namespace supports."""

from __future__ import annotations

from typing import Any

import agrad._dtypes as _dtypes
from agrad._api._convert import has_dtype, resolve_device
from agrad._device import Device, device_for_native, get_default_device
from agrad._dtypes import KIND_LETTERS, DType
from agrad.backends import get_backend, installed_backends
from agrad.errors import AgradError

__all__ = ["Info", "__array_namespace_info__"]


class Devices(tuple):  # type: ignore[type-arg]
    """The standard's tuple of devices (Array API 2025.12), which also concatenates with a
    list, as the list of earlier versions did: code written for those
    (``info.devices() + [None]``, SciPy's test fixtures) keeps working."""

    def __add__(self, other: Any) -> Devices:
        return Devices(tuple(self) + tuple(other))

    def __radd__(self, other: Any) -> Devices:
        return Devices(tuple(other) + tuple(self))


class Info:
    """The inspection API of the standard."""

    def capabilities(self) -> dict[str, Any]:
        """What this namespace can do on the default device: data-dependent shapes, boolean
        indexing, ... On Dask, whose sizes after a mask stay unknown until computed, the
        first two are False, as Dask's own namespace says (the calls still work, lazily).

        Examples
        --------
        >>> import agrad
        >>> agrad.__array_namespace_info__().capabilities()["boolean indexing"]
        True
        """
        known = get_default_device().backend.data_dependent_shapes
        return {"boolean indexing": known, "data-dependent shapes": known, "max dimensions": 64}

    def default_device(self) -> Device:
        """The current default device."""
        return get_default_device()

    def default_dtypes(self, *, device: Any = None) -> dict[str, DType]:
        """The default dtypes for real floats, complex floats, integers and indices."""
        wide = device is None or has_dtype(resolve_device(device), _dtypes.float64)
        return {
            "real floating": _dtypes.float64 if wide else _dtypes.float32,
            "complex floating": _dtypes.complex128 if wide else _dtypes.complex64,
            "integral": _dtypes.int64 if wide else _dtypes.int32,
            "indexing": _dtypes.int64 if wide else _dtypes.int32,
        }

    def devices(self) -> Devices:
        """The devices usable here: every installed backend's devices that work on this
        machine (a CUDA device only where there is a GPU).

        Examples
        --------
        >>> import agrad
        >>> agrad.Device("numpy") in agrad.__array_namespace_info__().devices()
        True
        """
        found: list[Device] = []
        for name in installed_backends():
            try:
                backend = get_backend(name)
                natives = backend.devices()
            except (ImportError, AgradError, RuntimeError):
                continue  # installed but unusable here (a CuPy without a driver, ...)
            found += [device_for_native(backend, n) for n in natives]
        return Devices(found)

    def dtypes(self, *, device: Any = None, kind: Any = None) -> dict[str, DType]:
        """The dtypes available on ``device``, optionally only those of ``kind``."""
        dev = None if device is None else resolve_device(device)
        available = {
            name: d for name, d in _dtypes.BY_NAME.items() if dev is None or has_dtype(dev, d)
        }
        if kind is None:
            return available
        kinds = kind if isinstance(kind, tuple) else (kind,)
        letters = "".join(KIND_LETTERS[k] for k in kinds if isinstance(k, str))
        picked = {name: d for name, d in available.items() if d.kind in letters}
        for k in kinds:
            if isinstance(k, DType) and k.name in available:
                picked[k.name] = k
        return picked


def __array_namespace_info__() -> Info:
    """The standard's inspection object.

    Examples
    --------
    >>> import agrad
    >>> agrad.__array_namespace_info__().default_device()
    Device('numpy')
    """
    return Info()
