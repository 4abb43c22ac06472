"""The rule contract's types: :class:`Rule`, :func:`nondiff` and :class:`ArrayMeta`.

They sit on the ground floor, below the recording layer that runs rules and the tables that
list them; :mod:`agrad.extend` is their public home.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal

__all__ = ["ArrayMeta", "Rule", "Save", "Vjp", "nondiff"]

#: ``vjp(g, out, *inputs, xp, **kwargs) -> cotangent for one input``
Vjp = Callable[..., Any]
Save = Literal["all", "out", "inputs", "meta", "none"]


class Rule:
    """The derivative rule of one function.

    Parameters
    ----------
    name
        The function's name as the standard spells it (``"atan2"``, ``"linalg.solve"``).
    *vjps
        One VJP per array input, in order; ``None`` for an input with no gradient (the
        condition of ``where``).
    linear
        The VJPs use neither the output nor the inputs (``add``, ``negative``): nothing is
        saved for backward.
    composite
        The function is built from differentiable calls and needs no VJP of its own.
    save
        What backward needs: ``"all"`` (output and inputs, the default), ``"out"``,
        ``"inputs"``, ``"meta"`` (only shapes and dtypes, passed as :class:`ArrayMeta`), or
        ``"none"`` (implied by ``linear``). What is not saved is passed as ``None``.
    view
        The function may return a view of its first input (``reshape``, indexing); in-place
        changes to the result then reach the input, and the graph follows.
    nondiff
        The function has no gradient (comparisons, ``floor``, ``argmax``); results carry no
        graph. Use :func:`nondiff` to declare these.
    variadic
        The function takes any number of arrays (``concat``, ``stack``): give one VJP,
        ``vjp(g, out, *inputs, xp, index, **kwargs)``, called once per input with its
        position as ``index``.

    Examples
    --------
    >>> from agrad.extend import Rule
    >>> rule = Rule("exp", lambda g, out, x, *, xp: g * out, save="out")
    >>> rule.arity
    1
    """

    __slots__ = (
        "_by_arity",
        "arity",
        "composite",
        "empty_saved",
        "linear",
        "name",
        "nondiff",
        "save",
        "source",
        "variadic",
        "view",
        "vjps",
    )

    def __init__(
        self,
        name: str,
        *vjps: Vjp | None,
        linear: bool = False,
        composite: bool = False,
        save: Save | None = None,
        view: bool = False,
        nondiff: bool = False,
        variadic: bool = False,
    ) -> None:
        self.name = name
        self.vjps = vjps
        self.arity = len(vjps)
        self.linear = linear
        self.composite = composite
        self.nondiff = nondiff
        self.view = view
        self.variadic = variadic
        self._by_arity: dict[int, Rule] = {}
        if save is None:
            save = "none" if (linear or nondiff or composite) else "all"
        self.save: Save = save
        # what linear rules receive in place of saved values
        self.empty_saved = (None,) * (self.arity + 1)
        self.source = "<unregistered>"

    def for_arity(self, n: int) -> Rule:
        """This variadic rule as a rule of ``n`` inputs (one VJP per input, cached)."""
        if not self.variadic:
            return self
        rule = self._by_arity.get(n)
        if rule is None:
            (vjp,) = self.vjps
            assert vjp is not None  # the registry checks variadic rules have their VJP
            vjps = [functools.partial(vjp, index=i) for i in range(n)]
            rule = Rule(self.name, *vjps, save=self.save, view=self.view)
            rule.source = self.source
            self._by_arity[n] = rule
        return rule

    def __repr__(self) -> str:
        kind = "nondiff" if self.nondiff else "composite" if self.composite else "vjp"
        return f"Rule({self.name!r}, {kind}, arity={self.arity})"


def nondiff(*names: str) -> list[Rule]:
    """Declare functions with no gradient: their results never require grad.

    Examples
    --------
    >>> from agrad.extend import nondiff
    >>> [r.name for r in nondiff("floor", "sign")]
    ['floor', 'sign']
    """
    return [Rule(name, nondiff=True) for name in names]


class ArrayMeta:
    """Stands in for an unsaved array in a rule declared ``save="meta"``: shape and dtype only.

    Examples
    --------
    >>> from agrad.extend import ArrayMeta
    >>> ArrayMeta((2, 3), "float64").ndim
    2
    """

    __slots__ = ("dtype", "ndim", "shape")

    def __init__(self, shape: tuple[int, ...], dtype: Any) -> None:
        self.shape = shape
        self.dtype = dtype
        self.ndim = len(shape)

    @property
    def size(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n

    def __repr__(self) -> str:
        return f"ArrayMeta(shape={self.shape!r}, dtype={self.dtype!r})"
