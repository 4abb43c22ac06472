"""Rules for the standard's creation functions.

Only ``asarray`` of a tensor has a gradient (it passes through); the rest make new arrays
from Python values and shapes.
"""

from __future__ import annotations

from typing import Any

from agrad.extend import Rule, nondiff


def _meshgrid_vjp(g: Any, out: Any, *arrays: Any, xp: Any, index: int, indexing: str) -> Any:
    # input `index` is spread along one axis of output `index`: sum the others away
    axis = index
    if indexing == "xy" and len(arrays) > 1 and index < 2:
        axis = 1 - index
    gi = g[index] if isinstance(g, (tuple, list)) else g  # one output: a bare cotangent
    return xp.sum(gi, axis=tuple(a for a in range(gi.ndim) if a != axis))


RULES = [
    Rule("asarray", lambda g, out, obj, *, xp, copy=None: g, linear=True),
    Rule("tril", lambda g, out, x, *, xp, k=0: xp.tril(g, k=k), linear=True),
    Rule("triu", lambda g, out, x, *, xp, k=0: xp.triu(g, k=k), linear=True),
    Rule("meshgrid", _meshgrid_vjp, linear=True, variadic=True),
    *nondiff(
        "arange",
        "empty",
        "empty_like",
        "eye",
        "from_dlpack",
        "full",
        "full_like",
        "linspace",
        "ones",
        "ones_like",
        "zeros",
        "zeros_like",
    ),
]
