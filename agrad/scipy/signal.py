"""``agrad.scipy.signal``: SciPy's N-d convolutions on tensors, differentiable in both inputs.

:func:`convolve`, :func:`correlate` and :func:`fftconvolve` take SciPy's arguments and
follow its semantics (``"full"``, ``"valid"`` and ``"same"`` modes; in ``"valid"`` mode one
input must be at least as large as the other along every axis, either one). On the NumPy
device the forward values are SciPy's; elsewhere the convolution is computed with the
device's own operations. The gradient of a convolution is again a convolution (of the
cotangent with the other input, flipped), so gradients of any order work.

Examples
--------
>>> import agrad
>>> from agrad.scipy import signal
>>> x = agrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = signal.convolve(x, agrad.asarray([1.0, -1.0]))
>>> y.tolist()
[1.0, 1.0, 1.0, -3.0]
>>> agrad.sum(y * y).backward()
>>> x.grad.tolist()
[0.0, 0.0, 8.0]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import agrad
from agrad._arraylike import ArrayLike, as_tensors
from agrad._ops import apply
from agrad._tensor import Tensor
from agrad.errors import AgradValueError
from agrad.extend import Rule, backend_of, conj, device_of
from agrad.scipy._missing import missing

__all__ = ["convolve", "correlate", "fftconvolve"]


def __getattr__(name: str) -> Any:
    error = missing("signal", name, __all__)
    raise error


_MODES = ("full", "valid", "same")


# -- the one convolution everything is built on ----------------------------------------------
# X has axes (ignore_x..., dot..., conv...), Y has (ignore_y..., dot..., conv...), with
# `n_dot` dot axes and k = len(starts) conv axes. The result has axes
# (ignore_x..., ignore_y..., conv...) and, along each conv axis, the window
# [start, start + length) of the full convolution:
#     out[m] = sum_j sum_dot Y[j] X[start + m - j]    (X is zero outside its extent)
def _window_slices(
    n: int, xs: Sequence[int], ys: Sequence[int], starts: Sequence[int], lengths: Sequence[int]
) -> tuple[list[tuple[int, int]], list[int]]:
    """Zero padding of X per conv axis, and where the windows begin in the padded X."""
    pads, bases = [], []
    for nx, ny, s, length in zip(xs, ys, starts, lengths, strict=True):
        left = max(0, ny - 1 - s)
        right = max(0, s + length - nx)
        pads.append((left, right))
        bases.append(s - (ny - 1) + left)
    return pads, bases


def _pad(xp: Any, x: Any, axis: int, left: int, right: int) -> Any:
    if left == 0 and right == 0:
        return x
    parts = []
    for width in (left, None, right):
        if width is None:
            parts.append(x)
        elif width:
            shape = list(x.shape)
            shape[axis] = width
            parts.append(xp.zeros(tuple(shape), dtype=x.dtype, device=_device(x)))
    return xp.concat(parts, axis=axis)


def _device(x: Any) -> Any:
    return device_of(x)


def _conv_forward(
    xp: Any,
    x: Any,
    y: Any,
    *,
    n_dot: int,
    starts: tuple[int, ...],
    lengths: tuple[int, ...],
    method: str,
) -> Any:
    k = len(starts)
    nix = x.ndim - n_dot - k
    niy = y.ndim - n_dot - k
    xs, ys = tuple(x.shape[x.ndim - k :]), tuple(y.shape[y.ndim - k :])
    library = str(backend_of(xp).name)
    if library == "numpy" and nix == niy == n_dot == 0:
        return _scipy_window(xp, x, y, starts, lengths, method)
    if math.prod(ys) > math.prod(xs):
        # convolution commutes: loop over the smaller input's offsets
        # out[m] = sum_i X[i] Y[start + m - i]
        out = _conv_loop(xp, y, x, niy, nix, n_dot, starts, lengths, library)
        order = [*range(niy, niy + nix), *range(niy), *range(nix + niy, nix + niy + k)]
        return xp.permute_dims(out, tuple(order))
    return _conv_loop(xp, x, y, nix, niy, n_dot, starts, lengths, library)


def _scipy_window(
    xp: Any, x: Any, y: Any, starts: Sequence[int], lengths: Sequence[int], method: str
) -> Any:
    import numpy
    import scipy.signal  # type: ignore[import-untyped]  # SciPy ships no stubs

    full = scipy.signal.convolve(x, y, mode="full", method=method)
    key = []
    pads = []
    for axis, (s, length) in enumerate(zip(starts, lengths, strict=True)):
        n = full.shape[axis]
        lo, hi = max(s, 0), min(s + length, n)
        key.append(slice(lo, max(hi, lo)))
        pads.append((lo - s, length - (max(hi, lo) - lo) - (lo - s)))
    out = full[tuple(key)]
    if any(p != (0, 0) for p in pads):
        out = numpy.pad(out, pads)
    return numpy.ascontiguousarray(out)


def _conv_loop(
    xp: Any,
    x: Any,
    y: Any,
    nix: int,
    niy: int,
    n_dot: int,
    starts: Sequence[int],
    lengths: Sequence[int],
    library: str,
) -> Any:
    k = len(starts)
    first = nix + n_dot  # X's first conv axis
    xs, ys = x.shape[first:], y.shape[y.ndim - k :]
    pads, bases = _window_slices(k, xs, ys, starts, lengths)
    for i, (left, right) in enumerate(pads):
        x = _pad(xp, x, first + i, left, right)
    yf = xp.flip(y, axis=tuple(range(y.ndim - k, y.ndim))) if k else y
    x_dot = list(range(nix, first))
    y_dot = list(range(niy, niy + n_dot))
    key = [slice(None)] * first
    if library == "numpy" and k:
        from numpy.lib.stride_tricks import sliding_window_view

        span = [
            slice(b, b + length + ny - 1) for b, length, ny in zip(bases, lengths, ys, strict=True)
        ]
        windows = sliding_window_view(x[tuple(key + span)], ys, axis=tuple(range(first, x.ndim)))
        window_axes = list(range(x.ndim, x.ndim + k))
        out = xp.tensordot(
            windows, yf, axes=(x_dot + window_axes, y_dot + list(range(niy + n_dot, y.ndim)))
        )
    else:
        out = None
        for offset in itertools.product(*(range(ny) for ny in ys)):
            span = [
                slice(b + j, b + j + length)
                for b, j, length in zip(bases, offset, lengths, strict=True)
            ]
            window = x[tuple(key + span)]
            index = (Ellipsis, *offset)
            kernel = yf[index] if k else yf
            term = xp.tensordot(window, kernel, axes=(x_dot, y_dot))
            out = term if out is None else out + term
    # tensordot leaves (ignore_x, conv, ignore_y): conv axes last
    order = [*range(nix), *range(nix + k, nix + k + niy), *range(nix, nix + k)]
    return xp.permute_dims(out, tuple(order))


def _conv(xp: Any, x: Any, y: Any, **kw: Any) -> Any:
    """The core convolution inside a rule: raw arrays, or the differentiable one on tensors."""
    if xp is agrad:
        return _convolve_core(x, y, **kw)
    return _conv_forward(xp, x, y, **kw)


def _conv_vjp_x(
    g: Any,
    out: Any,
    x: Any,
    y: Any,
    *,
    xp: Any,
    n_dot: int,
    starts: tuple[int, ...],
    lengths: tuple[int, ...],
    method: str,
) -> Any:
    # dX[a] = sum_j Y[j] G[a + j - s]: the convolution of G with Y flipped, as a window
    # starting at ny - 1 - s, of X's length; G's ignore_y axes pair with Y's
    k = len(starts)
    niy = y.ndim - n_dot - k
    yf = xp.flip(conj(y, xp), axis=tuple(range(y.ndim - k, y.ndim))) if k else conj(y, xp)
    # Y as (dot..., ignore_y..., conv...): its dot axes become the result's "ignore" axes
    yp = xp.permute_dims(yf, (*range(niy, niy + n_dot), *range(niy), *range(niy + n_dot, y.ndim)))
    xs, ys = x.shape[x.ndim - k :], y.shape[y.ndim - k :]
    new_starts = tuple(ny - 1 - s for ny, s in zip(ys, starts, strict=True))
    return _conv(xp, g, yp, n_dot=niy, starts=new_starts, lengths=tuple(xs), method=method)


def _conv_vjp_y(
    g: Any,
    out: Any,
    x: Any,
    y: Any,
    *,
    xp: Any,
    n_dot: int,
    starts: tuple[int, ...],
    lengths: tuple[int, ...],
    method: str,
) -> Any:
    # dY[b] = sum_i X[i] G[i + b - s]: G (as ignore_y, ignore_x, conv) with X flipped
    k = len(starts)
    nix, niy = x.ndim - n_dot - k, y.ndim - n_dot - k
    gp = xp.permute_dims(g, (*range(nix, nix + niy), *range(nix), *range(nix + niy, g.ndim)))
    xf = xp.flip(conj(x, xp), axis=tuple(range(x.ndim - k, x.ndim))) if k else conj(x, xp)
    xp_ = xp.permute_dims(xf, (*range(nix, nix + n_dot), *range(nix), *range(nix + n_dot, x.ndim)))
    xs, ys = x.shape[x.ndim - k :], y.shape[y.ndim - k :]
    new_starts = tuple(nx - 1 - s for nx, s in zip(xs, starts, strict=True))
    return _conv(xp, gp, xp_, n_dot=nix, starts=new_starts, lengths=tuple(ys), method=method)


_CONVOLVE = Rule("scipy.signal.convolve", _conv_vjp_x, _conv_vjp_y, save="inputs")


def _convolve_core(
    x: Tensor,
    y: Tensor,
    *,
    n_dot: int,
    starts: tuple[int, ...],
    lengths: tuple[int, ...],
    method: str = "auto",
) -> Tensor:
    kw = {"n_dot": n_dot, "starts": starts, "lengths": lengths, "method": method}
    return apply(_CONVOLVE, (x, y), kw, _conv_forward)  # type: ignore[no-any-return]


def _window(mode: str, nx: int, ny: int) -> tuple[int, int]:
    """Where the result of ``mode`` starts in the full convolution, and its length."""
    if mode == "full":
        return 0, nx + ny - 1
    if mode == "same":
        return (ny - 1) // 2, nx
    return min(nx, ny) - 1, abs(nx - ny) + 1


def _check_mode(name: str, mode: str) -> None:
    if mode not in _MODES:
        msg = f"`agrad.scipy.signal.{name}` takes mode 'full', 'valid' or 'same'; got {mode!r}."
        raise AgradValueError(msg)


def _check_valid(name: str, xs: Sequence[int], ys: Sequence[int]) -> None:
    if not (
        all(a >= b for a, b in zip(xs, ys, strict=True))
        or all(b >= a for a, b in zip(xs, ys, strict=True))
    ):
        msg = (
            f"`agrad.scipy.signal.{name}` in 'valid' mode needs one input at least as large "
            f"as the other along every convolved axis; got shapes {tuple(xs)!r} and "
            f"{tuple(ys)!r}. Use mode 'full' or 'same'."
        )
        raise AgradValueError(msg)


def _convolve_axes(
    A: ArrayLike,
    B: ArrayLike,
    axes: Sequence[Sequence[int]] | None = None,
    dot_axes: Sequence[Sequence[int]] = ((), ()),
    mode: str = "full",
) -> Tensor:
    """HIPS autograd's generalized ``convolve``: convolve ``A``'s ``axes[0]`` with ``B``'s
    ``axes[1]`` and sum the products over ``dot_axes`` (pairs of axes of ``A`` and ``B``);
    every other axis of either input is kept, as an outer product.

    The result's axes are ``A``'s kept axes, then ``B``'s, then the convolved ones (in
    ``axes``' order). ``mode`` applies along each convolved axis; ``"same"`` keeps ``A``'s
    length. ``axes=None`` convolves all axes of ``A`` with the same axes of ``B``.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.signal import _convolve_axes
    >>> a = agrad.asarray([[1.0, 2.0], [3.0, 4.0]])
    >>> _convolve_axes(a, agrad.asarray([1.0, 1.0]), axes=([1], [0])).tolist()
    [[1.0, 3.0, 2.0], [3.0, 7.0, 4.0]]
    """
    _check_mode("convolve", mode)
    at, bt = as_tensors([A, B])
    if axes is None:
        axes = (tuple(range(at.ndim)), tuple(range(at.ndim)))
    conv_a, conv_b = [int(i) % at.ndim for i in axes[0]], [int(i) % bt.ndim for i in axes[1]]
    dot_a, dot_b = [int(i) % at.ndim for i in dot_axes[0]], [int(i) % bt.ndim for i in dot_axes[1]]
    if len(conv_a) != len(conv_b) or len(dot_a) != len(dot_b):
        msg = (
            "`agrad.scipy.signal.convolve` pairs axes of `A` with axes of `B`: `axes` and "
            f"`dot_axes` need as many of each; got axes={axes!r}, dot_axes={dot_axes!r}."
        )
        raise AgradValueError(msg)
    ign_a = [i for i in range(at.ndim) if i not in conv_a and i not in dot_a]
    ign_b = [i for i in range(bt.ndim) if i not in conv_b and i not in dot_b]
    xs = [at.shape[i] for i in conv_a]
    ys = [bt.shape[i] for i in conv_b]
    if mode == "valid":
        _check_valid("convolve", xs, ys)
    windows = [_window(mode, nx, ny) for nx, ny in zip(xs, ys, strict=True)]
    x = agrad.permute_dims(at, (*ign_a, *dot_a, *conv_a))
    y = agrad.permute_dims(bt, (*ign_b, *dot_b, *conv_b))
    return _convolve_core(
        x,
        y,
        n_dot=len(dot_a),
        starts=tuple(w[0] for w in windows),
        lengths=tuple(w[1] for w in windows),
    )


def _same_ndim(name: str, a: Tensor, b: Tensor) -> None:
    if a.ndim != b.ndim:
        msg = (
            f"`agrad.scipy.signal.{name}` takes inputs of the same number of dimensions, as "
            f"SciPy does; got {a.ndim} and {b.ndim}."
        )
        raise AgradValueError(msg)


def convolve(in1: ArrayLike, in2: ArrayLike, mode: str = "full", method: str = "auto") -> Tensor:
    """The N-d convolution of ``in1`` and ``in2`` (``scipy.signal.convolve``).

    ``mode`` is ``"full"``, ``"valid"`` or ``"same"`` (the size of ``in1``, centred as in
    SciPy). ``method`` (``"auto"``, ``"direct"``, ``"fft"``) is passed to SciPy on the NumPy
    device and ignored elsewhere. Differentiable in both inputs.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.signal import convolve
    >>> convolve(agrad.asarray([1.0, 2.0, 3.0]), agrad.asarray([0.0, 1.0, 0.5]), "same").tolist()
    [1.0, 2.5, 4.0]
    """
    _check_mode("convolve", mode)
    a, b = as_tensors([in1, in2])
    _same_ndim("convolve", a, b)
    if mode == "valid":
        _check_valid("convolve", a.shape, b.shape)
    windows = [_window(mode, nx, ny) for nx, ny in zip(a.shape, b.shape, strict=True)]
    return _convolve_core(
        a,
        b,
        n_dot=0,
        starts=tuple(w[0] for w in windows),
        lengths=tuple(w[1] for w in windows),
        method=method,
    )


def correlate(in1: ArrayLike, in2: ArrayLike, mode: str = "full", method: str = "auto") -> Tensor:
    """The N-d cross-correlation of ``in1`` and ``in2`` (``scipy.signal.correlate``): the
    convolution of ``in1`` with ``in2`` reversed along every axis and conjugated.

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.signal import correlate
    >>> correlate(agrad.asarray([1.0, 2.0, 3.0]), agrad.asarray([1.0, 1.0]), "valid").tolist()
    [3.0, 5.0]
    """
    a, b = as_tensors([in1, in2])
    _same_ndim("correlate", a, b)
    reversed_ = agrad.flip(b) if b.ndim else b
    if b.dtype.kind == "c":
        reversed_ = agrad.conj(reversed_)
    return convolve(a, reversed_, mode=mode, method=method)


def fftconvolve(
    in1: ArrayLike, in2: ArrayLike, mode: str = "full", axes: int | Sequence[int] | None = None
) -> Tensor:
    """The N-d convolution of ``in1`` and ``in2`` (``scipy.signal.fftconvolve``).

    With ``axes``, only those axes are convolved; the others are broadcast against each
    other, as in SciPy. The result equals :func:`convolve`'s (by FFT on the NumPy device).

    Examples
    --------
    >>> import agrad
    >>> from agrad.scipy.signal import fftconvolve
    >>> fftconvolve(agrad.asarray([1.0, 2.0]), agrad.asarray([1.0, 3.0])).round(12).tolist()
    [1.0, 5.0, 6.0]
    """
    _check_mode("fftconvolve", mode)
    a, b = as_tensors([in1, in2])
    _same_ndim("fftconvolve", a, b)
    if axes is None:
        return convolve(a, b, mode=mode, method="fft")
    conv = sorted({int(i) % a.ndim for i in ([axes] if isinstance(axes, int) else axes)})
    batch = [i for i in range(a.ndim) if i not in conv]
    shape = [max(a.shape[i], b.shape[i]) for i in batch]
    a = agrad.permute_dims(a, (*batch, *conv))
    b = agrad.permute_dims(b, (*batch, *conv))
    a = agrad.broadcast_to(a, (*shape, *a.shape[len(batch) :]))
    b = agrad.broadcast_to(b, (*shape, *b.shape[len(batch) :]))
    n = math.prod(shape)
    a = agrad.reshape(a, (n, *a.shape[len(batch) :]))
    b = agrad.reshape(b, (n, *b.shape[len(batch) :]))
    # the broadcast axes pair element by element: one convolution per element
    parts = [convolve(a[i], b[i], mode=mode, method="fft") for i in range(n)]
    out = agrad.reshape(agrad.stack(parts), (*shape, *parts[0].shape))
    # back to the inputs' axis order
    position = [*batch, *conv]
    return agrad.permute_dims(out, tuple(position.index(i) for i in range(len(position))))
