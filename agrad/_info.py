"""``agrad.__array_namespace_info__()``: what this namespace supports."""

from __future__ import annotations

from typing import Any

from agrad import _dtypes
from agrad._api._convert import resolve_device
from agrad._device import Device, device_for_native, get_default_device
from agrad._dtypes import KIND_LETTERS, DType

__all__ = ["Info", "__array_namespace_info__"]


class Info:
    """The inspection API of the standard."""

    def capabilities(self) -> dict[str, Any]:
        """What this namespace can do: data-dependent shapes, boolean indexing, ...

        Examples
        --------
        >>> import agrad
        >>> agrad.__array_namespace_info__().capabilities()["boolean indexing"]
        True
        """
        return {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": 64}

    def default_device(self) -> Device:
        """The current default device."""
        return get_default_device()

    def default_dtypes(self, *, device: Any = None) -> dict[str, DType]:
        """The default dtypes for real floats, complex floats, integers and indices."""
        return {
            "real floating": _dtypes.float64,
            "complex floating": _dtypes.complex128,
            "integral": _dtypes.int64,
            "indexing": _dtypes.int64,
        }

    def devices(self) -> tuple[Device, ...]:
        """The devices usable here: every installed backend's devices that work on this
        machine (a CUDA device only where there is a GPU).

        Examples
        --------
        >>> import agrad
        >>> agrad.Device("numpy") in agrad.__array_namespace_info__().devices()
        True
        """
        from agrad.backends import get_backend, installed_backends
        from agrad.errors import AgradError

        found: list[Device] = []
        for name in installed_backends():
            try:
                backend = get_backend(name)
                natives = backend.devices()
            except (ImportError, AgradError, RuntimeError):
                continue  # installed but unusable here (a CuPy without a driver, ...)
            found += [device_for_native(backend, n) for n in natives]
        return tuple(found)

    def dtypes(self, *, device: Any = None, kind: Any = None) -> dict[str, DType]:
        """The dtypes available on ``device``, optionally only those of ``kind``."""
        if device is not None:
            resolve_device(device)
        if kind is None:
            return dict(_dtypes.BY_NAME)
        kinds = kind if isinstance(kind, tuple) else (kind,)
        letters = "".join(KIND_LETTERS[k] for k in kinds if isinstance(k, str))
        picked = {d.name: d for d in _dtypes.ALL_DTYPES if d.kind in letters}
        for k in kinds:
            if isinstance(k, DType):
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
