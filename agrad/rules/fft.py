"""Rules for the standard's ``fft`` extension.

The transforms are linear, so each VJP is the adjoint transform (torch's convention: the
cotangent of ``y = A x`` is ``A^H g``). The adjoint of a transform normalised with
``norm`` is the inverse transform normalised with the dual norm ("backward" and "forward"
swap, "ortho" stays); padding or cropping to ``n`` is undone by cropping or padding back.
``hfft``, ``ihfft``, ``rfftn`` and ``irfftn`` are composed from these in ``agrad.fft``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agrad.extend import Rule, along, device_of, nondiff

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def fit(g: Any, length: int, axis: int, xp: Any) -> Any:
    """``g`` cropped or zero-padded to ``length`` along ``axis``."""
    ax = axis % g.ndim
    have = g.shape[ax]
    if have > length:
        return g[along(ax, slice(0, length))]
    if have < length:
        pad_shape = tuple(length - have if i == ax else n for i, n in enumerate(g.shape))
        pad = xp.zeros(pad_shape, dtype=g.dtype, device=device_of(g))
        return xp.concat([g, pad], axis=ax)
    return g


def _c2c_vjp(inverse: str) -> Callable[..., Any]:
    def vjp(g: Any, out: Any, x: Any, *, xp: Any, n: Any, axis: int, norm: str) -> Any:
        back = getattr(xp.fft, inverse)(g, axis=axis, norm=_DUAL[norm])
        return fit(back, x.shape[axis % x.ndim], axis, xp)

    return vjp


def _c2c_n_vjp(inverse: str) -> Callable[..., Any]:
    def vjp(g: Any, out: Any, x: Any, *, xp: Any, s: Any, axes: Any, norm: str) -> Any:
        axes = tuple(range(-len(s), 0)) if axes is None and s is not None else axes
        if axes is None:
            axes = tuple(range(x.ndim))
        back = getattr(xp.fft, inverse)(g, axes=axes, norm=_DUAL[norm])
        for ax in axes:
            back = fit(back, x.shape[ax % x.ndim], ax, xp)
        return back

    return vjp


def _rfft_vjp(g: Any, out: Any, x: Any, *, xp: Any, n: Any, axis: int, norm: str) -> Any:
    # y = first n//2 + 1 bins of fft(x padded to n): the missing bins get no cotangent
    length = x.shape[axis % x.ndim] if n is None else n
    full = xp.fft.ifft(fit(g, length, axis, xp), axis=axis, norm=_DUAL[norm])
    return fit(full, x.shape[axis % x.ndim], axis, xp)  # complex: the engine keeps its real part


def _irfft_vjp(g: Any, out: Any, x: Any, *, xp: Any, n: Any, axis: int, norm: str) -> Any:
    # each interior bin of the half spectrum appears twice in the Hermitian signal
    length = out.shape[axis % out.ndim]
    half = xp.fft.rfft(g, axis=axis, norm=_DUAL[norm])
    bins = half.shape[axis % half.ndim]
    weights = [1.0] + [2.0] * (bins - 1)
    if length % 2 == 0:
        weights[-1] = 1.0
    shape = tuple(bins if i == axis % half.ndim else 1 for i in range(half.ndim))
    w = xp.reshape(xp.asarray(weights, dtype=xp.float64, device=device_of(g)), shape)
    return fit(half * xp.astype(w, half.dtype), x.shape[axis % x.ndim], axis, xp)


RULES = [
    Rule("fft.fft", _c2c_vjp("ifft"), save="meta"),
    Rule("fft.ifft", _c2c_vjp("fft"), save="meta"),
    Rule("fft.fftn", _c2c_n_vjp("ifftn"), save="meta"),
    Rule("fft.ifftn", _c2c_n_vjp("fftn"), save="meta"),
    Rule("fft.rfft", _rfft_vjp, save="meta"),
    Rule("fft.irfft", _irfft_vjp, save="meta"),
    Rule("fft.hfft", composite=True),
    Rule("fft.ihfft", composite=True),
    Rule("fft.rfftn", composite=True),
    Rule("fft.irfftn", composite=True),
    Rule(
        "fft.fftshift",
        lambda g, out, x, *, xp, axes=None: xp.fft.ifftshift(g, axes=axes),
        linear=True,
    ),
    Rule(
        "fft.ifftshift",
        lambda g, out, x, *, xp, axes=None: xp.fft.fftshift(g, axes=axes),
        linear=True,
    ),
    *nondiff("fft.fftfreq", "fft.rfftfreq"),
]
