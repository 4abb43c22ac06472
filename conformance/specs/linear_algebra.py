"""Specs of the linear-algebra functions: matmul (every operand form), transposes, contractions."""

from __future__ import annotations

from typing import Any

import hypothesis.extra.numpy as hnp
from agrad.conformance import strategies
from agrad.conformance._spec import REAL, Spec
from hypothesis import strategies as st

Shape = tuple[int, ...]
_SIDE = st.integers(1, 3)


@st.composite
def matmul_shapes(draw: Any) -> tuple[Shape, Shape]:
    """Operands of ``matmul``: vectors or stacks of matrices, batches broadcasting."""
    n, m = draw(_SIDE), draw(_SIDE)
    k = draw(st.integers(0, 3))
    batches = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=2))
    ba, bb = batches.input_shapes
    a = (k,) if draw(st.booleans()) else (*ba, n, k)
    b = (k,) if draw(st.booleans()) else (*bb, k, m)
    return a, b


def _tensordot_int(shapes: tuple[Shape, ...]) -> Any:
    a, b = shapes
    valid = [k for k in range(min(len(a), len(b)) + 1) if a[len(a) - k :] == b[:k]]
    return st.fixed_dictionaries({"axes": st.sampled_from(valid)})


@st.composite
def _contractible(draw: Any) -> tuple[Shape, Shape]:
    # free dims of a, contracted dims, free dims of b: a = free_a + c, b = c + free_b
    c = draw(st.lists(_SIDE, max_size=2))
    fa = draw(st.lists(_SIDE, max_size=2))
    fb = draw(st.lists(_SIDE, max_size=2))
    return (*fa, *c), (*c, *fb)


def _tensordot_pairs(shapes: tuple[Shape, ...]) -> Any:
    a, b = shapes

    @st.composite
    def draw_axes(draw: Any) -> dict[str, Any]:
        pairs: list[tuple[int, int]] = []
        used: set[int] = set()
        for i in draw(st.permutations(range(len(a)))):
            options = [j for j in range(len(b)) if b[j] == a[i] and j not in used]
            if options and draw(st.booleans()):
                j = draw(st.sampled_from(options))
                pairs.append((i, j))
                used.add(j)
        return {"axes": ([i for i, _ in pairs], [j for _, j in pairs])}

    return draw_axes()


@st.composite
def vecdot_shapes(draw: Any) -> tuple[Shape, Shape]:
    """Broadcasting operands whose contracted (last) axis has one size."""
    found = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3, max_side=3)
    )
    a, b = (list(s) for s in found.input_shapes)
    c = draw(st.integers(0, 3))
    a[-1] = b[-1] = c
    return tuple(a), tuple(b)


def _vecdot_kwargs(shapes: tuple[Shape, ...]) -> Any:
    a, b = shapes
    axes = [-d for d in range(1, min(len(a), len(b)) + 1) if a[-d] == b[-d]]
    return st.fixed_dictionaries({"axis": st.sampled_from(axes)})


SPECS = [
    Spec("matmul", inputs=(REAL, REAL), shapes=matmul_shapes()),
    Spec(
        "matrix_transpose",
        torch=lambda torch, x: x.mT,
        shapes=strategies.shapes(min_dims=2).map(lambda s: (s,)),
    ),
    Spec(
        "tensordot",
        torch=lambda torch, a, b, axes=2: torch.tensordot(a, b, dims=axes),
        inputs=(REAL, REAL),
        shapes=_contractible(),
        kwargs=_tensordot_int,
    ),
    Spec(
        "tensordot",
        torch=lambda torch, a, b, axes=2: torch.tensordot(a, b, dims=axes),
        inputs=(REAL, REAL),
        shapes=st.tuples(strategies.shapes(empty=False), strategies.shapes(empty=False)),
        kwargs=_tensordot_pairs,
        label="tensordot(axes=pairs)",
    ),
    Spec(
        "vecdot",
        torch=lambda torch, a, b, axis=-1: torch.linalg.vecdot(a, b, dim=axis),
        inputs=(REAL, REAL),
        shapes=vecdot_shapes(),
        kwargs=_vecdot_kwargs,
    ),
]
