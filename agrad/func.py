"""``agrad.func``: function transforms in the JAX style.

``grad(f)`` is a new function that returns the gradient of ``f``; ``vjp``, ``jvp``,
``jacobian``, ``hessian`` and ``hvp`` are built the same way on agrad's reverse-mode engine.

Conventions shared by every transform:

- ``f`` is called with agrad Tensors in place of the arguments being differentiated, so it
  can use ``agrad`` functions, the tensors' operators, or ``x.__array_namespace__()``.
- Arguments may be raw backend arrays, agrad Tensors, Python floats, or *pytrees* of them:
  tuples, lists (named tuples included) and dicts, nested; ``None`` is an empty subtree.
  Outputs of ``f`` may be pytrees too. Python numbers become 0-d arrays of the device's
  default floating dtype.
- Results are raw backend arrays when no differentiated argument holds a Tensor, and
  Tensors otherwise. They are Tensors that carry a graph (so they can be differentiated
  again) when an argument requires grad while recording is on, or when ``f`` uses a tensor
  that requires grad from outside: that is how transforms nest, ``grad(grad(f))``.
- Complex arguments: the reverse-mode transforms (``grad``, ``value_and_grad``, ``vjp``,
  ``jacobian``, ``hessian``, ``hvp``) follow torch.autograd's convention by default, or
  JAX's and HIPS autograd's (the conjugate) with ``convention="jax"`` or inside
  :class:`agrad.complex_convention`. ``convention=None`` (the default) takes the thread's
  setting when the transformed function is called (for ``vjp``: when ``vjp`` is called).
  ``jvp``'s tangents are the same in both conventions.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from agrad._api.creation import arange, zeros, zeros_like
from agrad._api.data_type import astype
from agrad._api.manipulation import reshape, stack
from agrad._autograd import grad as _engine_grad
from agrad._grad_mode import STATE, _check_convention
from agrad._pytree import flatten, rebuild
from agrad._tensor import Tensor
from agrad._transform import (
    _any_recorded,
    _argnums,
    _check_scalar,
    _default_dev,
    _like,
    _numel,
    _prepare,
    _pullback,
    _Result,
    _run,
    _tangents,
)
from agrad.errors import AgradTypeError, AgradValueError

__all__ = ["grad", "hessian", "hvp", "jacobian", "jvp", "value_and_grad", "vjp"]

Fn = Callable[..., Any]
Argnums = int | Sequence[int]


# -- the complex convention ------------------------------------------------------------
def _conj_flag(who: str, convention: str | None) -> bool | None:
    """``convention`` checked: True for JAX's, False for torch's, None for the setting."""
    return None if convention is None else _check_convention(convention, who)


@contextlib.contextmanager
def _convention(conj: bool | None) -> Iterator[None]:
    """The thread's convention switched to ``conj`` for a block (None: left as it is)."""
    if conj is None or conj == STATE.conj:
        yield
        return
    previous = STATE.conj
    STATE.conj = conj
    try:
        yield
    finally:
        STATE.conj = previous


