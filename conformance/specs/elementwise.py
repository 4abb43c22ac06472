"""Specs of the elementwise functions: any shapes, broadcasting pairs, values in the domain."""

from __future__ import annotations

from typing import Any

from agrad.conformance import strategies
from agrad.conformance._spec import (
    ABOVE_ONE,
    AWAY,
    COMPLEX,
    POSITIVE,
    REAL,
    REAL_ONLY,
    SMALL,
    UNIT,
    Interval,
    Spec,
)
from hypothesis import strategies as st

_F32_LOOSE = {"float32": (1e-3, 1e-4), "complex64": (1e-3, 1e-4)}


@st.composite
def _clip_scalars(draw: Any, shapes: Any = None) -> dict[str, Any]:
    # a bound or two, apart (equal or crossed bounds sit on a kink); torch's clamp needs one
    lo = draw(st.one_of(st.none(), st.floats(-1.0, -0.05).map(lambda v: round(v, 3))))
    hi = draw(st.one_of(st.none(), st.floats(0.05, 1.0).map(lambda v: round(v, 3))))
    if lo is None and hi is None:
        hi = 0.5
    return {"min": lo, "max": hi}


def _torch_clamp(torch: Any, x: Any, min: Any = None, max: Any = None) -> Any:
    return torch.clamp(x, min=min, max=max)


SPECS = [
    # -- unary, torch's function of the same name -------------------------------------------
    Spec("abs", inputs=(AWAY,)),
    Spec("acos", inputs=(UNIT,), tol=_F32_LOOSE),
    Spec("acosh", inputs=(ABOVE_ONE,), tol=_F32_LOOSE),
    Spec("asin", inputs=(UNIT,), tol=_F32_LOOSE),
    Spec("asinh"),
    Spec("atan"),
    Spec("atanh", inputs=(UNIT,), tol=_F32_LOOSE),
    Spec("cos"),
    Spec("cosh"),
    Spec("exp"),
    Spec("expm1"),
    Spec("log", inputs=(POSITIVE,)),
    Spec("log1p", inputs=(Interval(-0.5, 2.0),)),
    Spec("log2", inputs=(POSITIVE,)),
    Spec("log10", inputs=(POSITIVE,)),
    Spec("negative", torch="neg"),
    Spec("positive"),
    Spec("reciprocal", inputs=(AWAY,)),
    Spec("sin"),
    Spec("sinh"),
    Spec("sqrt", inputs=(POSITIVE,)),
    Spec("square"),
    Spec("tan", inputs=(SMALL,), tol=_F32_LOOSE),
    Spec("tanh"),
    # sign's gradient is 0 for real input and torch's sgn gradient for complex input
    Spec("sign", torch="sgn", inputs=(AWAY,)),
    Spec("conj", torch=lambda torch, x: torch.conj(x)),
    # complex parts: of a complex input, and of complex values made from a real input
    Spec("real", dtypes=COMPLEX),
    Spec("imag", dtypes=COMPLEX),
    Spec(
        "real",
        call=lambda xp, x: xp.real(x * (1 - 0.5j)),
        torch=lambda torch, x: torch.real(x * (1 - 0.5j)),
        dtypes=REAL_ONLY,
        label="real(x * (1 - 0.5j))",
    ),
    Spec(
        "imag",
        call=lambda xp, x: xp.imag(x * (1 + 2j)),
        torch=lambda torch, x: torch.imag(x * (1 + 2j)),
        dtypes=REAL_ONLY,
        label="imag(x * (1 + 2j))",
    ),
    # -- binary, broadcasting ---------------------------------------------------------------
    Spec("add", inputs=(REAL, REAL)),
    Spec("subtract", inputs=(REAL, REAL)),
    Spec("multiply", inputs=(REAL, REAL)),
    Spec("divide", inputs=(REAL, AWAY)),
    Spec("pow", inputs=(POSITIVE, REAL)),
    Spec("atan2", inputs=(AWAY, AWAY), dtypes=REAL_ONLY),
    Spec("hypot", inputs=(AWAY, AWAY), dtypes=REAL_ONLY),
    Spec("logaddexp", inputs=(REAL, REAL), dtypes=REAL_ONLY),
    Spec("copysign", inputs=(AWAY, AWAY), dtypes=REAL_ONLY),
    Spec("nextafter", inputs=(REAL, REAL), dtypes=REAL_ONLY),
    # ties are a kink: values are drawn pairwise apart
    Spec("maximum", inputs=(REAL, REAL), dtypes=REAL_ONLY, distinct=True),
    Spec("minimum", inputs=(REAL, REAL), dtypes=REAL_ONLY, distinct=True),
    # the divisor away from zero; x1 / x2 near an integer (a jump) has probability ~0
    Spec("remainder", inputs=(REAL, AWAY), dtypes=REAL_ONLY),
    # -- Python scalars beside arrays (other code paths of the same rules) ------------------
    Spec("pow", call=lambda xp, x: x**2, torch=lambda t, x: x**2, label="pow(x, 2)"),
    Spec("pow", call=lambda xp, x: x**3, torch=lambda t, x: x**3, label="pow(x, 3)"),
    Spec(
        "pow",
        call=lambda xp, x: x**-2,
        torch=lambda t, x: x**-2,
        inputs=(AWAY,),
        label="pow(x, -2)",
    ),
    Spec(
        "pow",
        call=lambda xp, x: x**0.5,
        torch=lambda t, x: x**0.5,
        inputs=(POSITIVE,),
        dtypes=REAL_ONLY,
        label="pow(x, 0.5)",
    ),
    Spec("pow", call=lambda xp, x: 2.0**x, torch=lambda t, x: 2.0**x, label="pow(2, x)"),
    Spec(
        "divide",
        call=lambda xp, x: 1.5 / x,
        torch=lambda t, x: 1.5 / x,
        inputs=(AWAY,),
        label="divide(1.5, x)",
    ),
    # torch has no derivative for `remainder(Scalar, Tensor)`: finite differences are the
    # oracle, on x in [1.1, 1.4], where 3 / x stays between two integers (no jump)
    Spec(
        "remainder",
        call=lambda xp, x: 3.0 % x,
        torch=None,
        inputs=(Interval(1.1, 1.4),),
        dtypes=REAL_ONLY,
        label="remainder(3, x)",
    ),
    # -- clip: array bounds broadcast into x; or Python bounds ------------------------------
    Spec(
        "clip",
        torch=lambda torch, x, lo, hi: torch.clamp(x, lo, hi),
        inputs=(REAL, Interval(-1.0, -0.1), Interval(0.1, 1.0)),
        shapes=strategies.into_first(3),
        dtypes=REAL_ONLY,
    ),
    Spec(
        "clip",
        call=lambda xp, x, min=None, max=None: xp.clip(x, min=min, max=max),
        torch=_torch_clamp,
        kwargs=lambda shapes: _clip_scalars(),
        dtypes=REAL_ONLY,
        label="clip(x, min=float, max=float)",
    ),
]
