"""Rules for the standard's set functions: none has a gradient."""

from __future__ import annotations

from agrad.extend import nondiff

RULES = [*nondiff("isin", "unique_all", "unique_counts", "unique_inverse", "unique_values")]