# -- the transforms ------------------------------------------------------------------
def _grad_impl(
    who: str,
    f: Fn,
    argnums: Argnums,
    has_aux: bool,
    with_value: bool,
    conj: bool | None,
) -> Callable[..., Any]:
    @functools.wraps(f)
    def transformed(*args: Any, **kwargs: Any) -> Any:
        with _convention(conj):
            return body(*args, **kwargs)

    def body(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums(who, argnums, len(args))
        inputs = _prepare(who, args, nums, "argument")
        result = _run(who, f, inputs, kwargs, has_aux, _default_dev(inputs))
        out = _check_scalar(who, result)
        flat = _pullback(inputs, [out], None, retain=result.graph, create=result.graph)
        inputs.own(False)
        trees = result.export_args(inputs, flat)
        g = trees[0] if isinstance(argnums, int) else tuple(trees)
        if not with_value:
            return (g, result.aux_value()) if has_aux else g
        value = result.value()
        return ((value, result.aux_value()), g) if has_aux else (value, g)

    return transformed


def grad(
    f: Fn, argnums: Argnums = 0, has_aux: bool = False, *, convention: str | None = None
) -> Callable[..., Any]:
    """A function that returns the gradient of the scalar function ``f``.

    Parameters
    ----------
    f
        The function to differentiate. It must return a real 0-d array (or, with
        ``has_aux``, a pair ``(output, aux)``). It receives agrad Tensors in place of the
        arguments named by ``argnums``; the other arguments are passed unchanged.
    argnums
        Which positional argument to differentiate with respect to, or a tuple of them.
    has_aux
        ``f`` returns ``(output, aux)``; ``aux`` is returned alongside the gradient.
    convention
        The complex convention: ``"torch"`` (``dL/dx + i dL/dy`` for ``z = x + iy``),
        ``"jax"`` (its conjugate, as JAX and HIPS autograd), or ``None`` for the thread's
        setting (:class:`agrad.complex_convention`).

    Returns
    -------
    callable
        Takes ``f``'s arguments and returns the gradient, with the structure of the
        argument (a tuple of them when ``argnums`` is a tuple), or ``(gradient, aux)``.
        Raw arrays in give raw arrays out; see the module documentation.

    Raises
    ------
    NonScalarOutputError
        ``f`` returned something other than a 0-d array.
    NotDifferentiableError
        A differentiated argument, or the output, has an integer or boolean dtype.
    AgradValueError
        ``convention`` is not ``"torch"``, ``"jax"`` or None.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> df = agrad.func.grad(lambda x: agrad.sum(x**3))
    >>> df(np.array([1.0, 2.0]))
    array([ 3., 12.])
    >>> agrad.func.grad(agrad.func.grad(lambda x: x**3))(2.0)  # 6x
    array(12.)
    >>> z = np.array([1.0 + 2.0j])
    >>> agrad.func.grad(lambda z: agrad.sum(agrad.abs(z) ** 2))(z)  # 2x + 2iy
    array([2.+4.j])
    >>> agrad.func.grad(lambda z: agrad.sum(agrad.abs(z) ** 2), convention="jax")(z)
    array([2.-4.j])
    """
    who = "agrad.func.grad"
    return _grad_impl(who, f, argnums, has_aux, False, _conj_flag(who, convention))


def value_and_grad(
    f: Fn, argnums: Argnums = 0, has_aux: bool = False, *, convention: str | None = None
) -> Callable[..., Any]:
    """A function that returns both the value of the scalar function ``f`` and its gradient.

    Parameters
    ----------
    f
        As for :func:`grad`: returns a real 0-d array, or ``(output, aux)`` with ``has_aux``.
    argnums
        Which positional argument to differentiate with respect to, or a tuple of them.
    has_aux
        ``f`` returns ``(output, aux)``.
    convention
        The complex convention, ``"torch"`` or ``"jax"`` (None: the thread's); see
        :func:`grad`.

    Returns
    -------
    callable
        Takes ``f``'s arguments and returns ``(value, gradient)``, or
        ``((value, aux), gradient)`` with ``has_aux``. This is the shape
        ``scipy.optimize.minimize(..., jac=True)`` expects.

    Raises
    ------
    NonScalarOutputError
        ``f`` returned something other than a 0-d array.
    NotDifferentiableError
        A differentiated argument, or the output, has an integer or boolean dtype.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> value, g = agrad.func.value_and_grad(lambda x: agrad.sum(x * x))(np.array([1.0, 2.0]))
    >>> value, g
    (array(5.), array([2., 4.]))
    """
    who = "agrad.func.value_and_grad"
    return _grad_impl(who, f, argnums, has_aux, True, _conj_flag(who, convention))


def vjp(
    f: Fn, *primals: Any, has_aux: bool = False, convention: str | None = None
) -> tuple[Any, ...]:
    """Evaluate ``f(*primals)`` and return a function for its vector-Jacobian products.

    Parameters
    ----------
    f
        The function; its output may be an array or a pytree of arrays.
    *primals
        The arguments to call ``f`` with; all of them are differentiated.
    has_aux
        ``f`` returns ``(output, aux)``; ``aux`` is returned as a third result.
    convention
        The complex convention of ``vjp_fn``, ``"torch"`` or ``"jax"`` (None: the
        thread's when ``vjp`` is called). For a holomorphic ``f``, ``vjp_fn(v)`` is
        ``v * conj(f'(z))`` in torch's and ``v * f'(z)`` in JAX's; in general JAX's is
        ``conj(torch's(conj(v)))``.

    Returns
    -------
    tuple
        ``(output, vjp_fn)``, or ``(output, vjp_fn, aux)``. ``vjp_fn(cotangent)``, with a
        cotangent of the output's structure and shapes, returns a tuple with one cotangent
        per primal. It can be called any number of times.

    Raises
    ------
    GradShapeError
        From ``vjp_fn``: a cotangent whose shape differs from its output's.
    NotDifferentiableError
        A primal has an integer or boolean dtype.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> out, vjp_fn = agrad.func.vjp(lambda x: x * x, np.array([1.0, 2.0, 3.0]))
    >>> vjp_fn(np.array([1.0, 0.0, 1.0]))
    (array([2., 0., 6.]),)
    >>> _, vjp_fn = agrad.func.vjp(lambda z: z * z, np.array([1j]), convention="jax")
    >>> vjp_fn(np.array([1.0 + 0j]))  # v * f'(z) = 2z
    (array([0.+2.j]),)
    """
    who = "agrad.func.vjp"
    conj = _conj_flag(who, convention)
    if conj is None:
        conj = STATE.conj
    with _convention(conj):
        inputs = _prepare(who, primals, range(len(primals)), "primal")
        result = _run(who, f, inputs, {}, has_aux, _default_dev(inputs))
    inputs.own(False)

    def vjp_fn(cotangent: Any) -> tuple[Any, ...]:
        flat: list[Any] = []
        flatten(cotangent, flat)
        if len(flat) != len(result.outs):
            msg = (
                f"`{who}`'s `vjp_fn` got a cotangent with {len(flat)} array(s), but the output "
                f"has {len(result.outs)}; it must have the output's structure."
            )
            raise AgradValueError(msg)
        cts = [
            _like(who, c, o, f"cotangent leaf {k}")
            for k, (c, o) in enumerate(zip(flat, result.outs, strict=True))
        ]
        graph = result.graph or _any_recorded(inputs, cts)
        inputs.own(True)
        try:
            with _convention(conj):
                grads = _pullback(inputs, result.outs, cts, retain=True, create=graph)
        finally:
            inputs.own(False)
        export = _Result(result.outs, result.out_def, None, graph, graph or result.tensors)
        return tuple(export.export_args(inputs, grads))

    vjp_fn.__doc__ = "The cotangents of the primals, given the output's cotangent."
    if has_aux:
        return result.value(), vjp_fn, result.aux_value()
    return result.value(), vjp_fn


def jvp(f: Fn, primals: Sequence[Any], tangents: Sequence[Any], has_aux: bool = False) -> Any:
    """Evaluate ``f(*primals)`` and its Jacobian-vector product with ``tangents``.

    Forward mode, computed exactly from two reverse passes: the vector-Jacobian product
    ``u -> J^T u`` is linear in ``u``, and differentiating it with respect to ``u`` in
    the direction of the tangents gives ``J v``.

    For complex arrays the result is the directional derivative
    ``d/dt f(z + t v)`` at ``t = 0``, which torch's and JAX's conventions agree on, so
    ``jvp`` takes no ``convention`` (transforms inside ``f`` follow the thread's).

    Parameters
    ----------
    f
        The function; its output may be an array or a pytree of arrays.
    primals
        A tuple (or list) of the arguments to call ``f`` with.
    tangents
        A tuple with one tangent per primal, of the same structure and shapes.
    has_aux
        ``f`` returns ``(output, aux)``; ``aux`` is returned as a third result.

    Returns
    -------
    tuple
        ``(output, tangent_out)``, or ``(output, tangent_out, aux)``; ``tangent_out`` has
        the output's structure.

    Raises
    ------
    TypeError
        ``primals`` or ``tangents`` is not a tuple or list.
    GradShapeError
        A tangent whose shape differs from its primal's.
    NotDifferentiableError
        A primal has an integer or boolean dtype.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> out, t = agrad.func.jvp(lambda x: x**2, (np.array([1.0, 3.0]),), (np.array([1.0, 1.0]),))
    >>> t  # 2x * v
    array([2., 6.])
    """
    who = "agrad.func.jvp"
    if not isinstance(primals, (tuple, list)):
        msg = f"`{who}` needs `primals` to be a tuple of arguments, got {type(primals).__name__}."
        raise AgradTypeError(msg)
    inputs = _prepare(who, primals, range(len(primals)), "primal")
    vs = _tangents(who, inputs, tangents, "tangents")
    result = _run(who, f, inputs, {}, has_aux, _default_dev(inputs))
    graph = result.graph or _any_recorded(inputs, vs)
    diff = [k for k, o in enumerate(result.outs) if o._rg and _numel(o) != 0]
    touts = [zeros_like(o) for o in result.outs]
    if diff and inputs.leaves:
        us = []
        for k in diff:
            u = zeros_like(result.outs[k])
            u._rg = True
            us.append(u)
        # the tangent map is convention-free: torch's needs no conjugations
        with _convention(False):
            gs = _engine_grad(
                [result.outs[k] for k in diff],
                inputs.leaves,
                us,
                create_graph=True,
                allow_unused=True,
            )
            pairs = [(g, v) for g, v in zip(gs, vs, strict=True) if g is not None and g._rg]
            found = (
                _engine_grad(
                    [g for g, _ in pairs],
                    us,
                    [v for _, v in pairs],
                    retain_graph=graph,
                    create_graph=graph,
                    allow_unused=True,
                )
                if pairs
                else ()
            )
        if pairs:
            for k, t in zip(diff, found, strict=True):
                if t is not None:
                    touts[k] = t
        for u in us:
            u._rg = False  # as for the inputs (see `_Inputs.own`)
    inputs.own(False)
    result.graph = graph
    result.tensors = graph or result.tensors
    value, tangent_out = result.value(), result.export_tree(result.out_def, touts)
    if has_aux:
        return value, tangent_out, result.aux_value()
    return value, tangent_out


def hvp(
    f: Fn, primals: Sequence[Any], tangents: Sequence[Any], *, convention: str | None = None
) -> tuple[Any, Any]:
    """Evaluate the scalar function ``f(*primals)`` and its Hessian-vector product.

    Two reverse passes, without forming the Hessian: the gradient is recorded, then
    differentiated in the direction of ``tangents``.

    Parameters
    ----------
    f
        A function returning a real 0-d array.
    primals
        A tuple (or list) of the arguments to call ``f`` with.
    tangents
        A tuple with one vector per primal, of the same structure and shapes.
    convention
        The complex convention, ``"torch"`` or ``"jax"`` (None: the thread's). For complex
        primals ``hvp`` is the directional derivative of the gradient ``grad(f)`` along
        ``v`` in that convention, as ``jax.jvp(jax.grad(f), primals, tangents)`` in
        JAX's: with ``H`` the real Hessian of ``f`` in ``(x, y)``, torch's is ``H v`` and
        JAX's its conjugate.

    Returns
    -------
    tuple
        ``(output, hvp)``; ``hvp`` is a tuple with one entry per primal, ``H v`` where
        ``H`` is the Hessian with respect to all primals together.

    Raises
    ------
    NonScalarOutputError
        ``f`` returned something other than a 0-d array.
    GradShapeError
        A tangent whose shape differs from its primal's.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> out, (hv,) = agrad.func.hvp(
    ...     lambda x: agrad.sum(x**3), (np.array([1.0, 2.0]),), (np.array([1.0, 1.0]),)
    ... )
    >>> hv  # diag(6x) @ v
    array([ 6., 12.])
    """
    who = "agrad.func.hvp"
    conj = _conj_flag(who, convention)
    if not isinstance(primals, (tuple, list)):
        msg = f"`{who}` needs `primals` to be a tuple of arguments, got {type(primals).__name__}."
        raise AgradTypeError(msg)
    with _convention(conj):
        return _hvp(who, f, primals, tangents)


def _hvp(who: str, f: Fn, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    inputs = _prepare(who, primals, range(len(primals)), "primal")
    vs = _tangents(who, inputs, tangents, "tangents")
    result = _run(who, f, inputs, {}, False, _default_dev(inputs))
    out = _check_scalar(who, result)
    graph = result.graph or _any_recorded(inputs, vs)
    hvs = [zeros_like(x) for x in inputs.leaves]
    if out._rg and inputs.leaves:
        gs = _engine_grad([out], inputs.leaves, create_graph=True, allow_unused=True)
        pairs = [(g, v) for g, v in zip(gs, vs, strict=True) if g is not None and g._rg]
        if pairs:
            found = _engine_grad(
                [g for g, _ in pairs],
                inputs.leaves,
                [v for _, v in pairs],
                retain_graph=graph,
                create_graph=graph,
                allow_unused=True,
            )
            hvs = [h if h is not None else z for h, z in zip(found, hvs, strict=True)]
    inputs.own(False)
    result.graph = graph
    result.tensors = graph or result.tensors
    return result.value(), tuple(result.export_args(inputs, hvs))


def _jacobian_impl(
    who: str, f: Fn, argnums: Argnums, has_aux: bool, conj: bool | None
) -> Callable[..., Any]:
    @functools.wraps(f)
    def transformed(*args: Any, **kwargs: Any) -> Any:
        with _convention(conj):
            return body(*args, **kwargs)

    def body(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums(who, argnums, len(args))
        inputs = _prepare(who, args, nums, "argument")
        result = _run(who, f, inputs, kwargs, has_aux, _default_dev(inputs))
        # one reverse pass per output element (a row of the Jacobian); all but the last
        # keep the graph
        rows_left = sum(_numel(o) for o in result.outs if o._rg)
        per_out: list[list[Tensor]] = []
        for o in result.outs:
            shape = tuple(o.shape)
            blocks: list[Tensor]
            if o._rg and _numel(o) != 0:
                n = _numel(o)
                idx = arange(n, device=o.device)
                rows: list[list[Tensor]] = [[] for _ in inputs.leaves]
                for i in range(n):
                    rows_left -= 1
                    ct = reshape(astype(idx == i, o.dtype), shape)
                    found = _pullback(
                        inputs,
                        [o],
                        [ct],
                        retain=result.graph or rows_left > 0,
                        create=result.graph,
                    )
                    for j, g in enumerate(found):
                        rows[j].append(g)
                blocks = [
                    reshape(stack(r, axis=0), shape + tuple(x.shape))
                    for r, x in zip(rows, inputs.leaves, strict=True)
                ]
            else:
                blocks = [
                    zeros(shape + tuple(x.shape), dtype=x.dtype, device=x.device)
                    for x in inputs.leaves
                ]
            per_out.append(blocks)
        inputs.own(False)
        jac_flat = []
        for blocks in per_out:
            trees = result.export_args(inputs, blocks)
            jac_flat.append(trees[0] if isinstance(argnums, int) else tuple(trees))
        jac = rebuild(result.out_def, jac_flat)
        return (jac, result.aux_value()) if has_aux else jac

    return transformed


def jacobian(
    f: Fn, argnums: Argnums = 0, has_aux: bool = False, *, convention: str | None = None
) -> Callable[..., Any]:
    """A function that returns the Jacobian of ``f``, built row by row in reverse mode.

    Parameters
    ----------
    f
        The function; its output may be an array or a pytree of arrays.
    argnums
        Which positional argument to differentiate with respect to, or a tuple of them.
    has_aux
        ``f`` returns ``(output, aux)``; ``aux`` is returned alongside the Jacobian.
    convention
        The complex convention, ``"torch"`` or ``"jax"`` (None: the thread's). Row ``i``
        is the vector-Jacobian product with the ``i``-th unit vector, so for a holomorphic
        ``f`` the Jacobian is ``f'(z)`` in JAX's (as ``jax.jacrev(f, holomorphic=True)``)
        and ``conj(f'(z))`` in torch's.

    Returns
    -------
    callable
        Takes ``f``'s arguments and returns the Jacobian: for an output ``y`` and an input
        ``x``, an array of shape ``y.shape + x.shape``. With pytrees the output's structure
        is outermost, then a tuple over ``argnums`` (when it is a tuple), then the
        argument's structure. One reverse pass runs per output element.

    Raises
    ------
    NotDifferentiableError
        A differentiated argument has an integer or boolean dtype.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> agrad.func.jacobian(lambda x: x[::-1] * 2.0)(np.array([1.0, 2.0]))
    array([[0., 2.],
           [2., 0.]])
    """
    who = "agrad.func.jacobian"
    return _jacobian_impl(who, f, argnums, has_aux, _conj_flag(who, convention))


def hessian(f: Fn, argnums: Argnums = 0, *, convention: str | None = None) -> Callable[..., Any]:
    """A function that returns the Hessian of the scalar function ``f``.

    The Jacobian of the gradient, so it costs one reverse pass of the recorded gradient per
    input element; for products with a vector, :func:`hvp` is cheaper.

    Parameters
    ----------
    f
        A function returning a real 0-d array.
    argnums
        Which positional argument to differentiate with respect to, or a tuple of them.
    convention
        The complex convention, ``"torch"`` or ``"jax"`` (None: the thread's). For complex
        arguments the Hessian is the reverse-mode Jacobian of the gradient, both in that
        convention: in JAX's, ``jax.jacrev(jax.grad(f), holomorphic=True)`` (and HIPS
        autograd's ``hessian``); ``jax.hessian`` itself refuses complex inputs.

    Returns
    -------
    callable
        Takes ``f``'s arguments and returns the Hessian, of shape ``x.shape + x.shape``; with
        a tuple ``argnums``, a nested tuple whose ``[i][j]`` block has shape
        ``x_i.shape + x_j.shape``.

    Raises
    ------
    NonScalarOutputError
        ``f`` returned something other than a 0-d array.
    NotDifferentiableError
        A differentiated argument has an integer or boolean dtype.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> agrad.func.hessian(lambda x: x[0] ** 2 * x[1])(np.array([1.0, 3.0]))
    array([[6., 2.],
           [2., 0.]])
    """
    who = "agrad.func.hessian"
    conj = _conj_flag(who, convention)
    gradient = _grad_impl(who, f, argnums, False, False, None)
    return _jacobian_impl(who, gradient, argnums, False, conj)
