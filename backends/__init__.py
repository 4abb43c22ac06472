"""Backend adapters: one per array library, behind one protocol.

A backend tells agrad how to reach its library's Array API namespace, how to map dtypes and
devices, and supplies the few operations the standard lacks (scatter-add for indexing
gradients, random numbers, device moves, synchronisation). Installed as ``agrad.backends``.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any, Protocol

from agrad.backends._generic import GenericBackend

from agrad.errors import AgradValueError, BackendNotInstalledError

if TYPE_CHECKING:
    from agrad._dtypes import DType
    from agrad._typing import Array, Namespace, NativeDevice, NativeDType

__all__ = [
    "Backend",
    "Rng",
    "get_backend",
    "installed_backends",
    "known_backends",
    "library_of",
    "loaded_backends",
    "register_backend",
]


class Rng(Protocol):
    """A backend's random generator: raw draws that :mod:`agrad.random` scales and shifts."""

    def standard_normal(self, shape: tuple[int, ...], dtype: NativeDType, /) -> Array:
        """Draws from N(0, 1) of a floating ``dtype``."""
        ...

    def random(self, shape: tuple[int, ...], dtype: NativeDType, /) -> Array:
        """Draws from U[0, 1) of a floating ``dtype``."""
        ...

    def permutation(self, n: int, /) -> Array:
        """A random permutation of ``0 .. n-1`` (int64)."""
        ...


class Backend(Protocol):
    """What agrad needs from an array library."""

    #: The name used in device strings ("numpy", "torch", ...).
    name: str
    #: The library's Array API namespace, resolved once.
    xp: Namespace
    #: The library's array type, for fast isinstance checks.
    array_type: type
    #: Whether arrays can be written in place (False for JAX and Dask: functional updates).
    mutable: bool
    #: Whether results may have sizes known only from the data (a mask's, `unique`'s):
    #: False for Dask, whose sizes stay unknown (nan) until computed.
    data_dependent_shapes: bool

    def owns(self, xp: Namespace) -> bool:
        """Whether ``xp`` is this backend's namespace."""
        ...

    def native_device(self, spec: str | None, /) -> NativeDevice:
        """The library's device for the part of a device string after the backend name.

        Raises :class:`~agrad.errors.DeviceUnavailableError` for a device this machine lacks.
        """
        ...

    def is_native_device(self, obj: Any, /) -> bool:
        """Whether ``obj`` is one of the library's own device objects."""
        ...

    def devices(self) -> list[NativeDevice]:
        """The library's devices usable on this machine."""
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

    def functional_setitem(self, x: Array, key: Any, value: Any, /) -> Array:
        """A new array: ``x`` with ``x[key]`` replaced by ``value`` (for immutable arrays)."""
        ...

    def scatter_add(self, out: Array, index: Array, values: Array, /, *, axis: int) -> Array:
        """A new array: ``out`` plus ``values`` added at positions ``index`` along ``axis``."""
        ...

    def rng(self, seed: int | None, device: NativeDevice, /) -> Rng:
        """A random generator making arrays on ``device``."""
        ...

    def to_device(self, x: Array, device: NativeDevice, /) -> Array:
        """``x`` moved to another device of this backend."""
        ...

    def to_host(self, x: Array, /) -> Any:
        """``x`` as a NumPy array in host memory (a copy when it lives elsewhere)."""
        ...

    def from_host(self, x: Any, device: NativeDevice, /) -> Array:
        """An array on ``device`` holding the values of the NumPy array ``x``."""
        ...

    def from_dlpack(self, x: Any, device: NativeDevice, /) -> Array | None:
        """``x`` (another library's array) imported through DLPack onto ``device`` without a
        copy, or None where DLPack cannot do that."""
        ...

    def data_ptr(self, x: Array, /) -> int | None:
        """The address of ``x``'s first element, where the library exposes one."""
        ...

    def synchronize(self, device: NativeDevice, /) -> None:
        """Wait until queued work on ``device`` has finished (no-op on the CPU)."""
        ...


