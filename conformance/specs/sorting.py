"""Specs of the sorting functions with a gradient: sort (argsort has none)."""

from __future__ import annotations

from typing import Any

from agrad.conformance import strategies
from agrad.conformance._spec import REAL_ONLY, Spec
from hypothesis import strategies as st


def _sort_kwargs(shapes: Any) -> Any:
    ndim = len(shapes[0])
    return st.fixed_dictionaries(
        {"axis": st.integers(-ndim, ndim - 1), "descending": st.booleans()}
    )


SPECS = [
    # ties are kinks: the values are drawn pairwise apart
    Spec(
        "sort",
        torch=lambda torch, x, axis=-1, descending=False: (
            torch.sort(x, dim=axis, descending=descending).values
        ),
        shapes=strategies.shapes(min_dims=1).map(lambda s: (s,)),
        kwargs=_sort_kwargs,
        dtypes=REAL_ONLY,
        distinct=True,
    ),
]
