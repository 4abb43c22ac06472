"""``agrad.numpy.fft``: NumPy's ``numpy.fft`` on tensors, differentiable.

The functions take NumPy's arguments (``norm=None`` is ``"backward"``; real input to the
complex transforms is converted) and run :mod:`agrad.fft`.

Examples
--------
>>> import agrad.numpy as np
>>> x = np.array([1.0, 2.0, 0.0, -1.0]).requires_grad_()
>>> np.sum(np.abs(np.fft.fft(x)) ** 2).backward()  # Parseval: 4 * sum(x ** 2)
>>> x.grad.tolist()
[8.0, 16.0, 0.0, -8.0]
"""

from __future__ import annotations

from typing import Any

from agrad import fft as _fft
from agrad._api.data_type import astype
from agrad._arraylike import ArrayLike, as_tensor, finish
from agrad._dtypes import complex64, complex128, float32, float64
from agrad._tensor import Tensor
from agrad.numpy._names import lookup

__all__ = [
    "fft",
    "fft2",
    "fftfreq",
    "fftn",
    "fftshift",
    "hfft",
    "ifft",
    "ifft2",
    "ifftn",
    "ifftshift",
    "ihfft",
    "irfft",
    "irfft2",
    "irfftn",
    "rfft",
    "rfft2",
    "rfftfreq",
    "rfftn",
]


def _norm(norm: str | None) -> Any:
    return "backward" if norm is None else norm


def _complex(a: ArrayLike) -> Tensor:
    x = as_tensor(a)
    if x.dtype.kind == "c":
        return x
    return astype(x, complex64 if x.dtype is float32 else complex128)


def _real(a: ArrayLike) -> Tensor:
    x = as_tensor(a)
    return x if x.dtype.kind == "f" else astype(x, float64)


def _axes_list(axes: Any) -> Any:
    return None if axes is None else tuple(axes)


def fft(
    a: ArrayLike, n: int | None = None, axis: int = -1, norm: Any = None, out: Any = None
) -> Any:
    """``numpy.fft.fft``."""
    return finish("numpy.fft.fft", _fft.fft(_complex(a), n=n, axis=axis, norm=_norm(norm)), out)


def ifft(
    a: ArrayLike, n: int | None = None, axis: int = -1, norm: Any = None, out: Any = None
) -> Any:
    """``numpy.fft.ifft``."""
    return finish("numpy.fft.ifft", _fft.ifft(_complex(a), n=n, axis=axis, norm=_norm(norm)), out)


def rfft(
    a: ArrayLike, n: int | None = None, axis: int = -1, norm: Any = None, out: Any = None
) -> Any:
    """``numpy.fft.rfft``."""
    return finish("numpy.fft.rfft", _fft.rfft(_real(a), n=n, axis=axis, norm=_norm(norm)), out)


def irfft(
    a: ArrayLike, n: int | None = None, axis: int = -1, norm: Any = None, out: Any = None
) -> Any:
    """``numpy.fft.irfft``."""
    result = _fft.irfft(_complex(a), n=n, axis=axis, norm=_norm(norm))
    return finish("numpy.fft.irfft", result, out)


def hfft(
    a: ArrayLike, n: int | None = None, axis: int = -1, norm: Any = None, out: Any = None
) -> Any:
    """``numpy.fft.hfft``."""
    return finish("numpy.fft.hfft", _fft.hfft(_complex(a), n=n, axis=axis, norm=_norm(norm)), out)


def ihfft(
    a: ArrayLike, n: int | None = None, axis: int = -1, norm: Any = None, out: Any = None
) -> Any:
    """``numpy.fft.ihfft``."""
    return finish("numpy.fft.ihfft", _fft.ihfft(_real(a), n=n, axis=axis, norm=_norm(norm)), out)


def fftn(a: ArrayLike, s: Any = None, axes: Any = None, norm: Any = None, out: Any = None) -> Any:
    """``numpy.fft.fftn``."""
    result = _fft.fftn(_complex(a), s=_axes_list(s), axes=_axes_list(axes), norm=_norm(norm))
    return finish("numpy.fft.fftn", result, out)


def ifftn(a: ArrayLike, s: Any = None, axes: Any = None, norm: Any = None, out: Any = None) -> Any:
    """``numpy.fft.ifftn``."""
    result = _fft.ifftn(_complex(a), s=_axes_list(s), axes=_axes_list(axes), norm=_norm(norm))
    return finish("numpy.fft.ifftn", result, out)


def rfftn(a: ArrayLike, s: Any = None, axes: Any = None, norm: Any = None, out: Any = None) -> Any:
    """``numpy.fft.rfftn``."""
    result = _fft.rfftn(_real(a), s=_axes_list(s), axes=_axes_list(axes), norm=_norm(norm))
    return finish("numpy.fft.rfftn", result, out)


def irfftn(a: ArrayLike, s: Any = None, axes: Any = None, norm: Any = None, out: Any = None) -> Any:
    """``numpy.fft.irfftn``."""
    result = _fft.irfftn(_complex(a), s=_axes_list(s), axes=_axes_list(axes), norm=_norm(norm))
    return finish("numpy.fft.irfftn", result, out)


def fft2(
    a: ArrayLike, s: Any = None, axes: Any = (-2, -1), norm: Any = None, out: Any = None
) -> Any:
    """``numpy.fft.fft2``."""
    return fftn(a, s, axes, norm, out)


def ifft2(
    a: ArrayLike, s: Any = None, axes: Any = (-2, -1), norm: Any = None, out: Any = None
) -> Any:
    """``numpy.fft.ifft2``."""
    return ifftn(a, s, axes, norm, out)


def rfft2(
    a: ArrayLike, s: Any = None, axes: Any = (-2, -1), norm: Any = None, out: Any = None
) -> Any:
    """``numpy.fft.rfft2``."""
    return rfftn(a, s, axes, norm, out)


def irfft2(
    a: ArrayLike, s: Any = None, axes: Any = (-2, -1), norm: Any = None, out: Any = None
) -> Any:
    """``numpy.fft.irfft2``."""
    return irfftn(a, s, axes, norm, out)


def fftshift(x: ArrayLike, axes: Any = None) -> Tensor:
    """``numpy.fft.fftshift``."""
    return _fft.fftshift(as_tensor(x), axes=axes)


def ifftshift(x: ArrayLike, axes: Any = None) -> Tensor:
    """``numpy.fft.ifftshift``."""
    return _fft.ifftshift(as_tensor(x), axes=axes)


def fftfreq(n: int, d: float = 1.0, device: Any = None) -> Tensor:
    """``numpy.fft.fftfreq``."""
    return _fft.fftfreq(n, d=d, device=device)


def rfftfreq(n: int, d: float = 1.0, device: Any = None) -> Tensor:
    """``numpy.fft.rfftfreq``."""
    return _fft.rfftfreq(n, d=d, device=device)


def __getattr__(name: str) -> Any:
    # NumPy's other fft names: served or refused, naming the way out
    return lookup(f"fft.{name}")
