"""Turning the standard's ``dtype=`` and ``device=`` arguments into a backend's own."""

from __future__ import annotations

from typing import Any

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


def native_dtype(dtype: Any, dev: Device) -> Any:
    """The backend's dtype for an agrad dtype (None passes through)."""
    if dtype is None:
        return None
    if isinstance(dtype, DType):
        return dev.backend.to_dtype(dtype)
    msg = f"`dtype=` takes an agrad dtype such as `agrad.float32`, got {dtype!r}."
    raise AgradTypeError(msg)
