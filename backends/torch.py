"""The PyTorch backend: ``"torch:cpu"``, ``"torch:cuda:0"``, ``"torch:mps"``.

agrad records its own graph; the torch tensors it holds never require grad, so torch's
autograd stays out of the way and rules run on plain torch kernels.
"""

from __future__ import annotations

from typing import Any

import array_api_compat.torch as compat_torch
import array_api_compat.torch.linalg as compat_torch_linalg
import torch
import torch.utils.dlpack

import agrad._dtypes as _dtypes
from agrad._dtypes import DType, register_dtypes
from agrad._typing import Array, Namespace, NativeDevice
from agrad.errors import AgradTypeError, AgradValueError, DeviceUnavailableError

from .numpy import copy_module

_TO_NATIVE: dict[DType, torch.dtype] = {
    d: getattr(torch, d.name) for d in _dtypes.ALL_DTYPES if hasattr(torch, d.name)
}
_FROM_NATIVE: dict[torch.dtype, DType] = {v: k for k, v in _TO_NATIVE.items()}
register_dtypes(real=(torch.float32, torch.float64), complex=(torch.complex64, torch.complex128))


def _as_index(indices: torch.Tensor) -> torch.Tensor:
    # torch's gather kernels take int64 indices (index_select also int32); the standard
    # allows any integer dtype
    return indices if indices.dtype == torch.int64 else indices.to(torch.int64)


def _consumed(k: Any) -> int:
    """How many axes of the indexed array one entry of a key consumes."""
    if k is None or isinstance(k, bool):
        return 0
    if isinstance(k, torch.Tensor) and k.dtype == torch.bool:
        return k.ndim
    return 1


# torch's CPU kernels lack uint16/uint32/uint64 for most operations ("index_select",
# "flip", "linspace_cpu" not implemented): what only moves bits runs on the signed integers
# of the same width, what orders them on int64 (see `_ordered`)
_SIGNED_TWIN = {torch.uint16: torch.int16, torch.uint32: torch.int32, torch.uint64: torch.int64}


def _bits_moved(fn: Any, x: Array, *args: Any, **kwargs: Any) -> Array:
    """``fn(x, ...)`` for a function that only moves ``x``'s elements (a gather, a flip),
    through the signed twin of a wide unsigned dtype."""
    twin = _SIGNED_TWIN.get(x.dtype)
    if twin is None:
        return fn(x, *args, **kwargs)
    return fn(x.view(twin), *args, **kwargs).view(x.dtype)


_INT64_MIN = -(2**63)


def _ordered(x: Any) -> Any:
    """``x`` as int64 in the same order, for torch's missing uint16/32/64 kernels (uint16 and
    uint32 widen; uint64's bits, sign bit flipped, order as int64 do); others unchanged."""
    if not isinstance(x, torch.Tensor) or x.dtype not in _SIGNED_TWIN:
        return x
    if x.dtype == torch.uint64:
        return x.view(torch.int64) ^ _INT64_MIN
    return x.to(torch.int64)


def _ordered_scalar(x: Any, dtype: Any) -> Any:
    """:func:`_ordered` for an operand that may be a Python number beside a tensor."""
    if isinstance(x, torch.Tensor):
        return _ordered(x)
    if dtype == torch.uint64 and isinstance(x, int) and not isinstance(x, bool):
        return x + _INT64_MIN  # where uint64's bits, sign bit flipped, put it
    return x


def _unordered(r: Array, dtype: Any) -> Array:
    """The inverse of :func:`_ordered`, back to ``dtype``."""
    if dtype == torch.uint64:
        return (r ^ _INT64_MIN).view(torch.uint64)
    return r.to(dtype)


def _order_reduction(name: str) -> Any:
    plain = getattr(compat_torch, name)

    def reduce(x: Array, /, **kwargs: Any) -> Array:
        if x.dtype not in _SIGNED_TWIN:
            return plain(x, **kwargs)
        return _unordered(plain(_ordered(x), **kwargs), x.dtype)

    return reduce


def _order_binary(name: str, *, keeps_dtype: bool) -> Any:
    plain = getattr(compat_torch, name)

    def binary(x1: Any, x2: Any, /) -> Array:
        dtype = next(
            (x.dtype for x in (x1, x2) if isinstance(x, torch.Tensor) and x.dtype in _SIGNED_TWIN),
            None,
        )
        if dtype is None or any(
            isinstance(x, torch.Tensor) and x.dtype not in (dtype, torch.bool) for x in (x1, x2)
        ):
            return plain(x1, x2)
        out = plain(_ordered_scalar(x1, dtype), _ordered_scalar(x2, dtype))
        return _unordered(out, dtype) if keeps_dtype else out

    return binary


def _abs(x: Array, /) -> Array:
    # torch has no abs kernel for uint16/32/64; unsigned values are their own magnitude
    if x.dtype in _SIGNED_TWIN:
        return x.clone()
    return torch.abs(x)


def _flip(x: Array, /, *, axis: Any = None) -> Array:
    return _bits_moved(compat_torch.flip, x, axis=axis)


