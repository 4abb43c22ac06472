"""Specs of the utility functions with a gradient: diff (composite)."""

from __future__ import annotations

from typing import Any

from agrad.conformance import strategies
from agrad.conformance._spec import REAL, Spec
from hypothesis import strategies as st


def _diff_kwargs(shapes: Any) -> Any:
    # n at most the axis' length: differences of an empty axis are the spec "diff(n > length)"
    (shape,) = shapes
    ndim = len(shape)
    axis = st.sampled_from([a for a in range(-ndim, ndim) if shape[a]])
    return axis.flatmap(
        lambda a: st.fixed_dictionaries({"axis": st.just(a), "n": st.integers(0, shape[a])})
    )


@st.composite
def _empty_case(draw: Any) -> Any:
    # n past the axis' length: the last differences are of an empty axis
    shape = draw(strategies.shapes(min_dims=1, empty=False))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[axis] + draw(st.integers(1, 2))
    return strategies.Case((shape,), {"axis": axis, "n": n})


@st.composite
def _with_ends(draw: Any) -> tuple[tuple[int, ...], ...]:
    # x, and prepend/append of x's shape except along the axis (the last one here)
    x = draw(strategies.shapes(min_dims=1, empty=False))
    ends = [(*x[:-1], draw(st.integers(0, 2))) for _ in range(2)]
    return (x, *ends)


def _torch_diff(
    torch: Any, x: Any, p: Any = None, a: Any = None, axis: int = -1, n: int = 1
) -> Any:
    return torch.diff(x, n=n, dim=axis, prepend=p, append=a)


SPECS = [
    Spec(
        "diff",
        torch=lambda torch, x, axis=-1, n=1: torch.diff(x, n=n, dim=axis),
        shapes=strategies.shapes(min_dims=1, empty=False).map(lambda s: (s,)),
        kwargs=_diff_kwargs,
    ),
    Spec(
        "diff",
        torch=lambda torch, x, axis=-1, n=1: torch.diff(x, n=n, dim=axis),
        shapes=_empty_case(),
        label="diff(n > length)",
    ),
    Spec(
        "diff",
        call=lambda xp, x, p, a, n=1: xp.diff(x, axis=-1, n=n, prepend=p, append=a),
        torch=lambda torch, x, p, a, n=1: _torch_diff(torch, x, p, a, -1, n),
        inputs=(REAL, REAL, REAL),
        shapes=_with_ends(),
        # n within the joined length (past it is the spec "diff(n > length)")
        kwargs=lambda shapes: st.fixed_dictionaries(
            {"n": st.integers(1, min(2, sum(s[-1] for s in shapes)))}
        ),
        label="diff(prepend, append)",
    ),
]
