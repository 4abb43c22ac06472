"""The Dask backend, ``"dask"``: lazy, chunked arrays, on one machine or a cluster.

Forward and backward build one Dask task graph; nothing is computed until the user asks
(``t.array.compute()``, ``float(t)``, ``t.tolist()``), and then it runs wherever the
active scheduler runs it: threads here, or a ``dask.distributed`` cluster.

Dask arrays are treated as immutable: an in-place change gives the tensor a new Dask array
(a copy-on-write graph), so arrays saved for backward never change under the engine.
"""

from __future__ import annotations

from typing import Any

import array_api_compat.dask.array as compat_da
import array_api_compat.dask.array.linalg as compat_da_linalg
import dask.array as da
import numpy as np
from dask.base import tokenize

from agrad._typing import Array, Namespace, NativeDevice
from agrad.errors import AgradIndexError, AgradValueError, NotOnDeviceError

from ._generic import GenericBackend
from .numpy import AGRAD_DTYPES, NUMPY_DTYPES, copy_module

# NumPy's dtype objects (the NumPy adapter's maps; importing it registers them for `conj`)
_TO_NATIVE = NUMPY_DTYPES
_FROM_NATIVE = AGRAD_DTYPES


def _from_numpy(a: Any) -> Any:
    # Dask's own `x[i]` makes `from_array(chunk_offsets, chunks=1)` and re-declares its
    # chunks; an index array of ours made by `from_array(np.array([0]))` got the same name,
    # so the two were mixed up and `x[i].shape` was `x.shape` (Dask 2026.8.0): a name of
    # our own, from the same content hash, cannot meet Dask's
    return da.from_array(a, name="agrad-array-" + tokenize(a))


def _asarray(
    obj: Any, /, *, dtype: Any = None, device: Any = None, copy: bool | None = None, **kw: Any
) -> Any:
    if isinstance(obj, da.Array) or copy is False:
        return compat_da.asarray(obj, dtype=dtype, device=device, copy=copy, **kw)
    return _from_numpy(np.array(obj, dtype=dtype, copy=True))


def _roll(x: Any, /, shift: Any, *, axis: Any = None) -> Any:
    # Dask rolls an empty array into chunks of (0, 0), which elementwise calls with the
    # array's own (0,) then fail to align; rolling nothing is the array itself
    if x.size == 0:
        return x.copy()
    return da.roll(x, shift, axis=axis)


def _eye(
    n_rows: int,
    n_cols: int | None = None,
    /,
    *,
    k: int = 0,
    dtype: Any = None,
    device: Any = None,
) -> Any:
    # `dask.array.eye(3, 4, k=1)` builds a graph with a missing chunk key and fails at
    # compute time (dask 2026.8.0); a comparison of two aranges is lazy and correct
    cols = n_rows if n_cols is None else n_cols
    rows = da.arange(n_rows)[:, None] + k == da.arange(cols)[None, :]
    return rows.astype(np.float64 if dtype is None else dtype)


def _cholesky(x: Any, /, *, upper: bool = False) -> Any:
    # array-api-compat 1.16's Dask `cholesky` returns the upper factor when asked for the
    # lower one (dask's own default is `lower=False`)
    return da.linalg.cholesky(x, lower=not upper)


def _take_along_axis(x: Any, indices: Any, /, *, axis: int = -1) -> Any:
    # Dask has none: broadcast the other axes, make `axis` one chunk in both arrays, align
    # the remaining chunks, and let NumPy gather block by block
    if x.ndim != indices.ndim:
        msg = f"`take_along_axis` needs arrays of one rank, got {x.ndim} and {indices.ndim}."
        raise AgradValueError(msg)
    axis %= x.ndim
    shape = [max(a, b) for a, b in zip(x.shape, indices.shape, strict=True)]
    x = da.broadcast_to(x, tuple(x.shape[axis] if i == axis else n for i, n in enumerate(shape)))
    indices = da.broadcast_to(
        indices, tuple(indices.shape[axis] if i == axis else n for i, n in enumerate(shape))
    )
    chunks = {i: -1 if i == axis else "auto" for i in range(x.ndim)}
    x = x.rechunk(chunks)
    indices = indices.rechunk(
        tuple(indices.shape[axis] if i == axis else c for i, c in enumerate(x.chunks))
    )
    return da.map_blocks(
        np.take_along_axis, x, indices, axis=axis, dtype=x.dtype, chunks=indices.chunks
    )


