"""Random numbers on any device: seedable normal, uniform and permutation draws.

The standard has no random numbers, so each backend supplies its library's own generator
(NumPy's PCG64, a ``torch.Generator``, CuPy's and Dask's generators, a split JAX key).
Draws are constant tensors (they need no gradient); scale and shift them with tensors to
build differentiable samples (``mu + sigma * agrad.random.normal(shape)``).

The same seed gives the same numbers on the same device every run; different libraries
draw different numbers from the same seed.

Examples
--------
>>> import agrad
>>> agrad.random.seed(0)
>>> w = agrad.random.normal((3, 2), std=0.1)
>>> w.shape, w.dtype
((3, 2), agrad.float64)
"""

from __future__ import annotations

import threading
from typing import Any

import agrad._dtypes as _dtypes
from agrad._api._convert import resolve_device
from agrad._api.indexing import take
from agrad._device import Device
from agrad._dtypes import DType
from agrad._tensor import Tensor, make
from agrad.errors import AgradTypeError, AgradValueError

__all__ = ["Generator", "default_generator", "normal", "permutation", "seed", "uniform"]

_LOCK = threading.Lock()
_DEFAULTS: dict[Device, Generator] = {}
_SEED: list[int | None] = [None]


def _float_dtype(dtype: DType | None, dev: Device) -> Any:
    if dtype is None:
        try:
            return dev.backend.to_dtype(_dtypes.float64)
        except TypeError:  # a backend without 64-bit floats (JAX by default)
            return dev.backend.to_dtype(_dtypes.float32)
    if not isinstance(dtype, DType) or dtype.kind != "f":
        msg = f"Random draws need a real floating dtype such as `agrad.float32`, got {dtype!r}."
        raise AgradTypeError(msg)
    return dev.backend.to_dtype(dtype)


def _shape(shape: int | tuple[int, ...]) -> tuple[int, ...]:
    return (shape,) if isinstance(shape, int) else tuple(shape)


class Generator:
    """A random generator on one device.

    Parameters
    ----------
    seed
        The seed; None draws one from the operating system.
    device
        Where the draws go (default: the default device).

    Examples
    --------
    >>> import agrad
    >>> g = agrad.random.Generator(42)
    >>> a = g.uniform((2,), low=-1.0, high=1.0)
    >>> h = agrad.random.Generator(42)
    >>> bool(agrad.all(h.uniform((2,), low=-1.0, high=1.0) == a))
    True
    """

    def __init__(self, seed: int | None = None, *, device: Any = None) -> None:
        self.device = resolve_device(device)
        self._rng = self.device.backend.rng(seed, self.device.native)

    def __repr__(self) -> str:
        return f"Generator(device={self.device.name!r})"

    def normal(
        self,
        shape: int | tuple[int, ...],
        *,
        mean: float = 0.0,
        std: float = 1.0,
        dtype: DType | None = None,
    ) -> Tensor:
        """Draws from the normal distribution N(``mean``, ``std``²).

        Examples
        --------
        >>> import agrad
        >>> agrad.random.Generator(0).normal((4,), dtype=agrad.float32).dtype
        agrad.float32
        """
        dev = self.device
        z = self._rng.standard_normal(_shape(shape), _float_dtype(dtype, dev))
        if std != 1.0:
            z = z * std
        if mean != 0.0:
            z = z + mean
        return make(dev.backend.ensure_array(z), dev)

    def uniform(
        self,
        shape: int | tuple[int, ...],
        *,
        low: float = 0.0,
        high: float = 1.0,
        dtype: DType | None = None,
    ) -> Tensor:
        """Draws from the uniform distribution on [``low``, ``high``).

        Examples
        --------
        >>> import agrad
        >>> u = agrad.random.Generator(0).uniform((100,), low=2.0, high=3.0)
        >>> bool(agrad.all((u >= 2.0) & (u < 3.0)))
        True
        """
        dev = self.device
        u = self._rng.random(_shape(shape), _float_dtype(dtype, dev))
        if high - low != 1.0:
            u = u * (high - low)
        if low != 0.0:
            u = u + low
        return make(dev.backend.ensure_array(u), dev)

    def permutation(self, x: int | Tensor) -> Tensor:
        """A random permutation of ``0 .. x-1`` (int64), or of ``x``'s rows.

        Shuffling a tensor's rows is differentiable (it is ``agrad.take`` along axis 0).

        Examples
        --------
        >>> import agrad
        >>> sorted(agrad.random.Generator(0).permutation(4).tolist())
        [0, 1, 2, 3]
        """
        dev = self.device
        if isinstance(x, Tensor):
            if x._dev is not dev:
                msg = (
                    f"This generator draws on {dev.name!r}, but the tensor to shuffle is on "
                    f"{x._dev.name!r}; use `agrad.random.Generator(seed, device=x.device)`."
                )
                raise AgradValueError(msg)
            return take(x, self.permutation(x.shape[0]), axis=0)
        index = self._rng.permutation(int(x))
        return make(dev.backend.ensure_array(index), dev)


def seed(s: int) -> None:
    """Seed the default generator of every device (each starts afresh from ``s``).

    Examples
    --------
    >>> import agrad
    >>> agrad.random.seed(1); a = agrad.random.uniform((3,))
    >>> agrad.random.seed(1); b = agrad.random.uniform((3,))
    >>> a.tolist() == b.tolist()
    True
    """
    with _LOCK:
        _SEED[0] = int(s)
        _DEFAULTS.clear()


def default_generator(device: Any = None) -> Generator:
    """The generator the module-level functions use on ``device``.

    Examples
    --------
    >>> import agrad
    >>> agrad.random.default_generator().device
    Device('numpy')
    """
    dev = resolve_device(device)
    gen = _DEFAULTS.get(dev)
    if gen is None:
        with _LOCK:
            gen = _DEFAULTS.get(dev)
            if gen is None:
                gen = _DEFAULTS[dev] = Generator(_SEED[0], device=dev)
    return gen


def normal(
    shape: int | tuple[int, ...],
    *,
    mean: float = 0.0,
    std: float = 1.0,
    dtype: DType | None = None,
    device: Any = None,
) -> Tensor:
    """Draws from N(``mean``, ``std``²) with the device's default generator.

    Examples
    --------
    >>> import agrad
    >>> agrad.random.normal((2, 3)).shape
    (2, 3)
    """
    return default_generator(device).normal(shape, mean=mean, std=std, dtype=dtype)


def uniform(
    shape: int | tuple[int, ...],
    *,
    low: float = 0.0,
    high: float = 1.0,
    dtype: DType | None = None,
    device: Any = None,
) -> Tensor:
    """Draws from U[``low``, ``high``) with the device's default generator.

    Examples
    --------
    >>> import agrad
    >>> agrad.random.uniform(5, dtype=agrad.float32).dtype
    agrad.float32
    """
    return default_generator(device).uniform(shape, low=low, high=high, dtype=dtype)


def permutation(x: int | Tensor, *, device: Any = None) -> Tensor:
    """A random permutation of ``0 .. x-1``, or of a tensor's rows (on its device).

    Examples
    --------
    >>> import agrad
    >>> agrad.random.permutation(3).shape
    (3,)
    """
    if isinstance(x, Tensor) and device is None:
        device = x.device
    return default_generator(device).permutation(x)
