"""The CuPy backend: ``"cupy"`` (the current GPU) and ``"cupy:1"``.

CuPy arrays use NumPy's dtype objects, so dtypes map as on the NumPy backend.
"""

from __future__ import annotations

from typing import Any

import array_api_compat.cupy as compat_cp
import cupy as cp
import cupyx
import numpy as np

from agrad._dtypes import DType
from agrad._typing import Array, Namespace, NativeDevice
from agrad.errors import AgradTypeError, AgradValueError, DeviceUnavailableError

from .numpy import AGRAD_DTYPES, NUMPY_DTYPES

# NumPy's dtype objects (the NumPy adapter's maps; importing it registers them for `conj`)
_TO_NATIVE = NUMPY_DTYPES
_FROM_NATIVE = AGRAD_DTYPES


def _gpu_count() -> int:
    try:
        return int(cp.cuda.runtime.getDeviceCount())
    except cp.cuda.runtime.CUDARuntimeError:
        return 0  # no driver, or no GPU


class CupyRng:
    """CuPy's generator on one GPU."""

    def __init__(self, seed: int | None, device: Any) -> None:
        self._device = device
        with device:
            self._rng = cp.random.default_rng(seed)

    def standard_normal(self, shape: tuple[int, ...], dtype: Any, /) -> Array:
        with self._device:
            return self._rng.standard_normal(shape, dtype=dtype)

    def random(self, shape: tuple[int, ...], dtype: Any, /) -> Array:
        with self._device:
            return self._rng.random(shape, dtype=dtype)

    def permutation(self, n: int, /) -> Array:
        with self._device:
            return self._rng.permutation(n).astype(cp.int64, copy=False)


class CupyBackend:
    """Adapter for CuPy through ``array_api_compat.cupy``."""

    name = "cupy"
    xp: Namespace = compat_cp
    array_type = cp.ndarray
    mutable = True
    data_dependent_shapes = True

    def owns(self, xp: Namespace) -> bool:
        return xp is compat_cp or xp is cp

    # -- devices --------------------------------------------------------------------
    def native_device(self, spec: str | None, /) -> NativeDevice:
        count = _gpu_count()
        if count == 0:
            msg = (
                f"'cupy{':' + spec if spec else ''}' needs a CUDA GPU, and CuPy finds none "
                "here (no NVIDIA driver or no device). Use 'numpy' on this machine."
            )
            raise DeviceUnavailableError(msg)
        if spec is None:
            return cp.cuda.Device()
        try:
            index = int(spec)
        except ValueError:
            msg = f"'cupy:{spec}' names no GPU; use 'cupy' or 'cupy:<index>'."
            raise AgradValueError(msg) from None
        if not 0 <= index < count:
            msg = f"'cupy:{index}' does not exist: CuPy sees {count} GPU(s)."
            raise DeviceUnavailableError(msg)
        return cp.cuda.Device(index)

    def is_native_device(self, obj: Any, /) -> bool:
        return isinstance(obj, cp.cuda.Device)

    def devices(self) -> list[NativeDevice]:
        return [cp.cuda.Device(i) for i in range(_gpu_count())]

    def device_of(self, x: Array, /) -> NativeDevice:
        return x.device

    def device_name(self, native: NativeDevice, /) -> str | None:
        return str(native.id)

    # -- dtypes and arrays ------------------------------------------------------------
    def to_dtype(self, dtype: DType, /) -> np.dtype[Any]:
        return _TO_NATIVE[dtype]

    def from_dtype(self, native: Any, /) -> DType:
        try:
            return _FROM_NATIVE[native]
        except KeyError:
            msg = f"CuPy dtype {native!r} has no Array API equivalent."
            raise AgradTypeError(msg) from None

    def ensure_array(self, x: Any, /) -> Array:
        return x if type(x) is cp.ndarray else cp.asarray(x)

    def shares_memory(self, a: Array, b: Array, /) -> bool:
        if a.size == 0 or b.size == 0:
            return False  # empty arrays hold no memory
        return bool(cp.may_share_memory(a, b))

    def copy(self, x: Array, /) -> Array:
        return x.copy()

    def functional_setitem(self, x: Array, key: Any, value: Any, /) -> Array:
        y = x.copy()
        y[key] = value
        return y

    def scatter_add(self, out: Array, index: Array, values: Array, /, *, axis: int) -> Array:
        result = out.copy()
        moved = cp.moveaxis(result, axis, 0)
        cupyx.scatter_add(moved, index, cp.moveaxis(values, axis, 0))
        return result

    # -- random numbers, moves ------------------------------------------------------------
    def rng(self, seed: int | None, device: NativeDevice, /) -> CupyRng:
        return CupyRng(seed, device)

    def to_device(self, x: Array, device: NativeDevice, /) -> Array:
        if x.device == device:
            return x
        with device:
            return cp.asarray(x)  # a peer copy between GPUs

    def to_host(self, x: Array, /) -> Any:
        return cp.asnumpy(x)

    def from_host(self, x: Any, device: NativeDevice, /) -> Array:
        with device:
            return cp.asarray(x)

    def from_dlpack(self, x: Any, device: NativeDevice, /) -> Array | None:
        try:
            y = cp.from_dlpack(x)
        except (TypeError, BufferError, RuntimeError, AttributeError, ValueError):
            return None
        return y if y.device == device else None

    def data_ptr(self, x: Array, /) -> int | None:
        return int(x.data.ptr)

    def synchronize(self, device: NativeDevice, /) -> None:
        device.synchronize()


BACKEND = CupyBackend()
