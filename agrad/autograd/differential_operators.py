"""HIPS autograd's function transforms, built on :func:`agrad.autograd.core.make_vjp`.

Each takes a function and the position of the argument to differentiate (``argnum``, an
int or a tuple of ints) and returns a function with the same arguments.
"""

from __future__ import annotations

import inspect
import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as onp

import agrad.autograd.numpy as anp
from agrad._pytree import flatten, rebuild
from agrad._tensor import Tensor
from agrad.autograd._boundary import make_jvp as _make_jvp
from agrad.autograd._boundary import make_vjp as _make_vjp
from agrad.autograd._primitive import defvjp_argnum, primitive
from agrad.autograd._vspace import vspace
from agrad.autograd.wrap_util import unary_to_nary
from agrad.errors import AgradTypeError

Fn = Callable[..., Any]

make_vjp = unary_to_nary(_make_vjp)
make_jvp = unary_to_nary(_make_jvp)


def _scalar_space(who: str, ans: Any) -> Any:
    try:
        vs = vspace(ans)
    except TypeError as e:
        msg = (
            f"{who} only applies to real scalar-output functions, and this one returned a "
            f"{type(ans).__name__} with no gradient. Try jacobian, elementwise_grad or "
            "holomorphic_grad."
        )
        raise AgradTypeError(msg) from e
    if vs.size != 1 or vs.iscomplex:
        msg = (
            f"{who} only applies to real scalar-output functions, and this one returned "
            f"{vs!r}. Try jacobian, elementwise_grad or holomorphic_grad."
        )
        raise AgradTypeError(msg)
    return vs


@unary_to_nary
def grad(fun: Fn, x: Any) -> Any:
    """
    Returns a function which computes the gradient of ``fun`` with respect to positional
    argument number ``argnum``. The returned function takes the same arguments as ``fun``,
    but returns the gradient instead. ``fun`` must return a real scalar (a size-1 array is
    accepted); the gradient has the structure of the argument.

    Examples
    --------
    >>> import agrad.autograd.numpy as np
    >>> from agrad.autograd import grad
    >>> grad(lambda x: np.sin(x) * x)(0.0)
    np.float64(0.0)
    """
    vjp, ans = _make_vjp(fun, x)
    return vjp(_scalar_space("Grad", ans).ones())


@unary_to_nary
def elementwise_grad(fun: Fn, x: Any) -> Any:
    """
    Returns a function that computes the sum of each column of the Jacobian of ``fun``, in
    one pass. If the Jacobian is diagonal, then this is the diagonal of the Jacobian.

    Examples
    --------
    >>> import numpy as onp
    >>> import agrad.autograd.numpy as np
    >>> from agrad.autograd import elementwise_grad
    >>> elementwise_grad(np.sin)(onp.array([0.0, onp.pi]))
    array([ 1., -1.])
    """
    vjp, ans = _make_vjp(fun, x)
    if vspace(ans).iscomplex:
        msg = "elementwise_grad is only applicable to real-output functions."
        raise AgradTypeError(msg)
    return vjp(vspace(ans).ones())


@unary_to_nary
def deriv(fun: Fn, x: Any) -> Any:
    """
    Returns the derivative of ``fun`` (forward mode: the Jacobian times a vector of ones).

    Examples
    --------
    >>> from agrad.autograd import deriv
    >>> deriv(lambda x: x**3)(2.0)
    array(12.)
    """
    return _make_jvp(fun, x)(vspace(x).ones())[1]