def _eigvals(x: Any, /) -> Any:
    # Dask has none: one block holding the whole stack of matrices, NumPy's eigvals on it,
    # complex always (NumPy's is real when every eigenvalue is; the standard's is complex)
    out_dtype = np.result_type(x.dtype, np.complex64)

    def block(b: Any) -> Any:
        return np.linalg.eigvals(b).astype(out_dtype, copy=False)

    whole = x.rechunk(x.shape)
    return da.map_blocks(block, whole, drop_axis=x.ndim - 1, dtype=out_dtype)


def _broadcast_to(x: Any, /, shape: tuple[Any, ...]) -> Any:
    # Dask accepts an unknown (nan) length here and fails only when computing, in NumPy;
    # the gradient of a reduction of `x[mask]` is such a broadcast
    shape = tuple(shape)
    if shape != tuple(x.shape) and any(n != n for n in shape):
        msg = (
            f"Dask cannot broadcast to the shape {shape}: it does not know its length (nan) "
            "until it computes, as after a boolean mask (the gradient of a reduction of "
            "`x[mask]` is such a broadcast). Use `agrad.where(mask, x, 0)` instead of "
            "`x[mask]`, or move the tensor with `x.to_device('numpy')` (differentiably)."
        )
        raise NotOnDeviceError(msg)
    return da.broadcast_to(x, shape)


# array-api-compat's Dask namespace with the repairs above; rules get this one as `xp`
_NAMESPACE = copy_module(
    "agrad.backends.dask.namespace",
    compat_da,
    eye=_eye,
    roll=_roll,
    asarray=_asarray,
    broadcast_to=_broadcast_to,
    take_along_axis=_take_along_axis,
    linalg=copy_module(
        "agrad.backends.dask.namespace.linalg",
        compat_da_linalg,
        cholesky=_cholesky,
        eigvals=_eigvals,
    ),
)


class DaskRng:
    """Dask's generator: chunked draws, lazy like everything else."""

    def __init__(self, seed: int | None) -> None:
        self._rng = da.random.default_rng(seed)

    def standard_normal(self, shape: tuple[int, ...], dtype: Any, /) -> Array:
        return self._rng.standard_normal(shape, dtype=dtype)

    def random(self, shape: tuple[int, ...], dtype: Any, /) -> Array:
        return self._rng.random(shape, dtype=dtype)

    def permutation(self, n: int, /) -> Array:
        return self._rng.permutation(n).astype(np.int64)


def _masked_write(x: Array, mask: Array, value: Array) -> Array:
    """``x`` with ``x[mask] = value`` where ``value``'s length (``mask``'s count) is unknown
    until computed: one task over ``x`` and ``mask`` in one block each, which receives all of
    ``value``'s blocks joined -- Dask's own assignment needs the length beforehand."""
    out = tuple(range(x.ndim))
    extra = tuple(range(x.ndim, x.ndim + value.ndim))  # contracted: the task sees all of it

    def write(xb: Any, mb: Any, vb: Any) -> Any:
        yb = xb.copy()
        yb[mb] = vb
        return yb

    return da.blockwise(
        write,
        out,
        x.rechunk(-1),
        out,
        mask.rechunk(-1),
        out[: mask.ndim],
        value,
        extra,
        concatenate=True,
        dtype=x.dtype,
        meta=x._meta,
    )


