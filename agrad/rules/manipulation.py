"""Rules for the standard's manipulation functions."""

from __future__ import annotations

from typing import Any

from agrad.extend import Rule


def _permute_back(g: Any, out: Any, x: Any, *, xp: Any, axes: tuple[int, ...]) -> Any:
    ndim = len(axes)
    inverse = [0] * ndim
    for i, a in enumerate(axes):
        inverse[a % ndim] = i
    return xp.permute_dims(g, tuple(inverse))


RULES = [
    Rule("flip", lambda g, out, x, *, xp, axis=None: xp.flip(g, axis=axis), linear=True, view=True),
    Rule(
        "reshape",
        lambda g, out, x, *, xp, shape, copy=None: xp.reshape(g, x.shape),
        save="meta",
        view=True,
    ),
    Rule("permute_dims", _permute_back, linear=True, view=True),
    # the engine sums the broadcast axes back down
    Rule("broadcast_to", lambda g, out, x, *, xp, shape: g, linear=True, view=True),
    Rule(
        "expand_dims",
        lambda g, out, x, *, xp, axis=0: xp.reshape(g, x.shape),
        save="meta",
        view=True,
    ),
    Rule(
        "squeeze",
        lambda g, out, x, *, xp, axis: xp.reshape(g, x.shape),
        save="meta",
        view=True,
    ),
]