def _searchsorted(x1: Array, x2: Array, /, **kwargs: Any) -> Array:
    if x1.dtype in _SIGNED_TWIN and x2.dtype == x1.dtype:  # the same order, in int64
        return torch.searchsorted(_ordered(x1), _ordered(x2), **kwargs)
    return torch.searchsorted(x1, x2, **kwargs)


def _take(x: Array, indices: Array, /, *, axis: int | None = None) -> Array:
    return _bits_moved(compat_torch.take, x, _as_index(indices), axis=axis)


def _take_along_axis(x: Array, indices: Array, /, *, axis: int = -1) -> Array:
    # array-api-compat hands the indices to torch.take_along_dim, which raises for int32/uint8
    return _bits_moved(compat_torch.take_along_axis, x, _as_index(indices), axis=axis)


def _std(
    x: Array,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    correction: float = 0.0,
    keepdims: bool = False,
) -> Array:
    # array-api-compat refuses a fractional correction (pytorch#61492, since fixed in torch);
    # torch.var takes it
    if isinstance(correction, float) and not correction.is_integer():
        return torch.sqrt(compat_torch.var(x, axis=axis, correction=correction, keepdims=keepdims))
    return compat_torch.std(x, axis=axis, correction=correction, keepdims=keepdims)


def _vector_norm(
    x: Array,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    ord: float = 2,
) -> Array:
    # array-api-compat's axis=() path writes `out[:]`, which fails on a 0-d tensor; the norm
    # over no axes is |x| (x != 0 for ord=0)
    if axis == ():
        magnitude = torch.abs(x)
        return (x != 0).to(magnitude.dtype) if ord == 0 else magnitude
    return compat_torch_linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)


def _linspace(
    start: Any, stop: Any, /, num: int, *, dtype: Any = None, device: Any = None, **kw: Any
) -> Array:
    if dtype in _SIGNED_TWIN:  # no linspace kernel for wide unsigned: made in float64
        wide = compat_torch.linspace(start, stop, num, dtype=torch.float64, device=device, **kw)
        return wide.to(dtype)  # truncates toward zero, as NumPy's cast of its float values
    return compat_torch.linspace(start, stop, num, dtype=dtype, device=device, **kw)


NAMESPACE = copy_module(
    "agrad.backends.torch.namespace",
    compat_torch,
    linspace=_linspace,
    abs=_abs,
    flip=_flip,
    searchsorted=_searchsorted,
    max=_order_reduction("max"),
    min=_order_reduction("min"),
    maximum=_order_binary("maximum", keeps_dtype=True),
    minimum=_order_binary("minimum", keeps_dtype=True),
    less=_order_binary("less", keeps_dtype=False),
    less_equal=_order_binary("less_equal", keeps_dtype=False),
    greater=_order_binary("greater", keeps_dtype=False),
    greater_equal=_order_binary("greater_equal", keeps_dtype=False),
    take=_take,
    take_along_axis=_take_along_axis,
    std=_std,
    linalg=copy_module(
        "agrad.backends.torch.namespace.linalg", compat_torch_linalg, vector_norm=_vector_norm
    ),
)


class TorchRng:
    """A ``torch.Generator`` on one device."""

    def __init__(self, seed: int | None, device: torch.device) -> None:
        self._device = device
        self._gen = torch.Generator(device=device)
        if seed is None:
            self._gen.seed()
        else:
            self._gen.manual_seed(seed)

    def standard_normal(self, shape: tuple[int, ...], dtype: torch.dtype, /) -> Array:
        return torch.randn(shape, generator=self._gen, dtype=dtype, device=self._device)

    def random(self, shape: tuple[int, ...], dtype: torch.dtype, /) -> Array:
        return torch.rand(shape, generator=self._gen, dtype=dtype, device=self._device)

    def permutation(self, n: int, /) -> Array:
        return torch.randperm(n, generator=self._gen, dtype=torch.int64, device=self._device)


