"""Pytrees for ``agrad.func``: nested tuples, lists (named tuples too) and dicts of leaves."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["LEAF", "NONE", "Def", "flatten", "rebuild", "unflatten"]


@dataclass(frozen=True)
class Def:
    """The structure of a pytree; ``kind`` is None for a leaf."""

    kind: type | None
    keys: tuple[Any, ...] = ()
    children: tuple[Def, ...] = ()


LEAF = Def(None)
NONE = Def(type(None))


def flatten(tree: Any, leaves: list[Any]) -> Def:
    """Append the leaves of ``tree`` to ``leaves``, depth first; return its structure."""
    if isinstance(tree, (tuple, list)):
        return Def(type(tree), (), tuple(flatten(c, leaves) for c in tree))
    if isinstance(tree, dict):
        keys = tuple(tree)
        return Def(type(tree), keys, tuple(flatten(tree[k], leaves) for k in keys))
    if tree is None:
        return NONE
    leaves.append(tree)
    return LEAF


def unflatten(d: Def, leaves: Iterator[Any]) -> Any:
    if d.kind is None:
        return next(leaves)
    if d is NONE or d.kind is type(None):
        return None
    children = [unflatten(c, leaves) for c in d.children]
    kind: Any = d.kind
    if issubclass(kind, dict):
        return kind(zip(d.keys, children, strict=True))
    if hasattr(kind, "_fields"):  # a named tuple
        return kind(*children)
    return kind(children)


def rebuild(d: Def, leaves: Sequence[Any]) -> Any:
    return unflatten(d, iter(leaves))
