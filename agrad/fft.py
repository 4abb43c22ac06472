"""The standard's ``fft`` extension, differentiable (``agrad.fft``).

https://data-apis.org/array-api/latest/extensions/fourier_transform_functions.html — agrad
follows it; gradients follow torch.autograd's convention for complex numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from agrad._api._convert import native_dtype, resolve_device
from agrad._api.elementwise import conj
from agrad._dtypes import DType
from agrad._ops import apply
from agrad._registry import TABLE
from agrad._tensor import Tensor, make
from agrad.rules.fft import _DUAL

__all__ = [
    "fft",
    "fftfreq",
    "fftn",
    "fftshift",
    "hfft",
    "ifft",
    "ifftn",
    "ifftshift",
    "ihfft",
    "irfft",
    "irfftn",
    "rfft",
    "rfftfreq",
    "rfftn",
]

Norm = Literal["backward", "ortho", "forward"]


def _one_axis(name: str, x: Tensor, n: int | None, axis: int, norm: str) -> Tensor:
    def forward(xp: Any, a: Any, *, n: Any, axis: int, norm: str) -> Any:
        return getattr(xp.fft, name.removeprefix("fft."))(a, n=n, axis=axis, norm=norm)

    return apply(TABLE[name], (x,), {"n": n, "axis": axis, "norm": norm}, forward)  # type: ignore[no-any-return]


def _axes(name: str, x: Tensor, s: Any, axes: Any, norm: str) -> Tensor:
    def forward(xp: Any, a: Any, *, s: Any, axes: Any, norm: str) -> Any:
        return getattr(xp.fft, name.removeprefix("fft."))(a, s=s, axes=axes, norm=norm)

    kw = {
        "s": None if s is None else tuple(s),
        "axes": None if axes is None else tuple(axes),
        "norm": norm,
    }
    return apply(TABLE[name], (x,), kw, forward)  # type: ignore[no-any-return]


def fft(x: Tensor, /, *, n: int | None = None, axis: int = -1, norm: Norm = "backward") -> Tensor:
    """One-dimensional discrete Fourier transform.

    Examples
    --------
    >>> import agrad
    >>> agrad.fft.fft(agrad.asarray([1.0, 0.0, 0.0, 0.0])).tolist()
    [(1+0j), (1+0j), (1+0j), (1+0j)]
    """
    return _one_axis("fft.fft", x, n, axis, norm)


def ifft(x: Tensor, /, *, n: int | None = None, axis: int = -1, norm: Norm = "backward") -> Tensor:
    """One-dimensional inverse discrete Fourier transform.

    Examples
    --------
    >>> import agrad
    >>> agrad.fft.ifft(agrad.asarray([4.0, 0.0, 0.0, 0.0])).tolist()
    [(1+0j), (1+0j), (1+0j), (1+0j)]
    """
    return _one_axis("fft.ifft", x, n, axis, norm)


def fftn(
    x: Tensor,
    /,
    *,
    s: Sequence[int] | None = None,
    axes: Sequence[int] | None = None,
    norm: Norm = "backward",
) -> Tensor:
    """n-dimensional discrete Fourier transform over ``axes``.

    Examples
    --------
    >>> import agrad
    >>> agrad.fft.fftn(agrad.ones((2, 2))).tolist()
    [[(4+0j), 0j], [0j, 0j]]
    """
    return _axes("fft.fftn", x, s, axes, norm)


def ifftn(
    x: Tensor,
    /,
    *,
    s: Sequence[int] | None = None,
    axes: Sequence[int] | None = None,
    norm: Norm = "backward",
) -> Tensor:
    """n-dimensional inverse discrete Fourier transform over ``axes``.

    Examples
    --------
    >>> import agrad
    >>> agrad.fft.ifftn(agrad.ones((2, 2))).tolist()
    [[(1+0j), 0j], [0j, 0j]]
    """
    return _axes("fft.ifftn", x, s, axes, norm)


def rfft(x: Tensor, /, *, n: int | None = None, axis: int = -1, norm: Norm = "backward") -> Tensor:
    """Fourier transform of a real signal: the ``n // 2 + 1`` non-negative frequencies.

    Examples
    --------
    >>> import agrad
    >>> agrad.fft.rfft(agrad.asarray([1.0, 1.0, 1.0, 1.0])).tolist()
    [(4+0j), 0j, 0j]
    """
    return _one_axis("fft.rfft", x, n, axis, norm)


def irfft(x: Tensor, /, *, n: int | None = None, axis: int = -1, norm: Norm = "backward") -> Tensor:
    """The real signal of length ``n`` (``2 * (m - 1)`` by default) with half spectrum ``x``.

    Examples
    --------
    >>> import agrad
    >>> agrad.fft.irfft(agrad.asarray([4.0, 0.0, 0.0])).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    return _one_axis("fft.irfft", x, n, axis, norm)


