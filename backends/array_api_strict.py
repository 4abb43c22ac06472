"""The array-api-strict backend, ``"array_api_strict"``: the standard and nothing more.

Running agrad's rules here proves they use only standard calls.
"""

from __future__ import annotations

from typing import Any

import array_api_strict as strict
import numpy as np

from agrad._dtypes import register_dtypes
from agrad._typing import Array, NativeDevice
from agrad.errors import AgradValueError

from ._generic import GenericBackend

register_dtypes(
    real=(strict.float32, strict.float64), complex=(strict.complex64, strict.complex128)
)


class StrictBackend(GenericBackend):
    """Adapter for array-api-strict: the generic, standard-only adapter, plus what
    array-api-strict lets us see of its NumPy core (memory sharing, host copies)."""

    def __init__(self) -> None:
        super().__init__(strict, "array_api_strict")
        self.array_type = strict._array_object.Array

    def native_device(self, spec: str | None, /) -> NativeDevice:
        try:
            return strict.Device(spec or "CPU_DEVICE")
        except ValueError:
            msg = f"array-api-strict has no device {spec!r}; try 'device1' or 'device2'."
            raise AgradValueError(msg) from None

    def devices(self) -> list[NativeDevice]:
        # its other devices ("device1", "no_float64", ...) exist to test device handling;
        # they are reachable by name, but only the CPU device is offered by default
        return [strict.Device("CPU_DEVICE")]

    def device_name(self, native: NativeDevice, /) -> str | None:
        name = str(native._device)
        return None if name == "CPU_DEVICE" else name

    def shares_memory(self, a: Array, b: Array, /) -> bool:
        # array-api-strict wraps NumPy arrays (its private `_array`), and basic indexing
        # returns views of them, so writes through a result can reach its input
        return bool(np.may_share_memory(a._array, b._array))

    def to_host(self, x: Array, /) -> Any:
        return np.asarray(x._array)

    def from_host(self, x: Any, device: NativeDevice, /) -> Array:
        return strict.asarray(np.asarray(x), device=device)


BACKEND = StrictBackend()
