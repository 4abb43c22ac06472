"""Specs of the creation functions with a gradient: asarray, tril, triu, meshgrid."""

from __future__ import annotations

from typing import Any

from agrad.conformance import strategies
from agrad.conformance._spec import REAL, Spec
from hypothesis import strategies as st


def _ones(n: int) -> Any:
    """Shapes of ``n`` 1-D inputs (``meshgrid``), empty ones included."""
    return st.tuples(*(st.integers(0, 3).map(lambda k: (k,)) for _ in range(n)))


def _indexing(shapes: Any) -> Any:
    return st.fixed_dictionaries({"indexing": st.sampled_from(["xy", "ij"])})


def _k(shapes: Any) -> Any:
    return st.fixed_dictionaries({"k": st.integers(-3, 3)})


_MATRICES = strategies.shapes(min_dims=2, max_dims=3).map(lambda s: (s,))

SPECS = [
    Spec(
        "asarray",
        torch=lambda torch, x, copy=None: x.clone() if copy else x * 1,
        kwargs=lambda shapes: st.fixed_dictionaries({"copy": st.sampled_from([None, True])}),
    ),
    Spec("tril", torch=lambda torch, x, k=0: torch.tril(x, k), shapes=_MATRICES, kwargs=_k),
    Spec("triu", torch=lambda torch, x, k=0: torch.triu(x, k), shapes=_MATRICES, kwargs=_k),
    Spec(
        "meshgrid",
        call=lambda xp, a, b, indexing="xy": xp.meshgrid(a, b, indexing=indexing),
        torch=lambda torch, a, b, indexing="xy": torch.meshgrid(a, b, indexing=indexing),
        inputs=(REAL, REAL),
        shapes=_ones(2),
        kwargs=_indexing,
    ),
    Spec(
        "meshgrid",
        call=lambda xp, a, indexing="xy": xp.meshgrid(a, indexing=indexing),
        torch=lambda torch, a, indexing="xy": torch.meshgrid(a, indexing=indexing),
        shapes=_ones(1),
        kwargs=_indexing,
        label="meshgrid(1 array)",
    ),
    Spec(
        "meshgrid",
        call=lambda xp, a, b, c, indexing="xy": xp.meshgrid(a, b, c, indexing=indexing),
        torch=lambda torch, a, b, c, indexing="xy": torch.meshgrid(a, b, c, indexing=indexing),
        inputs=(REAL, REAL, REAL),
        shapes=_ones(3),
        kwargs=_indexing,
        label="meshgrid(3 arrays)",
    ),
]
