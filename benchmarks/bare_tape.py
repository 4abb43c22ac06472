"""The ``numpy (bare tape)`` system: the least a define-by-run tape over NumPy can do.

Each operation computes its NumPy result and, when an input needs a gradient, appends one
entry to a list: a node for the output, where each input's cotangent goes (its node, or a
leaf), and one closure per input that maps the output's cotangent to that input's.
``backward`` walks the list from the end and drops each entry, and with it what its
closures hold, once used. There is nothing else: no version counters, devices, dtypes, grad
modes, hooks or error checks.

The derivative formulas are agrad's own (``agrad/rules``), down to the ReLU gradient's even
split at ties and ``x**3``'s ``3 * (x * x)``, so that what this system costs is what *one
rule per operation* costs. The hand-written gradient shares work between operations and
skips what the chain rule makes constant; a tape cannot. Between the hand-written gradient
and this tape lies the price of the method, between this tape and agrad the price of
agrad's engine (docs/performance.md).

Only the operations that W1, W2 and W3 use are here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Vjp = Callable[[Any], Any]


class Node:
    """A recorded output's place on the tape: an identity, holding nothing (as agrad's nodes
    hold no output that their rule does not need)."""

    __slots__ = ()


class Var:
    """An array; ``node`` is set on recorded outputs, ``grad_wanted`` on the leaves whose
    gradient is collected."""

    __slots__ = ("grad", "grad_wanted", "node", "value")
    __array_ufunc__ = None  # `array * var` calls `Var.__rmul__`, not NumPy's object loop

    def __init__(self, value: Any, *, grad_wanted: bool = False) -> None:
        self.value = value
        self.grad: Any = None
        self.grad_wanted = grad_wanted
        self.node: Node | None = None

    def __mul__(self, other: Any) -> Var:
        return multiply(self, other)

    def __rmul__(self, other: Any) -> Var:
        return multiply(other, self)

    def __add__(self, other: Any) -> Var:
        return add(self, other)

    def __sub__(self, other: Any) -> Var:
        return subtract(self, other)

    def __neg__(self) -> Var:
        return _unary(-self.value, self, lambda g: -g)

    def __truediv__(self, other: float) -> Var:
        return _unary(self.value / other, self, lambda g: g / other)

    def __matmul__(self, other: Var) -> Var:
        a, b = self.value, other.value
        return _binary(a @ b, self, other, lambda g: g @ b.T, lambda g: a.T @ g)

    def __pow__(self, k: int) -> Var:
        x = self.value
        if k == 2:
            return _unary(x**2, self, lambda g: (g + g) * x)
        if k == 3:
            return _unary(x * x * x, self, lambda g: g * (3 * (x * x)))
        msg = f"the bare tape has x**2 and x**3 only, not x**{k!r}"
        raise NotImplementedError(msg)


Edge = Node | Var | None  # where an input's cotangent goes: its node, a leaf, or nowhere

# the recorded operations, oldest first: the output's node, and per input its edge, its VJP
# and, for two-input operations, its shape where it has an edge (to undo broadcasting)
TAPE: list[tuple[Node, tuple[Edge, ...], tuple[Vjp, ...], tuple[Any, ...] | None]] = []


def _edge(x: Any) -> Edge:
    if not isinstance(x, Var):
        return None
    if x.node is not None:
        return x.node
    return x if x.grad_wanted else None


def _unary(out: Any, x: Var, vjp: Vjp) -> Var:
    y = Var(out)
    edge = _edge(x)
    if edge is not None:
        y.node = Node()
        TAPE.append((y.node, (edge,), (vjp,), None))
    return y


def _binary(out: Any, x1: Any, x2: Any, vjp1: Vjp, vjp2: Vjp) -> Var:
    y = Var(out)
    e1, e2 = _edge(x1), _edge(x2)
    if e1 is not None or e2 is not None:
        y.node = Node()
        # an input with an edge is a Var, whose value is an array
        shapes = (
            None if e1 is None else x1.value.shape,
            None if e2 is None else x2.value.shape,
        )
        TAPE.append((y.node, (e1, e2), (vjp1, vjp2), shapes))
    return y


def _value(x: Any) -> Any:
    return x.value if isinstance(x, Var) else x


def multiply(x1: Any, x2: Any) -> Var:
    a, b = _value(x1), _value(x2)
    return _binary(a * b, x1, x2, lambda g: g * b, lambda g: g * a)


def add(x1: Any, x2: Any) -> Var:
    return _binary(_value(x1) + _value(x2), x1, x2, lambda g: g, lambda g: g)


def subtract(x1: Any, x2: Any) -> Var:
    return _binary(_value(x1) - _value(x2), x1, x2, lambda g: g, lambda g: -g)


def sin(x: Var) -> Var:
    a = x.value
    return _unary(np.sin(a), x, lambda g: g * np.cos(a))


def exp(x: Var) -> Var:
    out = np.exp(x.value)
    return _unary(out, x, lambda g: g * out)


def tanh(x: Var) -> Var:
    t = np.tanh(x.value)
    return _unary(t, x, lambda g: g - g * t * t)


def log(x: Var) -> Var:
    a = x.value
    return _unary(np.log(a), x, lambda g: g / a)


def relu(x: Var) -> Var:
    """``maximum(x, 0.0)``, with agrad's (and torch's) gradient: halved where ``x == 0``."""
    a = x.value

    def vjp(g: Any) -> Any:
        weight = (a > 0).astype(np.int8) + (a >= 0).astype(np.int8)
        return g * (weight.astype(g.dtype) * 0.5)

    return _unary(np.maximum(a, 0.0), x, vjp)


def sum_(x: Var, axis: int | None = None, *, keepdims: bool = False) -> Var:
    a = x.value
    shape = a.shape

    def vjp(g: Any) -> Any:
        if axis is not None and not keepdims:
            g = np.expand_dims(g, axis)
        return np.broadcast_to(g, shape)

    return _unary(np.sum(a, axis=axis, keepdims=keepdims), x, vjp)


def _sum_to(g: Any, shape: Sequence[int]) -> Any:
    """Undo broadcasting: sum ``g`` down to ``shape``."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
    )
    return np.sum(g, axis=axes).reshape(shape)


def backward(loss: Var) -> None:
    """Sweep the tape from its end, from a scalar ``loss``; gradients land in ``.grad``."""
    pending: dict[Node, Any] = {}
    if loss.node is not None:
        pending[loss.node] = np.ones_like(loss.value)
    while TAPE:
        node, edges, vjps, shapes = TAPE.pop()
        g = pending.pop(node, None)
        if g is None:
            continue
        for i, edge in enumerate(edges):
            if edge is None:
                continue
            gx = vjps[i](g)
            if shapes is not None and gx.shape != shapes[i]:
                gx = _sum_to(gx, shapes[i])
            if type(edge) is Node:
                prev = pending.get(edge)
                pending[edge] = gx if prev is None else prev + gx
            else:
                edge.grad = gx if edge.grad is None else edge.grad + gx
