"""NumPy functions that trace agrad Tensors and leave plain values to NumPy.

HIPS autograd's ``autograd.numpy`` runs NumPy itself on plain values and records only when
an argument is being traced. :func:`dispatcher` builds the same thing from two modules:
``agrad.numpy`` (or one of its submodules), used when an argument holds an agrad Tensor,
and NumPy's module of the same name, used otherwise. Classes, dtypes, scalar types and
constants are NumPy's own objects.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from agrad._tensor import Tensor
from agrad.errors import AgradError


class NameError_(AgradError, AttributeError):
    """A NumPy name that neither NumPy nor agrad.numpy has."""


def traced(values: Iterable[Any]) -> bool:
    """Whether ``values`` (or a list or tuple among them, nested) holds an agrad Tensor."""
    for v in values:
        if isinstance(v, Tensor):
            return True
        if type(v) in (list, tuple) and traced(v):
            return True
    return False


def _wrap(name: str, ours: Callable[..., Any], theirs: Callable[..., Any]) -> Callable[..., Any]:
    def dispatched(*args: Any, **kwargs: Any) -> Any:
        if traced(args) or (kwargs and traced(kwargs.values())):
            return ours(*args, **kwargs)
        return theirs(*args, **kwargs)

    try:
        functools.update_wrapper(dispatched, theirs)
    except (AttributeError, TypeError):  # a ufunc or builtin without some attributes
        dispatched.__name__ = name
    dispatched.__wrapped__ = theirs  # type: ignore[attr-defined]
    return dispatched


def resolve(dotted: str | None) -> Any:
    """The module or object a dotted name names (``scipy.stats.norm``), or None."""
    if dotted is None:
        return None
    try:
        return importlib.import_module(dotted)
    except ImportError:
        parent, _, attr = dotted.rpartition(".")
        if not parent:
            return None
        try:
            return getattr(resolve(parent), attr, None)
        except ImportError:  # a lazy parent whose submodule does not exist (yet)
            return None


def dispatcher(
    module_name: str, ours_name: str | None, theirs_name: str, own: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module's ``__getattr__`` and ``__dir__`` dispatching between two modules (or
    objects), named by dotted names and imported on first use: ``ours`` (agrad's) for
    traced arguments, ``theirs`` (NumPy's or SciPy's) otherwise.

    ``own`` holds the names the module defines itself (submodules, HIPS-specific functions);
    they are looked up first. Results are cached.
    """
    cache: dict[str, Any] = dict(own)

    def getattr_(name: str) -> Any:
        if name in cache:
            return cache[name]
        if name.startswith("__"):
            raise AttributeError(name)
        ours, theirs = resolve(ours_name), resolve(theirs_name)
        theirs_obj = getattr(theirs, name, None)
        ours_obj = getattr(ours, name, None) if ours is not None else None
        if theirs_obj is None and ours_obj is None:
            msg = (
                f"`{module_name}.{name}` is not a name agrad knows: neither "
                f"`{theirs_name}` nor agrad's `{ours_name or module_name}` defines it."
            )
            raise NameError_(msg)
        if theirs_obj is None:
            value = ours_obj
        elif isinstance(theirs_obj, (type, ModuleType)) or not callable(theirs_obj):
            value = theirs_obj
        elif ours_obj is None or not callable(ours_obj):
            value = _wrap(name, theirs_obj, theirs_obj)
        else:
            value = _wrap(name, ours_obj, theirs_obj)
        cache[name] = value
        return value

    def dir_() -> list[str]:
        ours, theirs = resolve(ours_name), resolve(theirs_name)
        names = set(own) | {n for n in dir(theirs) if not n.startswith("_")}
        if ours is not None:
            names |= {n for n in dir(ours) if not n.startswith("_")}
        return sorted(names)

    return getattr_, dir_
