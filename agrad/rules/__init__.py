"""Derivative rules, one module per category of the standard.

The rule contract
-----------------
A rule is a :class:`agrad.extend.Rule` naming a standard function and giving one VJP per
array input, in order::

    vjp(g, out, *inputs, xp, **kwargs) -> cotangent for that input

- ``g`` is the cotangent of the output (a tuple of them for multi-output functions, with
  zeros where an output received none); ``out`` is the forward output (a tuple likewise);
  ``inputs`` are the forward inputs; ``kwargs`` are the call's keyword arguments, named as
  in the standard (``axis``, ``keepdims``).
- ``xp`` is the namespace to compute with. In plain backward it is the backend's raw
  namespace and the arrays are raw; under ``create_graph=True`` it is agrad itself and the
  arrays are tensors, so the backward pass is recorded. A rule therefore uses only
  standard functions of ``xp`` and never tests which world or backend it runs in.
- The engine, not the rule, sums broadcast axes back to the input's shape, casts to the
  input's dtype, skips constant inputs and accumulates. A rule may return a cotangent of
  the broadcast shape.
- What backward does not need is not saved (``save=``); unsaved values arrive as ``None``,
  or as :class:`agrad.extend.ArrayMeta` (shape and dtype) with ``save="meta"``.
- Complex inputs follow PyTorch: multiply ``g`` by the conjugate of the local derivative
  (:func:`agrad.extend.conj` conjugates complex values only).
- Rules never write into ``g`` or the inputs. Operations the standard lacks (scatter-add)
  come from :func:`agrad.extend.backend_of`.

Each module ends with one list, ``RULES``; :data:`ALL_RULES` collects them by module.
Standard functions not yet covered are listed in :data:`NOT_YET` with the reason.
"""

from __future__ import annotations

from agrad.extend import Rule
from agrad.rules import (
    creation,
    data_type,
    elementwise,
    fft,
    indexing,
    linalg,
    linear_algebra,
    manipulation,
    searching,
    set,
    sorting,
    statistical,
    utility,
)

__all__ = ["ALL_RULES", "NOT_YET"]

#: module name -> its RULES
ALL_RULES: dict[str, list[Rule]] = {
    "creation": creation.RULES,
    "data_type": data_type.RULES,
    "elementwise": elementwise.RULES,
    "fft": fft.RULES,
    "indexing": indexing.RULES,
    "linalg": linalg.RULES,
    "linear_algebra": linear_algebra.RULES,
    "manipulation": manipulation.RULES,
    "searching": searching.RULES,
    "set": set.RULES,
    "sorting": sorting.RULES,
    "statistical": statistical.RULES,
    "utility": utility.RULES,
}

#: standard functions without a rule yet, with the reason (a test keeps this honest);
#: empty now that every function of the 2025.12 standard has its rule or nondiff entry
NOT_YET: dict[str, str] = {}
