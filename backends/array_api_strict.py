"""The array-api-strict backend, ``"array_api_strict"``: the standard and nothing more.

Running agrad's rules here proves they use only standard calls.
"""

from __future__ import annotations

from typing import Any

import array_api_strict as strict
import numpy as np

from agrad import _dtypes
from agrad._dtypes import DType
from agrad._typing import Array, Namespace, NativeDevice
from agrad.extend import register_dtypes

from ._generic import GenericBackend

_TO_NATIVE: dict[DType, Any] = {d: getattr(strict, d.name) for d in _dtypes.ALL_DTYPES}
_FROM_NATIVE: dict[Any, DType] = {v: k for k, v in _TO_NATIVE.items()}
register_dtypes(
    real=(strict.float32, strict.float64), complex=(strict.complex64, strict.complex128)
)


class StrictBackend(GenericBackend):
    """Adapter for array-api-strict; scatter-add comes from the generic, standard-only one."""

    name = "array_api_strict"
    array_type = strict._array_object.Array
    mutable = True

    def __init__(self) -> None:
        super().__init__(strict)

    def owns(self, xp: Namespace) -> bool:
        return xp is strict

    def native_device(self, spec: str | None, /) -> NativeDevice:
        if spec is None:
            return strict.Device("CPU_DEVICE")
        return strict.Device(spec)

    def device_of(self, x: Array, /) -> NativeDevice:
        return x.device

    def device_name(self, native: NativeDevice, /) -> str | None:
        return None if native == strict.Device("CPU_DEVICE") else str(native)

    def to_dtype(self, dtype: DType, /) -> Any:
        return _TO_NATIVE[dtype]

    def from_dtype(self, native: Any, /) -> DType:
        return _FROM_NATIVE[native]

    def ensure_array(self, x: Any, /) -> Array:
        return x if isinstance(x, self.array_type) else strict.asarray(x)

    def shares_memory(self, a: Array, b: Array, /) -> bool:
        # array-api-strict wraps NumPy arrays (its private `_array`), and basic indexing
        # returns views of them, so writes through a result can reach its input
        return bool(np.may_share_memory(a._array, b._array))

    def copy(self, x: Array, /) -> Array:
        return strict.asarray(x, copy=True)

    def to_device(self, x: Array, device: NativeDevice, /) -> Array:
        return x.to_device(device)

    def synchronize(self, device: NativeDevice, /) -> None:
        return None


BACKEND = StrictBackend()
