"""Rules for the standard's sorting functions."""

from __future__ import annotations

from typing import Any

from agrad.extend import Rule, nondiff


def _sort_vjp(
    g: Any,
    out: Any,
    x: Any,
    *,
    xp: Any,
    axis: int = -1,
    descending: bool = False,
    stable: bool = True,
) -> Any:
    # each input element went to one sorted position: send its cotangent back there
    order = xp.argsort(x, axis=axis, descending=descending, stable=True)
    inverse = xp.argsort(order, axis=axis, stable=True)
    return xp.take_along_axis(g, inverse, axis=axis)


RULES = [
    Rule("sort", _sort_vjp, save="inputs"),
    *nondiff("argsort"),
]
