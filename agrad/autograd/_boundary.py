"""Where HIPS autograd's world meets agrad's: reverse and forward passes, the complex
convention, and the values handed back to the user.

- ``make_vjp``/``make_jvp`` are built on :func:`agrad.func.vjp`/:func:`agrad.func.jvp`.
- HIPS autograd's complex convention is the conjugate of torch's (agrad's default):
  ``vjp_hips(g) = conj(vjp_torch(conj(g)))``, JAX's too. The transforms here ask
  :func:`agrad.func.vjp` for it (``convention="jax"``); the rules of
  :func:`agrad.autograd.extend.primitive` convert with :func:`conj_leaf`, so a HIPS user's
  VJPs are written, and their gradients read, in HIPS's convention.
- Plain NumPy in, plain NumPy out: results are NumPy arrays (NumPy scalars where the
  argument was a number) unless the call is nested inside another transform, where they are
  agrad Tensors carrying a graph.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as onp

import agrad
import agrad.func as _func
from agrad._pytree import flatten, rebuild
from agrad._tensor import Tensor

Fn = Callable[..., Any]


def conj_leaf(v: Any) -> Any:
    """The complex conjugate of a complex array, Tensor or number; anything else as it is."""
    if isinstance(v, Tensor):
        if v.dtype.kind == "c":
            return agrad.conj(v)
        return v
    if isinstance(v, (onp.ndarray, onp.generic, complex)) and onp.iscomplexobj(v):
        return onp.conj(v)
    return v


def _like_input(value: Any, ref: Any) -> Any:
    """``value`` (a gradient) in the form of ``ref`` (its argument): scalars stay scalars."""
    scalar = isinstance(ref, (float, int, complex, onp.generic))
    if isinstance(value, onp.ndarray) and value.ndim == 0 and scalar:
        return value[()]
    return value


def _like_tree(value: Any, ref: Any) -> Any:
    vflat: list[Any] = []
    rflat: list[Any] = []
    d = flatten(value, vflat)
    flatten(ref, rflat)
    if len(vflat) != len(rflat):
        return value
    return rebuild(d, [_like_input(v, r) for v, r in zip(vflat, rflat, strict=True)])


# dtypes NumPy has and agrad does not: computed in the next wider dtype agrad has, the
# gradient cast back (HIPS autograd differentiates them as NumPy computes them)
_WIDEN = {
    onp.dtype(onp.float16): onp.dtype(onp.float32),
    onp.dtype(onp.longdouble): onp.dtype(onp.float64),
    onp.dtype(onp.clongdouble): onp.dtype(onp.complex128),
}


def _widen(x: Any) -> tuple[Any, list[Any]]:
    """``x`` with leaves of dtypes agrad lacks widened, and each leaf's original dtype
    (an empty list when nothing was widened)."""
    flat: list[Any] = []
    d = flatten(x, flat)
    dtypes = [v.dtype if isinstance(v, (onp.ndarray, onp.generic)) else None for v in flat]
    # where longdouble is float64 the table maps a dtype to itself: nothing to do
    if not any(dt in _WIDEN and _WIDEN[dt] != dt for dt in dtypes):
        return x, []
    wide = [v.astype(_WIDEN[dt]) if dt in _WIDEN else v for v, dt in zip(flat, dtypes, strict=True)]
    return rebuild(d, wide), dtypes


def _narrow(grad: Any, dtypes: list[Any]) -> Any:
    flat: list[Any] = []
    d = flatten(grad, flat)
    narrow = [
        v.astype(dt) if dt in _WIDEN and isinstance(v, (onp.ndarray, onp.generic)) else v
        for v, dt in zip(flat, dtypes, strict=True)
    ]
    return rebuild(d, narrow)


def _depends(out: Any) -> bool:
    flat: list[Any] = []
    flatten(out, flat)
    return any(isinstance(v, Tensor) and v.requires_grad for v in flat)


def make_vjp(fun: Fn, x: Any) -> tuple[Callable[[Any], Any], Any]:
    """``(vjp, ans)``: ``ans = fun(x)`` and the function ``g -> g^T J`` (HIPS's convention).

    Parameters
    ----------
    fun
        A function of one argument (an array, a number, or a list, tuple or dict of them).
    x
        Where to evaluate ``fun`` and its vector-Jacobian products.

    Returns
    -------
    tuple
        ``(vjp, ans)``; ``vjp(g)``, with ``g`` shaped as ``ans``, returns a value shaped as
        ``x``. It can be called any number of times.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.autograd.core import make_vjp
    >>> vjp, ans = make_vjp(lambda x: x * x, np.array([1.0, 2.0]))
    >>> vjp(np.array([1.0, 1.0]))
    array([2., 4.])
    """
    depends = [False]

    def traced(xt: Any) -> Any:
        out = fun(xt)
        depends[0] = _depends(out)
        return out

    wide, dtypes = _widen(x)
    ans, vjp_fn = _func.vjp(traced, wide, convention="jax")
    if not depends[0]:
        warnings.warn("Output seems independent of input.", UserWarning, stacklevel=2)

    def vjp(g: Any) -> Any:
        (grad,) = vjp_fn(g)
        if dtypes:
            grad = _narrow(grad, dtypes)
        return _like_tree(grad, x)

    return vjp, ans


def make_jvp(fun: Fn, x: Any) -> Callable[[Any], tuple[Any, Any]]:
    """The function ``v -> (fun(x), J v)``: forward-mode derivatives at ``x``.

    Parameters
    ----------
    fun
        A function of one argument.
    x
        Where to evaluate ``fun`` and its Jacobian-vector products.

    Returns
    -------
    callable
        ``jvp(v)``, with ``v`` shaped as ``x``, returns ``(fun(x), J v)``.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.autograd.core import make_jvp
    >>> make_jvp(lambda x: x**3, 2.0)(1.0)
    (array(8.), array(12.))
    """

    def jvp(v: Any) -> tuple[Any, Any]:
        ans, tangent = _func.jvp(fun, (x,), (v,))
        return ans, tangent

    return jvp
