"""Rules for the standard's utility functions."""

from __future__ import annotations

from agrad.extend import Rule, nondiff

RULES = [
    *nondiff("all", "any"),
    # diff is built from slicing and subtraction, which record themselves
    Rule("diff", composite=True),
]
