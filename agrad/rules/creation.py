"""Rules for the standard's creation functions.

Only ``asarray`` of a tensor has a gradient (it passes through); the rest make new arrays
from Python values and shapes.
"""

from __future__ import annotations

from agrad.extend import Rule, nondiff

RULES = [
    Rule("asarray", lambda g, out, obj, *, xp, copy=None: g, linear=True),
    *nondiff(
        "arange",
        "empty",
        "empty_like",
        "eye",
        "full",
        "full_like",
        "linspace",
        "ones",
        "ones_like",
        "zeros",
        "zeros_like",
    ),
]