class TorchBackend:
    """Adapter for PyTorch through ``array_api_compat.torch``."""

    name = "torch"
    xp: Namespace = NAMESPACE
    array_type = torch.Tensor
    mutable = True
    data_dependent_shapes = True

    def owns(self, xp: Namespace) -> bool:
        return xp is NAMESPACE or xp is compat_torch or xp is torch

    # -- devices --------------------------------------------------------------------
    def native_device(self, spec: str | None, /) -> NativeDevice:
        try:
            device = torch.device(spec or "cpu")
        except RuntimeError:
            msg = (
                f"'torch:{spec}' names no torch device; use 'torch:cpu', 'torch:cuda', "
                "'torch:cuda:1' or 'torch:mps'."
            )
            raise AgradValueError(msg) from None
        return self._usable(device)

    def _usable(self, device: torch.device) -> torch.device:
        if device.type == "cuda":
            if not torch.cuda.is_available():
                msg = (
                    f"'torch:{device}' needs a CUDA GPU, and torch sees none here "
                    f"(torch {torch.__version__}, `torch.cuda.is_available()` is False). "
                    "Use 'torch:cpu', or install a CUDA build of torch on a machine with a GPU."
                )
                raise DeviceUnavailableError(msg)
            index = torch.cuda.current_device() if device.index is None else device.index
            if index >= torch.cuda.device_count():
                msg = (
                    f"'torch:cuda:{index}' does not exist: torch sees "
                    f"{torch.cuda.device_count()} CUDA device(s)."
                )
                raise DeviceUnavailableError(msg)
            return torch.device("cuda", index)
        if device.type == "mps" and not torch.backends.mps.is_available():
            msg = "'torch:mps' needs Apple's Metal (MPS), which torch cannot use here."
            raise DeviceUnavailableError(msg)
        return device

    def is_native_device(self, obj: Any, /) -> bool:
        return isinstance(obj, torch.device)

    def devices(self) -> list[NativeDevice]:
        found = [torch.device("cpu")]
        if torch.cuda.is_available():
            found += [torch.device("cuda", i) for i in range(torch.cuda.device_count())]
        if torch.backends.mps.is_available():
            found.append(torch.device("mps"))
        return found

    def device_of(self, x: Array, /) -> NativeDevice:
        return x.device

    def device_name(self, native: NativeDevice, /) -> str | None:
        if native.type == "cuda" and native.index is None:
            native = self._usable(native)
        return str(native)

    # -- dtypes and arrays ------------------------------------------------------------
    def to_dtype(self, dtype: DType, /) -> torch.dtype:
        try:
            return _TO_NATIVE[dtype]
        except KeyError:
            msg = f"torch {torch.__version__} has no {dtype.name} dtype."
            raise AgradTypeError(msg) from None

    def from_dtype(self, native: Any, /) -> DType:
        try:
            return _FROM_NATIVE[native]
        except KeyError:
            msg = f"torch dtype {native!r} has no Array API equivalent."
            raise AgradTypeError(msg) from None

    def ensure_array(self, x: Any, /) -> Array:
        return x if isinstance(x, torch.Tensor) else torch.as_tensor(x)

    def shares_memory(self, a: Array, b: Array, /) -> bool:
        if a.numel() == 0 or b.numel() == 0:
            return False  # empty tensors hold no memory (their storages may point at one)
        sa, sb = a.untyped_storage(), b.untyped_storage()
        return bool(sa.data_ptr() == sb.data_ptr() and sa.device == sb.device)

    def index_key(
        self, key: tuple[Any, ...], shape: tuple[int, ...], device: NativeDevice, /
    ) -> tuple[Any, ...]:
        """``key`` (a full key, see ``agrad._views.raw_key``) without negative slice steps,
        which torch lacks (pytorch#229, pytorch#59786): the positions it selects, found by
        torch itself on a flipped ``arange`` (so the rest of the key keeps torch's
        semantics), as one integer array per axis. Results are copies, as torch's ``flip``
        is, and writes through the key reach the same positions."""
        fixed = sum(_consumed(k) for k in key if k is not Ellipsis)
        flips: list[int] = []
        positive: list[Any] = []
        axis = 0
        for k in key:
            if k is Ellipsis:
                positive.append(k)
                axis += len(shape) - fixed
                continue
            if k.__class__ is slice and k.step is not None and k.step < 0:
                n = shape[axis]
                picked = range(*k.indices(n))
                flips.append(axis)
                # the same elements, counted on the flipped axis
                k = slice(n - 1 - picked[0], n - picked[-1], -k.step) if picked else slice(0, 0)
            positive.append(k)
            axis += _consumed(k)
        size = 1
        for n in shape:
            size *= n
        where = torch.arange(size, device=device).reshape(shape)
        positions = torch.flip(where, flips)[tuple(positive)]
        return tuple(torch.unravel_index(positions, shape))

    def copy(self, x: Array, /) -> Array:
        return x.clone()

    def functional_setitem(self, x: Array, key: Any, value: Any, /) -> Array:
        y = x.clone()
        y[key] = value
        return y

    def scatter_add(self, out: Array, index: Array, values: Array, /, *, axis: int) -> Array:
        return out.index_add(axis, index, values)

    # -- random numbers, moves ------------------------------------------------------------
    def rng(self, seed: int | None, device: NativeDevice, /) -> TorchRng:
        return TorchRng(seed, device)

    def to_device(self, x: Array, device: NativeDevice, /) -> Array:
        return x.to(device)

    def to_host(self, x: Array, /) -> Any:
        # torch.conj and negation are lazy (a bit on the tensor), which numpy() refuses
        return x.detach().cpu().resolve_conj().resolve_neg().numpy()

    def from_host(self, x: Any, device: NativeDevice, /) -> Array:
        return torch.as_tensor(x, device=device)

    def from_dlpack(self, x: Any, device: NativeDevice, /) -> Array | None:
        try:
            y = torch.utils.dlpack.from_dlpack(x)
        except (TypeError, BufferError, RuntimeError, AttributeError):
            return None
        return y if y.device == device else None

    def data_ptr(self, x: Array, /) -> int | None:
        return int(x.data_ptr())

    def synchronize(self, device: NativeDevice, /) -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        elif device.type == "mps":
            torch.mps.synchronize()


BACKEND = TorchBackend()
