"""Devices: a backend plus that backend's own device (``"numpy"``, ``"torch:cuda:0"``)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, NoReturn

from agrad._typing import NativeDevice
from agrad.backends import Backend, get_backend, installed_backends, library_of
from agrad.errors import AgradError, AgradTypeError, NotOnDeviceError, from_library

__all__ = [
    "Device",
    "default_device",
    "get_default_device",
    "move_array",
    "refused",
    "set_default_device",
    "shares_memory",
]

_INTERNED: dict[str, Device] = {}


class Device:
    """Where a tensor lives: a backend and that backend's device.

    Build one from a string (``"numpy"``, ``"cupy"``, ``"cupy:1"``, ``"torch:cpu"``,
    ``"torch:cuda"``, ``"torch:cuda:1"``, ``"torch:mps"``, ``"array_api_strict"``,
    ``"dask"``, ``"jax:cpu"``, ``"jax:gpu"``) or from a library's own device object
    (``torch.device("cuda", 0)``); equal devices are the same object, so ``==`` and hashing
    work as identity. A device string names a backend, then that library's device.

    Raises
    ------
    ValueError
        For a backend or device agrad does not know.
    agrad.errors.BackendNotInstalledError
        If the library is not installed (the message gives the ``pip install`` line).
    agrad.errors.DeviceUnavailableError
        For a device this machine lacks (a CUDA device without a GPU).

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

    def __new__(cls, spec: Any) -> Device:
        if isinstance(spec, Device):
            return spec
        if not isinstance(spec, str):
            return _from_native(spec)
        device = _INTERNED.get(spec)
        if device is not None:
            return device
        backend_name, _, rest = spec.partition(":")
        backend = get_backend(backend_name)
        native = backend.native_device(rest or None)
        device = _intern(backend, native)
        if spec != "torch:cuda":  # "torch:cuda" follows torch's current device
            _INTERNED[spec] = device
        return device

    def __repr__(self) -> str:
        return f"Device({self.name!r})"

    def __str__(self) -> str:
        return self.name

    def synchronize(self) -> None:
        """Wait until the work queued on this device has finished (for honest GPU timing).

        A no-op on the CPU devices; on ``torch:cuda``, ``cupy`` and ``jax:gpu`` it blocks
        until the device is idle.

        Examples
        --------
        >>> import agrad
        >>> agrad.Device("numpy").synchronize()
        """
        self.backend.synchronize(self.native)

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


def _from_native(obj: Any) -> Device:
    """The agrad device for a library's own device object (``torch.device("cuda:0")``)."""
    for name in installed_backends():
        library = library_of(name)
        if library is not None and library not in sys.modules:
            continue  # nobody can hold a device object of a library never imported
        backend = get_backend(name)
        if backend.is_native_device(obj):
            # torch's `device("cuda")` means the current GPU: resolve it to an index
            native = backend.native_device(str(obj)) if name == "torch" else obj
            return _intern(backend, native)
    msg = (
        "`agrad.Device` takes a string such as 'numpy', 'torch:cuda:0' or 'jax:cpu', or a "
        f"library's own device object (`torch.device`, `cupy.cuda.Device`, ...); got {obj!r}."
    )
    raise AgradTypeError(msg)


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


# -- moving arrays between devices ---------------------------------------------------
def move_array(a: Any, src: Device, dst: Device) -> Any:
    """The raw array ``a`` (on ``src``) as an array on ``dst``."""
    if src is dst:
        return a
    if src.backend is dst.backend:
        out = src.backend.to_device(a, dst.native)
    else:
        out = dst.backend.from_dlpack(a, dst.native)
        if out is None:
            out = dst.backend.from_host(src.backend.to_host(a), dst.native)
    out = dst.backend.ensure_array(out)
    # across libraries native dtypes do not compare (array-api-strict warns): ask each side
    if src.backend is not dst.backend or out.dtype != a.dtype:
        _check_same_dtype(a, src, out, dst)
    return out


def _check_same_dtype(a: Any, src: Device, out: Any, dst: Device) -> None:
    """Raise if the move changed the dtype (JAX without 64-bit types narrows silently)."""
    try:
        before, after = src.backend.from_dtype(a.dtype), dst.backend.from_dtype(out.dtype)
    except TypeError:  # a dtype one side has no Array API name for: nothing to compare
        return
    if before is not after:
        hint = (
            "enable them first with `jax.config.update('jax_enable_x64', True)`"
            if dst.backend.name == "jax"
            else "use a dtype both libraries hold"
        )
        msg = (
            f"Moving an array of dtype {before.name} from {src.name!r} to {dst.name!r} would "
            f"make it {after.name}: {dst.name!r} does not hold {before.name} as configured. Either "
            f"{hint}, or cast before moving (`agrad.astype(x, agrad.{after.name})`)."
        )
        raise AgradTypeError(msg)


def shares_memory(a: Any, src: Device, b: Any, dst: Device) -> bool:
    """Whether ``a`` on ``src`` and ``b`` on ``dst`` are one buffer (a zero-copy move)."""
    pa = src.backend.data_ptr(a)
    return pa is not None and pa == dst.backend.data_ptr(b)


# -- a library's refusals, as agrad's errors ------------------------------------------
_REFUSALS = (ValueError, TypeError, IndexError, RuntimeError, ArithmeticError)


def refused(name: str, arrays: tuple[Any, ...], dev: Device, e: Exception) -> NoReturn:
    """Raise ``e``, raised by the library running ``name``, again: agrad's own errors and
    unexpected kinds unchanged, a library's refusal as a :class:`BackendError` naming the
    call and what it received (and still an instance of the library's class)."""
    call = f"Tensor.{name}" if name.startswith("__") else f"agrad.{name}"
    if (
        isinstance(e, AttributeError)
        and isinstance(getattr(e, "obj", None), ModuleType)
        and e.name == name.rpartition(".")[2]
    ):  # the device's namespace lacks the function itself
        msg = (
            f"`{call}` is not available on {dev.name!r}: its library has no `{name}`. Move "
            f"the tensor to a device that has it, e.g. `t.to_device('numpy')` (the move is "
            "differentiable), and back."
        )
        raise NotOnDeviceError(msg) from e
    if isinstance(e, AgradError) or not isinstance(e, _REFUSALS):
        raise e
    got = ", ".join(_described(a, dev) for a in arrays)
    msg = f"`{call}` on {dev.name!r} cannot take ({got}): {e}"
    raise from_library(e, msg) from e


def _described(a: Any, dev: Device) -> str:
    if not hasattr(a, "shape") or not hasattr(a, "dtype"):
        text = repr(a)
        return text if len(text) <= 60 else f"{text[:57]}..."
    try:
        dtype = dev.backend.from_dtype(a.dtype).name
    except TypeError:
        dtype = str(a.dtype)
    return f"{dtype} of shape {tuple(a.shape)}"
