"""``agrad.numpy.linalg.eigh``/``eigvalsh`` read one triangle (``UPLO``): their gradient is
that of the function NumPy computes, checked by finite differences of NumPy itself."""

from __future__ import annotations

import numpy as np
import pytest

import agrad
import agrad.numpy as anp

RNG = np.random.default_rng(11)


def _loss_numpy(a: np.ndarray, uplo: str, weights: np.ndarray) -> float:
    w, v = np.linalg.eigh(a, UPLO=uplo)
    # |v|^2 does not depend on each eigenvector's phase
    return float(np.sum(weights[0] * w) + np.sum(weights[1:] * np.abs(v) ** 2))


def _loss_agrad(a: agrad.Tensor, uplo: str, weights: np.ndarray) -> agrad.Tensor:
    w, v = anp.linalg.eigh(a, UPLO=uplo)
    return anp.sum(weights[0] * w) + anp.sum(weights[1:] * anp.abs(v) ** 2)


def _numeric_grad(a: np.ndarray, f, eps: float = 1e-6) -> np.ndarray:
    """torch's convention for a real loss of complex input: dL/dRe + i dL/dIm."""
    g = np.zeros(a.shape, dtype=a.dtype)
    for idx in np.ndindex(a.shape):
        steps = [1.0, 1j] if np.iscomplexobj(a) else [1.0]
        for s in steps:
            e = np.zeros_like(a)
            e[idx] = s * eps
            d = (f(a + e) - f(a - e)) / (2 * eps)
            g[idx] += d * s
    return g


@pytest.mark.parametrize("uplo", ["L", "U"])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_eigh_gradient_is_that_of_the_triangle_numpy_reads(uplo: str, dtype: type) -> None:
    n = 4
    a = RNG.normal(size=(n, n)).astype(dtype)
    if dtype is np.complex128:
        a = a + 1j * RNG.normal(size=(n, n))
    weights = RNG.normal(size=(n + 1, n))
    x = agrad.tensor(a, requires_grad=True)
    loss = _loss_agrad(x, uplo, weights)
    assert loss.item() == pytest.approx(_loss_numpy(a, uplo, weights), rel=1e-12)
    loss.backward()
    expected = _numeric_grad(a, lambda m: _loss_numpy(m, uplo, weights))
    np.testing.assert_allclose(x.grad.array, expected, atol=1e-6)
    unread = np.triu(np.ones((n, n)), 1) if uplo == "L" else np.tril(np.ones((n, n)), -1)
    assert np.all(x.grad.array[unread == 1] == 0)


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigvalsh_gradient_is_triangular_and_matches_finite_differences(uplo: str) -> None:
    a = RNG.normal(size=(3, 3))
    weights = RNG.normal(size=3)
    x = agrad.tensor(a, requires_grad=True)
    anp.sum(weights * anp.linalg.eigvalsh(x, UPLO=uplo)).backward()
    expected = _numeric_grad(a, lambda m: float(np.sum(weights * np.linalg.eigvalsh(m, UPLO=uplo))))
    np.testing.assert_allclose(x.grad.array, expected, atol=1e-6)


def test_the_standard_eigh_keeps_the_symmetric_gradient() -> None:
    # agrad.linalg.eigh follows torch: the gradient of the Hermitian part
    torch = pytest.importorskip("torch")
    a = RNG.normal(size=(3, 3))
    s = a + a.T
    x = agrad.tensor(s, requires_grad=True)
    agrad.sum(agrad.linalg.eigvalsh(x) ** 3).backward()
    t = torch.tensor(s, requires_grad=True)
    torch.sum(torch.linalg.eigvalsh(t) ** 3).backward()
    np.testing.assert_allclose(x.grad.array, t.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(x.grad.array, x.grad.array.T)