# backend name -> (module, library it needs, pip command that installs it)
_MODULES: dict[str, tuple[str, str, str]] = {
    "numpy": ("agrad.backends.numpy", "numpy", "`pip install agrad`"),
    "torch": ("agrad.backends.torch", "torch", '`pip install "agrad[torch]"`'),
    "cupy": (
        "agrad.backends.cupy",
        "cupy",
        '`pip install "agrad[cupy13]"` (CUDA 13) or `pip install "agrad[cupy12]"` (CUDA 12)',
    ),
    "array_api_strict": (
        "agrad.backends.array_api_strict",
        "array_api_strict",
        '`pip install "agrad[strict]"`',
    ),
    "dask": ("agrad.backends.dask", "dask", '`pip install "agrad[dask]"`'),
    "jax": ("agrad.backends.jax", "jax", '`pip install "agrad[jax]"`'),
}
_CACHE: dict[str, Backend] = {}


def loaded_backends() -> tuple[Backend, ...]:
    """The backends whose library has been imported so far."""
    return tuple(_CACHE.values())


def known_backends() -> tuple[str, ...]:
    """The backend names agrad has adapters for, and those registered by the user."""
    return tuple(dict.fromkeys([*_MODULES, *_CACHE]))


def installed_backends() -> tuple[str, ...]:
    """The known backends whose library is installed here (found without importing it)."""
    names = []
    for name in known_backends():
        if name in _CACHE:
            names.append(name)
            continue
        library = _MODULES[name][1]
        try:
            found = importlib.util.find_spec(library) is not None
        except (ImportError, ValueError):
            found = False
        if found:
            names.append(name)
    return tuple(names)


def library_of(name: str) -> str | None:
    """The import name of the library behind a known backend (None for a registered one)."""
    entry = _MODULES.get(name)
    return None if entry is None else entry[1]


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
        module_name, library, command = _MODULES[name]
    except KeyError:
        msg = (
            f"Unknown backend {name!r}; agrad knows {sorted(known_backends())!r}. "
            "Register another Array API library with `agrad.register_backend(namespace, name)`."
        )
        raise AgradValueError(msg) from None
    try:
        module: Any = importlib.import_module(module_name)
    except ImportError as exc:
        if importlib.util.find_spec(library) is not None:
            raise  # the library is there but broken: its own error says more
        msg = (
            f"The {name!r} backend needs the {library!r} package, which is not installed. "
            f"Install it with {command}."
        )
        raise BackendNotInstalledError(msg) from exc
    loaded: Backend = module.BACKEND
    _CACHE[name] = loaded
    return loaded


def register_backend(namespace: Namespace, name: str) -> Backend:
    """Use any Array API namespace as an agrad backend, through standard calls only.

    Its devices are then named ``name`` (the library's default device) and
    ``name:<device>`` (``str`` of one of its ``__array_namespace_info__().devices()``).

    Parameters
    ----------
    namespace
        The library's Array API namespace (a module such as ``numpy`` 2.x).
    name
        The backend's name in device strings.

    Returns
    -------
    Backend
        The adapter: standard calls only (scatter-add as a one-hot product; random numbers
        drawn by NumPy and copied in; in-place writes through views are not followed).

    Raises
    ------
    ValueError
        If ``name`` is taken by another backend.

    Examples
    --------
    >>> import numpy
    >>> import agrad
    >>> agrad.register_backend(numpy, "plain_numpy").name
    'plain_numpy'
    >>> x = agrad.tensor([1.0, 2.0], device="plain_numpy", requires_grad=True)
    >>> agrad.sum(x * x).backward()
    >>> x.grad.device, x.grad.tolist()
    (Device('plain_numpy'), [2.0, 4.0])
    """
    if name in _MODULES or (name in _CACHE and not _CACHE[name].owns(namespace)):
        msg = f"A backend named {name!r} exists already; register {namespace!r} under another name."
        raise AgradValueError(msg)
    backend = _CACHE.get(name)
    if backend is None:
        backend = GenericBackend(namespace, name)
        _CACHE[name] = backend
    return backend
