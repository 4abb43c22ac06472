"""Run specs against the torch.autograd oracle and collect the worst errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from agrad.conformance.specs import Spec

__all__ = ["Result", "check_spec"]


@dataclass
class Result:
    """The outcome of one spec on one device at one order."""

    spec: str
    device: str
    order: int
    examples: int = 0
    worst_abs: float = 0.0
    worst_rel: float = 0.0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _draw(rng: np.random.Generator, spec: Spec, shape: tuple[int, ...]) -> np.ndarray:
    lo, hi = spec.domain
    values = rng.uniform(lo, hi, size=shape)
    if spec.distinct and values.size:
        # spread the values on a grid with random order, so no two are near a tie
        grid = np.linspace(lo, hi, values.size + 2)[1:-1]
        values = rng.permutation(grid).reshape(shape) + rng.uniform(-0.01, 0.01, size=shape)
    return values


def _agrad_grads(
    spec: Spec, arrays: list[np.ndarray], weights: list[Any], order: int, device: str
) -> list[list[np.ndarray | None]]:
    import agrad

    xs = [agrad.tensor(a, requires_grad=True, device=device) for a in arrays]
    out = spec.call(agrad, *xs)
    w = agrad.asarray(weights[0], device=device)
    scalar = agrad.sum(agrad.astype(out, agrad.float64) * w)
    results: list[list[np.ndarray | None]] = []
    for k in range(order):
        grads = agrad.grad(scalar, xs, create_graph=k + 1 < order, allow_unused=True)
        results.append([None if g is None else np.asarray(g.array) for g in grads])
        if k + 1 < order:
            terms = [
                agrad.sum(g * agrad.asarray(v, device=device))
                for g, v in zip(grads, weights[k + 1], strict=False)
                if g is not None
            ]
            if not any(t.requires_grad for t in terms):  # the gradient is constant
                results.extend([[None] * len(xs)] * (order - k - 1))
                break
            scalar = terms[0]
            for term in terms[1:]:
                scalar = scalar + term
    return results


def _torch_grads(
    spec: Spec, arrays: list[np.ndarray], weights: list[Any], order: int
) -> list[list[np.ndarray | None]]:
    import torch

    xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = spec.torch_call(torch, *xs)
    scalar = (out.to(torch.float64) * torch.tensor(weights[0])).sum()
    results: list[list[np.ndarray | None]] = []
    for k in range(order):
        grads = torch.autograd.grad(scalar, xs, create_graph=k + 1 < order, allow_unused=True)
        results.append([None if g is None else g.detach().numpy(force=True) for g in grads])
        if k + 1 < order:
            terms = [
                (g * torch.tensor(v)).sum()
                for g, v in zip(grads, weights[k + 1], strict=False)
                if g is not None
            ]
            if not terms or not any(t.requires_grad for t in terms):
                results.extend([[None] * len(xs)] * (order - k - 1))
                break
            scalar = sum(terms[1:], terms[0])
    return results


def check_spec(
    spec: Spec,
    *,
    device: str = "numpy",
    order: int = 1,
    examples: int = 3,
    seed: int = 0,
    rtol: float = 1e-7,
    atol: float = 1e-9,
) -> Result:
    """Compare agrad with torch.autograd on ``examples`` random inputs per input shape."""
    import torch

    result = Result(spec.id, device, order)
    rng = np.random.default_rng(seed)
    for shapes in spec.shapes:
        for _ in range(examples):
            arrays = [_draw(rng, spec, s) for s in shapes]
            with torch.no_grad():
                out_shape = tuple(spec.torch_call(torch, *(torch.tensor(a) for a in arrays)).shape)
            weights: list[Any] = [rng.standard_normal(out_shape)]
            weights += [[rng.standard_normal(s) for s in shapes] for _ in range(order - 1)]
            try:
                ours = _agrad_grads(spec, arrays, weights, order, device)
            except Exception as exc:
                result.error = f"{type(exc).__name__}: {exc}"
                return result
            theirs = _torch_grads(spec, arrays, weights, order)
            result.examples += 1
            for k in range(order):
                for a, b in zip(ours[k], theirs[k], strict=False):
                    a = np.zeros(1) if a is None else a
                    b = np.zeros(1) if b is None else b
                    diff = float(np.max(np.abs(a - b), initial=0.0))
                    scale = float(np.max(np.abs(b), initial=0.0))
                    result.worst_abs = max(result.worst_abs, diff)
                    result.worst_rel = max(result.worst_rel, diff / scale if scale else diff)
                    if diff > atol + rtol * scale:
                        result.error = (
                            f"order {k + 1}: worst difference {diff:.3g} "
                            f"at inputs of shapes {shapes}"
                        )
    return result
