"""The NumPy backend: agrad's default device, ``"numpy"``."""

from __future__ import annotations

import types
from typing import Any

import array_api_compat.numpy as compat_np
import array_api_compat.numpy.linalg as compat_np_linalg
import numpy as np

import agrad._dtypes as _dtypes
from agrad._dtypes import DType, register_dtypes
from agrad._typing import Array, Namespace, NativeDevice
from agrad.errors import AgradTypeError, AgradValueError

# NumPy's dtype objects, which CuPy, Dask and JAX arrays use too (their adapters share these)
NUMPY_DTYPES: dict[DType, np.dtype[Any]] = {d: np.dtype(d.name) for d in _dtypes.ALL_DTYPES}
AGRAD_DTYPES: dict[np.dtype[Any], DType] = {v: k for k, v in NUMPY_DTYPES.items()}
_TO_NATIVE = NUMPY_DTYPES
_FROM_NATIVE = AGRAD_DTYPES
register_dtypes(
    real=(np.dtype(np.float32), np.dtype(np.float64)),
    complex=(np.dtype(np.complex64), np.dtype(np.complex128)),
)


# -- the namespace rules and the engine get as `xp` ----------------------------------------
# array-api-compat's NumPy namespace, with the functions the engine and the rules call on
# every reduction, broadcast, cast and product going straight to NumPy's C code: `np.sum`,
# `np.reshape` and `np.broadcast_to` are Python wrappers that cost more than the operation
# itself on small arrays, and
# array-api-compat wraps `astype`, `ones`, `matmul` and `matrix_transpose` once more.
# Anything but a plain ndarray, and any argument the fast path does not handle, goes to
# array-api-compat.


_COMPAT: Any = compat_np  # typed loosely: its functions are assigned, not declared
_ADD_REDUCE: Any = np.add.reduce  # keepdims is a run-time bool, not a literal


