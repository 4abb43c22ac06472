"""agrad.scipy.signal and agrad.scipy.integrate: forward values equal SciPy's; gradients (to
second order) agree with torch's convolutions or with finite differences and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as ss
import torch
import torch.nn.functional as F
from agrad.conformance import check

import agrad
from agrad.scipy import signal

DEVICES = ["numpy", "torch:cpu"]
RNG = np.random.default_rng(3)
R = RNG.standard_normal


def _np(t: agrad.Tensor) -> np.ndarray:
    return np.asarray(t.to_device("numpy").array)


def _window(mode: str, nx: int, ny: int) -> slice:
    if mode == "full":
        return slice(0, nx + ny - 1)
    if mode == "same":
        return slice((ny - 1) // 2, (ny - 1) // 2 + nx)
    return slice(min(nx, ny) - 1, max(nx, ny))


def torch_convolve(a, b, mode):
    """SciPy's convolve with torch: conv1d/conv2d (a cross-correlation) of the flipped
    kernel over the input padded for the full result, then SciPy's window of it."""
    conv = {1: F.conv1d, 2: F.conv2d}[a.ndim]
    flipped = torch.flip(b, dims=tuple(range(b.ndim)))
    full = conv(a[None, None], flipped[None, None], padding=[n - 1 for n in b.shape])[0, 0]
    return full[tuple(_window(mode, nx, ny) for nx, ny in zip(a.shape, b.shape, strict=True))]


# -- convolve and correlate ---------------------------------------------------------------
SHAPES_1D = [((6,), (3,)), ((4,), (5,)), ((5,), (5,)), ((3,), (4,))]
SHAPES_2D = [((5, 4), (3, 2)), ((4, 3), (4, 2)), ((2, 2), (3, 4))]


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize(("sa", "sb"), SHAPES_1D + SHAPES_2D)
def test_convolve_and_correlate_equal_scipy(mode, sa, sb):
    a, b = R(sa), R(sb)
    for fn, want in ((signal.convolve, ss.convolve), (signal.correlate, ss.correlate)):
        if mode == "valid" and not (
            all(x >= y for x, y in zip(sa, sb, strict=True))
            or all(y >= x for x, y in zip(sa, sb, strict=True))
        ):
            with pytest.raises(ValueError, match="valid"):
                fn(a, b, mode=mode)
            with pytest.raises(ValueError, match="at least as large"):
                want(a, b, mode=mode)
            continue
        np.testing.assert_allclose(_np(fn(a, b, mode=mode)), want(a, b, mode=mode), atol=1e-12)
        for device in DEVICES[1:]:
            got = fn(agrad.asarray(a, device=device), agrad.asarray(b, device=device), mode=mode)
            np.testing.assert_allclose(_np(got), want(a, b, mode=mode), atol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize(
    ("sa", "sb"), [((6,), (3,)), ((3,), (5,)), ((4, 3), (2, 2)), ((2, 3), (3, 4))]
)
def test_convolve_gradients_match_torch(device, mode, sa, sb):
    check(
        lambda a, b: signal.convolve(a, b, mode=mode),
        R(sa),
        R(sb),
        torch_fn=lambda a, b: torch_convolve(a, b, mode),
        order=2,
        device=device,
    )


def test_correlate_complex_and_fftconvolve():
    a = R(5) + 1j * R(5)
    b = R(3) + 1j * R(3)
    np.testing.assert_allclose(_np(signal.correlate(a, b)), ss.correlate(a, b), atol=1e-12)
    check(lambda a, b: signal.correlate(a, b, mode="same"), a, b, order=1)
    x, y = R((3, 6)), R((1, 4))
    np.testing.assert_allclose(_np(signal.fftconvolve(x, y)), ss.fftconvolve(x, y), atol=1e-12)
    for axes in (1, [1], -1):
        got = signal.fftconvolve(x, y, mode="same", axes=axes)
        want = ss.fftconvolve(x, y, mode="same", axes=axes)
        np.testing.assert_allclose(_np(got), want, atol=1e-12)
    check(lambda x, y: signal.fftconvolve(x, y, axes=1), x, y, order=2)


def test_convolve_refuses_what_scipy_refuses():
    with pytest.raises(ValueError, match="same number of dimensions"):
        signal.convolve(R(3), R((2, 2)))
    with pytest.raises(ValueError, match="mode"):
        signal.convolve(R(3), R(2), mode="circular")


# -- HIPS autograd's generalized convolve ----------------------------------------------------
@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_convolve_axes_equal_loops_of_scipy(mode):
    conv = signal._convolve_axes
    a35, a34, a342 = R((3, 5)), R((3, 4)), R((3, 4, 2))
    a2543, a24232 = R((2, 5, 4, 3)), R((2, 4, 2, 3, 2))
    got = conv(a35, a34, axes=([1], [0]), mode=mode)
    assert got.shape[:2] == (3, 4)
    for i in range(3):
        for j in range(4):
            np.testing.assert_allclose(_np(got[i, j]), ss.convolve(a35[i], a34[:, j], mode))
    got = conv(a35, a34, axes=([], []), dot_axes=([0], [0]), mode=mode)
    np.testing.assert_allclose(_np(got), np.tensordot(a35, a34, axes=([0], [0])), atol=1e-12)
    got = conv(a35, a342, axes=([1], [2]), dot_axes=([0], [0]), mode=mode)
    for j in range(4):
        want = sum(ss.convolve(a35[i], a342[i, j], mode) for i in range(3))
        np.testing.assert_allclose(_np(got[j]), want, atol=1e-12)
    got = conv(a2543, a24232, axes=([1, 2], [2, 4]), dot_axes=([0, 3], [0, 3]), mode=mode)
    for k in range(4):
        want = sum(
            ss.convolve(a2543[i, :, :, j], a24232[i, k, :, j, :], mode)
            for i in range(2)
            for j in range(3)
        )
        np.testing.assert_allclose(_np(got[k]), want, atol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize(
    ("sa", "sb", "axes", "dot_axes"),
    [
        ((4, 3), (3, 2), ([0], [1]), ((), ())),
        ((4, 3), (3, 2), ([1, 0], [1, 0]), ((), ())),
        ((3, 3, 2), (3, 2, 3), ([1], [1]), ([0], [2])),
        ((3, 3, 2), (3, 2, 3), ([1], [1]), ([0], [0])),
    ],
)
def test_convolve_axes_gradients_match_finite_differences(device, mode, sa, sb, axes, dot_axes):
    check(
        lambda a, b: signal._convolve_axes(a, b, axes=axes, dot_axes=dot_axes, mode=mode),
        R(sa),
        R(sb),
        order=2,
        device=device,
    )
