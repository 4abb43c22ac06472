"""``agrad.autograd.test_util``: HIPS autograd's gradient checks, run on agrad.

``check_grads(f, modes=["fwd", "rev"], order=2)(*args)`` compares the reverse-mode
vector-Jacobian products (and forward-mode Jacobian-vector products) of ``f`` with central
finite differences along random directions, to the given order (the derivative functions
are themselves checked).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import product
from typing import Any

from agrad.autograd._boundary import make_jvp, make_vjp
from agrad.autograd._vspace import vspace
from agrad.autograd.wrap_util import get_name, unary_to_nary
from agrad.errors import AgradValueError

__all__ = ["check_equivalent", "check_grads", "check_jvp", "check_vjp", "combo_check",
           "scalar_close"]  # fmt: skip

TOL = 1e-6
RTOL = 1e-6
EPS = 1e-6


def scalar_close(a: Any, b: Any) -> bool:
    """Whether two scalars agree to an absolute or relative 1e-6.

    Examples
    --------
    >>> from agrad.autograd.test_util import scalar_close
    >>> scalar_close(1.0, 1.0 + 1e-9)
    True
    """
    return bool(abs(a - b) < TOL or abs(a - b) / abs(a + b) < RTOL)


def make_numerical_jvp(f: Callable[[Any], Any], x: Any) -> Callable[[Any], Any]:
    """``v -> (f(x + v eps/2) - f(x - v eps/2)) / eps``, central differences."""
    y = f(x)
    x_vs, y_vs = vspace(x), vspace(y)

    def jvp(v: Any) -> Any:
        f_plus = f(x_vs.add(x, x_vs.scalar_mul(v, EPS / 2)))
        f_minus = f(x_vs.add(x, x_vs.scalar_mul(v, -EPS / 2)))
        return y_vs.scalar_mul(y_vs.add(f_plus, y_vs.scalar_mul(f_minus, -1.0)), 1.0 / EPS)

    return jvp


def check_vjp(f: Callable[[Any], Any], x: Any) -> None:
    """Assert that ``f``'s VJP at ``x`` agrees with finite differences along random vectors.

    Examples
    --------
    >>> from agrad.autograd.test_util import check_vjp
    >>> check_vjp(lambda x: x**2, 1.5)
    """
    vjp, y = make_vjp(f, x)
    jvp = make_numerical_jvp(f, x)
    x_vs, y_vs = vspace(x), vspace(y)
    x_v, y_v = x_vs.randn(), y_vs.randn()
    vjp_y = x_vs.covector(vjp(y_vs.covector(y_v)))
    if vspace(vjp_y) != x_vs:
        msg = f"VJP of {get_name(f)} returned {vspace(vjp_y)!r}, expected {x_vs!r}"
        raise AssertionError(msg)
    exact = x_vs.inner_prod(x_v, vjp_y)
    numeric = y_vs.inner_prod(y_v, jvp(x_v))
    if not scalar_close(numeric, exact):
        msg = (
            f"Derivative (VJP) check of {get_name(f)} failed with arg {x}:\n"
            f"analytic: {exact}\nnumeric:  {numeric}"
        )
        raise AssertionError(msg)


def check_jvp(f: Callable[[Any], Any], x: Any) -> None:
    """Assert that ``f``'s JVP at ``x`` agrees with finite differences along a random vector.

    Examples
    --------
    >>> from agrad.autograd.test_util import check_jvp
    >>> check_jvp(lambda x: x**2, 1.5)
    """
    jvp = make_jvp(f, x)
    numeric = make_numerical_jvp(f, x)
    x_v = vspace(x).randn()
    check_equivalent(jvp(x_v)[1], numeric(x_v))


def check_equivalent(x: Any, y: Any) -> None:
    """Assert that ``x`` and ``y`` have the same vector space and (nearly) the same value.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.autograd.test_util import check_equivalent
    >>> check_equivalent(np.ones(2), np.ones(2))
    """
    x_vs, y_vs = vspace(x), vspace(y)
    if x_vs != y_vs:
        msg = f"VSpace mismatch:\nx: {x_vs}\ny: {y_vs}"
        raise AssertionError(msg)
    v = x_vs.randn()
    if not scalar_close(x_vs.inner_prod(x, v), x_vs.inner_prod(y, v)):
        msg = f"Value mismatch:\nx: {x}\ny: {y}"
        raise AssertionError(msg)


@unary_to_nary
def check_grads(
    f: Callable[[Any], Any], x: Any, modes: Sequence[str] = ("fwd", "rev"), order: int = 2
) -> None:
    """
    Check ``f``'s derivatives against finite differences, to order ``order``, in forward
    (``"fwd"``) and reverse (``"rev"``) mode. Raises AssertionError on a mismatch.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad.autograd.numpy as anp
    >>> from agrad.autograd.test_util import check_grads
    >>> check_grads(anp.sin)(np.array([0.5, 1.0]))
    """
    if not all(m in ("fwd", "rev") for m in modes):
        msg = f"`check_grads` modes are 'fwd' and 'rev', got {modes!r}"
        raise AgradValueError(msg)
    if "fwd" in modes:
        check_jvp(f, x)
        if order > 1:

            def jvp_f(x: Any, v: Any) -> Any:
                return make_jvp(f, x)(v)[1]

            jvp_f.__name__ = f"jvp_{get_name(f)}"
            v = vspace(x).randn()
            check_grads(jvp_f, (0, 1), modes, order=order - 1)(x, v)
    if "rev" in modes:
        check_vjp(f, x)
        if order > 1:

            def vjp_f(x: Any, v: Any) -> Any:
                return make_vjp(f, x)[0](v)

            vjp_f.__name__ = f"vjp_{get_name(f)}"
            v = vspace(f(x)).randn()
            check_grads(vjp_f, (0, 1), modes, order=order - 1)(x, v)


def combo_check(fun: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., None]:
    """``check_grads`` of ``fun`` for every combination of the given argument values.

    Examples
    --------
    >>> import agrad.autograd.numpy as anp
    >>> from agrad.autograd.test_util import combo_check
    >>> combo_check(anp.multiply, [0, 1])([1.0, 2.0], [3.0])
    """

    def _combo_check(*args_: Any, **kwargs_: Any) -> None:
        kwarg_key_vals = [[(k, v) for v in vs] for k, vs in kwargs_.items()]
        for _args in product(*args_):
            for _kwargs in product(*kwarg_key_vals):
                check_grads(fun, *args, **kwargs)(*_args, **dict(_kwargs))

    return _combo_check
