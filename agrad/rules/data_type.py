"""Rules for the standard's data-type functions."""

from __future__ import annotations

from agrad.extend import Rule, nondiff

RULES = [
    # the engine casts the cotangent back to the input's dtype
    Rule("astype", lambda g, out, x, *, xp, dtype, copy=True, device=None: g, linear=True),
    *nondiff("can_cast", "finfo", "iinfo", "isdtype", "result_type"),
]
