"""Devices: a backend plus that backend's own device (``"numpy"``, ``"torch:cuda:0"``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from agrad._typing import NativeDevice

if TYPE_CHECKING:
    from agrad.backends import Backend

__all__ = ["Device", "default_device", "get_default_device", "set_default_device"]

_INTERNED: dict[str, Device] = {}


class Device:
    """Where a tensor lives: a backend and that backend's device.

    Build one from a string (``Device("numpy")``, ``Device("torch:cuda:0")``); equal
    devices are the same object.

    Examples
    --------
    >>> import agrad
    >>> agrad.Device("numpy")
    Device('numpy')
    >>> agrad.tensor([1.0]).device == agrad.Device("numpy")
    True
    """

    __slots__ = ("atype", "backend", "name", "native", "xp")

    name: str
    native: NativeDevice
    backend: Backend
    xp: Any
    atype: type

    def __new__(cls, spec: str | Device) -> Device:
        if isinstance(spec, Device):
            return spec
        if not isinstance(spec, str):
            msg = f"`agrad.Device` takes a string such as 'numpy' or 'torch:cpu', got {spec!r}."
            raise TypeError(msg)
        device = _INTERNED.get(spec)
        if device is not None:
            return device
        from agrad.backends import get_backend

        backend_name, _, rest = spec.partition(":")
        backend = get_backend(backend_name)
        native = backend.native_device(rest or None)
        return _intern(backend, native)

    def __repr__(self) -> str:
        return f"Device({self.name!r})"

    def __str__(self) -> str:
        return self.name

    def __reduce__(self) -> tuple[type[Device], tuple[str]]:
        return (Device, (self.name,))


def _intern(backend: Any, native: NativeDevice) -> Device:
    suffix = backend.device_name(native)
    name = backend.name if suffix is None else f"{backend.name}:{suffix}"
    device = _INTERNED.get(name)
    if device is None:
        device = object.__new__(Device)
        device.backend = backend
        device.xp = backend.xp
        device.atype = backend.array_type
        device.native = native
        device.name = name
        _INTERNED[name] = device
    return device


def device_for_native(backend: Any, native: NativeDevice) -> Device:
    """The agrad device for ``backend``'s own device object."""
    return _intern(backend, native)


class _DefaultDevice(threading.local):
    device: Device | None = None


_DEFAULT = _DefaultDevice()
_GLOBAL_DEFAULT: list[Device | None] = [None]


def get_default_device() -> Device:
    """The device new tensors go to when no ``device=`` is given (``"numpy"`` at start).

    Examples
    --------
    >>> import agrad
    >>> agrad.get_default_device()
    Device('numpy')
    """
    device = _DEFAULT.device
    if device is not None:
        return device
    device = _GLOBAL_DEFAULT[0]
    if device is None:
        device = _GLOBAL_DEFAULT[0] = Device("numpy")
    return device


def set_default_device(device: str | Device) -> None:
    """Set the process-wide default device.

    Examples
    --------
    >>> import agrad
    >>> agrad.set_default_device("numpy")
    """
    _GLOBAL_DEFAULT[0] = Device(device)


@contextmanager
def default_device(device: str | Device) -> Iterator[Device]:
    """Within the block, new tensors of this thread go to ``device``.

    Examples
    --------
    >>> import agrad
    >>> with agrad.default_device("numpy"):
    ...     agrad.zeros(2).device
    Device('numpy')
    """
    previous = _DEFAULT.device
    _DEFAULT.device = dev = Device(device)
    try:
        yield dev
    finally:
        _DEFAULT.device = previous
