"""``agrad.backward`` and ``agrad.grad``: the public entry points to the engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agrad._api.elementwise import conj as _conj_tensor
from agrad._engine import run_backward
from agrad._grad_mode import STATE
from agrad._ops import SCALARS, device_of_array, mismatch, quiet_backward, to_tensor
from agrad._tensor import Tensor, make
from agrad.errors import (
    AgradTypeError,
    AgradValueError,
    GradShapeError,
    GraphError,
    NonScalarOutputError,
    NotDifferentiableError,
)

__all__ = ["backward", "grad"]


def _as_list(x: Any) -> list[Any]:
    if x is None:
        return []
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _as_outputs(x: Any, who: str) -> list[Any]:
    if isinstance(x, (Tensor, list, tuple)):
        return _as_list(x)
    msg = (
        f"`{who}` differentiates agrad Tensors (or a list of them), got {type(x).__name__}. "
        "Compute the output with agrad operations on tensors that require grad."
    )
    raise AgradTypeError(msg)


def _as_gradients(x: Any) -> list[Any]:
    """The gradients given for the outputs: a list or tuple holds one per output; anything
    else (a tensor, a backend array, a Python number) is one gradient."""
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _as_inputs(x: Any, who: str) -> list[Tensor]:
    inputs = _as_list(x) if isinstance(x, (Tensor, list, tuple)) else [x]
    if not inputs:
        msg = (
            f"`inputs` of `{who}` is empty, so there is nothing to differentiate with respect "
            "to. Leave `inputs` out to reach every leaf, or name the tensors you want."
        )
        raise AgradValueError(msg)
    for k, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            msg = (
                f"Input {k} of `{who}` is a {type(t).__name__}, not an agrad Tensor: "
                "differentiate with respect to tensors that require grad."
            )
            raise AgradTypeError(msg)
        if not t._rg:
            msg = (
                f"Input {k} of `{who}` does not require grad, so it has no gradient. "
                "Create it with `requires_grad=True` (or `t.requires_grad_()` on a leaf)."
            )
            raise GraphError(msg)
    return inputs


def _check_flag(value: Any, name: str, who: str, none_ok: bool) -> None:
    if type(value) is bool or (none_ok and value is None) or type(value).__name__ == "bool_":
        return
    msg = f"`{name}` of `{who}` takes True or False, got {value!r} ({type(value).__name__})."
    raise AgradTypeError(msg)


def _as_gradient(g: Any, out: Tensor, k: int, who: str) -> Tensor:
    """The gradient given for output ``k`` as a tensor of the output's dtype, or an error."""
    if isinstance(g, bool) or not (
        isinstance(g, (Tensor, *SCALARS)) or device_of_array(g) is not None
    ):
        msg = (
            f"Gradient {k} passed to `{who}` is a {type(g).__name__}; a gradient is an agrad "
            "Tensor, a backend array or a Python number, of the output's shape. For several "
            "outputs pass a list with one gradient each."
        )
        raise AgradTypeError(msg)
    g_t = to_tensor(g, out._dev)
    if g_t._dev is not out._dev:
        raise mismatch(who, out._dev, g_t._dev)
    shape = tuple(out._array.shape)
    if tuple(g_t._array.shape) != shape:
        msg = (
            f"Gradient {k} passed to `{who}` has shape {tuple(g_t._array.shape)!r}, but "
            f"its output has shape {shape!r}; they must match."
        )
        raise GradShapeError(msg)
    dtype, want = g_t.dtype, out.dtype
    if dtype != want:
        if dtype.kind == "c" and want.kind != "c":
            msg = (
                f"Gradient {k} passed to `{who}` is complex ({dtype!r}), but its output is "
                f"real ({want!r}): the gradient of a real output is real. Pass its real part "
                "if that is what you mean."
            )
            raise GradShapeError(msg)
        if dtype.kind not in "fci":
            msg = (
                f"Gradient {k} passed to `{who}` has dtype {dtype!r}; a gradient is a number "
                f"array, of the output's dtype {want!r}."
            )
            raise AgradTypeError(msg)
        # as torch: a gradient of another numeric dtype is cast to the output's
        g_t = make(g_t._dev.xp.astype(g_t._array, out._array.dtype), g_t._dev)
    return g_t


def _conj_of(t: Tensor, g: Any) -> Any:
    """``g``, a gradient for ``t`` (a raw array, or a Tensor under ``create_graph``),
    conjugated when ``t`` is complex: JAX's convention in or out of torch's."""
    if t.dtype.kind != "c":
        return g  # conj of a real array is a copy
    if isinstance(g, Tensor):
        return _conj_tensor(g)
    return t._dev.xp.conj(g)


def _conj_leaf(leaf: Tensor, g: Any, graph: bool) -> Any:
    """The engine's last step before ``leaf.grad``, in JAX's convention."""
    if graph and not isinstance(g, Tensor):
        g = to_tensor(g, leaf._dev)
    return _conj_of(leaf, g)


