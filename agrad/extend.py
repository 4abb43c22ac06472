"""Writing derivative rules: :class:`Rule`, :func:`nondiff` and :class:`ArrayMeta`.

The contract every rule follows is documented in :mod:`agrad.rules`.
"""

from __future__ import annotations

from typing import Any

from agrad._dtypes import conj, register_dtypes
from agrad._ops import apply, namespace
from agrad._rule import ArrayMeta, Rule, Vjp, nondiff
from agrad._table import TABLE, register_rule
from agrad.backends import get_backend, loaded_backends
from agrad.backends._generic import GenericBackend

__all__ = [
    "ArrayMeta",
    "Rule",
    "Vjp",
    "along",
    "backend_of",
    "conj",
    "device_of",
    "nondiff",
    "put",
    "register",
    "register_dtypes",
    "size",
]


class _GraphBackend:
    """The backend operations rules need, as recorded agrad operations (``create_graph``)."""

    name = "agrad"
    mutable = True  # agrad tensors take `t[key] = v` on every backend

    def scatter_add(self, out: Any, index: Any, values: Any, /, *, axis: int) -> Any:
        def forward(xp: Any, o: Any, i: Any, v: Any, *, axis: int) -> Any:
            return _backend_for_namespace(xp).scatter_add(o, i, v, axis=axis)

        return apply(TABLE["_scatter_add"], (out, index, values), {"axis": axis}, forward)


_GRAPH_BACKEND = _GraphBackend()


_GENERIC: dict[int, Any] = {}


def _backend_for_namespace(xp: Any) -> Any:
    # arrays of a namespace exist only once its backend is loaded (numpy: always usable)
    for backend in (*loaded_backends(), get_backend("numpy")):
        if backend.owns(xp):
            return backend
    # any other namespace: the operations written in standard calls only
    generic = _GENERIC.get(id(xp))
    if generic is None:
        generic = _GENERIC[id(xp)] = GenericBackend(xp)
    return generic


def backend_of(xp: Any) -> Any:
    """The backend adapter behind the namespace a rule was given.

    Rules call it for what the standard lacks (``scatter_add``). Under
    ``create_graph=True``, where ``xp`` is agrad itself, the operations it returns are
    recorded, so they are differentiable too.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> from agrad.extend import backend_of
    >>> backend_of(xp).name
    'numpy'
    """
    if xp is namespace():
        return _GRAPH_BACKEND
    return _backend_for_namespace(xp)


def device_of(x: Any) -> Any:
    """The device of ``x`` to pass as ``device=`` (rules use it instead of ``x.device``,
    which Dask arrays lack).

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> from agrad.extend import device_of
    >>> device_of(xp.zeros(2))
    'cpu'
    """
    try:
        return x.device
    except AttributeError:
        import array_api_compat

        return array_api_compat.device(x)


def put(x: Any, key: Any, value: Any, xp: Any) -> Any:
    """``x`` with ``x[key] = value``, for an array the rule itself just made (``zeros``).

    Written in place where the backend allows it, as a functional update where arrays are
    immutable (JAX, Dask); use the result, not ``x``.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> from agrad.extend import put
    >>> put(xp.zeros(3), (slice(0, 2),), 1.0, xp).tolist()
    [1.0, 1.0, 0.0]
    """
    backend = backend_of(xp)
    if backend.mutable and (type(value) is type(x) or not isinstance(value, type(x))):
        x[key] = value
        return x
    # a value of a subclass of x's type (agrad.compile's recording arrays): written into a
    # plain array, its values would pass without the subclass seeing the write
    return backend.functional_setitem(x, key, value)


def size(x: Any) -> int:
    """The number of elements of ``x`` (an array of any backend, a Tensor or an ArrayMeta).

    Rules use it instead of ``x.size``, which torch spells as a method.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.extend import size
    >>> size(np.zeros((2, 3)))
    6
    """
    n = 1
    for k in x.shape:
        n *= k
    return n


def along(axis: int, index: Any) -> tuple[Any, ...]:
    """The index key that takes ``index`` (a slice or integer) along ``axis`` (>= 0).

    The standard wants keys to name every axis, so the key ends with ``...``.

    Examples
    --------
    >>> from agrad.extend import along
    >>> along(1, slice(0, 2))
    (slice(None, None, None), slice(0, 2, None), Ellipsis)
    """
    return (*(slice(None),) * axis, index, Ellipsis)


def register(rule: Rule, *, replace: bool = False) -> None:
    """Add ``rule`` to agrad's rule table, or replace an existing one with ``replace=True``.

    Examples
    --------
    >>> from agrad.extend import Rule, register
    >>> from agrad._table import TABLE
    >>> register(TABLE["sin"], replace=True)
    """
    register_rule(rule, replace=replace)
