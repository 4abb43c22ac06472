"""Oracles: what a gradient should be, computed without the rule under test.

Both oracles compute the same two quantities as :mod:`agrad.conformance.check` does with
agrad, for fixed random cotangents ``w_k`` (one per output) and directions ``v_i`` (one per
input):

- order 1: the gradient of ``L(x) = sum_k Re <w_k, f_k(x)>`` with respect to each input,
  in torch's convention for complex numbers (``dL/dRe(x) + 1j * dL/dIm(x)``);
- order 2: the gradient of ``M(x, w) = sum_i Re <v_i, grad_i L(x, w)>`` with respect to
  each input *and* each cotangent: the double backward (``create_graph=True``), as torch's
  ``gradgradcheck`` differentiates it, so even a linear function's backward is checked.

``torch_grads`` runs torch.autograd on the CPU in float64 (complex128); ``finite_difference
_grads`` uses a fourth-order central stencil in float64, for functions torch lacks and for
user rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["finite_difference_grads", "inner", "torch_grads", "widen"]

Grads = list[list[np.ndarray | None]]


def widen(x: Any) -> np.ndarray:
    """``x`` in float64 (or complex128): the precision oracles work in.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.conformance.oracle import widen
    >>> widen(np.ones(2, np.float32)).dtype
    dtype('float64')
    """
    x = np.asarray(x)
    return x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)


def inner(w: np.ndarray, y: np.ndarray) -> float:
    """``Re <w, y> = Re sum(conj(w) * y)``: the scalar a cotangent ``w`` pulls back.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.conformance.oracle import inner
    >>> inner(np.array([1j]), np.array([2j]))
    2.0
    """
    return float(np.real(np.sum(np.conj(w) * y)))


def _np(t: Any) -> np.ndarray:
    # force=True also materialises torch's lazy conjugates and zero tensors
    return t.detach().numpy(force=True)  # type: ignore[no-any-return]


def _as_tuple(out: Any) -> tuple[Any, ...]:
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def torch_grads(
    fn: Callable[..., Any],
    inputs: Sequence[np.ndarray],
    cotangents: Sequence[np.ndarray],
    directions: Sequence[np.ndarray] = (),
    *,
    order: int = 1,
) -> Grads:
    """First (and second) order gradients of ``fn`` by torch.autograd, on the CPU in float64.

    ``fn(*tensors)`` returns a tensor or a tuple of them (one cotangent each). The result
    holds one list per order: ``[[grad per input], [grad per input, then per cotangent]]``,
    ``None`` where torch found no dependence (a zero).

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.conformance.oracle import torch_grads
    >>> [[g]] = torch_grads(lambda t: t * t, [np.array([3.0])], [np.array([1.0])])
    >>> g.tolist()
    [6.0]
    """
    import warnings

    import torch

    with warnings.catch_warnings():
        # torch's own notes (casts inside its backward, a correction >= the count on
        # empty arrays) are not the rule's business
        warnings.simplefilter("ignore")
        return _torch_grads(torch, fn, inputs, cotangents, directions, order)


def _torch_grads(
    torch: Any,
    fn: Callable[..., Any],
    inputs: Sequence[np.ndarray],
    cotangents: Sequence[np.ndarray],
    directions: Sequence[np.ndarray],
    order: int,
) -> Grads:
    xs = [torch.tensor(widen(x), requires_grad=True) for x in inputs]
    outs = _as_tuple(fn(*xs))
    ws = [torch.tensor(widen(w), requires_grad=order > 1) for w in cotangents]
    pairs = [
        (o, w if w.dtype == o.dtype or w.is_complex() != o.is_complex() else w.to(o.dtype))
        for o, w in zip(outs, ws, strict=True)
        if o.requires_grad
    ]
    results: Grads = []
    if not pairs:
        nothing: Grads = [[None] * len(xs)]
        return nothing + [[None] * (len(xs) + len(ws)) for _ in range(order - 1)]
    firsts = torch.autograd.grad(
        [o for o, _ in pairs],
        xs,
        [w for _, w in pairs],
        create_graph=order > 1,
        allow_unused=True,
    )
    results.append([None if g is None else _np(g) for g in firsts])
    if order > 1:
        terms = [
            (g, torch.tensor(widen(v)))
            for g, v in zip(firsts, directions, strict=True)
            if g is not None and g.requires_grad
        ]
        if not terms:
            results.append([None] * (len(xs) + len(ws)))
        else:
            seconds = torch.autograd.grad(
                [g for g, _ in terms], xs + ws, [v for _, v in terms], allow_unused=True
            )
            results.append([None if g is None else _np(g) for g in seconds])
    return results


# a fourth-order central stencil: f'(x) ~ (f(x-2h) - 8 f(x-h) + 8 f(x+h) - f(x+2h)) / 12h
_STENCIL = ((-2.0, 1.0), (-1.0, -8.0), (1.0, 8.0), (2.0, -1.0))


def _numeric_gradient(
    scalar: Callable[[list[np.ndarray]], float], points: list[np.ndarray], eps: float
) -> list[np.ndarray]:
    """The gradient of a real ``scalar(points)`` w.r.t. each point, torch's complex convention."""
    grads = []
    for k, x in enumerate(points):
        g = np.zeros_like(x)
        flat_g = g.reshape(-1)
        steps: tuple[complex, ...] = (1.0, 1j) if x.dtype.kind == "c" else (1.0,)
        for j in range(x.size):
            for unit in steps:
                total = 0.0
                for offset, weight in _STENCIL:
                    moved = [p.copy() for p in points]
                    moved[k].reshape(-1)[j] += offset * eps * unit
                    total += weight * scalar(moved)
                flat_g[j] += unit * total / (12.0 * eps)
        grads.append(g)
    return grads


def finite_difference_grads(
    fn: Callable[..., Any],
    inputs: Sequence[np.ndarray],
    cotangents: Sequence[np.ndarray],
    directions: Sequence[np.ndarray] = (),
    *,
    order: int = 1,
    grad_fn: Callable[[list[np.ndarray], list[np.ndarray]], list[np.ndarray | None]] | None = None,
    eps: float = 1e-3,
) -> Grads:
    """The same gradients as :func:`torch_grads`, by central finite differences in float64.

    ``fn(*arrays)`` takes and returns NumPy arrays (or a tuple of them). Order 2 needs
    ``grad_fn(inputs, cotangents)``, the first-order gradients to differentiate (agrad's
    own backward, whose second order is then checked against it).

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.conformance.oracle import finite_difference_grads
    >>> [[g]] = finite_difference_grads(np.sin, [np.array([0.0])], [np.array([1.0])])
    >>> round(float(g[0]), 9)
    1.0
    """
    xs = [widen(x) for x in inputs]
    ws = [widen(w) for w in cotangents]

    def loss(points: list[np.ndarray]) -> float:
        outs = _as_tuple(fn(*points))
        return sum((inner(w, widen(o)) for w, o in zip(ws, outs, strict=True)), 0.0)

    results: Grads = [list(_numeric_gradient(loss, xs, eps))]
    if order > 1:
        if grad_fn is None:
            msg = "Second-order finite differences need `grad_fn` (the first-order gradients)."
            raise ValueError(msg)
        vs = [widen(v) for v in directions]
        n = len(xs)

        def second(points: list[np.ndarray]) -> float:
            grads = grad_fn(points[:n], points[n:])
            return sum(
                (inner(v, widen(g)) for v, g in zip(vs, grads, strict=True) if g is not None),
                0.0,
            )

        results.append(list(_numeric_gradient(second, xs + ws, eps)))
    return results
