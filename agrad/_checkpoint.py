"""``agrad.checkpoint``: trade compute for memory by recomputing in backward."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agrad._autograd import grad
from agrad._function import Function, FunctionCtx
from agrad._grad_mode import STATE, enable_grad
from agrad._tensor import Tensor

__all__ = ["checkpoint"]


class _Checkpoint(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, fn: Callable[..., Any], *args: Any) -> Any:
        ctx.fn = fn  # type: ignore[attr-defined]  # ctx carries what backward needs
        ctx.save_for_backward(*(a if isinstance(a, Tensor) else None for a in args))
        ctx.others = args  # type: ignore[attr-defined]
        return fn(*args)

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        saved = ctx.saved_tensors
        others = ctx.others  # type: ignore[attr-defined]
        create_graph = STATE.enabled
        inputs = []
        args = []
        for s, o in zip(saved, others, strict=False):
            if s is None:
                args.append(o)
                continue
            # under create_graph the recomputation must hang off the real inputs, so that
            # the gradients it returns can be differentiated again
            d = s if create_graph else s.detach()
            if not create_graph:
                d.requires_grad = s.requires_grad
            args.append(d)
            if s.requires_grad:
                inputs.append(d)
        with enable_grad():
            outs = ctx.fn(*args)  # type: ignore[attr-defined]
        outs = outs if isinstance(outs, tuple) else (outs,)
        pairs = [
            (o, g)
            for o, g in zip(outs, grads, strict=False)
            if isinstance(o, Tensor) and o.requires_grad
        ]
        found = (
            grad(
                [o for o, _ in pairs],
                inputs,
                [g for _, g in pairs],
                create_graph=create_graph,
                allow_unused=True,
            )
            if pairs and inputs
            else [None] * len(inputs)
        )
        it = iter(found)
        result: list[Any] = [None]  # for fn
        for s in saved:
            result.append(next(it) if s is not None and s.requires_grad else None)
        return tuple(result)


def checkpoint(fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(*args)`` without keeping its intermediate arrays; recompute them in backward.

    Only the arguments are saved. Use it on blocks whose activations dominate memory.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor([1.0, 2.0], requires_grad=True)
    >>> y = agrad.checkpoint(lambda t: agrad.sum(agrad.sin(t) * agrad.exp(t)), x)
    >>> y.backward()
    >>> x.grad is not None
    True
    """
    return _Checkpoint.apply(fn, *args)
