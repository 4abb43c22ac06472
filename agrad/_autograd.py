"""``agrad.backward`` and ``agrad.grad``: the public entry points to the engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agrad._engine import run_backward
from agrad._grad_mode import STATE
from agrad._ops import mismatch, quiet_backward, to_tensor
from agrad._tensor import Tensor, make
from agrad.errors import GradShapeError, NonScalarOutputError

__all__ = ["backward", "grad"]


def _as_list(x: Any) -> list[Any]:
    if x is None:
        return []
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _roots(
    outputs: list[Tensor], grads: list[Any], create_graph: bool, who: str
) -> list[tuple[Any, int, Any]]:
    if grads and len(grads) != len(outputs):
        msg = f"`{who}` got {len(outputs)} outputs but {len(grads)} gradients for them."
        raise ValueError(msg)
    roots = []
    for k, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            msg = f"`{who}` needs tensors as outputs; output {k} is a {type(out).__name__}."
            raise TypeError(msg)
        if not out._rg:
            msg = (
                f"Output {k} of `{who}` does not require grad and has no `grad_fn`: nothing "
                "it depends on requires grad. Create the inputs with `requires_grad=True`, and "
                "check that the computation did not run under `agrad.no_grad()`."
            )
            raise RuntimeError(msg)
        g = grads[k] if grads else None
        shape = tuple(out._array.shape)
        if g is None:
            if shape and out.size != 1:  # (a 0-d output needs no product of its shape)
                msg = (
                    f"`{who}` on a non-scalar output (shape {shape!r}) needs a gradient for it: "
                    "pass `gradient=` (`grad_outputs=` for `agrad.grad`) with the output's "
                    "shape, or reduce the output first, e.g. `agrad.sum(y).backward()`."
                )
                raise NonScalarOutputError(msg)
            g = out._dev.xp.ones(shape, dtype=out._array.dtype, device=out._dev.native)
            g = out._dev.backend.ensure_array(g)
            if create_graph:
                g = make(g, out._dev)
        else:
            g_t = to_tensor(g, out._dev)
            if g_t._dev is not out._dev:
                raise mismatch(who, out._dev, g_t._dev)
            if tuple(g_t._array.shape) != shape:
                msg = (
                    f"Gradient {k} passed to `{who}` has shape {tuple(g_t._array.shape)!r}, but "
                    f"its output has shape {shape!r}; they must match."
                )
                raise GradShapeError(msg)
            g = g_t if create_graph else g_t._array
        edge = out._grad_fn if out._grad_fn is not None else out
        roots.append((edge, out._onr, g))
    return roots


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Tensor | Sequence[Tensor] | None = None,
) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves.

    Parameters
    ----------
    tensors
        Outputs to differentiate. A non-scalar output needs its entry in ``grad_tensors``.
    grad_tensors
        The cotangent of each output (``None`` for a scalar output: ones).
    retain_graph
        Keep the saved arrays for another backward (defaults to ``create_graph``).
    create_graph
        Record the backward pass, so the gradients can themselves be differentiated.
    inputs
        Accumulate only into these tensors' ``.grad``.

    Raises
    ------
    NonScalarOutputError
        A non-scalar output without a gradient.
    FreedGraphError
        A second backward through a graph whose saved arrays were freed.
    GradShapeError
        A gradient whose shape differs from its output's.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * x
    >>> agrad.backward(y, agrad.asarray([1.0, 1.0]))
    >>> x.grad
    tensor([2., 4.], device='numpy')
    """
    outputs = _as_list(tensors)
    grads = _as_list(grad_tensors) if not isinstance(grad_tensors, Tensor) else [grad_tensors]
    if retain_graph is None:
        retain_graph = create_graph
    roots = _roots(outputs, grads, create_graph, "backward")
    targets = _as_list(inputs) if inputs is not None else None
    previous = STATE.enabled
    STATE.enabled = create_graph
    try:
        with quiet_backward():
            run_backward(
                roots,
                retain_graph=retain_graph,
                create_graph=create_graph,
                targets=targets,
                accumulate=True,
            )
    finally:
        STATE.enabled = previous


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``.

    Parameters
    ----------
    outputs
        What to differentiate; a non-scalar output needs its ``grad_outputs`` entry.
    inputs
        The tensors to differentiate with respect to (leaves or intermediates).
    grad_outputs
        The cotangent of each output (``None`` for scalars: ones).
    retain_graph
        Keep the saved arrays for another backward (defaults to ``create_graph``).
    create_graph
        Record the computation, for higher-order derivatives.
    allow_unused
        Return ``None`` for an input the outputs don't depend on, instead of raising.

    Returns
    -------
    tuple
        One gradient per input (a Tensor, or None when unused and ``allow_unused``).

    Raises
    ------
    UnusedInputError
        An input is not in the graph and ``allow_unused`` is false.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor(2.0, requires_grad=True)
    >>> (dx,) = agrad.grad(x ** 3, x, create_graph=True)
    >>> (d2x,) = agrad.grad(dx, x)
    >>> float(dx), float(d2x)
    (12.0, 12.0)
    """
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    for k, t in enumerate(ins):
        if not isinstance(t, Tensor) or not t._rg:
            msg = (
                f"Input {k} of `agrad.grad` does not require grad, so it has no gradient. "
                "Create it with `requires_grad=True`."
            )
            raise RuntimeError(msg)
    grads = _as_list(grad_outputs) if not isinstance(grad_outputs, Tensor) else [grad_outputs]
    if retain_graph is None:
        retain_graph = create_graph
    roots = _roots(outs, grads, create_graph, "agrad.grad")
    previous = STATE.enabled
    STATE.enabled = create_graph
    try:
        with quiet_backward():
            results = run_backward(
                roots,
                retain_graph=retain_graph,
                create_graph=create_graph,
                targets=ins,
                accumulate=False,
                allow_unused=allow_unused,
            )
    finally:
        STATE.enabled = previous
    assert results is not None
    wrapped: list[Tensor | None] = []
    for t, r in zip(ins, results, strict=False):
        if r is None or isinstance(r, Tensor):
            wrapped.append(r)
        else:
            wrapped.append(make(t._dev.backend.ensure_array(r), t._dev))
    return tuple(wrapped)
