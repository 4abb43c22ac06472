"""The rule table: name -> :class:`~agrad._rule.Rule`, and the checks a rule passes to join it.

Validation names the file and the entry at fault: duplicates, names the standard does not
define, a rule whose VJPs don't take ``(g, out, *inputs)``, a name both ruled and declared
non-differentiable. The table lives down here, below the recording layer that looks rules
up at call time; :mod:`agrad._registry` fills it from the rule tables (``agrad.rules``).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping

from agrad._rule import Rule
from agrad._spec import CATEGORY_OF
from agrad.errors import NoRuleError, RegistryError

__all__ = ["NOT_YET", "TABLE", "get_rule", "load", "register_rule", "validate"]


#: name -> Rule; looked up at call time, so `register(..., replace=True)` takes effect.
#: Filled by :mod:`agrad._registry` from the rule tables; change it only through
#: `register_rule`.
TABLE: dict[str, Rule] = {}
#: standard functions without a rule yet, with the reason (:data:`agrad.rules.NOT_YET`)
NOT_YET: Mapping[str, str] = {}


def _positional_count(fn: object) -> int | None:
    try:
        sig = inspect.signature(fn)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    count = 0
    for p in sig.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            return None
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


def _check(rule: Rule, where: str, table: Mapping[str, Rule]) -> None:
    name = rule.name
    if name not in CATEGORY_OF:
        msg = f"{where}: `{name}` is not a function of the standard (nor an agrad internal op)."
        raise RegistryError(msg)
    if name in table:
        previous = table[name]
        kinds = {previous.nondiff, rule.nondiff}
        what = "both ruled and declared nondiff" if len(kinds) == 2 else "registered twice"
        msg = f"{where}: `{name}` is {what} (first in {previous.source})."
        raise RegistryError(msg)
    if name in NOT_YET:
        msg = f"{where}: `{name}` has a rule but is still listed in `agrad.rules.NOT_YET`."
        raise RegistryError(msg)
    if rule.nondiff or rule.composite:
        return
    if not rule.vjps:
        msg = f"{where}: `{name}` has no VJP; use `nondiff({name!r})` if it has no gradient."
        raise RegistryError(msg)
    if rule.variadic:
        if len(rule.vjps) != 1:
            msg = f"{where}: variadic `{name}` takes one VJP (called per input), got {rule.arity}."
            raise RegistryError(msg)
        return
    for i, vjp in enumerate(rule.vjps):
        if vjp is None:
            continue
        count = _positional_count(vjp)
        if count is not None and count != rule.arity + 2:
            msg = (
                f"{where}: VJP {i} of `{name}` takes {count} positional arguments; a rule "
                f"with {rule.arity} array inputs needs {rule.arity + 2} (g, out, *inputs)."
            )
            raise RegistryError(msg)


def validate(modules: Mapping[str, list[Rule]]) -> dict[str, Rule]:
    """Build the table from ``{module: RULES}``, raising :class:`RegistryError` on a fault."""
    table: dict[str, Rule] = {}
    for module, rules in modules.items():
        where_file = f"agrad/rules/{module}.py"
        for k, rule in enumerate(rules):
            if not isinstance(rule, Rule):
                msg = f"{where_file}: RULES[{k}] is {rule!r}, not an `agrad.extend.Rule`."
                raise RegistryError(msg)
            _check(rule, f"{where_file}, RULES[{k}]", table)
            rule.source = where_file
            table[rule.name] = rule
    return table


def load(modules: Mapping[str, list[Rule]], not_yet: Mapping[str, str]) -> None:
    """Fill :data:`TABLE` from ``{module: RULES}`` (done once, by :mod:`agrad._registry`)."""
    global NOT_YET  # the rule tables' own dict, so that changes to it show here too
    NOT_YET = not_yet
    TABLE.update(validate(modules))


def get_rule(name: str) -> Rule:
    """The rule for ``name``; :class:`NoRuleError` if the standard function has none yet."""
    try:
        return TABLE[name]
    except KeyError:
        reason = NOT_YET.get(name, "no rule is registered for it")
        msg = f"`{name}` cannot be differentiated: {reason}."
        raise NoRuleError(msg) from None


def register_rule(rule: Rule, *, replace: bool = False) -> None:
    """Add a rule at run time (see :func:`agrad.extend.register`)."""
    others = {k: v for k, v in TABLE.items() if k != rule.name} if replace else TABLE
    _check(rule, "agrad.extend.register", others)  # the old rule stays if this raises
    if rule.source == "<unregistered>":  # a rule put back (swapped, then restored) keeps its own
        rule.source = "agrad.extend.register"
    TABLE[rule.name] = rule
