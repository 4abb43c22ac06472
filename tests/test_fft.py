"""agrad.fft: every transform's gradient against torch.autograd, first and second order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import agrad

RNG = np.random.default_rng(3)

# (id, agrad call, torch call, input shape, complex input); an id starts with its function
CASES: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any], tuple[int, ...], bool]] = [
    ("fft", lambda x: agrad.fft.fft(x), lambda x: torch.fft.fft(x), (2, 5), True),
    ("fft-real-input", lambda x: agrad.fft.fft(x), lambda x: torch.fft.fft(x), (6,), False),
    (
        "fft-n-pad-ortho",
        lambda x: agrad.fft.fft(x, n=8, axis=0, norm="ortho"),
        lambda x: torch.fft.fft(x, n=8, dim=0, norm="ortho"),
        (5, 3),
        True,
    ),
    (
        "ifft-n-crop-forward",
        lambda x: agrad.fft.ifft(x, n=4, norm="forward"),
        lambda x: torch.fft.ifft(x, n=4, norm="forward"),
        (3, 6),
        True,
    ),
    ("fftn", lambda x: agrad.fft.fftn(x), lambda x: torch.fft.fftn(x), (3, 4), True),
    (
        "fftn-s-axes",
        lambda x: agrad.fft.fftn(x, s=(5, 2), axes=(0, 2)),
        lambda x: torch.fft.fftn(x, s=(5, 2), dim=(0, 2)),
        (3, 2, 4),
        True,
    ),
    (
        "ifftn-ortho",
        lambda x: agrad.fft.ifftn(x, norm="ortho"),
        lambda x: torch.fft.ifftn(x, norm="ortho"),
        (4, 3),
        True,
    ),
    ("rfft", lambda x: agrad.fft.rfft(x), lambda x: torch.fft.rfft(x), (3, 6), False),
    (
        "rfft-odd-n",
        lambda x: agrad.fft.rfft(x, n=7, axis=0),
        lambda x: torch.fft.rfft(x, n=7, dim=0),
        (5, 2),
        False,
    ),
    ("irfft", lambda x: agrad.fft.irfft(x), lambda x: torch.fft.irfft(x), (2, 5), True),
    (
        "irfft-odd-n-ortho",
        lambda x: agrad.fft.irfft(x, n=7, norm="ortho"),
        lambda x: torch.fft.irfft(x, n=7, norm="ortho"),
        (4,),
        True,
    ),
    ("hfft", lambda x: agrad.fft.hfft(x), lambda x: torch.fft.hfft(x), (5,), True),
    ("ihfft", lambda x: agrad.fft.ihfft(x), lambda x: torch.fft.ihfft(x), (2, 6), False),
    ("rfftn", lambda x: agrad.fft.rfftn(x), lambda x: torch.fft.rfftn(x), (4, 6), False),
    (
        "irfftn-s",
        lambda x: agrad.fft.irfftn(x, s=(4, 6)),
        lambda x: torch.fft.irfftn(x, s=(4, 6)),
        (4, 4),
        True,
    ),
    (
        "fftshift",
        lambda x: agrad.fft.fftshift(x, axes=0) * x,
        lambda x: torch.fft.fftshift(x, dim=0) * x,
        (5, 2),
        True,
    ),
    (
        "ifftshift",
        lambda x: agrad.fft.ifftshift(x) * x,
        lambda x: torch.fft.ifftshift(x) * x,
        (4, 3),
        False,
    ),
]


def _draw(shape: tuple[int, ...], cplx: bool) -> np.ndarray:
    x = RNG.standard_normal(shape)
    return x + 1j * RNG.standard_normal(shape) if cplx else x


def _split(lib: Any, g: Any) -> tuple[Any, Any]:
    if lib is agrad:
        return (agrad.real(g), agrad.imag(g)) if g.dtype.kind == "c" else (g, g * 0.0)
    return (g.real, g.imag) if g.is_complex() else (g, g * 0.0)


TOLERANCES = {"float64": {"rtol": 1e-10, "atol": 1e-12}, "float32": {"rtol": 2e-4, "atol": 2e-4}}


@pytest.mark.parametrize("precision", ["float64", "float32"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_fft_gradients_match_torch(case, precision):
    _, f_agrad, f_torch, shape, cplx = case
    tol = TOLERANCES[precision]
    xa = _draw(shape, cplx)
    if precision == "float32":
        xa = xa.astype(np.complex64 if cplx else np.float32)
    x = agrad.tensor(xa, requires_grad=True)
    xt = torch.tensor(xa, requires_grad=True)
    out, out_t = f_agrad(x), f_torch(xt)
    expected_out = out_t.detach().resolve_conj().numpy()
    np.testing.assert_allclose(out.array, expected_out, **tol)
    assert out.array.dtype == expected_out.dtype
    w = _draw(tuple(out_t.shape), out_t.is_complex()).astype(expected_out.dtype)
    (g,) = agrad.grad(out, x, agrad.asarray(w), create_graph=True)
    (gt,) = torch.autograd.grad(out_t, xt, torch.tensor(w), create_graph=True)
    np.testing.assert_allclose(g.array, gt.detach().resolve_conj().numpy(), **tol)
    assert g.dtype == x.dtype
    # a linear transform has a constant gradient: then neither library has a second order
    assert g.requires_grad == gt.requires_grad
    if not gt.requires_grad:
        return
    # second order: the gradient of a real functional of the first gradient
    real_dtype = np.float32 if precision == "float32" else np.float64
    v1 = RNG.standard_normal(shape).astype(real_dtype)
    v2 = RNG.standard_normal(shape).astype(real_dtype)
    re, im = _split(agrad, g)
    (h,) = agrad.grad(agrad.sum(re * v1 + im * v2), x, allow_unused=True)
    re_t, im_t = _split(torch, gt)
    (ht,) = torch.autograd.grad(
        (re_t * torch.tensor(v1) + im_t * torch.tensor(v2)).sum(), xt, allow_unused=True
    )
    expected = np.zeros(shape) if ht is None else ht.resolve_conj().numpy()
    actual = np.zeros(shape) if h is None else h.array
    np.testing.assert_allclose(actual, expected, **tol)


def test_fftfreq_and_rfftfreq_match_numpy():
    np.testing.assert_allclose(agrad.fft.fftfreq(5, d=0.5).array, np.fft.fftfreq(5, d=0.5))
    f = agrad.fft.rfftfreq(6, dtype=agrad.float32)
    assert f.dtype == agrad.float32
    np.testing.assert_allclose(f.array, np.fft.rfftfreq(6))


def test_every_fft_rule_has_a_case():
    from agrad._registry import TABLE

    ruled = {n for n, r in TABLE.items() if n.startswith("fft.") and not r.nondiff}
    covered = {"fft." + case[0].split("-")[0] for case in CASES}
    assert ruled <= covered, f"fft rules without a case: {sorted(ruled - covered)}"
