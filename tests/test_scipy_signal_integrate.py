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
from agrad.scipy import integrate, signal

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


# torch:cpu runs the same code in every mode: one mode there keeps the file fast
@pytest.mark.parametrize(
    ("device", "mode"),
    [("numpy", "full"), ("numpy", "valid"), ("numpy", "same"), ("torch:cpu", "same")],
)
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


# -- odeint ------------------------------------------------------------------------------------
TIGHT = {"rtol": 1e-11, "atol": 1e-11}


def _decay(y, t, a):
    return -a * y


@pytest.mark.parametrize("device", DEVICES)
def test_odeint_gradients_equal_the_closed_form(device):
    # y' = -a y: y(t) = y0 exp(-a (t - t0))
    y0 = agrad.tensor([1.5, -0.5], requires_grad=True, device=device)
    t = agrad.tensor([0.2, 0.7, 1.5, 2.0], requires_grad=True, device=device)
    a = agrad.tensor(0.8, requires_grad=True, device=device)
    y = integrate.odeint(_decay, y0, t, args=(a,), **TIGHT)
    tn, y0n = _np(t), _np(y0)
    want = y0n[None, :] * np.exp(-0.8 * (tn - tn[0]))[:, None]
    np.testing.assert_allclose(_np(y), want, rtol=1e-9)
    cot = R((4, 2))
    gy0, gt, ga = agrad.grad(y, [y0, t, a], grad_outputs=agrad.asarray(cot, device=device))
    decay = np.exp(-0.8 * (tn - tn[0]))
    np.testing.assert_allclose(_np(gy0), (cot * decay[:, None]).sum(0), rtol=1e-8)
    np.testing.assert_allclose(_np(ga), np.sum(cot * -(tn - tn[0])[:, None] * want), rtol=1e-8)
    dt = np.sum(cot * -0.8 * want, axis=1)
    dt[0] = -dt[1:].sum()  # moving t0 shifts the whole solution the other way
    np.testing.assert_allclose(_np(gt), dt, rtol=1e-7, atol=1e-10)


def _nonlinear(y, t, w, b):
    return -agrad.sqrt(t) - y + w - agrad.mean((y + b) ** 2)


def test_odeint_forward_equals_scipy_and_gradients_match_finite_differences():
    import scipy.integrate as si

    y0, t, w, b = R(3), np.linspace(0.1, 0.3, 3), R(3), R(3)
    got = integrate.odeint(_nonlinear, y0, t, args=(agrad.asarray(w), agrad.asarray(b)))

    def plain(y, tt):
        return -np.sqrt(tt) - y + w - np.mean((y + b) ** 2)

    np.testing.assert_allclose(_np(got), si.odeint(plain, y0, t), rtol=1e-12)
    check(
        lambda y0, t, w, b: integrate.odeint(_nonlinear, y0, t, args=(w, b), **TIGHT),
        y0,
        t,
        w,
        b,
        rtol=1e-6,
        atol=1e-8,
    )


def test_odeint_second_order_matches_finite_differences():
    check(
        lambda y0, a: integrate.odeint(_decay, y0, np.array([0.0, 0.5, 1.0]), args=(a,), **TIGHT),
        np.array([1.0, 2.0]),
        np.array(0.7),
        order=2,
        rtol=1e-5,
        atol=1e-7,
    )


def test_odeint_tfirst_nested_args_and_full_output():
    a = agrad.tensor(0.5, requires_grad=True)
    t = np.array([0.0, 1.0])
    y, info = integrate.odeint(
        lambda t, y, p: -p["rate"] * y, [2.0], t, args=({"rate": a},), tfirst=True, full_output=1
    )
    assert "nfe" in info
    np.testing.assert_allclose(_np(y)[1], 2.0 * np.exp(-0.5), rtol=1e-7)
    (ga,) = agrad.grad(y[1, 0], [a])
    np.testing.assert_allclose(float(ga), -2.0 * np.exp(-0.5), rtol=1e-6)


def test_odeint_refuses_closed_over_tensors_that_need_gradients():
    w = agrad.tensor(0.5, requires_grad=True)
    with pytest.raises(ValueError, match="not in `args`"):
        integrate.odeint(lambda y, t: -w * y, [1.0], np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="0-d or 1-d"):
        integrate.odeint(_decay, np.ones((2, 2)), np.array([0.0, 1.0]), args=(1.0,))
