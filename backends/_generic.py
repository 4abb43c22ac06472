"""A backend for any Array API namespace, written in standard calls only.

Used for namespaces agrad has no adapter for (array-api-strict, a user's library through
``agrad.register_backend``): slower than a library's own scatter-add, but it needs nothing
outside the standard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

import agrad._dtypes as _dtypes
from agrad._dtypes import DType
from agrad._typing import Array, Namespace, NativeDevice, NativeDType
from agrad.errors import AgradTypeError, AgradValueError

if TYPE_CHECKING:
    from agrad.backends import Rng


class HostRng:
    """Random numbers drawn by NumPy on the host, then placed on the backend's device."""

    def __init__(self, seed: int | None, to_device: Any) -> None:
        self._rng = np.random.default_rng(seed)
        self._to_device = to_device

    def standard_normal(self, shape: tuple[int, ...], dtype: NativeDType, /) -> Array:
        return self._to_device(self._rng.standard_normal(shape), dtype)

    def random(self, shape: tuple[int, ...], dtype: NativeDType, /) -> Array:
        return self._to_device(self._rng.random(shape), dtype)

    def permutation(self, n: int, /) -> Array:
        return self._to_device(self._rng.permutation(n).astype(np.int64), None)


class GenericBackend:
    """The operations rules need, from the standard alone."""

    mutable = True
    data_dependent_shapes = True

    def __init__(self, xp: Namespace, name: str = "generic") -> None:
        self.xp = xp
        self.name = name
        self.array_type = type(xp.asarray(0))
        self._to_native: dict[DType, Any] = {
            d: getattr(xp, d.name) for d in _dtypes.ALL_DTYPES if hasattr(xp, d.name)
        }
        self._from_native: dict[Any, DType] = {}
        for dtype, native in self._to_native.items():
            self._from_native[native] = dtype
            # what arrays report may be another object than the namespace's name for it
            # (NumPy: the scalar type `numpy.float64` vs `dtype('float64')`)
            self._from_native[xp.empty((0,), dtype=native).dtype] = dtype
        info = xp.__array_namespace_info__()
        self._default = info.default_device()
        self._devices = list(info.devices())

    def owns(self, xp: Namespace) -> bool:
        return xp is self.xp

    # -- devices --------------------------------------------------------------------
    def native_device(self, spec: str | None, /) -> NativeDevice:
        if spec is None:
            return self._default
        for d in self._devices:
            if str(d) == spec:
                return d
        names = [str(d) for d in self._devices]
        msg = f"The {self.name!r} backend has no device {spec!r}; its devices are {names!r}."
        raise AgradValueError(msg)

    def is_native_device(self, obj: Any, /) -> bool:
        return any(obj is d or (type(obj) is type(d) and obj == d) for d in self._devices)

    def devices(self) -> list[NativeDevice]:
        return list(self._devices)

    def device_of(self, x: Array, /) -> NativeDevice:
        return x.device

    def device_name(self, native: NativeDevice, /) -> str | None:
        return None if native == self._default else str(native)

    # -- dtypes and arrays ------------------------------------------------------------
    def to_dtype(self, dtype: DType, /) -> NativeDType:
        try:
            return self._to_native[dtype]
        except KeyError:
            msg = f"The {self.name!r} backend has no {dtype.name} dtype."
            raise AgradTypeError(msg) from None

    def from_dtype(self, native: NativeDType, /) -> DType:
        try:
            return self._from_native[native]
        except KeyError:
            msg = f"The {self.name!r} backend's dtype {native!r} has no Array API equivalent."
            raise AgradTypeError(msg) from None

    def ensure_array(self, x: Any, /) -> Array:
        return x if isinstance(x, self.array_type) else self.xp.asarray(x)

    def shares_memory(self, a: Array, b: Array, /) -> bool:
        # the standard cannot tell; in-place writes through views are not followed here
        return False

    def copy(self, x: Array, /) -> Array:
        return self.xp.asarray(x, copy=True)

    def functional_setitem(self, x: Array, key: Any, value: Any, /) -> Array:
        y = self.copy(x)
        y[key] = value
        return y

    def scatter_add(self, out: Array, index: Array, values: Array, /, *, axis: int) -> Array:
        # one-hot matrix product: (n, m) @ (m, rest) adds each value row into its slot
        xp = self.xp
        n = out.shape[axis]
        moved_values = xp.moveaxis(values, axis, 0)
        rest = moved_values.shape[1:]
        m = moved_values.shape[0]
        width = 1
        for r in rest:
            width *= r
        flat_values = xp.reshape(moved_values, (m, width))
        slots = xp.arange(n, dtype=index.dtype, device=self.device_of(out))
        onehot = xp.astype(slots[:, None] == index[None, :], values.dtype)
        added = xp.reshape(onehot @ flat_values, (n, *rest))
        return out + xp.moveaxis(added, 0, axis)

    # -- random numbers, moves ------------------------------------------------------------
    def rng(self, seed: int | None, device: NativeDevice, /) -> Rng:
        def place(host: Any, dtype: Any) -> Array:
            array = self.from_host(host, device)
            return array if dtype is None else self.xp.astype(array, dtype)

        return HostRng(seed, place)

    def to_device(self, x: Array, device: NativeDevice, /) -> Array:
        return x.to_device(device)

    def to_host(self, x: Array, /) -> Any:
        try:
            return np.from_dlpack(x)
        except (TypeError, BufferError, RuntimeError, AttributeError):
            return np.asarray(x)

    def from_host(self, x: Any, device: NativeDevice, /) -> Array:
        return self.xp.asarray(x, device=device)

    def from_dlpack(self, x: Any, device: NativeDevice, /) -> Array | None:
        return None

    def data_ptr(self, x: Array, /) -> int | None:
        return None

    def synchronize(self, device: NativeDevice, /) -> None:
        return None
