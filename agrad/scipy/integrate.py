"""``agrad.scipy.integrate``: SciPy's ``odeint`` on tensors, differentiable by the adjoint method.

:func:`odeint` solves ``dy/dt = func(y, t, *args)`` with ``scipy.integrate.odeint`` (on the
host, whatever the device of ``y0``), and its result is differentiable with respect to
``y0``, the times ``t`` and the tensors in ``args`` (nested in tuples, lists and dicts too).
The backward pass integrates the adjoint system backwards in time, again with
``scipy.integrate.odeint``, so gradients cost a few solves, not a graph of the solver's
steps; the backward is itself differentiable (second order). ``func`` is written with agrad
operations (``agrad``, ``agrad.numpy``) and receives tensors.

Tensors that ``func`` closes over are not differentiated: pass them in ``args``. A ``func``
whose result needs a gradient that is not in ``args`` raises an error saying so.

Examples
--------
>>> import agrad
>>> from agrad.scipy.integrate import odeint
>>> k = agrad.tensor(0.5, requires_grad=True)
>>> t = agrad.asarray([0.0, 2.0])
>>> y = odeint(lambda y, t, k: -k * y, agrad.asarray([1.0]), t, args=(k,))
>>> round(y[1, 0].item(), 6)  # exp(-k t)
0.367879
>>> y[1, 0].backward()
>>> round(float(k.grad), 5)  # -t exp(-k t)
-0.73576
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

import agrad
from agrad._pytree import Def, flatten, rebuild
from agrad._tensor import Tensor
from agrad.errors import AgradValueError
from agrad.scipy._missing import missing

__all__ = ["odeint"]


def __getattr__(name: str) -> Any:
    error = missing("integrate", name, __all__)
    raise error


# the solver options passed on to scipy.integrate.odeint, forwards and backwards alike
_SOLVER_OPTIONS = (
    "ml",
    "mu",
    "rtol",
    "atol",
    "tcrit",
    "h0",
    "hmax",
    "hmin",
    "ixpr",
    "mxstep",
    "mxhnil",
    "mxordn",
    "mxords",
    "printmessg",
)


def _host(x: Any) -> Any:
    if isinstance(x, Tensor):
        return numpy.asarray(x.detach().to_device("numpy").array)
    return numpy.asarray(x)


class _Problem:
    """What one ``odeint`` call solves: ``func``, its constant arguments, solver options."""

    def __init__(
        self,
        func: Callable[..., Any],
        tree: Def,
        leaves: list[Any],
        slots: list[int],
        options: dict[str, Any],
    ) -> None:
        self.func = func
        self.tree = tree
        self.leaves = leaves  # the constant leaves of args; tensors are in `slots`
        self.slots = slots
        self.options = options
        self.info: Any = None  # SciPy's info dict of the last forward solve

    def args(self, params: tuple[Any, ...]) -> Any:
        leaves = list(self.leaves)
        for slot, p in zip(self.slots, params, strict=True):
            leaves[slot] = p
        return rebuild(self.tree, leaves)

    def rhs(self, y: Any, t: Any, params: tuple[Any, ...]) -> Any:
        out = self.func(y, t, *self.args(params))
        return agrad.reshape(agrad.asarray(out, device=y.device), (-1,))


def _solve(problem: _Problem, y0: Tensor, t: Tensor, params: tuple[Tensor, ...]) -> Any:
    """``scipy.integrate.odeint`` of the problem, on NumPy arrays: returns the ``(T, D)``
    solution and SciPy's info dict (None unless asked for)."""
    import scipy.integrate  # type: ignore[import-untyped]  # SciPy ships no stubs

    dev = y0.device
    consts = tuple(p.detach() for p in params)

    def f(y: Any, tt: float) -> Any:
        with agrad.no_grad():
            out = problem.rhs(agrad.asarray(y, device=dev), float(tt), consts)
        return _host(out)

    result = scipy.integrate.odeint(
        f, _host(y0).reshape(-1), _host(t), full_output=True, **problem.options
    )
    return result


