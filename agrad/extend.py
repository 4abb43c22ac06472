"""Writing derivative rules: :class:`Rule`, :func:`nondiff` and :class:`ArrayMeta`.

The contract every rule follows is documented in :mod:`agrad.rules`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal

from agrad._typing import Array

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


# The dtype objects of every loaded backend (and agrad's own), by identity: dtype objects
# are singletons, and comparing one library's dtype with another's can warn or misfire.
_REAL_IDS: set[int] = set()
_COMPLEX_IDS: set[int] = set()
_KEEP: list[Any] = []  # keeps registered dtype objects alive, so their ids stay theirs


def register_dtypes(*, real: tuple[Any, ...], complex: tuple[Any, ...]) -> None:
    """Tell :func:`conj` which dtype objects of a backend are real and which complex.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.extend import register_dtypes
    >>> register_dtypes(real=(np.dtype("float64"),), complex=(np.dtype("complex128"),))
    """
    _KEEP.extend(real + complex)
    _REAL_IDS.update(id(d) for d in real)
    _COMPLEX_IDS.update(id(d) for d in complex)


def conj(x: Array, xp: Any) -> Array:
    """``xp.conj(x)`` for complex ``x``; ``x`` itself otherwise (a real conj is a full copy).

    Examples
    --------
    >>> import agrad
    >>> from agrad.extend import conj
    >>> conj(agrad.asarray([1 + 2j]), agrad).tolist()
    [(1-2j)]
    """
    dtype = getattr(x, "dtype", None)
    if dtype is None:  # a Python scalar: a default costs far less than a caught AttributeError
        return x.conjugate() if isinstance(x, complex) else x
    key = id(dtype)
    if key in _REAL_IDS:
        return x
    if key in _COMPLEX_IDS:
        return xp.conj(x)
    # dtype objects this library makes afresh: ask the namespace (standard equality)
    if dtype == xp.complex64 or dtype == xp.complex128:
        return xp.conj(x)
    return x


class _GraphBackend:
    """The backend operations rules need, as recorded agrad operations (``create_graph``)."""

    name = "agrad"
    mutable = True  # agrad tensors take `t[key] = v` on every backend

    def scatter_add(self, out: Any, index: Any, values: Any, /, *, axis: int) -> Any:
        from agrad._ops import apply
        from agrad._registry import TABLE

        def forward(xp: Any, o: Any, i: Any, v: Any, *, axis: int) -> Any:
            return _backend_for_namespace(xp).scatter_add(o, i, v, axis=axis)

        return apply(TABLE["_scatter_add"], (out, index, values), {"axis": axis}, forward)


_GRAPH_BACKEND = _GraphBackend()


_GENERIC: dict[int, Any] = {}


def _backend_for_namespace(xp: Any) -> Any:
    from agrad.backends import get_backend, loaded_backends
    from agrad.backends._generic import GenericBackend

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
    import agrad

    if xp is agrad:
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
    if backend.mutable:
        x[key] = value
        return x
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
    >>> from agrad._registry import TABLE
    >>> register(TABLE["sin"], replace=True)
    """
    from agrad._registry import register_rule

    register_rule(rule, replace=replace)
