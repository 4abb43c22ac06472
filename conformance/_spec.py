"""What a spec is: the :class:`Spec` of one function and the input domains it draws from."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from typing import Any

from agrad.conformance import strategies
from agrad.conformance._domains import (
    ABOVE_ONE,
    AWAY,
    POSITIVE,
    REAL,
    SMALL,
    UNIT,
    Away,
    Domain,
    Interval,
    Matrices,
    Shape,
)

__all__ = [
    "ABOVE_ONE",
    "ALL_DTYPES",
    "AWAY",
    "COMPLEX",
    "POSITIVE",
    "REAL",
    "REAL_ONLY",
    "SMALL",
    "UNIT",
    "Away",
    "Domain",
    "Interval",
    "Matrices",
    "Spec",
    "by_name",
    "dims",
]


#: the dtypes the kit knows, by their standard names
REAL_ONLY: tuple[str, ...] = ("float64", "float32")
COMPLEX: tuple[str, ...] = ("complex128", "complex64")
ALL_DTYPES: tuple[str, ...] = REAL_ONLY + COMPLEX

#: (rtol, atol) per dtype; a gradient passes when max|ours - oracle| <= atol + rtol * max|oracle|
DEFAULT_TOL: dict[str, tuple[float, float]] = {
    "float64": (1e-7, 1e-9),
    "complex128": (1e-7, 1e-9),
    "float32": (2e-4, 2e-5),
    "complex64": (2e-4, 2e-5),
}
#: finite differences are only this good (a fourth-order stencil, in float64)
FD_TOL: tuple[float, float] = (1e-6, 1e-7)


def dims(axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    """A standard ``axis`` argument as torch's ``dim`` tuple (None is every axis).

    Examples
    --------
    >>> from agrad.conformance._spec import dims
    >>> dims(None, 3), dims(-1, 3), dims((0, 2), 3)
    ((0, 1, 2), (-1,), (0, 2))
    """
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        return (axis,)
    return tuple(axis)


# -- the spec -----------------------------------------------------------------------------
def by_name(lib: Any, name: str) -> Callable[..., Any]:
    """``lib.linalg.solve`` for ``"linalg.solve"``; AttributeError if ``lib`` lacks it.

    Examples
    --------
    >>> import agrad
    >>> from agrad.conformance.specs import by_name
    >>> by_name(agrad, "linalg.det") is agrad.linalg.det
    True
    """
    return functools.reduce(getattr, name.split("."), lib)  # type: ignore[no-any-return]


_SAME = "same name"


@dataclasses.dataclass(frozen=True, eq=False)
class Spec:
    """How to check the gradient of one function: its inputs, keywords, twin and tolerances.

    Parameters
    ----------
    name
        The rule exercised, as agrad's rule table names it (``"sin"``, ``"linalg.solve"``).
    call
        ``call(xp, *arrays, **kwargs)`` returns the output (or a tuple of outputs) with the
        namespace ``xp`` (agrad). Default: the function ``name`` of ``xp``.
    torch
        ``torch(torch_module, *tensors, **kwargs)``: the same computation in torch.
        Default: torch's function of the same name. ``None``: torch lacks it (or differs on
        purpose), and central finite differences are the oracle.
    inputs
        One :class:`Domain` per array input (the arity).
    shapes
        A hypothesis strategy of input-shape tuples. Default: mutually broadcastable shapes
        (0-d and size-0 included) for an elementwise function.
    kwargs
        ``kwargs(shapes)`` returns a strategy of keyword-argument dicts valid for those
        shapes (``axis``, ``keepdims``, ``correction``, ``ord``, ...).
    dtypes
        The dtypes the function is defined for (by standard name).
    tol
        ``{dtype: (rtol, atol)}`` overriding the defaults.
    distinct
        Draw values pairwise apart, away from ties (``max``, ``sort``, ``maximum``).
    order
        The highest order of derivative that is defined and checked.
    label
        A unique id when one function has several specs (``"pow(x, 3)"``).

    Examples
    --------
    >>> from agrad.conformance import POSITIVE, Spec
    >>> spec = Spec("log", inputs=(POSITIVE,))
    >>> spec.id, spec.arity
    ('log', 1)
    """

    name: str
    call: Callable[..., Any] | None = None
    torch: Callable[..., Any] | str | None = _SAME
    inputs: tuple[Domain, ...] = (REAL,)
    shapes: Any = None
    kwargs: Callable[[tuple[Shape, ...]], Any] | None = None
    dtypes: tuple[str, ...] = ALL_DTYPES
    tol: Mapping[str, tuple[float, float]] = dataclasses.field(default_factory=dict)
    distinct: bool = False
    order: int = 2
    label: str = ""
    category: str = ""

    @property
    def id(self) -> str:
        """The spec's unique id: its ``label``, or its ``name``."""
        return self.label or self.name

    @property
    def arity(self) -> int:
        """The number of array inputs."""
        return len(self.inputs)

    @property
    def has_torch(self) -> bool:
        """Whether torch.autograd can be the oracle."""
        return self.torch is not None

    def shape_strategy(self) -> Any:
        """The strategy of input shapes (the elementwise default when none was given)."""
        if self.shapes is not None:
            return self.shapes
        return strategies.broadcastable(self.arity)

    def agrad_call(self, xp: Any, *arrays: Any, **kwargs: Any) -> Any:
        """Run the function with namespace ``xp``."""
        if self.call is not None:
            return self.call(xp, *arrays, **kwargs)
        return by_name(xp, self.name)(*arrays, **kwargs)

    def torch_call(self, torch: Any, *tensors: Any, **kwargs: Any) -> Any:
        """Run torch's twin."""
        if self.torch is None:
            msg = f"Spec `{self.id}` has no torch twin; use the finite-difference oracle."
            raise ValueError(msg)
        if callable(self.torch):
            return self.torch(torch, *tensors, **kwargs)
        name = self.name if self.torch == _SAME else self.torch
        return by_name(torch, name)(*tensors, **kwargs)

    def tolerance(self, dtype: str, oracle: str) -> tuple[float, float]:
        """``(rtol, atol)`` for ``dtype`` against ``oracle`` ("torch" or "finite-difference")."""
        rtol, atol = self.tol.get(dtype, DEFAULT_TOL[dtype])
        if oracle == "finite-difference":
            rtol, atol = max(rtol, FD_TOL[0]), max(atol, FD_TOL[1])
        return rtol, atol

    def describe(self) -> str:
        """One line: name, inputs and dtypes."""
        doms = ", ".join(str(d) for d in self.inputs)
        twin = "torch" if self.has_torch else "finite differences"
        return f"{self.id}: inputs {doms}; dtypes {', '.join(self.dtypes)}; oracle {twin}"