class _OdeInt(agrad.Function):
    @staticmethod
    def forward(ctx: Any, problem: _Problem, y0: Tensor, t: Tensor, *params: Tensor) -> Any:
        yt, info = _solve(problem, y0, t, params)
        ctx.problem = problem
        problem.info = info
        ctx.yt = yt
        ctx.save_for_backward(y0, t, *params)
        return agrad.asarray(yt, dtype=y0.dtype, device=y0.device)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Any, ...]:
        # The adjoint method (Froehlich, Loos and Hasenauer 2017, arXiv:1711.08079, 2.4.2):
        # between observations a = dL/dy obeys da/dt = -a df/dy, and the parameters' and
        # the first time's cotangents gather -a df/dp and -a df/dt, integrated backwards.
        problem: _Problem = ctx.problem
        y0, t, *params = ctx.saved_tensors
        if agrad.is_grad_enabled():  # recorded backward: the solution as a function of all
            yt = _OdeInt.apply(problem, y0, t, *params)
        else:
            yt = agrad.asarray(ctx.yt, dtype=y0.dtype, device=y0.device)
        n_t, d = yt.shape
        sizes = [int(numpy.prod(p.shape)) for p in params]
        g = agrad.reshape(g, (n_t, d))

        def unpack(state: Any) -> tuple[Any, Any, Any, list[Any]]:
            rest, at = state[2 * d + 1 :], state[2 * d]
            pieces, start = [], 0
            for size in sizes:
                pieces.append(rest[start : start + size])
                start += size
            return state[:d], state[d : 2 * d], at, pieces

        def augmented(state: Any, tt: Any, *ps: Any) -> Any:
            y, a, _, _ = unpack(state)
            f, vjp_fn = agrad.func.vjp(lambda y, tt, *ps: problem.rhs(y, tt, ps), y, tt, *ps)
            cot = vjp_fn(-a)
            flat = [agrad.reshape(agrad.asarray(c), (-1,)) for c in cot]
            return agrad.concat([f, flat[0], agrad.reshape(flat[1], (1,)), *flat[2:]])

        a = g[-1]
        a_t0: Any = agrad.zeros((), dtype=yt.dtype, device=yt.device)
        a_params = [agrad.zeros((s,), dtype=yt.dtype, device=yt.device) for s in sizes]
        times = []
        for i in range(n_t - 1, 0, -1):
            # moving observation i moves y(t_i) by f(y_i, t_i)
            moved = agrad.sum(problem.rhs(yt[i], t[i], tuple(params)) * g[i])
            times.append(moved)
            a_t0 = a_t0 - moved
            start = agrad.concat([yt[i], a, agrad.reshape(a_t0, (1,)), *a_params])
            span = agrad.stack([t[i], t[i - 1]])
            back = odeint(augmented, start, span, args=tuple(params), **problem.options)
            _, a, a_t0, a_params = unpack(back[1])
            a = a + g[i - 1]
        times.append(a_t0)
        grad_t = agrad.stack(times[::-1])
        grads_p = [agrad.reshape(gp, p.shape) for gp, p in zip(a_params, params, strict=True)]
        return (None, agrad.reshape(a, y0.shape), grad_t, *grads_p)


def odeint(
    func: Callable[..., Any],
    y0: Any,
    t: Any,
    args: Any = (),
    Dfun: Callable[..., Any] | None = None,
    col_deriv: int = 0,
    full_output: int | bool = 0,
    ml: int | None = None,
    mu: int | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    tcrit: Any = None,
    h0: float = 0.0,
    hmax: float = 0.0,
    hmin: float = 0.0,
    ixpr: int = 0,
    mxstep: int = 0,
    mxhnil: int = 0,
    mxordn: int = 12,
    mxords: int = 5,
    printmessg: int = 0,
    tfirst: bool = False,
) -> Any:
    """Integrate ``dy/dt = func(y, t, *args)`` from ``y0`` over the times ``t``
    (``scipy.integrate.odeint``); ``tfirst=True`` calls ``func(t, y, *args)``.

    Returns the solution at the times ``t``, shape ``(len(t), len(y0))``, differentiable
    with respect to ``y0``, ``t`` and the tensors in ``args``; with ``full_output``, also
    SciPy's info dict of the forward solve. The other arguments are SciPy's solver options,
    used forwards and backwards. ``Dfun`` and ``col_deriv`` are accepted and ignored (the
    solver estimates the Jacobian).

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> from agrad.scipy.integrate import odeint
    >>> y0 = agrad.tensor([1.0, 0.0], requires_grad=True)
    >>> rotate = lambda y, t: agrad.stack([-y[1], y[0]])  # y = (cos t, sin t)
    >>> y = odeint(rotate, y0, np.linspace(0.0, np.pi / 2, 3))
    >>> y[-1].round(6).tolist()
    [0.0, 1.0]
    """
    leaves: list[Any] = []
    tree = flatten(args if isinstance(args, tuple) else (args,), leaves)
    slots = [i for i, leaf in enumerate(leaves) if isinstance(leaf, Tensor)]
    params = tuple(leaves[i] for i in slots)
    y0t = y0 if isinstance(y0, Tensor) else agrad.asarray(y0)
    if not y0t.dtype.is_floating:
        y0t = agrad.astype(y0t, agrad.float64)
    if y0t.ndim > 1:
        msg = (
            f"`agrad.scipy.integrate.odeint` takes a 0-d or 1-d `y0`, as SciPy does; got "
            f"shape {tuple(y0t.shape)!r}. Flatten the state and reshape inside `func`."
        )
        raise AgradValueError(msg)
    tt = t if isinstance(t, Tensor) else agrad.asarray(t, device=y0t.device)
    if not tt.dtype.is_floating:
        tt = agrad.astype(tt, y0t.dtype)
    fn = (lambda y, s, *a: func(s, y, *a)) if tfirst else func
    locals_ = locals()
    options = {k: locals_[k] for k in _SOLVER_OPTIONS if locals_[k] is not None}
    problem = _Problem(fn, tree, leaves, slots, options)
    _check_closures(problem, y0t, tt, params)
    result = _OdeInt.apply(problem, y0t, tt, *params)
    if full_output:
        return result, problem.info
    return result


def _check_closures(problem: _Problem, y0: Tensor, t: Tensor, params: tuple[Tensor, ...]) -> None:
    """Refuse a ``func`` that depends on tensors needing a gradient outside ``args``."""
    if not agrad.is_grad_enabled():
        return
    consts = tuple(p.detach() for p in params)
    out = problem.rhs(y0.detach(), t.detach()[0] if t.ndim else t.detach(), consts)
    if out.requires_grad:
        msg = (
            "`agrad.scipy.integrate.odeint`: `func` uses a tensor that requires a gradient "
            "but is not in `args`, and its gradient would be lost. Pass it in `args` "
            "(`odeint(func, y0, t, args=(w,))` with `func(y, t, w)`)."
        )
        raise AgradValueError(msg)
