"""Rules for the standard's searching functions."""

from __future__ import annotations

from agrad.extend import Rule, nondiff

RULES = [
    Rule(
        "where",
        None,  # the condition has no gradient
        lambda g, out, condition, x1, x2, *, xp: xp.where(condition, g, 0.0),
        lambda g, out, condition, x1, x2, *, xp: xp.where(condition, 0.0, g),
        save="inputs",
    ),
    *nondiff("argmax", "argmin", "nonzero", "searchsorted", "count_nonzero"),
]
