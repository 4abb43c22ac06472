"""NumPy's protocols for tensors: ``np.sin(t)``, ``np.sum(t)``, ``np.linalg.solve(a, t)``.

``Tensor.__array_ufunc__`` and ``Tensor.__array_function__`` hand NumPy's calls to the
functions of :mod:`agrad.numpy` with the same names, so they return tensors in the graph.
The dispatch tables are built on first use from ``agrad.numpy`` itself: every name it shares
with NumPy where NumPy's object is a ufunc, or a function that dispatches
(``numpy.linalg`` and ``numpy.fft`` included). SciPy's special functions that are ufuncs
(``scipy.special.gammaln``, ``expit``, ``xlogy``...) run :mod:`agrad.scipy.special`'s
functions; that table is built once SciPy is loaded (it is never imported here). A function
outside the tables raises a ``TypeError`` that names it, instead of computing without the
graph.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy

import agrad.numpy as anp
from agrad._tensor import Tensor
from agrad.errors import AgradTypeError
from agrad.numpy._ufunc import ufunc

__all__ = [
    "array_function",
    "array_ufunc",
    "function_table",
    "scipy_ufunc_table",
    "ufunc_name",
    "ufunc_table",
]

_UFUNCS: dict[Any, Any] = {}
_FUNCTIONS: dict[Any, Callable[..., Any]] = {}
_SCIPY_UFUNCS: dict[Any, Callable[..., Any]] = {}
_SCIPY_NAMES: dict[Any, str] = {}  # every ufunc of scipy.special -> its public name


def _dispatches(fn: Any) -> bool:
    """Whether NumPy's ``fn`` consults ``__array_function__`` (NumPy marks those)."""
    return callable(fn) and hasattr(fn, "_implementation")


def _collect(theirs: ModuleType, ours: ModuleType) -> None:
    for name in ours.__all__:
        mine = getattr(ours, name)
        np_obj = getattr(theirs, name, None)
        if np_obj is None or isinstance(mine, (type, ModuleType)):
            continue
        if isinstance(np_obj, numpy.ufunc):
            if isinstance(mine, ufunc):
                _UFUNCS[np_obj] = mine
        elif _dispatches(np_obj) and callable(mine):
            _FUNCTIONS[np_obj] = mine


def _build() -> None:
    _collect(numpy, anp)
    _collect(numpy.linalg, anp.linalg)
    _collect(numpy.fft, anp.fft)


def ufunc_table() -> dict[Any, Any]:
    """NumPy's ufuncs that tensors support, each with the ``agrad.numpy`` ufunc it runs."""
    if not _UFUNCS:
        _build()
    return _UFUNCS


def function_table() -> dict[Any, Callable[..., Any]]:
    """NumPy's functions that tensors support, with the ``agrad.numpy`` function each runs."""
    if not _FUNCTIONS:
        _build()
    return _FUNCTIONS


def scipy_ufunc_table() -> dict[Any, Callable[..., Any]]:
    """SciPy's special ufuncs that tensors support, each with the function it runs; empty
    while SciPy is not loaded (then no SciPy ufunc can arrive)."""
    if not _SCIPY_NAMES:
        module = sys.modules.get("scipy.special")
        if module is None:
            return _SCIPY_UFUNCS
        # a function-level import (start-up): agrad.scipy.special loads only once SciPy is
        # loaded (a SciPy ufunc can arrive only then)
        import agrad.scipy.special as ours

        # public names first: a private ufunc (`_zeta`) is named only if nothing else is
        for name in sorted(dir(module), key=lambda n: (n.startswith("_"), n)):
            obj = getattr(module, name, None)
            if isinstance(obj, numpy.ufunc):
                _SCIPY_NAMES.setdefault(obj, f"scipy.special.{name}")
                if name in ours.__all__:
                    _SCIPY_UFUNCS[obj] = getattr(ours, name)
    return _SCIPY_UFUNCS


def ufunc_name(ufunc: Any) -> str:
    """Where users call a ufunc from: ``numpy.sin``, ``scipy.special.gammaln``."""
    scipy_ufunc_table()
    name = _SCIPY_NAMES.get(ufunc)
    if name is not None:
        return name
    short = str(ufunc.__name__)
    return f"numpy.{short}" if getattr(numpy, short, None) is ufunc else short


def public_name(fn: Any) -> str:
    """Where users call a NumPy function from: ``numpy.sum``, ``numpy.linalg.norm``."""
    parts = (getattr(fn, "__module__", None) or "numpy").split(".")
    module = f"numpy.{parts[1]}" if len(parts) > 1 and parts[1] in ("linalg", "fft") else "numpy"
    return f"{module}.{getattr(fn, '__name__', repr(fn))}"


def _foreign(types: Any) -> bool:
    return any(not issubclass(t, (Tensor, numpy.ndarray, numpy.generic)) for t in types)


def array_function(func: Any, types: Any, args: Any, kwargs: Any) -> Any:
    """``Tensor.__array_function__``: run ``agrad.numpy``'s version of ``func``."""
    if _foreign(types):
        return NotImplemented  # another library's arrays take part: let it try
    impl = function_table().get(func)
    if impl is None:
        msg = (
            f"agrad does not support `{public_name(func)}` on tensors: NumPy would compute "
            "it without the graph. Use `agrad.numpy` (`import agrad.numpy as np`) where it "
            "has the function, write it with supported functions, or call it on "
            "`t.detach().array` to work without gradients."
        )
        raise AgradTypeError(msg)
    return impl(*args, **kwargs)


def array_ufunc(ufunc: Any, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``Tensor.__array_ufunc__``: run ``agrad.numpy``'s ufunc of the same name."""
    operands = [*inputs, *(kwargs.get("out") or ())]
    if _foreign(type(x) for x in operands if hasattr(type(x), "__array_ufunc__")):
        return NotImplemented
    ours = ufunc_table().get(ufunc)
    if ours is None:
        special = scipy_ufunc_table().get(ufunc)
        if special is not None and method == "__call__" and not kwargs:
            return special(*inputs)
        name = ufunc_name(ufunc)
        how = f"`{name}.{method}`" if method != "__call__" else f"`{name}`"
        extra = f" with {', '.join(sorted(kwargs))}=" if special is not None and kwargs else ""
        msg = (
            f"agrad does not support the ufunc {how}{extra} on tensors: NumPy would compute "
            "it without the graph. Write it with supported functions (`agrad.scipy.special` "
            "has SciPy's differentiable special functions), or call it on "
            "`t.detach().array` to work without gradients."
        )
        raise AgradTypeError(msg)
    if method == "__call__":
        return ours(*inputs, **kwargs)
    return getattr(ours, method)(*inputs, **kwargs)
