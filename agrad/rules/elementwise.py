"""Rules for the standard's elementwise functions."""

from __future__ import annotations

import cmath
import math
from typing import Any

from agrad.extend import Rule, conj, nondiff

_PY_NUMBERS = (int, float, complex)


def _pow_vjp_x1(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # d/dx1 x1**x2 = x2 * x1**(x2 - 1); zero where x2 == 0, as torch
    if isinstance(x2, _PY_NUMBERS):
        if x2 == 0:
            return xp.zeros_like(g)  # not g * 0, which is NaN for an infinite g
        # small integer exponents by multiplication: NumPy's `x**2` gains, its `x**3` is slow
        if x2 == 2:
            return (g + g) * conj(x1, xp)
        if x2 == 3:
            return g * conj(3 * (x1 * x1), xp)
        if x2 == 0.5:  # torch's square root: -inf at -0.0, NaN at -inf (x1**-0.5 gives inf, 0)
            return g / conj(2 * xp.sqrt(x1), xp)
        return g * conj(x2 * x1 ** (x2 - 1), xp)
    # the base is 1 where x2 == 0, so the discarded 0 * 0**-1 is never NaN (nor its derivatives)
    zero = x2 == 0
    base = xp.where(zero, 1.0, x1)
    return g * conj(xp.where(zero, 0.0, x2 * base ** (x2 - 1)), xp)


def _pow_vjp_x2(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # d/dx2 x1**x2 = x1**x2 * log(x1); zero where x1 == 0 and real(x2) >= 0, as torch does
    # (complex numbers have no order in the standard: compare the real part). The discarded
    # branch never sees log(0) or 0 * inf, so second-order derivatives stay finite there.
    x2_real = xp.real(x2) if xp.isdtype(x2.dtype, "complex floating") else x2
    if isinstance(x1, _PY_NUMBERS):
        if x1 == 0:
            dead = x2_real >= 0
            return g * conj(xp.where(dead, 0.0, xp.where(dead, 1.0, out) * -math.inf), xp)
        log_x1 = cmath.log(x1) if isinstance(x1, complex) or x1 < 0 else math.log(x1)
        return g * conj(out * log_x1, xp)
    dead = (x1 == 0) & (x2_real >= 0)
    return g * conj(xp.where(dead, 0.0, out * xp.log(xp.where(dead, 1.0, x1))), xp)


def _maximum_vjp_x1(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # g where x1 wins or either is NaN, g/2 at ties (split evenly, as torch does), 0 where x1
    # loses: g * (2 - [x1 < x2] - [x1 <= x2]) / 2 - two comparisons and arithmetic, not
    # nested `where`s with a scalar zero, which NumPy broadcasts slowly
    return _half_weighted(g, x1 < x2, x1 <= x2, xp)


def _maximum_vjp_x2(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    return _half_weighted(g, x2 < x1, x2 <= x1, xp)


def _half_weighted(g: Any, strict: Any, loose: Any, xp: Any) -> Any:
    """``g`` where neither mask holds, ``g / 2`` where only ``loose``, 0 where both."""
    # torch masks out the loser, so a NaN operand (every comparison false) passes g to both.
    # The masks summed as one-byte integers (0, 1 or 2), then one cast to g's dtype: one
    # cast instead of two and a sum in g's dtype
    lost = xp.astype(strict, xp.int8) + xp.astype(loose, xp.int8)
    return g * (xp.astype(2 - lost, g.dtype) * 0.5)


def _tanh_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # g * conj(1 - out**2), as g - g*t*t: the same passes over memory, and no operation of
    # an array with a Python scalar, which NumPy runs slower than an array-array one on small
    # arrays
    t = conj(out, xp)
    return g - g * t * t


def _divide_vjp_x2(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # d/dx2 x1/x2 = -x1/x2**2 = -out/x2
    return -g * conj(out / x2, xp)


def _atan2_vjp_x1(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # d/dx1 atan2(x1, x2) = x2 / (x1**2 + x2**2)
    return g * x2 / (x1 * x1 + x2 * x2)


def _atan2_vjp_x2(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # d/dx2 atan2(x1, x2) = -x1 / (x1**2 + x2**2)
    return -g * x1 / (x1 * x1 + x2 * x2)


def _minimum_vjp_x1(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    return _half_weighted(g, x1 > x2, x1 >= x2, xp)


def _minimum_vjp_x2(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    return _half_weighted(g, x2 > x1, x2 >= x1, xp)


def _copysign_vjp_x1(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # d/dx1 copysign(x1, x2) = out / x1 (±1), 0 at x1 == 0 as torch does
    return g * xp.where(x1 == 0, 0.0, out / xp.where(x1 == 0, 1.0, x1))


def _clip_vjp_x(g: Any, out: Any, x: Any, lo: Any, hi: Any, *, xp: Any) -> Any:
    # the gradient passes where x is inside [min, max], as torch's clamp
    keep = True
    if lo is not None:
        keep = x >= lo
    if hi is not None:
        keep = (x <= hi) if keep is True else (keep & (x <= hi))
    return g if keep is True else xp.where(keep, g, 0.0)


def _clip_vjp_min(g: Any, out: Any, x: Any, lo: Any, hi: Any, *, xp: Any) -> Any:
    below = x < lo
    if hi is not None:
        below = below & (lo <= hi)
    return xp.where(below, g, 0.0)


def _clip_vjp_max(g: Any, out: Any, x: Any, lo: Any, hi: Any, *, xp: Any) -> Any:
    above = x > hi
    if lo is not None:
        above = above | (lo > hi)
    return xp.where(above, g, 0.0)


def _sign_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # real sign is piecewise constant: zeros whatever g holds (g * 0 is NaN for infinite g).
    # Complex sign(z) = z / |z|: the gradient keeps the part of g orthogonal to sign(z), over
    # |z| (torch's sgn); at 0 it is 0
    if not xp.isdtype(x.dtype, "complex floating"):
        return xp.zeros_like(g)
    at_zero = x == 0
    size = xp.where(at_zero, xp.ones_like(out), xp.abs(x))
    tangent = (g - xp.real(g * conj(out, xp)) * out) / size
    return xp.where(at_zero, xp.zeros_like(tangent), tangent)


def _abs_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # g * sgn(x), with sgn(z) = z / |z| for complex z and 0 at 0. At a NaN input the gradient
    # is NaN (torch: 0): one pass of `sign`, where a NaN-safe form costs 4-6 passes
    return g * xp.sign(x)


def _acosh_vjp(g: Any, out: Any, x: Any, *, xp: Any) -> Any:
    # 1 / sqrt(x**2 - 1) for real x (torch's, finite even below -1); for complex z the
    # principal branch's derivative is 1 / (sqrt(z - 1) sqrt(z + 1)), whose sign differs
    # from 1 / sqrt(z**2 - 1) where Re z < 0
    if xp.isdtype(x.dtype, "complex floating"):
        return g / conj(xp.sqrt(x - 1) * xp.sqrt(x + 1), xp)
    return g / xp.sqrt(x * x - 1)


def _logaddexp_vjp_x1(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    # d/dx1 log(exp(x1) + exp(x2)) = 1 / (1 + exp(x2 - x1)): stable for large inputs and
    # exactly 1/2 at ties (exp(x1 - out) rounds out and gives 1 to both at 1e308)
    return g / (1 + xp.exp(x2 - x1))


def _logaddexp_vjp_x2(g: Any, out: Any, x1: Any, x2: Any, *, xp: Any) -> Any:
    return g / (1 + xp.exp(x1 - x2))


_LN2 = math.log(2.0)
_LN10 = math.log(10.0)

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
    Rule("tanh", _tanh_vjp, save="out"),
    Rule("sqrt", lambda g, out, x, *, xp: g / (2 * conj(out, xp)), save="out"),
    Rule("abs", _abs_vjp, save="inputs"),
    Rule("maximum", _maximum_vjp_x1, _maximum_vjp_x2, save="inputs"),
    Rule("sign", _sign_vjp),
    Rule("minimum", _minimum_vjp_x1, _minimum_vjp_x2, save="inputs"),
    Rule("acos", lambda g, out, x, *, xp: -g / conj(xp.sqrt(1 - x * x), xp), save="inputs"),
    Rule("asin", lambda g, out, x, *, xp: g / conj(xp.sqrt(1 - x * x), xp), save="inputs"),
    Rule("atan", lambda g, out, x, *, xp: g / conj(1 + x * x, xp), save="inputs"),
    Rule("acosh", _acosh_vjp, save="inputs"),
    Rule("asinh", lambda g, out, x, *, xp: g / conj(xp.sqrt(x * x + 1), xp), save="inputs"),
    Rule("atanh", lambda g, out, x, *, xp: g / conj(1 - x * x, xp), save="inputs"),
    Rule("sinh", lambda g, out, x, *, xp: g * conj(xp.cosh(x), xp), save="inputs"),
    Rule("cosh", lambda g, out, x, *, xp: g * conj(xp.sinh(x), xp), save="inputs"),
    Rule("tan", lambda g, out, x, *, xp: g * conj(1 + out * out, xp), save="out"),
    Rule("expm1", lambda g, out, x, *, xp: g * conj(out + 1, xp), save="out"),
    Rule("log1p", lambda g, out, x, *, xp: g / conj(x + 1, xp), save="inputs"),
    Rule("log2", lambda g, out, x, *, xp: g / conj(x * _LN2, xp), save="inputs"),
    Rule("log10", lambda g, out, x, *, xp: g / conj(x * _LN10, xp), save="inputs"),
    Rule("square", lambda g, out, x, *, xp: (g + g) * conj(x, xp), save="inputs"),
    Rule("reciprocal", lambda g, out, x, *, xp: -g * conj(out * out, xp), save="out"),
    Rule("atan2", _atan2_vjp_x1, _atan2_vjp_x2, save="inputs"),
    # d hypot/dx1 = x1 / hypot
    Rule(
        "hypot",
        lambda g, out, x1, x2, *, xp: g * x1 / out,
        lambda g, out, x1, x2, *, xp: g * x2 / out,
    ),
    Rule("logaddexp", _logaddexp_vjp_x1, _logaddexp_vjp_x2, save="inputs"),
    # the next float after x1 moves with x1, as torch: d/dx1 = 1 (0 where x1 == x2, whose
    # output is x2), d/dx2 = 0
    Rule(
        "nextafter",
        lambda g, out, x1, x2, *, xp: xp.where(x1 == x2, 0.0, g),
        lambda g, out, x1, x2, *, xp: xp.zeros_like(g),
        save="inputs",
    ),
    Rule("copysign", _copysign_vjp_x1, lambda g, out, x1, x2, *, xp: g * 0.0),
    Rule("clip", _clip_vjp_x, _clip_vjp_min, _clip_vjp_max, save="inputs"),
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
    ),
]
