"""Loads the rule tables: collects ``agrad.rules.*.RULES``, validates them into the table.

The table and its checks are :mod:`agrad._table`'s (below the recording layer, which looks
rules up by name); this module, above the rule tables, fills it once when agrad loads.
"""

from __future__ import annotations

from agrad._table import TABLE, get_rule, load, register_rule, validate
from agrad.rules import ALL_RULES, NOT_YET

__all__ = ["TABLE", "get_rule", "register_rule", "validate"]

load(ALL_RULES, NOT_YET)
