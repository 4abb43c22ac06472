"""Backend adapters: one per array library, behind one protocol.

A backend tells agrad how to reach its library's Array API namespace, how to map dtypes and
devices, and supplies the few operations the standard lacks (scatter-add for indexing
gradients, random numbers, device moves, synchronisation). Installed as ``agrad.backends``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Protocol

from agrad.errors import BackendNotInstalledError

if TYPE_CHECKING:
    from agrad._dtypes import DType
    from agrad._typing import Array, Namespace, NativeDevice, NativeDType

__all__ = ["Backend", "get_backend", "known_backends", "loaded_backends"]


class Backend(Protocol):
    """What agrad needs from an array library."""

    #: The name used in device strings ("numpy", "torch", ...).
    name: str
    #: The library's Array API namespace, resolved once.
    xp: Namespace
    #: The library's array type, for fast isinstance checks.
    array_type: type
    #: Whether arrays can be written in place (False for JAX).
    mutable: bool

    def owns(self, xp: Namespace) -> bool:
        """Whether ``xp`` is this backend's namespace."""
        ...

    def native_device(self, spec: str | None, /) -> NativeDevice:
        """The library's device for the part of a device string after the backend name."""
        ...

    def device_of(self, x: Array, /) -> NativeDevice:
        """The library's device that ``x`` lives on."""
        ...

    def device_name(self, native: NativeDevice, /) -> str | None:
        """The device-string suffix naming ``native`` (None for a backend with one device)."""
        ...

    def to_dtype(self, dtype: DType, /) -> NativeDType:
        """The library's dtype for an agrad dtype."""
        ...

    def from_dtype(self, native: NativeDType, /) -> DType:
        """The agrad dtype for one of the library's dtypes."""
        ...

    def ensure_array(self, x: Any, /) -> Array:
        """``x`` as an array of this library (NumPy scalars become 0-d arrays)."""
        ...

    def shares_memory(self, a: Array, b: Array, /) -> bool:
        """Whether writing into ``a`` may change ``b`` (views)."""
        ...

    def copy(self, x: Array, /) -> Array:
        """A copy of ``x`` that shares no memory with it."""
        ...

    def scatter_add(self, out: Array, index: Array, values: Array, /, *, axis: int) -> Array:
        """A new array: ``out`` plus ``values`` added at positions ``index`` along ``axis``."""
        ...

    def rng(self, seed: int | None, /) -> Any:
        """A random generator on this backend."""
        ...

    def to_device(self, x: Array, device: NativeDevice, /) -> Array:
        """``x`` moved to another device of this backend."""
        ...

    def synchronize(self, device: NativeDevice, /) -> None:
        """Wait until queued work on ``device`` has finished (no-op on the CPU)."""
        ...


# backend name -> (module, pip extra that installs its library)
_MODULES: dict[str, tuple[str, str]] = {
    "numpy": ("agrad.backends.numpy", "agrad"),
    "array_api_strict": ("agrad.backends.array_api_strict", "agrad[strict]"),
}
_CACHE: dict[str, Backend] = {}


def loaded_backends() -> tuple[Backend, ...]:
    """The backends whose library has been imported so far."""
    return tuple(_CACHE.values())


def known_backends() -> tuple[str, ...]:
    """The backend names agrad has adapters for."""
    return tuple(_MODULES)


def get_backend(name: str) -> Backend:
    """The adapter for backend ``name``, importing its library on first use.

    Raises
    ------
    ValueError
        If agrad has no adapter of that name.
    BackendNotInstalledError
        If the adapter's array library is not installed; the message names the pip command.
    """
    backend = _CACHE.get(name)
    if backend is not None:
        return backend
    try:
        module_name, extra = _MODULES[name]
    except KeyError:
        msg = f"Unknown backend {name!r}; agrad knows {sorted(_MODULES)!r}."
        raise ValueError(msg) from None
    try:
        module: Any = importlib.import_module(module_name)
    except ImportError as exc:
        msg = (
            f"The {name!r} backend needs a library that is not installed ({exc}). "
            f'Install it with `pip install "{extra}"`.'
        )
        raise BackendNotInstalledError(msg) from exc
    loaded: Backend = module.BACKEND
    _CACHE[name] = loaded
    return loaded
