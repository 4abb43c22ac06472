"""The JAX backend: ``"jax:cpu"``, ``"jax:gpu"`` (``"jax:gpu:1"``, ...).

JAX arrays are immutable, so in-place operators and ``__setitem__`` on a tensor replace its
array by a functional update (``x.at[key].set(v)``); the graph and the gradients are those
of the same program on NumPy. JAX has no views, so agrad keeps NumPy's itself: what NumPy
would return as a view (a basic slice, a reshape, a transpose) is linked to its base, and a
write to either is carried to the other by functional updates (``agrad._views._sync_views``).

64-bit dtypes need ``jax.config.update("jax_enable_x64", True)``; without it agrad refuses
them rather than letting JAX truncate silently.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import agrad._dtypes as _dtypes
from agrad._dtypes import DType
from agrad._typing import Array, Namespace, NativeDevice
from agrad.errors import AgradTypeError, AgradValueError, DeviceUnavailableError

from .numpy import AGRAD_DTYPES, NUMPY_DTYPES

# NumPy's dtype objects (the NumPy adapter's maps; importing it registers them for `conj`)
_TO_NATIVE = NUMPY_DTYPES
_FROM_NATIVE = AGRAD_DTYPES
_WIDE = frozenset(
    d for d in _dtypes.ALL_DTYPES if d.name in ("float64", "complex128", "int64", "uint64")
)
_PLATFORMS = {"cpu": "cpu", "gpu": "gpu", "cuda": "gpu", "tpu": "tpu"}
#: the device of the step `agrad.compile` is tracing for `jax.jit` (a tracer has no device)
TRACE_DEVICE: Any = None


class JaxRng:
    """A JAX PRNG key, split at every draw so the generator behaves statefully."""

    def __init__(self, seed: int | None, device: Any) -> None:
        if seed is None:
            seed = int(np.random.default_rng().integers(2**31))
        self._device = device
        self._key = jax.device_put(jax.random.key(seed), device)

    def _next(self) -> Any:
        self._key, sub = jax.random.split(self._key)
        return sub

    def standard_normal(self, shape: tuple[int, ...], dtype: Any, /) -> Array:
        return jax.random.normal(self._next(), shape, dtype=dtype)

    def random(self, shape: tuple[int, ...], dtype: Any, /) -> Array:
        return jax.random.uniform(self._next(), shape, dtype=dtype)

    def permutation(self, n: int, /) -> Array:
        return jax.random.permutation(self._next(), n)


class JaxBackend:
    """Adapter for ``jax.numpy`` (an Array API namespace of its own)."""

    name = "jax"
    xp: Namespace = jnp
    array_type = jax.Array
    mutable = False
    data_dependent_shapes = True

    def owns(self, xp: Namespace) -> bool:
        return xp is jnp

    # -- devices --------------------------------------------------------------------
    def native_device(self, spec: str | None, /) -> NativeDevice:
        platform, _, index = (spec or "cpu").partition(":")
        if platform not in _PLATFORMS:
            msg = f"'jax:{spec}' names no JAX device; use 'jax:cpu' or 'jax:gpu[:index]'."
            raise AgradValueError(msg)
        try:
            found = jax.devices(_PLATFORMS[platform])
        except RuntimeError:
            msg = (
                f"'jax:{spec}' needs a {platform.upper()}, and JAX finds none here "
                f"(its devices: {jax.devices()!r}). Use 'jax:cpu', or install a JAX build "
                "for your accelerator."
            )
            raise DeviceUnavailableError(msg) from None
        k = int(index) if index else 0
        if not 0 <= k < len(found):
            msg = f"'jax:{spec}' does not exist: JAX sees {len(found)} {platform} device(s)."
            raise DeviceUnavailableError(msg)
        return found[k]

    def is_native_device(self, obj: Any, /) -> bool:
        return isinstance(obj, jax.Device)

    def devices(self) -> list[NativeDevice]:
        return list(jax.devices("cpu")) + [d for d in jax.devices() if d.platform != "cpu"]

    def device_of(self, x: Array, /) -> NativeDevice:
        try:
            return x.device
        except AttributeError:  # a tracer has none
            if TRACE_DEVICE is not None:
                return TRACE_DEVICE
            msg = (
                "agrad got a JAX tracer: agrad's JAX backend runs inside a JAX transformation "
                "only through `agrad.compile`, which hands a step to `jax.jit` itself. Call "
                "agrad outside `jax.jit` / `jax.vmap`, or compile the step with "
                "`agrad.compile`."
            )
            raise AgradTypeError(msg) from None

    def device_name(self, native: NativeDevice, /) -> str | None:
        platform = "gpu" if native.platform in ("gpu", "cuda", "rocm") else native.platform
        if platform == "cpu" and native.id == 0:
            return "cpu"
        return f"{platform}:{native.id}"

    # -- dtypes and arrays ------------------------------------------------------------
    def to_dtype(self, dtype: DType, /) -> np.dtype[Any]:
        if dtype in _WIDE and not jax.config.read("jax_enable_x64"):
            msg = (
                f"JAX is running without 64-bit types, so {dtype.name} would silently become "
                "32-bit. Enable them first: `jax.config.update('jax_enable_x64', True)`, or "
                "ask for a 32-bit dtype."
            )
            raise AgradTypeError(msg)
        return _TO_NATIVE[dtype]

    def from_dtype(self, native: Any, /) -> DType:
        try:
            return _FROM_NATIVE[native]
        except KeyError:
            msg = f"JAX dtype {native!r} has no Array API equivalent."
            raise AgradTypeError(msg) from None

    def ensure_array(self, x: Any, /) -> Array:
        return x if isinstance(x, jax.Array) else jnp.asarray(x)

    def shares_memory(self, a: Array, b: Array, /) -> bool:
        return False  # immutable: nothing written through one array can reach another

    def copy(self, x: Array, /) -> Array:
        return x  # immutable, so the array itself is as good as a copy

    def functional_setitem(self, x: Array, key: Any, value: Any, /) -> Array:
        return x.at[key].set(value)

    def scatter_add(self, out: Array, index: Array, values: Array, /, *, axis: int) -> Array:
        return out.at[(slice(None),) * axis + (index,)].add(values)

    # -- random numbers, moves ------------------------------------------------------------
    def rng(self, seed: int | None, device: NativeDevice, /) -> JaxRng:
        return JaxRng(seed, device)

    def to_device(self, x: Array, device: NativeDevice, /) -> Array:
        return jax.device_put(x, device)

    def to_host(self, x: Array, /) -> Any:
        return np.asarray(x)

    def from_host(self, x: Any, device: NativeDevice, /) -> Array:
        return jax.device_put(np.asarray(x), device)

    def from_dlpack(self, x: Any, device: NativeDevice, /) -> Array | None:
        try:
            y = jnp.from_dlpack(x)
        except (TypeError, BufferError, RuntimeError, AttributeError, ValueError):
            return None
        return y if y.device == device else None

    def data_ptr(self, x: Array, /) -> int | None:
        try:
            return int(x.unsafe_buffer_pointer())
        except (AttributeError, RuntimeError, ValueError):
            return None

    def synchronize(self, device: NativeDevice, /) -> None:
        jax.device_put(0, device).block_until_ready()


BACKEND = JaxBackend()
