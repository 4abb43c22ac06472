"""One spec per differentiable function, by category (the modules of ``agrad/rules/``).

Each ``specs/<category>.py`` ends with a list ``SPECS``; :data:`SPECS` collects them all,
each stamped with its category. A function may have several specs (``label`` tells them
apart): a Python-scalar exponent, an index form, a keyword that takes another code path.
"""

from __future__ import annotations

import collections
import dataclasses

from agrad.conformance._spec import (
    ABOVE_ONE,
    ALL_DTYPES,
    AWAY,
    COMPLEX,
    POSITIVE,
    REAL,
    REAL_ONLY,
    SMALL,
    UNIT,
    Away,
    Domain,
    Interval,
    Matrices,
    Spec,
    by_name,
)
from agrad.conformance.specs import (
    creation,
    data_type,
    elementwise,
    fft,
    indexing,
    linalg,
    linear_algebra,
    manipulation,
    searching,
    sorting,
    statistical,
    utility,
)

__all__ = [
    "ABOVE_ONE",
    "ALL_DTYPES",
    "AWAY",
    "BY_CATEGORY",
    "COMPLEX",
    "POSITIVE",
    "REAL",
    "REAL_ONLY",
    "SMALL",
    "SPECS",
    "UNIT",
    "Away",
    "Domain",
    "Interval",
    "Matrices",
    "Spec",
    "by_name",
    "get_spec",
    "select",
]

_MODULES = {
    "creation": creation,
    "data_type": data_type,
    "elementwise": elementwise,
    "fft": fft,
    "indexing": indexing,
    "linalg": linalg,
    "linear_algebra": linear_algebra,
    "manipulation": manipulation,
    "searching": searching,
    "sorting": sorting,
    "statistical": statistical,
    "utility": utility,
}

#: category -> its specs
BY_CATEGORY: dict[str, list[Spec]] = {
    category: [dataclasses.replace(s, category=category) for s in module.SPECS]
    for category, module in _MODULES.items()
}
#: every spec, in category order
SPECS: list[Spec] = [s for specs in BY_CATEGORY.values() for s in specs]
_BY_ID: dict[str, Spec] = {s.id: s for s in SPECS}
if len(_BY_ID) != len(SPECS):  # pragma: no cover - a spec file's mistake
    _repeated = sorted(k for k, n in collections.Counter(s.id for s in SPECS).items() if n > 1)
    msg = f"Spec ids must be unique; repeated: {_repeated}"
    raise ValueError(msg)


def get_spec(spec_id: str) -> Spec:
    """The spec with id ``spec_id`` (its label, or its function's name).

    Examples
    --------
    >>> from agrad.conformance.specs import get_spec
    >>> get_spec("log").category
    'elementwise'
    """
    try:
        return _BY_ID[spec_id]
    except KeyError:
        msg = f"No conformance spec has the id {spec_id!r}."
        raise KeyError(msg) from None


def select(functions: list[str] | None = None, categories: list[str] | None = None) -> list[Spec]:
    """The specs of the named functions (a rule name or a spec id) and categories; all if none.

    Examples
    --------
    >>> from agrad.conformance.specs import select
    >>> sorted({s.name for s in select(["sin", "pow"])})
    ['pow', 'sin']
    >>> {s.category for s in select(categories=["fft"])}
    {'fft'}
    """
    if categories:
        unknown = sorted(set(categories) - set(BY_CATEGORY))
        if unknown:
            msg = f"Unknown categories {unknown}; known: {sorted(BY_CATEGORY)}."
            raise ValueError(msg)
    if functions:
        known = {s.name for s in SPECS} | set(_BY_ID)
        unknown = sorted(set(functions) - known)
        if unknown:
            msg = f"No spec for {unknown}; run `python -m agrad.conformance --list` for the names."
            raise ValueError(msg)
    picked = []
    for s in SPECS:
        if categories and s.category not in categories:
            continue
        if functions and s.name not in functions and s.id not in functions:
            continue
        picked.append(s)
    return picked
