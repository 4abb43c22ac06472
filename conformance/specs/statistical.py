"""Specs of the reductions and cumulative functions: axes, keepdims, correction."""

from __future__ import annotations

from typing import Any

from agrad.conformance import strategies
from agrad.conformance._spec import AWAY, REAL, REAL_ONLY, Spec, dims
from hypothesis import strategies as st


def _torch_reduce(name: str) -> Any:
    def call(torch: Any, x: Any, axis: Any = None, keepdims: bool = False, **kw: Any) -> Any:
        return getattr(torch, name)(x, dim=dims(axis, x.ndim), keepdim=keepdims, **kw)

    return call


def _torch_prod(torch: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    # torch.prod reduces one dim at a time
    axes = sorted((d % x.ndim for d in dims(axis, x.ndim)), reverse=True)
    for d in axes:
        x = torch.prod(x, dim=d, keepdim=True)
    if not keepdims and axes:
        x = x.reshape([n for k, n in enumerate(x.shape) if k not in axes])
    return x


def _cumulative(shapes: Any) -> Any:
    (shape,) = shapes
    ndim = len(shape)
    axis = st.integers(-ndim, ndim - 1)
    if ndim == 1:
        axis = st.one_of(st.none(), axis)
    return st.fixed_dictionaries({"axis": axis, "include_initial": st.booleans()})


def _torch_cumulative(name: str, initial: float) -> Any:
    def call(torch: Any, x: Any, axis: int | None = None, include_initial: bool = False) -> Any:
        d = 0 if axis is None else axis
        out = getattr(torch, name)(x, dim=d)
        if include_initial:
            shape = list(x.shape)
            shape[d] = 1
            out = torch.cat([torch.full(shape, initial, dtype=x.dtype), out], dim=d)
        return out

    return call


_CORRECTION = st.sampled_from([0, 1, 0.5])

SPECS = [
    Spec("sum", torch=_torch_reduce("sum"), kwargs=strategies.reductions()),
    Spec(
        "mean",
        torch=_torch_reduce("mean"),
        shapes=strategies.reducible(1),
        kwargs=strategies.reductions(nonempty=True),
    ),
    # away from zero: prod's gradient at zeros is exact, but checked in tests/test_rules.py
    Spec("prod", torch=_torch_prod, inputs=(AWAY,), kwargs=strategies.reductions()),
    # ties share the gradient: values are drawn pairwise apart
    Spec(
        "max",
        shapes=strategies.reducible(1),
        torch=_torch_reduce("amax"),
        kwargs=strategies.reductions(nonempty=True),
        dtypes=REAL_ONLY,
        distinct=True,
    ),
    Spec(
        "min",
        shapes=strategies.reducible(1),
        torch=_torch_reduce("amin"),
        kwargs=strategies.reductions(nonempty=True),
        dtypes=REAL_ONLY,
        distinct=True,
    ),
    # at least two values, so the variance is positive and above the correction; spread
    # apart, so it is well away from zero: std's second derivative grows like 1/std**3, and
    # float32 results of near-equal values differ between libraries far beyond tolerance
    Spec(
        "var",
        torch=_torch_reduce("var"),
        shapes=strategies.reducible(2),
        kwargs=strategies.reductions(min_count=2, correction=_CORRECTION),
        dtypes=REAL_ONLY,
        distinct=True,
        tol={"float32": (1e-3, 1e-4)},
    ),
    Spec(
        "std",
        torch=_torch_reduce("std"),
        shapes=strategies.reducible(2),
        kwargs=strategies.reductions(min_count=2, correction=st.sampled_from([0, 1])),
        dtypes=REAL_ONLY,
        distinct=True,
        tol={"float32": (1e-3, 1e-4)},
    ),
    Spec(
        "std",
        torch=_torch_reduce("std"),
        shapes=strategies.reducible(2),
        kwargs=strategies.reductions(min_count=2, correction=st.just(0.5)),
        dtypes=REAL_ONLY,
        distinct=True,
        tol={"float32": (1e-3, 1e-4)},
        label="std(correction=0.5)",
    ),
    Spec(
        "cumulative_sum",
        torch=_torch_cumulative("cumsum", 0.0),
        inputs=(REAL,),
        shapes=strategies.shapes(min_dims=1).map(lambda s: (s,)),
        kwargs=_cumulative,
    ),
    Spec(
        "cumulative_prod",
        torch=_torch_cumulative("cumprod", 1.0),
        inputs=(AWAY,),
        shapes=strategies.shapes(min_dims=1).map(lambda s: (s,)),
        kwargs=_cumulative,
        tol={"float32": (1e-3, 1e-4), "complex64": (1e-3, 1e-4)},
    ),
]