class DaskBackend(GenericBackend):
    """Adapter for ``dask.array`` through ``array_api_compat.dask.array``.

    Scatter-add (for indexing gradients) is the generic one: a one-hot product, which Dask
    chunks like any matrix product.
    """

    mutable = False
    data_dependent_shapes = False

    def __init__(self) -> None:
        super().__init__(_NAMESPACE, "dask")
        self.array_type = da.Array
        self._to_native = dict(_TO_NATIVE)
        self._from_native = dict(_FROM_NATIVE)

    def owns(self, xp: Namespace) -> bool:
        return xp is _NAMESPACE or xp is compat_da or xp is da

    def native_device(self, spec: str | None, /) -> NativeDevice:
        if spec not in (None, "cpu"):
            msg = f"The dask backend has one device, 'dask'; got 'dask:{spec}'."
            raise AgradValueError(msg)
        return "cpu"

    def is_native_device(self, obj: Any, /) -> bool:
        return False

    def devices(self) -> list[NativeDevice]:
        return ["cpu"]

    def device_of(self, x: Array, /) -> NativeDevice:
        return "cpu"

    def device_name(self, native: NativeDevice, /) -> str | None:
        return None

    def ensure_array(self, x: Any, /) -> Array:
        return x if isinstance(x, da.Array) else _from_numpy(np.asarray(x))

    def copy(self, x: Array, /) -> Array:
        return x.copy()

    def functional_setitem(self, x: Array, key: Any, value: Any, /) -> Array:
        y = x.copy()  # a new Array object on the same graph; assignment extends only y's
        if key is None or (isinstance(key, tuple) and any(k is None for k in key)):
            # Dask's assignment misreads new axes (None) and fails only when computing: drop
            # them, and the value's matching length-1 axes (basic keys, known shapes)
            plain = tuple(k for k in (key if isinstance(key, tuple) else (key,)) if k is not None)
            if any(isinstance(k, da.Array) for k in plain) or any(n != n for n in x.shape):
                msg = (
                    "Dask cannot assign through a key with new axes (None) beside an index "
                    "array: leave the None out of the key (and the value's length-1 axis)."
                )
                raise NotOnDeviceError(msg)
            value = da.reshape(da.broadcast_to(da.asarray(value), x[key].shape), x[plain].shape)
            key = plain
        if any(n == 0 for n in getattr(value, "shape", ())):
            return y  # an empty value fits an empty selection only; Dask fails computing it
        if isinstance(key, tuple) and len(key) == 1:
            key = key[0]  # Dask's __setitem__ reads `(mask,)` as integer indices, `mask` right
        if any(n != n for n in getattr(value, "shape", ())):
            if (
                isinstance(key, tuple)
                and key
                and all(
                    k is Ellipsis or (isinstance(k, slice) and k == slice(None)) for k in key[1:]
                )
            ):
                key = key[0]  # `x[m, :]`, `x[m, ...]`: the mask over leading axes
            if isinstance(key, da.Array) and key.dtype == bool and 0 < key.ndim <= x.ndim:
                return _masked_write(x, key, value)
            msg = (
                "Dask does not know how many elements this index selects until it computes, so"
                " it cannot write an array of that unknown length through it. Use "
                "`agrad.where(mask, ...)` instead, or move the tensor with "
                "`x.to_device('numpy')` (differentiably)."
            )
            raise NotOnDeviceError(msg)
        y[key] = value
        return y

    def checked_index(self, idx: Array, n: int, /) -> Array:
        """``idx`` (integer positions along an axis of length ``n``) raising an IndexError
        (``AgradIndexError``), when computed, for a position out of range, as NumPy raises
        at once: Dask's own indexing returns some other element there."""

        def check(block: Any) -> Any:
            bad = block[(block < -n) | (block >= n)]
            if bad.size:
                msg = f"index {bad.flat[0]} is out of bounds for axis with size {n}"
                raise AgradIndexError(msg)
            return block

        return idx.map_blocks(check, dtype=idx.dtype)

    def rng(self, seed: int | None, device: NativeDevice, /) -> DaskRng:
        return DaskRng(seed)

    def to_device(self, x: Array, device: NativeDevice, /) -> Array:
        return x

    def to_host(self, x: Array, /) -> Any:
        return np.asarray(x.compute())

    def from_host(self, x: Any, device: NativeDevice, /) -> Array:
        return _from_numpy(np.asarray(x))


BACKEND = DaskBackend()
