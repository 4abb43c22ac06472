"""Oracles: what a gradient should be, computed without agrad."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["finite_difference_grad", "torch_grads"]


def torch_grads(
    fn: Callable[..., Any],
    inputs: Sequence[np.ndarray],
    cotangent: np.ndarray | None = None,
    *,
    order: int = 1,
) -> list[list[np.ndarray | None]]:
    """Gradients of ``fn`` (written against torch) at ``inputs``, up to ``order``.

    Returns a list per order: ``[first-order grads, second-order grads, ...]``, where the
    k-th order is the gradient of ``sum(previous grads * fixed random weights)``, the same
    construction :mod:`agrad.conformance.check` uses for agrad, so the two compare exactly.
    """
    import torch

    xs = [torch.tensor(np.asarray(x), requires_grad=True) for x in inputs]
    out = fn(*xs)
    g = torch.ones_like(out) if cotangent is None else torch.tensor(cotangent)
    results: list[list[np.ndarray | None]] = []
    scalar = (out * g.conj()).real.sum() if out.is_complex() else (out * g).sum()
    for k in range(order):
        grads = torch.autograd.grad(scalar, xs, create_graph=k + 1 < order, allow_unused=True)
        results.append([None if gr is None else gr.detach().numpy() for gr in grads])
        if k + 1 < order:
            rng = np.random.default_rng(1000 + k)
            scalar = sum(
                (
                    (gr * torch.tensor(rng.standard_normal(tuple(gr.shape)))).sum()
                    if not gr.is_complex()
                    else (gr.real * torch.tensor(rng.standard_normal(tuple(gr.shape)))).sum()
                )
                for gr in grads
                if gr is not None
            )
    return results


def finite_difference_grad(
    fn: Callable[..., Any], inputs: Sequence[np.ndarray], *, eps: float = 1e-6
) -> list[np.ndarray]:
    """Central finite differences of the scalar ``fn(*inputs)`` (NumPy in, float out)."""
    grads = []
    arrays = [np.array(x, dtype=np.float64, copy=True) for x in inputs]
    for x in arrays:
        g = np.zeros_like(x)
        flat = x.reshape(-1)
        gflat = g.reshape(-1)
        for j in range(flat.size):
            saved = flat[j]
            flat[j] = saved + eps
            plus = float(fn(*arrays))
            flat[j] = saved - eps
            minus = float(fn(*arrays))
            flat[j] = saved
            gflat[j] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads
