"""Rules for the standard's elementwise functions."""

from __future__ import annotations

import cmath
import math
from typing import Any

from agrad.extend import Rule, conj, nondiff

_PY_NUMBERS = (int, float, complex)


def _pow_vjp_x1(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # d/dx1 x1**x2 = x2 * x1**(x2 - 1); zero where x2 == 0, so 0**-1 never gives 0 * inf
    if isinstance(x2, _PY_NUMBERS):
        if x2 == 0:
            return g * 0
        # `**` with a Python exponent takes NumPy's fast paths for small integer powers
        return g * conj(x2 * x1 ** (x2 - 1), xp)
    return g * conj(xp.where(x2 == 0, 0.0, x2 * x1 ** (x2 - 1)), xp)


def _pow_vjp_x2(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # d/dx2 x1**x2 = x1**x2 * log(x1); zero where x1 == 0 and x2 >= 0, as torch does
    if isinstance(x1, _PY_NUMBERS):
        if x1 == 0:
            return xp.where(x2 >= 0, 0.0, g * conj(out * -math.inf, xp))
        log_x1 = cmath.log(x1) if isinstance(x1, complex) or x1 < 0 else math.log(x1)
        return g * conj(out * log_x1, xp)
    return g * conj(xp.where((x1 == 0) & (x2 >= 0), 0.0, out * xp.log(x1)), xp)


def _maximum_vjp_x1(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # ties split the gradient in half between the two inputs, as torch does
    return xp.where(x1 > x2, g, xp.where(x1 == x2, g / 2, 0.0))


def _maximum_vjp_x2(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    return xp.where(x2 > x1, g, xp.where(x1 == x2, g / 2, 0.0))


def _divide_vjp_x2(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # d/dx2 x1/x2 = -x1/x2**2 = -out/x2
    return -g * conj(out / x2, xp)


RULES = [
    Rule("add", lambda g, out, x1, x2, *, xp: g, lambda g, out, x1, x2, *, xp: g, linear=True),
    Rule(
        "subtract",
        lambda g, out, x1, x2, *, xp: g,
        lambda g, out, x1, x2, *, xp: -g,
        linear=True,
    ),
    Rule(
        "multiply",
        lambda g, out, x1, x2, *, xp: g * conj(x2, xp),
        lambda g, out, x1, x2, *, xp: g * conj(x1, xp),
        save="inputs",
    ),
    Rule("divide", lambda g, out, x1, x2, *, xp: g / conj(x2, xp), _divide_vjp_x2),
    Rule(
        "remainder",
        lambda g, out, x1, x2, *, xp: g,
        # d/dx2 (x1 - x2 * floor(x1 / x2)) = -floor(x1 / x2) almost everywhere
        lambda g, out, x1, x2, *, xp: -g * xp.floor_divide(x1, x2),
        save="inputs",
    ),
    Rule("negative", lambda g, out, x, *, xp: -g, linear=True),
    Rule("positive", lambda g, out, x, *, xp: g, linear=True),
    Rule("pow", _pow_vjp_x1, _pow_vjp_x2),
    Rule("exp", lambda g, out, x, *, xp: g * conj(out, xp), save="out"),
    Rule("log", lambda g, out, x, *, xp: g / conj(x, xp), save="inputs"),
    Rule("sin", lambda g, out, x, *, xp: g * conj(xp.cos(x), xp), save="inputs"),
    Rule("cos", lambda g, out, x, *, xp: -g * conj(xp.sin(x), xp), save="inputs"),
    Rule("tanh", lambda g, out, x, *, xp: g * conj(1 - out * out, xp), save="out"),
    Rule("sqrt", lambda g, out, x, *, xp: g / (2 * conj(out, xp)), save="out"),
    # torch: grad * sgn(x), with sgn(z) = z / |z| for complex z and 0 at 0
    Rule("abs", lambda g, out, x, *, xp: g * xp.sign(x), save="inputs"),
    Rule("maximum", _maximum_vjp_x1, _maximum_vjp_x2, save="inputs"),
    # complex parts, as torch: real(z) passes g back as g + 0j, imag(z) as 1j * g
    Rule("real", lambda g, out, x, *, xp: g, linear=True),
    Rule("imag", lambda g, out, x, *, xp: g * 1j, linear=True),
    Rule("conj", lambda g, out, x, *, xp: xp.conj(g), linear=True),
    *nondiff(
        "equal",
        "not_equal",
        "less",
        "less_equal",
        "greater",
        "greater_equal",
        "floor_divide",
        "bitwise_and",
        "bitwise_or",
        "bitwise_xor",
        "bitwise_invert",
        "bitwise_left_shift",
        "bitwise_right_shift",
        "logical_and",
        "logical_or",
        "logical_xor",
        "logical_not",
        "isfinite",
        "isinf",
        "isnan",
        "signbit",
        "floor",
        "ceil",
        "trunc",
        "round",
        "sign",
    ),
]