def _enter_jax_sweep() -> None:
    # inside the sweep everything is in torch's convention: rules, hooks, Function.backward
    # and the backward passes they run themselves (agrad.checkpoint's, a rule's own vjp)
    STATE.conj = False
    STATE.sweep_conj = True


def _leave_jax_sweep() -> None:
    STATE.conj = True
    STATE.sweep_conj = False


def _roots(
    outputs: list[Any], grads: list[Any], create_graph: bool, who: str, conj: bool = False
) -> list[tuple[Any, int, Any]]:
    if grads and len(grads) != len(outputs):
        msg = (
            f"`{who}` got {len(outputs)} output(s) but {len(grads)} gradients for them. A "
            "list or tuple of gradients holds one per output; pass a single gradient as an "
            "array (`agrad.asarray([...])`), not a list of numbers."
        )
        raise AgradValueError(msg)
    if not outputs:
        msg = f"`{who}` got no outputs to differentiate."
        raise AgradValueError(msg)
    roots = []
    for k, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            msg = f"`{who}` needs tensors as outputs; output {k} is a {type(out).__name__}."
            raise AgradTypeError(msg)
        if not out._rg:
            msg = (
                f"Output {k} of `{who}` does not require grad and has no `grad_fn`: nothing "
                "it depends on requires grad. Create the inputs with `requires_grad=True`, and "
                "check that the computation did not run under `agrad.no_grad()`."
            )
            raise GraphError(msg)
        if out.dtype.kind not in "fc":
            msg = (
                f"Output {k} of `{who}` has dtype {out.dtype!r}: integer and boolean values "
                "have no gradient (as in PyTorch, a cast to them cuts the graph). "
                "Differentiate a floating-point result instead."
            )
            raise NotDifferentiableError(msg)
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
            if out.dtype.kind == "c":
                msg = (
                    f"`{who}` cannot start from an implicit gradient of 1 on a complex output "
                    f"({out.dtype!r}): only real scalar outputs have one, as in PyTorch. "
                    "Differentiate a real function of it (`agrad.real(y)`, `agrad.abs(y)`), or "
                    "pass the gradient explicitly."
                )
                raise NotDifferentiableError(msg)
            g = out._dev.xp.ones(shape, dtype=out._array.dtype, device=out._dev.native)
            g = out._dev.backend.ensure_array(g)
            if create_graph:
                g = make(g, out._dev)
        else:
            g_t = _as_gradient(g, out, k, who)
            g = g_t if create_graph else g_t._array
            if conj:  # (recorded under create_graph: the caller switched recording on)
                g = _conj_of(out, g)
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
    outputs = _as_outputs(tensors, "backward")
    grads = _as_gradients(grad_tensors)
    _check_flag(retain_graph, "retain_graph", "backward", True)
    _check_flag(create_graph, "create_graph", "backward", False)
    if retain_graph is None:
        retain_graph = create_graph
    targets = _as_inputs(inputs, "backward") if inputs is not None else None
    conj = STATE.conj
    previous = STATE.enabled
    STATE.enabled = create_graph
    if conj:
        _enter_jax_sweep()
    try:
        roots = _roots(outputs, grads, create_graph, "backward", conj)
        with quiet_backward():
            run_backward(
                roots,
                retain_graph=retain_graph,
                create_graph=create_graph,
                targets=targets,
                accumulate=True,
                leaf_map=_conj_leaf if conj else None,
            )
    finally:
        STATE.enabled = previous
        if conj:
            _leave_jax_sweep()


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
    >>> dx.item(), d2x.item()
    (12.0, 12.0)
    """
    outs = _as_outputs(outputs, "agrad.grad")
    ins = _as_inputs(inputs, "agrad.grad")
    grads = _as_gradients(grad_outputs)
    _check_flag(retain_graph, "retain_graph", "agrad.grad", True)
    _check_flag(create_graph, "create_graph", "agrad.grad", False)
    _check_flag(allow_unused, "allow_unused", "agrad.grad", False)
    if retain_graph is None:
        retain_graph = create_graph
    conj = STATE.conj
    previous = STATE.enabled
    STATE.enabled = create_graph
    if conj:
        _enter_jax_sweep()
    try:
        roots = _roots(outs, grads, create_graph, "agrad.grad", conj)
        with quiet_backward():
            results = run_backward(
                roots,
                retain_graph=retain_graph,
                create_graph=create_graph,
                targets=ins,
                accumulate=False,
                allow_unused=allow_unused,
            )
        assert results is not None
        if conj:
            results = [
                r if r is None else _conj_of(t, r) for t, r in zip(ins, results, strict=True)
            ]
    finally:
        STATE.enabled = previous
        if conj:
            _leave_jax_sweep()
    wrapped: list[Tensor | None] = []
    for t, r in zip(ins, results, strict=False):
        if r is None or isinstance(r, Tensor):
            wrapped.append(r)
        else:
            wrapped.append(make(t._dev.backend.ensure_array(r), t._dev))
    return tuple(wrapped)