def _sum(x: Array, /, *, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Array:
    if type(x) is np.ndarray:
        return _ADD_REDUCE(x, axis=axis, dtype=dtype, keepdims=keepdims)  # as np.sum does
    return _COMPAT.sum(x, axis=axis, dtype=dtype, keepdims=keepdims)


def _reshape(x: Array, /, shape: tuple[int, ...], *, copy: bool | None = None) -> Array:
    if copy is None and type(x) is np.ndarray:
        return x.reshape(shape)  # what np.reshape calls
    return _COMPAT.reshape(x, shape, copy=copy)


def _matrix_transpose(x: Array, /) -> Array:
    if type(x) is np.ndarray:
        ndim = x.ndim
        if ndim == 2:
            return x.T  # half the cost of swapaxes
        if ndim > 2:
            return x.swapaxes(-1, -2)
    return _COMPAT.matrix_transpose(x)


def _broadcast_to(x: Array, /, shape: tuple[int, ...]) -> Array:
    # the read-only view np.broadcast_to makes, made directly: x's strides, 0 along the
    # broadcast axes (C-contiguous x only, which can lend its buffer)
    if isinstance(x, np.generic):  # a full reduction's cotangent: a NumPy scalar
        x = np.asarray(x)
    if type(x) is not np.ndarray:
        return np.broadcast_to(x, shape)
    if x.ndim == 0:  # 0 along every axis, without the per-axis loop
        strides: tuple[int, ...] = (0,) * len(shape)
    elif len(shape) >= x.ndim and x.flags.c_contiguous:
        lead = len(shape) - x.ndim
        steps = [0] * lead
        for n, m, step in zip(shape[lead:], x.shape, x.strides, strict=True):
            if m == n:
                steps.append(step)
            elif m == 1 and n >= 0:
                steps.append(0)
            else:
                return np.broadcast_to(x, shape)  # for NumPy's error message
        strides = tuple(steps)
    else:
        return np.broadcast_to(x, shape)
    view = np.ndarray(shape, x.dtype, x, 0, strides)
    view.flags.writeable = False
    return view


def _astype(x: Array, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Array:
    if device is None and type(x) is np.ndarray:
        return x.astype(dtype=dtype, copy=copy)  # what array-api-compat calls
    return _COMPAT.astype(x, dtype, copy=copy, device=device)


def _clip(x: Array, /, min: Any = None, max: Any = None) -> Array:
    # array-api-compat's clip copies x into a fresh array by assignment (`out[()] = x`),
    # which `agrad.compile` cannot follow; NumPy's own, with array-api-compat's rules: x's
    # dtype, bounds cast to it, integer bounds past the dtype's range ignored
    if isinstance(x, np.generic):
        x = np.asarray(x)
    bounds: list[Any] = []
    for bound, low in ((min, True), (max, False)):
        if bound is not None and x.dtype.kind in "iu" and type(bound) is int:
            info = np.iinfo(x.dtype)
            if (bound <= info.min) if low else (bound >= info.max):
                bound = None
        if isinstance(bound, np.ndarray) and bound.dtype != x.dtype:
            bound = bound.astype(x.dtype)
        bounds.append(bound)
    if bounds[0] is None and bounds[1] is None:
        return np.copy(x)
    out = np.clip(x, bounds[0], bounds[1])
    return out if out.dtype == x.dtype else out.astype(x.dtype)


def _ones(shape: Any, *, dtype: Any = None, device: Any = None) -> Array:
    if device is None or device == "cpu":
        out = np.empty(shape, dtype=dtype)  # what np.ones does, without its Python layers
        out.fill(1)
        return out
    return _COMPAT.ones(shape, dtype=dtype, device=device)


# NumPy 2's own solve has the standard's reading of a 1-d x2; array-api-compat's copy of it
# strips and re-wraps array subclasses, which `agrad.compile` cannot follow
_solve = np.linalg.solve if int(np.__version__.split(".")[0]) >= 2 else compat_np_linalg.solve


def _eig(x: Array, /) -> Any:
    """The standard's ``eig`` (complex results always) from NumPy's own: array-api-compat's
    calls NumPy's private routines, which strip array subclasses as `agrad.compile` records.
    NumPy's runs the same LAPACK call and gives real results where every eigenvalue is real;
    casting those to complex gives array-api-compat's values exactly."""
    res = np.linalg.eig(x)
    ctype = np.result_type(res.eigenvalues.dtype, np.complex64)
    return type(res)(res.eigenvalues.astype(ctype), res.eigenvectors.astype(ctype))


def _eigvals(x: Array, /) -> Any:
    """``eigvals`` likewise (see :func:`_eig`)."""
    w = np.linalg.eigvals(x)
    return w.astype(np.result_type(w.dtype, np.complex64))


def copy_module(name: str, module: Any, **replace: Any) -> types.ModuleType:
    """A new module with ``module``'s names, some of them replaced (an adapter's namespace)."""
    copy = types.ModuleType(name)
    skip = ("__name__", "__spec__", "__loader__", "__package__")
    copy.__dict__.update({k: v for k, v in vars(module).items() if k not in skip})
    copy.__dict__.update(replace)
    return copy


NAMESPACE = copy_module(
    "agrad.backends.numpy.namespace",
    compat_np,
    sum=_sum,
    reshape=_reshape,
    matrix_transpose=_matrix_transpose,
    broadcast_to=_broadcast_to,
    astype=_astype,
    ones=_ones,
    clip=_clip,
    matmul=np.matmul,  # array-api-compat's is a pass-through wrapper
    linalg=copy_module(
        "agrad.backends.numpy.namespace.linalg",
        compat_np_linalg,
        solve=_solve,
        eig=_eig,
        eigvals=_eigvals,
    ),
)


class NumpyRng:
    """NumPy's PCG64 generator, drawing in the dtype asked for."""

    def __init__(self, seed: int | None) -> None:
        self._rng = np.random.default_rng(seed)

    def standard_normal(self, shape: tuple[int, ...], dtype: Any, /) -> Array:
        if dtype in (np.float32, np.float64):
            return self._rng.standard_normal(shape, dtype=dtype)
        return self._rng.standard_normal(shape).astype(dtype)

    def random(self, shape: tuple[int, ...], dtype: Any, /) -> Array:
        if dtype in (np.float32, np.float64):
            return self._rng.random(shape, dtype=dtype)
        return self._rng.random(shape).astype(dtype)

    def permutation(self, n: int, /) -> Array:
        return self._rng.permutation(n).astype(np.int64, copy=False)


class NumpyBackend:
    """Adapter for NumPy through ``array_api_compat.numpy`` (see `NAMESPACE`)."""

    name = "numpy"
    xp: Namespace = NAMESPACE
    array_type = np.ndarray
    mutable = True
    data_dependent_shapes = True

    def owns(self, xp: Namespace) -> bool:
        return xp is NAMESPACE or xp is compat_np or xp is np

    def native_device(self, spec: str | None, /) -> NativeDevice:
        if spec not in (None, "cpu"):
            msg = f"The numpy backend has one device, 'numpy' (the CPU); got 'numpy:{spec}'."
            raise AgradValueError(msg)
        return "cpu"

    def is_native_device(self, obj: Any, /) -> bool:
        return False  # NumPy has no device objects ("cpu" is only a string)

    def devices(self) -> list[NativeDevice]:
        return ["cpu"]

    def device_of(self, x: Array, /) -> NativeDevice:
        return "cpu"

    def device_name(self, native: NativeDevice, /) -> str | None:
        return None

    def to_dtype(self, dtype: DType, /) -> np.dtype[Any]:
        return _TO_NATIVE[dtype]

    def from_dtype(self, native: Any, /) -> DType:
        try:
            return _FROM_NATIVE[native]
        except KeyError:
            msg = f"NumPy dtype {native!r} has no Array API equivalent."
            raise AgradTypeError(msg) from None

    def ensure_array(self, x: Any, /) -> Array:
        return x if type(x) is np.ndarray else np.asarray(x)

    def shares_memory(self, a: Array, b: Array, /) -> bool:
        return bool(np.may_share_memory(a, b))

    def copy(self, x: Array, /) -> Array:
        return np.array(x, copy=True)

    def functional_setitem(self, x: Array, key: Any, value: Any, /) -> Array:
        y = self.copy(x)  # through `copy`, which agrad.compile's capture records
        y[key] = value
        return y

    def scatter_add(self, out: Array, index: Array, values: Array, /, *, axis: int) -> Array:
        result = self.copy(out)  # through `copy`, which agrad.compile's capture records
        if out.ndim == 1 and values.ndim == 1 and out.dtype.kind == "f":
            # bincount is an order of magnitude faster than np.add.at for the 1-d case
            counts = np.bincount(index, weights=values, minlength=out.shape[0])
            result += counts.astype(out.dtype, copy=False)
            return result
        moved = np.moveaxis(result, axis, 0)
        np.add.at(moved, index, np.moveaxis(values, axis, 0))
        return result

    def rng(self, seed: int | None, device: NativeDevice, /) -> NumpyRng:
        return NumpyRng(seed)

    def to_device(self, x: Array, device: NativeDevice, /) -> Array:
        return x

    def to_host(self, x: Array, /) -> Any:
        return x

    def from_host(self, x: Any, device: NativeDevice, /) -> Array:
        return np.asarray(x)

    def from_dlpack(self, x: Any, device: NativeDevice, /) -> Array | None:
        try:
            return np.from_dlpack(x)
        except (TypeError, BufferError, RuntimeError, AttributeError):
            return None  # not on the CPU, or a dtype NumPy lacks

    def data_ptr(self, x: Array, /) -> int | None:
        return int(x.__array_interface__["data"][0])

    def synchronize(self, device: NativeDevice, /) -> None:
        return None


BACKEND = NumpyBackend()
