"""Turning the standard's ``dtype=`` and ``device=`` arguments into a backend's own."""

from __future__ import annotations

from typing import Any

import agrad._dtypes as _dtypes
from agrad._device import Device, get_default_device
from agrad._dtypes import DType
from agrad.errors import AgradTypeError


def resolve_device(device: Any) -> Device:
    """An agrad device for a ``device=`` argument (None: the default device)."""
    if device is None:
        return get_default_device()
    if isinstance(device, Device):
        return device
    return Device(device)  # a string or a library's device object; TypeError otherwise


def agrad_dtype(dtype: Any, dev: Device) -> Any:
    """The agrad dtype a ``dtype=`` argument names (None passes through).

    Python's ``bool``, ``int``, ``float`` and ``complex`` are taken as NumPy and torch take
    them: ``bool``, and the device's default integer, real and complex dtypes.
    """
    if dtype is None or isinstance(dtype, DType):
        return dtype
    if dtype is bool:
        return _dtypes.bool
    if dtype in (int, float, complex):
        wide = has_dtype(dev, _dtypes.float64)
        if dtype is int:
            return _dtypes.int64 if wide else _dtypes.int32
        if dtype is float:
            return _dtypes.float64 if wide else _dtypes.float32
        return _dtypes.complex128 if wide else _dtypes.complex64
    msg = (
        f"`dtype=` takes an agrad dtype such as `agrad.float32` (or Python's bool, int, float"
        f" or complex), got {dtype!r}."
    )
    raise AgradTypeError(msg)


def has_dtype(dev: Device, dtype: DType) -> bool:
    """Whether ``dev`` has ``dtype`` (JAX without 64-bit types has no float64)."""
    try:
        dev.backend.to_dtype(dtype)
    except (TypeError, KeyError):
        return False
    return True


def native_dtype(dtype: Any, dev: Device) -> Any:
    """The backend's dtype for a ``dtype=`` argument (None passes through)."""
    dtype = agrad_dtype(dtype, dev)
    return None if dtype is None else dev.backend.to_dtype(dtype)