@unary_to_nary
def jacobian(fun: Fn, x: Any) -> Any:
    """
    Returns a function which computes the Jacobian of ``fun`` with respect to positional
    argument number ``argnum``, an array of shape ``fun(x).shape + x.shape``.

    Examples
    --------
    >>> import numpy as onp
    >>> from agrad.autograd import jacobian
    >>> jacobian(lambda x: x**2)(onp.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    vjp, ans = _make_vjp(fun, x)
    ans_vs, x_vs = vspace(ans), vspace(x)
    jacobian_shape = ans_vs.shape + x_vs.shape  # type: ignore[attr-defined]
    grads = [vjp(b) for b in ans_vs.standard_basis()]
    return anp.reshape(anp.stack(grads), jacobian_shape)


@unary_to_nary
def holomorphic_grad(fun: Fn, x: Any) -> Any:
    """
    Returns the derivative ``f'(z)`` of a holomorphic function of a complex argument.

    Examples
    --------
    >>> from agrad.autograd import holomorphic_grad
    >>> complex(holomorphic_grad(lambda z: z * z)(1.0 + 2.0j))
    (2+4j)
    """
    if not vspace(x).iscomplex:
        warnings.warn("Input to holomorphic_grad is not complex", UserWarning, stacklevel=3)
    return grad(lambda x: anp.real(fun(x)))(x)


def grad_named(fun: Fn, argname: str) -> Fn:
    """Returns a function which computes the gradient of ``fun`` with respect to a named
    argument.

    Examples
    --------
    >>> from agrad.autograd import grad_named
    >>> grad_named(lambda x, y: x * y, "y")(3.0, 4.0)
    np.float64(3.0)
    """
    arg_index = list(inspect.signature(fun).parameters).index(argname)
    return grad(fun, arg_index)  # type: ignore[no-any-return]


@unary_to_nary
def hessian(fun: Fn, x: Any) -> Any:
    """
    Returns a function that computes the exact Hessian of ``fun``.

    Examples
    --------
    >>> import numpy as onp
    >>> import agrad.autograd.numpy as np
    >>> from agrad.autograd import hessian
    >>> hessian(lambda x: np.sum(x**3))(onp.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    return jacobian(jacobian(fun))(x)


@unary_to_nary
def make_hvp(fun: Fn, x: Any) -> Any:
    """
    Builds a function for evaluating the Hessian-vector product at a point, which may be
    useful when evaluating many Hessian-vector products at the same point while caching
    the results of the forward pass. Returns ``(hvp, grad)``.

    Examples
    --------
    >>> import numpy as onp
    >>> import agrad.autograd.numpy as np
    >>> from agrad.autograd import make_hvp
    >>> hvp, g = make_hvp(lambda x: np.sum(x**3))(onp.array([1.0, 2.0]))
    >>> hvp(onp.array([1.0, 1.0]))
    array([ 6., 12.])
    """
    return _make_vjp(grad(fun), x)


def hessian_tensor_product(fun: Fn, argnum: int = 0) -> Fn:
    """Builds a function that returns the exact Hessian-tensor product. The returned
    function has arguments ``(*args, tensor, **kwargs)``.

    Examples
    --------
    >>> import numpy as onp
    >>> import agrad.autograd.numpy as np
    >>> from agrad.autograd import hessian_tensor_product
    >>> hessian_tensor_product(lambda x: np.sum(x**3))(onp.array([1.0, 2.0]), onp.ones(2))
    array([ 6., 12.])
    """
    fun_grad = grad(fun, argnum)

    def vector_dot_grad(*args: Any, **kwargs: Any) -> Any:
        args, vector = args[:-1], args[-1]
        return anp.tensordot(fun_grad(*args, **kwargs), vector, onp.ndim(vector))

    return grad(vector_dot_grad, argnum)  # type: ignore[no-any-return]


hessian_vector_product = hessian_tensor_product


def tensor_jacobian_product(fun: Fn, argnum: int = 0) -> Fn:
    """Builds a function that returns the exact tensor-Jacobian product, that is the
    Jacobian matrix left-multiplied by the tensor. The returned function has arguments
    ``(*args, tensor, **kwargs)``.

    Examples
    --------
    >>> import numpy as onp
    >>> from agrad.autograd import tensor_jacobian_product
    >>> tensor_jacobian_product(lambda x: x**2)(onp.array([1.0, 2.0]), onp.ones(2))
    array([2., 4.])
    """

    def vector_dot_fun(*args: Any, **kwargs: Any) -> Any:
        args, vector = args[:-1], args[-1]
        return anp.tensordot(vector, fun(*args, **kwargs), axes=onp.ndim(vector))

    return jacobian(vector_dot_fun, argnum)  # type: ignore[no-any-return]


vector_jacobian_product = tensor_jacobian_product


@unary_to_nary
def make_jvp_reversemode(fun: Fn, x: Any) -> Any:
    """
    Builds a function for evaluating the Jacobian-vector product at a point from two
    reverse passes (the VJP is linear in its cotangent).

    Examples
    --------
    >>> import numpy as onp
    >>> from agrad.autograd.differential_operators import make_jvp_reversemode
    >>> make_jvp_reversemode(lambda x: x**2)(onp.array([1.0, 2.0]))(onp.ones(2))
    array([2., 4.])
    """
    vjp, y = _make_vjp(fun, x)
    vjp_vjp, _ = _make_vjp(vjp, vspace(y).zeros())
    return vjp_vjp


def make_ggnvp(f: Fn, g: Fn | None = None, f_argnum: int = 0) -> Fn:
    """Builds a function for evaluating generalized-Gauss-Newton-vector products at a
    point: ``v -> J^T H_g J v`` with ``J`` the Jacobian of ``f`` and ``H_g`` the Hessian of
    ``g`` at ``f(x)`` (default ``g(y) = sum(y**2, axis=-1) / 2``).

    Examples
    --------
    >>> import numpy as onp
    >>> from agrad.autograd import make_ggnvp
    >>> make_ggnvp(lambda x: 2.0 * x)(onp.array([1.0, 2.0]))(onp.ones(2))
    array([4., 4.])
    """
    gfun = g if g is not None else (lambda y: 0.5 * anp.sum(y**2, axis=-1))

    @unary_to_nary
    def _make_ggnvp(f: Fn, x: Any) -> Any:
        f_vjp, f_x = _make_vjp(f, x)
        g_hvp, grad_g_x = _make_vjp(grad(gfun), f_x)
        f_jvp, _ = _make_vjp(f_vjp, vspace(grad_g_x).zeros())

        def ggnvp(v: Any) -> Any:
            return f_vjp(g_hvp(f_jvp(v)))

        return ggnvp

    return _make_ggnvp(f, f_argnum)  # type: ignore[no-any-return]


@unary_to_nary
def value_and_grad(fun: Fn, x: Any) -> Any:
    """
    Returns a function that returns both value and gradient. Suitable for use in
    ``scipy.optimize.minimize(..., jac=True)``.

    Examples
    --------
    >>> from agrad.autograd import value_and_grad
    >>> value_and_grad(lambda x: x**2)(3.0)
    (array(9.), np.float64(6.0))
    """
    vjp, ans = _make_vjp(fun, x)
    return ans, vjp(_scalar_space("value_and_grad", ans).ones())


@unary_to_nary
def grad_and_aux(fun: Fn, x: Any) -> Any:
    """
    Builds a function that returns the gradient of the first output and the (unmodified)
    second output of a function that returns two outputs.

    Examples
    --------
    >>> from agrad.autograd import grad_and_aux
    >>> grad_and_aux(lambda x: (x**2, "aux"))(3.0)
    (np.float64(6.0), 'aux')
    """
    aux_box: list[Any] = []

    def first(x: Any) -> Any:
        out, aux = fun(x)
        aux_box[:] = [aux]
        return out

    vjp, ans = _make_vjp(first, x)
    g = vjp(_scalar_space("grad_and_aux", ans).ones())
    return g, _detached(aux_box[0])


def _detached(tree: Any) -> Any:
    flat: list[Any] = []
    d = flatten(tree, flat)
    return rebuild(d, [v.detach().array if isinstance(v, Tensor) else v for v in flat])


def multigrad_dict(fun: Fn) -> Fn:
    """Takes gradients with respect to all arguments at once; returns a dict mapping each
    argument's name to its gradient.

    Examples
    --------
    >>> from agrad.autograd import multigrad_dict
    >>> dict(multigrad_dict(lambda x, y: x * y)(3.0, 4.0))
    {'x': np.float64(4.0), 'y': np.float64(3.0)}
    """
    sig = inspect.signature(fun)
    params = sig.parameters
    var_pos = [n for n, p in params.items() if p.kind == p.VAR_POSITIONAL]
    var_kwd = [n for n, p in params.items() if p.kind == p.VAR_KEYWORD]
    argnames = [n for n in params if n not in var_pos + var_kwd]
    defaults = {n: p.default for n, p in params.items() if p.default is not p.empty}

    def gradfun(*args: Any, **kwargs: Any) -> Any:
        bound = sig.bind(*args, **kwargs).arguments
        argdict = OrderedDict((n, bound[n] if n in bound else defaults[n]) for n in params)

        def newfun(dct: Any) -> Any:
            pos = tuple(dct[n] for n in argnames)
            extra = tuple(dct[var_pos[0]]) if var_pos else ()
            kw = dict(dct[var_kwd[0]]) if var_kwd else {}
            return fun(*(pos + extra), **kw)

        grad_dict = grad(newfun)(dict(argdict))
        return OrderedDict((n, grad_dict[n]) for n in argdict)

    return gradfun


def checkpoint(fun: Fn) -> Fn:
    """Returns a checkpointed version of ``fun``: intermediate values of its forward pass
    are discarded and recomputed for the backward pass, trading time for memory.

    Examples
    --------
    >>> import numpy as onp
    >>> import agrad.autograd.numpy as np
    >>> from agrad.autograd import checkpoint, grad
    >>> f = checkpoint(lambda x: np.sin(x) ** 2)
    >>> grad(lambda x: np.sum(f(x)))(onp.array([0.5]))
    array([0.84147098])
    """

    def wrapped_grad(argnum: int, ans: Any, args: Any, kwargs: Any) -> Any:
        return make_vjp(fun, argnum)(*args, **kwargs)[0]

    wrapped = primitive(fun)
    defvjp_argnum(wrapped, wrapped_grad)
    return wrapped
