"""HIPS autograd's ``autograd.misc.optimizers``: ``sgd``, ``rmsprop`` and ``adam``.

Functional optimizers: ``grad(x, i)`` returns the gradient at ``x`` on iteration ``i``, the
optimizer runs ``num_iters`` iterations and returns the final ``x``. ``x`` may be an array or
a nest of lists, tuples and dicts of arrays and numbers; the optimizers work on it as one
flat vector (``agrad.autograd.misc.flatten``) and hand ``grad`` and ``callback`` the nest.
The arithmetic is HIPS autograd's, in its order, so NumPy inputs give its numbers. The steps
are built from differentiable operations: with Tensors (or inside ``agrad.autograd.grad``)
the result can be differentiated with respect to the start point or the step size.

For torch-style optimizers over tensors (``opt.step()``), see :mod:`agrad.optim`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as onp

from agrad._api.creation import ones_like, zeros_like
from agrad._api.elementwise import sqrt
from agrad._tensor import Tensor
from agrad.autograd.misc.flatten import flatten

__all__ = ["adam", "rmsprop", "sgd", "unflatten_optimizer"]

GradFn = Callable[[Any, int], Any]
Callback = Callable[[Any, int, Any], Any]


def unflatten_optimizer(optimize: Callable[..., Any]) -> Callable[..., Any]:
    """Make an optimizer of flat 1-d vectors accept nests of arrays (lists, tuples, dicts).

    Parameters
    ----------
    optimize : callable
        ``optimize(grad, x, callback, *args, **kwargs)`` on a flat vector ``x``.

    Returns
    -------
    callable
        The same optimizer on nests: ``grad`` and ``callback`` see the nest, and the result
        is a nest of the start point's structure.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.autograd.misc.optimizers import unflatten_optimizer
    >>> @unflatten_optimizer
    ... def halve(grad, x, callback=None):
    ...     return x - 0.5 * grad(x, 0)
    >>> halve(lambda p, i: {"a": p["a"], "b": [2 * b for b in p["b"]]},
    ...       {"a": np.ones(2), "b": [4.0]})
    {'a': array([0.5, 0.5]), 'b': [0.0]}
    """

    @functools.wraps(optimize)
    def optimize_nested(
        grad: GradFn, x0: Any, callback: Callback | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        flat, unflatten = flatten(x0)

        def flat_grad(x: Any, i: int) -> Any:
            return flatten(grad(unflatten(x), i))[0]

        flat_callback = None
        if callback is not None:

            def flat_callback(x: Any, i: int, g: Any) -> Any:
                return callback(unflatten(x), i, unflatten(g))

        return unflatten(optimize(flat_grad, flat, flat_callback, *args, **kwargs))

    return optimize_nested


def _filled(x: Any, value: float) -> Any:
    """A float64 vector of ``value`` as long as ``x`` (on ``x``'s device for a Tensor)."""
    if isinstance(x, Tensor):
        return zeros_like(x) if value == 0 else ones_like(x)
    return onp.full(len(x), value)


def _sqrt(x: Any) -> Any:
    return sqrt(x) if isinstance(x, Tensor) else onp.sqrt(x)


@unflatten_optimizer
def sgd(
    grad: GradFn,
    x: Any,
    callback: Callback | None = None,
    num_iters: int = 200,
    step_size: float = 0.1,
    mass: float = 0.9,
) -> Any:
    """Stochastic gradient descent with momentum, as HIPS autograd's ``sgd``.

    Each iteration: ``v = mass * v - (1 - mass) * g`` (``v`` starts at 0), then
    ``x = x + step_size * v``.

    Parameters
    ----------
    grad : callable
        ``grad(x, i)``: the gradient at ``x`` on iteration ``i``.
    x : array or nest of arrays
        The start point.
    callback : callable, optional
        ``callback(x, i, g)``, called each iteration before the step.
    num_iters : int
        Iterations.
    step_size : float
        Learning rate.
    mass : float
        Momentum.

    Returns
    -------
    array or nest of arrays
        The final point, shaped as ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.autograd.misc.optimizers import sgd
    >>> sgd(lambda x, i: 2 * (x - 3.0), np.zeros(2), num_iters=400).round(6)
    array([3., 3.])
    """
    velocity = _filled(x, 0.0)
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        velocity = mass * velocity - (1.0 - mass) * g
        x = x + step_size * velocity
    return x


@unflatten_optimizer
def rmsprop(
    grad: GradFn,
    x: Any,
    callback: Callback | None = None,
    num_iters: int = 100,
    step_size: float = 0.1,
    gamma: float = 0.9,
    eps: float = 1e-8,
) -> Any:
    """Root-mean-square propagation, as HIPS autograd's ``rmsprop``.

    Each iteration: ``s = gamma * s + (1 - gamma) * g**2`` (``s`` starts at **1**, as in
    HIPS autograd), then ``x = x - step_size * g / (sqrt(s) + eps)``.

    Parameters
    ----------
    grad : callable
        ``grad(x, i)``: the gradient at ``x`` on iteration ``i``.
    x : array or nest of arrays
        The start point.
    callback : callable, optional
        ``callback(x, i, g)``, called each iteration before the step.
    num_iters : int
        Iterations.
    step_size : float
        Learning rate.
    gamma : float
        Decay rate of the squared-gradient average.
    eps : float
        Added to the denominator.

    Returns
    -------
    array or nest of arrays
        The final point, shaped as ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.autograd.misc.optimizers import rmsprop
    >>> rmsprop(lambda x, i: 2 * (x - 3.0), np.zeros(2), num_iters=200, step_size=0.05).round(6)
    array([3., 3.])
    """
    avg_sq_grad = _filled(x, 1.0)
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        avg_sq_grad = avg_sq_grad * gamma + g**2 * (1 - gamma)
        x = x - step_size * g / (_sqrt(avg_sq_grad) + eps)
    return x


@unflatten_optimizer
def adam(
    grad: GradFn,
    x: Any,
    callback: Callback | None = None,
    num_iters: int = 100,
    step_size: float = 0.001,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
) -> Any:
    """Adam (Kingma and Ba, 2014), as HIPS autograd's ``adam``.

    Each iteration ``i`` (from 0): ``m = (1 - b1) * g + b1 * m``,
    ``v = (1 - b2) * g**2 + b2 * v`` (both start at 0), then
    ``x = x - step_size * mhat / (sqrt(vhat) + eps)`` with ``mhat = m / (1 - b1**(i+1))``
    and ``vhat = v / (1 - b2**(i+1))``. (torch's Adam puts ``eps`` outside the bias
    correction of ``v``; :class:`agrad.optim.Adam` follows torch.)

    Parameters
    ----------
    grad : callable
        ``grad(x, i)``: the gradient at ``x`` on iteration ``i``.
    x : array or nest of arrays
        The start point.
    callback : callable, optional
        ``callback(x, i, g)``, called each iteration before the step.
    num_iters : int
        Iterations.
    step_size : float
        Learning rate.
    b1, b2 : float
        Decay rates of the gradient's and the squared gradient's averages.
    eps : float
        Added to the denominator.

    Returns
    -------
    array or nest of arrays
        The final point, shaped as ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.autograd.misc.optimizers import adam
    >>> params = {"w": np.zeros(2), "b": 0.0}
    >>> def grad(p, i):
    ...     return {"w": 2 * (p["w"] - 1.0), "b": 2 * (p["b"] + 2.0)}
    >>> out = adam(grad, params, num_iters=500, step_size=0.1)
    >>> out["w"].round(3), round(float(out["b"]), 3)
    (array([1., 1.]), -2.0)
    """
    m = _filled(x, 0.0)
    v = _filled(x, 0.0)
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        m = (1 - b1) * g + b1 * m
        v = (1 - b2) * (g**2) + b2 * v
        mhat = m / (1 - b1 ** (i + 1))
        vhat = v / (1 - b2 ** (i + 1))
        x = x - step_size * mhat / (_sqrt(vhat) + eps)
    return x
