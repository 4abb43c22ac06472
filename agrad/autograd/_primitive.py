"""HIPS autograd's ``primitive`` and ``defvjp`` family over agrad's rules.

``@primitive def f(x, ...)`` makes ``f`` an operation agrad records as one node: called on
plain values it runs ``f`` as it is; called with agrad Tensors it runs ``f`` on their arrays
and records the call with :func:`agrad._ops.apply`, whose rule calls the VJP makers given to
``defvjp`` (``vjpmaker(ans, *args, **kwargs) -> (g -> cotangent)``). Under
``create_graph`` (higher derivatives), ``ans``, the arguments and ``g`` are Tensors, so the
VJPs are themselves recorded. VJPs are written in HIPS autograd's complex convention; the
rule conjugates at the boundary (see :mod:`agrad.autograd._boundary`).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as onp

import agrad
from agrad._ops import apply
from agrad._tensor import Tensor
from agrad.autograd._boundary import conj_leaf
from agrad.autograd._vspace import vspace
from agrad.errors import NoRuleError
from agrad.extend import Rule

VjpMaker = Callable[..., Callable[[Any], Any]]

# primitive -> {argnum: vjpmaker(ans, *args, **kwargs)}; HIPS exposes it as core.primitive_vjps
primitive_vjps: dict[Any, dict[int, VjpMaker | None]] = {}
# primitive -> {argnum: jvpmaker(g, ans, *args, **kwargs)}: kept for HIPS code that reads
# them; agrad's forward mode differentiates the VJPs instead
primitive_jvps: dict[Any, dict[int, Any]] = {}


@dataclass
class _Call:
    prim: Primitive
    args: tuple[Any, ...]
    pos: tuple[int, ...]
    kwargs: dict[str, Any]

    def full(self, values: Iterable[Any]) -> list[Any]:
        args = list(self.args)
        for p, v in zip(self.pos, values, strict=True):
            args[p] = v
        return args


def _fwd(xp: Any, *arrays: Any, call: _Call) -> Any:
    return call.prim.fun(*call.full(arrays), **call.kwargs)


def _vjp(g: Any, out: Any, *ins: Any, xp: Any, index: int, call: _Call) -> Any:
    prim = call.prim
    name = prim.name
    argnum = call.pos[index]
    makers = primitive_vjps.get(prim, {})
    if argnum not in makers:
        msg = (
            f"VJP of {name} wrt argnum {argnum} not defined: register one with "
            f"`agrad.autograd.extend.defvjp({name}, ...)`."
        )
        raise NoRuleError(msg)
    maker = makers[argnum]
    x = ins[index]
    if maker is None:
        return xp.zeros_like(x)
    result = maker(out, *call.full(ins), **call.kwargs)(conj_leaf(g))
    result = conj_leaf(result)
    if not isinstance(result, Tensor):
        result = onp.asarray(result)
        if result.dtype.kind == "c" and onp.dtype(x.dtype).kind != "c":
            result = result.real
        if isinstance(x, Tensor):
            result = agrad.asarray(result, device=x.device)
    elif result.dtype.kind == "c" and x.dtype.kind != "c":
        result = agrad.real(result)
    return result


class Primitive:
    """A function agrad records as one operation, differentiated by its registered VJPs."""

    def __init__(self, fun: Callable[..., Any]) -> None:
        self.fun = fun
        functools.update_wrapper(self, fun)
        name = getattr(fun, "__name__", "primitive")
        self.name = str(name)
        self._rule = Rule(f"autograd.{name}", _vjp, variadic=True)

    def __repr__(self) -> str:
        return f"<autograd primitive {self.name!r}>"

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        # a primitive defined in a class body works as a method
        return self if obj is None else functools.partial(self, obj)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        pos = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        if not pos:
            return self.fun(*args, **kwargs)
        call = _Call(self, args, pos, kwargs)
        return apply(self._rule, tuple(args[i] for i in pos), {"call": call}, _fwd)

    # HIPS autograd's pre-1.2 API, still used by old code
    def defgrad(self, maker: Any, argnum: int = 0) -> None:
        warnings.warn("defgrad is deprecated: use `defvjp`.", DeprecationWarning, stacklevel=2)
        primitive_vjps.setdefault(self, {})[argnum] = maker

    def defvjp(self, vjpfun: Any, argnum: int = 0) -> None:
        warnings.warn(
            "the `f.defvjp(g, ans, vs, gvs, *args)` method is deprecated: use `defvjp(f, ...)`.",
            DeprecationWarning,
            stacklevel=2,
        )

        def maker(ans: Any, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
            return lambda g: vjpfun(g, ans, vspace(args[argnum]), vspace(g), *args, **kwargs)

        primitive_vjps.setdefault(self, {})[argnum] = maker

    def defvjp_is_zero(self, argnums: Iterable[int] = (0,)) -> None:
        warnings.warn(
            "defvjp_is_zero is deprecated: use `defvjp(f, None, ...)`.",
            DeprecationWarning,
            stacklevel=2,
        )
        for n in argnums:
            primitive_vjps.setdefault(self, {})[n] = None


def primitive(fun: Callable[..., Any]) -> Primitive:
    """Make ``fun`` an operation with hand-written derivatives (HIPS autograd's ``primitive``).

    Parameters
    ----------
    fun
        A function of arrays. It is called on plain arrays, never on Tensors.

    Returns
    -------
    Primitive
        A callable that runs ``fun`` and, when an argument is a Tensor being traced, records
        the call; register its derivatives with :func:`defvjp`.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.autograd import grad
    >>> from agrad.autograd.extend import primitive, defvjp
    >>> @primitive
    ... def logsumexp(x):
    ...     m = np.max(x)
    ...     return m + np.log(np.sum(np.exp(x - m)))
    >>> defvjp(logsumexp, lambda ans, x: lambda g: g * np.exp(x - ans))
    >>> grad(logsumexp)(np.array([0.0, 0.0]))
    array([0.5, 0.5])
    """
    if isinstance(fun, Primitive):
        return fun
    return Primitive(fun)


def defvjp(fun: Any, *vjpmakers: VjpMaker | None, argnums: Iterable[int] | None = None) -> None:
    """Register the VJP makers of a primitive, one per argument (``None``: zero gradient).

    Parameters
    ----------
    fun
        A :func:`primitive`.
    *vjpmakers
        ``vjpmaker(ans, *args, **kwargs)`` returns the function ``g -> g^T dans/dargs[k]``.
    argnums
        The arguments the makers belong to, in order (default ``0, 1, ...``).

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.autograd import grad
    >>> from agrad.autograd.extend import primitive, defvjp
    >>> mul = primitive(lambda x, y: x * y)
    >>> defvjp(mul, lambda ans, x, y: lambda g: g * y, lambda ans, x, y: lambda g: g * x)
    >>> grad(mul, 1)(3.0, 4.0)
    np.float64(3.0)
    """
    nums = range(len(vjpmakers)) if argnums is None else argnums
    table = primitive_vjps.setdefault(fun, {})
    for n, maker in zip(nums, vjpmakers, strict=False):
        table[n] = maker


def defvjp_argnum(fun: Any, vjpmaker: Callable[..., Any]) -> None:
    """Register one VJP maker for every argument: ``vjpmaker(argnum, ans, args, kwargs)``.

    Examples
    --------
    >>> from agrad.autograd import grad
    >>> from agrad.autograd.extend import primitive, defvjp_argnum
    >>> mul = primitive(lambda x, y: x * y)
    >>> defvjp_argnum(mul, lambda n, ans, args, kw: lambda g: g * args[1 - n])
    >>> grad(mul)(3.0, 4.0)
    np.float64(4.0)
    """
    table = primitive_vjps.setdefault(fun, {})
    for n in range(64):
        table[n] = _bind_argnum(vjpmaker, n)


def _bind_argnum(vjpmaker: Callable[..., Any], n: int) -> VjpMaker:
    def maker(ans: Any, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        return vjpmaker(n, ans, args, kwargs)  # type: ignore[no-any-return]

    return maker


def defvjp_argnums(fun: Any, vjpmaker: Callable[..., Any]) -> None:
    """Register a VJP maker for all arguments at once: ``vjpmaker(argnums, ans, args, kwargs)``
    returns ``g -> tuple of cotangents``, one per argnum.

    Examples
    --------
    >>> from agrad.autograd import grad
    >>> from agrad.autograd.extend import primitive, defvjp_argnums
    >>> mul = primitive(lambda x, y: x * y)
    >>> defvjp_argnums(mul, lambda ns, ans, args, kw: lambda g: tuple(g * args[1 - n] for n in ns))
    >>> grad(mul)(3.0, 4.0)
    np.float64(4.0)
    """
    table = primitive_vjps.setdefault(fun, {})
    for n in range(64):
        table[n] = _bind_argnums(vjpmaker, n)


def _bind_argnums(vjpmaker: Callable[..., Any], n: int) -> VjpMaker:
    def maker(ans: Any, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        inner = vjpmaker((n,), ans, args, kwargs)
        return lambda g: inner(g)[0]

    return maker


def defjvp(fun: Any, *jvpmakers: Any, argnums: Iterable[int] | None = None) -> None:
    """Record JVP makers (``jvpmaker(g, ans, *args, **kwargs)``) of a primitive.

    agrad computes forward-mode derivatives from the VJPs (two reverse passes), so a
    primitive used in forward mode needs :func:`defvjp` too; the JVPs are kept for code that
    reads them.

    Examples
    --------
    >>> from agrad.autograd.extend import primitive, defjvp
    >>> double = primitive(lambda x: 2.0 * x)
    >>> defjvp(double, lambda g, ans, x: 2.0 * g)
    """
    nums = range(len(jvpmakers)) if argnums is None else argnums
    table = primitive_jvps.setdefault(fun, {})
    for n, maker in zip(nums, jvpmakers, strict=False):
        table[n] = maker


def defjvp_argnum(fun: Any, jvpmaker: Any) -> None:
    """Record a JVP maker ``jvpmaker(argnum, g, ans, args, kwargs)``; see :func:`defjvp`.

    Examples
    --------
    >>> from agrad.autograd.extend import primitive, defjvp_argnum
    >>> double = primitive(lambda x: 2.0 * x)
    >>> defjvp_argnum(double, lambda n, g, ans, args, kwargs: 2.0 * g)
    """
    primitive_jvps.setdefault(fun, {})[-1] = jvpmaker


def defjvp_argnums(fun: Any, jvpmaker: Any) -> None:
    """Record a JVP maker ``jvpmaker(argnums, gs, ans, args, kwargs)``; see :func:`defjvp`.

    Examples
    --------
    >>> from agrad.autograd.extend import primitive, defjvp_argnums
    >>> double = primitive(lambda x: 2.0 * x)
    >>> defjvp_argnums(double, lambda ns, gs, ans, args, kwargs: 2.0 * gs[0])
    """
    primitive_jvps.setdefault(fun, {})[-2] = jvpmaker


def def_linear(fun: Any) -> None:
    """Declare a primitive linear in each argument: its JVP applies it to the tangent.

    As in HIPS autograd, this defines JVPs only; agrad's derivatives (both modes) come from
    the VJPs, so register those with :func:`defvjp`.

    Examples
    --------
    >>> from agrad.autograd.extend import primitive, def_linear
    >>> scale = primitive(lambda x, k: k * x)
    >>> def_linear(scale)
    """

    def jvp(n: int, g: Any, ans: Any, args: Any, kwargs: Any) -> Any:
        return fun(*[g if k == n else a for k, a in enumerate(args)], **kwargs)

    primitive_jvps.setdefault(fun, {})[-1] = jvp


def notrace_primitive(fun: Callable[..., Any]) -> Callable[..., Any]:
    """A function whose result is never traced: Tensors in, their plain arrays passed.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.autograd.extend import notrace_primitive
    >>> argmax = notrace_primitive(np.argmax)
    >>> int(argmax(np.array([1.0, 3.0, 2.0])))
    1
    """

    @functools.wraps(fun)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        raw = [a.detach().array if isinstance(a, Tensor) else a for a in args]
        return fun(*raw, **kwargs)

    return wrapped