def hfft(x: Tensor, /, *, n: int | None = None, axis: int = -1, norm: Norm = "backward") -> Tensor:
    """The real spectrum of a signal with Hermitian symmetry, given by its first half.

    Examples
    --------
    >>> import agrad
    >>> agrad.fft.hfft(agrad.asarray([1.0, 0.0, 0.0])).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    # hfft(x) is irfft(conj(x)) with the dual normalisation
    return irfft(conj(x), n=n, axis=axis, norm=_DUAL[norm])  # type: ignore[arg-type]


def ihfft(x: Tensor, /, *, n: int | None = None, axis: int = -1, norm: Norm = "backward") -> Tensor:
    """The inverse of ``hfft``: half of a Hermitian spectrum from a real signal.

    Examples
    --------
    >>> import agrad
    >>> agrad.fft.ihfft(agrad.asarray([1.0, 1.0, 1.0, 1.0])).tolist()
    [(1-0j), -0j, -0j]
    """
    return conj(rfft(x, n=n, axis=axis, norm=_DUAL[norm]))  # type: ignore[arg-type]


def _last_axes(
    x: Tensor, s: Sequence[int] | None, axes: Sequence[int] | None
) -> tuple[list[int | None], list[int]]:
    if axes is None:
        axes = list(range(-len(s), 0)) if s is not None else list(range(x.ndim))
    sizes: list[int | None] = list(s) if s is not None else [None] * len(axes)
    return sizes, list(axes)


def rfftn(
    x: Tensor,
    /,
    *,
    s: Sequence[int] | None = None,
    axes: Sequence[int] | None = None,
    norm: Norm = "backward",
) -> Tensor:
    """n-dimensional Fourier transform of a real signal (half spectrum on the last axis).

    Examples
    --------
    >>> import agrad
    >>> agrad.fft.rfftn(agrad.ones((2, 2))).tolist()
    [[(4+0j), 0j], [0j, 0j]]
    """
    sizes, ax = _last_axes(x, s, axes)
    y = rfft(x, n=sizes[-1], axis=ax[-1], norm=norm)
    if len(ax) > 1:
        y = fftn(y, s=None if s is None else list(s)[:-1], axes=ax[:-1], norm=norm)
    return y


def irfftn(
    x: Tensor,
    /,
    *,
    s: Sequence[int] | None = None,
    axes: Sequence[int] | None = None,
    norm: Norm = "backward",
) -> Tensor:
    """The inverse of ``rfftn``.

    Examples
    --------
    >>> import agrad
    >>> agrad.fft.irfftn(agrad.asarray([[4.0, 0.0], [0.0, 0.0]])).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    sizes, ax = _last_axes(x, s, axes)
    y = x
    if len(ax) > 1:
        y = ifftn(y, s=None if s is None else list(s)[:-1], axes=ax[:-1], norm=norm)
    return irfft(y, n=sizes[-1], axis=ax[-1], norm=norm)


def _shift(name: str, x: Tensor, axes: Any) -> Tensor:
    def forward(xp: Any, a: Any, *, axes: Any) -> Any:
        return getattr(xp.fft, name.removeprefix("fft."))(a, axes=axes)

    return apply(TABLE[name], (x,), {"axes": axes}, forward)  # type: ignore[no-any-return]


def fftshift(x: Tensor, /, *, axes: int | Sequence[int] | None = None) -> Tensor:
    """Move the zero-frequency term to the centre.

    Examples
    --------
    >>> import agrad
    >>> agrad.fft.fftshift(agrad.asarray([0.0, 1.0, 2.0, -2.0, -1.0])).tolist()
    [-2.0, -1.0, 0.0, 1.0, 2.0]
    """
    return _shift("fft.fftshift", x, axes)


def ifftshift(x: Tensor, /, *, axes: int | Sequence[int] | None = None) -> Tensor:
    """The inverse of ``fftshift``.

    Examples
    --------
    >>> import agrad
    >>> agrad.fft.ifftshift(agrad.asarray([-2.0, -1.0, 0.0, 1.0, 2.0])).tolist()
    [0.0, 1.0, 2.0, -2.0, -1.0]
    """
    return _shift("fft.ifftshift", x, axes)


def _freq(name: str, n: int, d: float, dtype: DType | None, device: Any) -> Tensor:
    dev = resolve_device(device)
    array = getattr(dev.xp.fft, name)(n, d=d, device=dev.native)
    if dtype is not None:
        array = dev.xp.astype(array, native_dtype(dtype, dev))
    return make(dev.backend.ensure_array(array), dev)


def fftfreq(n: int, /, *, d: float = 1.0, dtype: DType | None = None, device: Any = None) -> Tensor:
    """The sample frequencies of an ``n``-point transform (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.fft.fftfreq(4).tolist()
    [0.0, 0.25, -0.5, -0.25]
    """
    return _freq("fftfreq", n, d, dtype, device)


def rfftfreq(
    n: int, /, *, d: float = 1.0, dtype: DType | None = None, device: Any = None
) -> Tensor:
    """The non-negative sample frequencies of an ``n``-point real transform (no gradient).

    Examples
    --------
    >>> import agrad
    >>> agrad.fft.rfftfreq(4).tolist()
    [0.0, 0.25, 0.5]
    """
    return _freq("rfftfreq", n, d, dtype, device)
