"""Specs of the searching functions with a gradient: where (the others have none)."""

from __future__ import annotations

from typing import Any

import numpy as np
from agrad.conformance._spec import REAL, Spec
from hypothesis import strategies as st


def _condition(shapes: Any) -> Any:
    # a mask that broadcasts with both arrays: the result's shape, or one of theirs
    full = tuple(int(d) for d in np.broadcast_shapes(*shapes))
    shape = st.sampled_from(sorted({full, *shapes}))
    masks = shape.flatmap(
        lambda s: st.lists(st.booleans(), min_size=int(np.prod(s)), max_size=int(np.prod(s))).map(
            lambda flat: np.reshape(np.array(flat, dtype=bool), s)
        )
    )
    return st.fixed_dictionaries({"condition": masks})


SPECS = [
    Spec(
        "where",
        call=lambda xp, a, b, condition: xp.where(xp.asarray(condition, device=a.device), a, b),
        torch=lambda torch, a, b, condition: torch.where(torch.asarray(condition), a, b),
        inputs=(REAL, REAL),
        kwargs=_condition,
    ),
    Spec(
        "where",
        call=lambda xp, x, condition: xp.where(xp.asarray(condition, device=x.device), x, 0.5),
        torch=lambda torch, x, condition: torch.where(torch.asarray(condition), x, 0.5),
        inputs=(REAL,),
        kwargs=_condition,
        label="where(condition, x, 0.5)",
    ),
]
