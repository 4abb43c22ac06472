"""Hypothesis strategies: input shapes (0-d, size-0, broadcasting), keyword arguments, values.

Values are drawn from a spec's domains with NumPy, from a seed that hypothesis draws: the
shapes, keywords and seed shrink, and the values stay inside the domain (away from poles,
kinks and ties) however far they shrink.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import hypothesis.extra.numpy as hnp
import numpy as np
from agrad.conformance._domains import REAL, Domain
from hypothesis import strategies as st

if TYPE_CHECKING:
    from agrad.conformance._spec import Spec

__all__ = [
    "Case",
    "Example",
    "arrays",
    "axes",
    "axis",
    "broadcastable",
    "examples",
    "into_first",
    "reducible",
    "reductions",
    "same_shapes",
    "shapes",
]

Shape = tuple[int, ...]
#: one draw in eight empties an axis (size-0 arrays); shrinking goes to the non-empty side
_EMPTY_ONE_IN = 8


def _emptied(draw: Any, shapes: tuple[Shape, ...]) -> tuple[Shape, ...]:
    """``shapes`` (mutually broadcastable), sometimes with one broadcast axis of size 0."""
    ndim = max((len(s) for s in shapes), default=0)
    if ndim == 0 or draw(st.integers(0, _EMPTY_ONE_IN - 1)) != _EMPTY_ONE_IN - 1:
        return shapes
    d = draw(st.integers(0, ndim - 1))  # counted from the right
    out = [list(s) for s in shapes]
    hit = False
    for s in out:
        if d < len(s) and s[-1 - d] != 1:
            s[-1 - d] = 0
            hit = True
    if not hit:
        first = next(s for s in out if d < len(s))
        first[-1 - d] = 0
    return tuple(tuple(s) for s in out)


def shapes(
    *,
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 3,
    empty: bool = True,
) -> st.SearchStrategy[Shape]:
    """One shape: 0-d included, and sometimes size-0 when ``empty``.

    Examples
    --------
    >>> from hypothesis import find
    >>> from agrad.conformance import strategies
    >>> find(strategies.shapes(), lambda s: len(s) == 2 and 0 in s)
    (1, 0)
    """
    return broadcastable(
        1, min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side, empty=empty
    ).map(lambda t: t[0])


def broadcastable(
    n: int,
    *,
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 3,
    empty: bool = True,
) -> st.SearchStrategy[tuple[Shape, ...]]:
    """``n`` mutually broadcastable shapes (0-d, broadcasting pairs, sometimes size-0).

    Examples
    --------
    >>> from hypothesis import find
    >>> from agrad.conformance import strategies
    >>> find(strategies.broadcastable(2), lambda s: len(s[0]) == 2 and s[0] != s[1])
    ((1, 1), ())
    """
    if n == 0:
        return st.just(())
    base = hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )

    @st.composite
    def draw_shapes(draw: Any) -> tuple[Shape, ...]:
        found = tuple(tuple(s) for s in draw(base).input_shapes)
        return _emptied(draw, found) if empty and min_side > 0 else found

    return draw_shapes()


def into_first(
    n: int, *, min_dims: int = 0, max_dims: int = 3, max_side: int = 3
) -> st.SearchStrategy[tuple[Shape, ...]]:
    """``n`` shapes whose others broadcast into the first (``clip``'s bounds into ``x``).

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import find
    >>> from agrad.conformance import strategies
    >>> x, lo = find(strategies.into_first(2), lambda s: len(s[0]) == 2)
    >>> np.broadcast_shapes(x, lo) == x
    True
    """
    base = broadcastable(n, min_dims=min_dims, max_dims=max_dims, max_side=max_side, empty=False)

    def widen(found: tuple[Shape, ...]) -> tuple[Shape, ...]:
        full = tuple(int(d) for d in np.broadcast_shapes(*found))
        return (full, *found[1:])

    return base.map(widen)


def same_shapes(
    n: int, *, min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 3
) -> st.SearchStrategy[tuple[Shape, ...]]:
    """``n`` copies of one shape (functions that don't broadcast).

    Examples
    --------
    >>> from hypothesis import find
    >>> from agrad.conformance import strategies
    >>> find(strategies.same_shapes(2), lambda s: len(s[0]) == 1)
    ((1,), (1,))
    """
    one = shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)
    return one.map(lambda s: (s,) * n)


def axis(ndim: int, *, none: bool = True) -> st.SearchStrategy[int | None]:
    """One axis of an array of ``ndim`` dimensions (negative ones too), or None.

    Examples
    --------
    >>> from hypothesis import find
    >>> from agrad.conformance import strategies
    >>> find(strategies.axis(3), lambda a: a is not None and a < 0)
    -1
    """
    choices: list[st.SearchStrategy[Any]] = [st.none()] if none else []
    if ndim:
        choices.append(st.integers(-ndim, ndim - 1))
    return st.one_of(*choices)


def axes(ndim: int, *, none: bool = True, single: bool = True) -> st.SearchStrategy[Any]:
    """None, one axis, or a tuple of distinct axes (at least one) of an ``ndim``-array.

    Examples
    --------
    >>> from hypothesis import find
    >>> from agrad.conformance import strategies
    >>> find(strategies.axes(3), lambda a: isinstance(a, tuple) and len(a) == 2)
    (0, 1)
    """
    choices: list[st.SearchStrategy[Any]] = [st.none()] if none else []
    if ndim:
        if single:
            choices.append(st.integers(-ndim, ndim - 1))
        signed = st.integers(0, ndim - 1).flatmap(lambda a: st.sampled_from([a, a - ndim]))
        choices.append(
            st.lists(signed, min_size=1, max_size=ndim, unique_by=lambda a: a % ndim).map(tuple)
        )
    return st.one_of(*choices)


def _axis_set(a: Any, ndim: int) -> tuple[int, ...]:
    if a is None:
        return tuple(range(ndim))
    return tuple(sorted(x % ndim for x in ((a,) if isinstance(a, int) else a)))


def reductions(
    *, keepdims: bool = True, nonempty: bool = False, min_count: int = 0, **extra: Any
) -> Any:
    """A ``kwargs`` function for reductions: ``axis`` (None, an int, a tuple), ``keepdims``.

    ``nonempty`` asks that the reduced axes hold at least ``max(min_count, 1)`` elements
    (``max``, ``mean``, ``std``); ``extra`` adds more keyword strategies. The valid axes are
    listed, not filtered, so no draw is thrown away (a shape with none draws nothing).

    Examples
    --------
    >>> from hypothesis import find
    >>> from agrad.conformance import strategies
    >>> find(strategies.reductions()(((2, 3),)), lambda kw: kw["keepdims"])
    {'axis': None, 'keepdims': True}
    """

    def kwargs(shapes: tuple[Shape, ...]) -> st.SearchStrategy[dict[str, Any]]:
        shape = shapes[0]
        ndim = len(shape)
        need = max(min_count, 1) if (nonempty or min_count) else 0
        choices: list[Any] = [None]
        choices += [a for d in range(ndim) for a in (d, d - ndim)]
        for mask in range(1, 2**ndim):
            picked = tuple(d for d in range(ndim) if mask >> d & 1)
            choices += [picked, tuple(d - ndim for d in picked)]

        def count(a: Any) -> int:
            n = 1
            for d in _axis_set(a, ndim):
                n *= shape[d]
            return n

        valid = [a for a in choices if count(a) >= need]
        fields: dict[str, st.SearchStrategy[Any]] = {
            "axis": st.sampled_from(valid) if valid else st.nothing()
        }
        if keepdims:
            fields["keepdims"] = st.booleans()
        fields.update(extra)
        return st.fixed_dictionaries(fields)

    return kwargs


def reducible(min_count: int = 1, **kw: Any) -> st.SearchStrategy[tuple[Shape]]:
    """One shape with at least ``min_count`` elements (so some reduction is valid).

    Examples
    --------
    >>> from hypothesis import find
    >>> from agrad.conformance import strategies
    >>> find(strategies.reducible(2), lambda s: True)
    ((2,),)
    """
    return shapes(**kw).filter(lambda s: math.prod(s) >= min_count).map(lambda s: (s,))


@dataclasses.dataclass(frozen=True)
class Case:
    """What a spec's ``shapes`` strategy may draw when its keywords decide the shapes (an
    index and the value assigned there): the shapes and those keywords together."""

    shapes: tuple[Shape, ...]
    kwargs: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Example:
    """One drawn case: input shapes, keyword arguments, and the seed of the values (or the
    values themselves, once a failure's values are made rounder)."""

    shapes: tuple[Shape, ...]
    kwargs: dict[str, Any]
    seed: int
    values: tuple[np.ndarray, ...] | None = None

    def arrays(self, spec: Spec, dtype: str) -> list[np.ndarray]:
        """The input values, drawn from the spec's domains and cast to ``dtype``."""
        if self.values is not None:
            return [np.asarray(v).astype(dtype) for v in self.values]
        return draw_values(spec.inputs, self.shapes, dtype, self.seed, distinct=spec.distinct)


def draw_values(
    domains: Sequence[Domain],
    shapes: Sequence[Shape],
    dtype: str,
    seed: int,
    *,
    distinct: bool = False,
) -> list[np.ndarray]:
    """Arrays of ``shapes`` from ``domains``, in ``dtype``, from ``seed`` (reproducible).

    Examples
    --------
    >>> from agrad.conformance import POSITIVE
    >>> from agrad.conformance.strategies import draw_values
    >>> [a.dtype.name for a in draw_values([POSITIVE], [(2,)], "float32", 0)]
    ['float32']
    """
    rng = np.random.default_rng([seed, 0])
    cplx = np.dtype(dtype).kind == "c"
    if distinct and not cplx:
        sizes = [int(np.prod(s, dtype=np.int64)) for s in shapes]
        flat = domains[0].spread(rng, sum(sizes))
        cuts = np.cumsum(sizes)[:-1]
        values = [p.reshape(s) for p, s in zip(np.split(flat, cuts), shapes, strict=True)]
    else:
        values = [d.sample(rng, tuple(s), cplx) for d, s in zip(domains, shapes, strict=True)]
    return [np.asarray(v).astype(dtype) for v in values]


def examples(spec: Spec) -> st.SearchStrategy[Example]:
    """Examples for ``spec``: shapes, then keywords valid for them, then a value seed.

    Examples
    --------
    >>> from hypothesis import find
    >>> from agrad.conformance import strategies
    >>> from agrad.conformance.specs import get_spec
    >>> ex = find(strategies.examples(get_spec("sum")), lambda e: e.shapes[0] == (2, 3))
    >>> ex.shapes, ex.kwargs, ex.seed
    (((2, 3),), {'axis': None, 'keepdims': False}, 0)
    """

    @st.composite
    def draw_example(draw: Any) -> Example:
        drawn: Any = draw(spec.shape_strategy())
        kwargs: dict[str, Any] = {}
        if isinstance(drawn, Case):
            drawn, kwargs = drawn.shapes, dict(drawn.kwargs)
        found = tuple(tuple(s) for s in drawn)
        if spec.kwargs is not None:
            kwargs.update(draw(spec.kwargs(found)))
        seed = draw(st.integers(0, 2**32 - 1))
        return Example(found, dict(kwargs), seed)

    return draw_example()


def arrays(
    shape: Shape | st.SearchStrategy[Shape] | None = None,
    *,
    domain: Domain = REAL,
    dtype: str = "float64",
) -> st.SearchStrategy[np.ndarray]:
    """A strategy of NumPy arrays with values in ``domain``, for :func:`agrad.conformance.check`.

    ``shape`` is a fixed shape, a strategy of shapes, or None for any small shape (0-d and
    size-0 included).

    Examples
    --------
    >>> from hypothesis import find
    >>> from agrad.conformance import POSITIVE, strategies
    >>> x = find(strategies.arrays((2, 3), domain=POSITIVE), lambda x: True)
    >>> x.shape, bool((x >= 0.5).all())
    ((2, 3), True)
    """
    shape_s: st.SearchStrategy[Shape]
    if shape is None:
        shape_s = shapes()
    elif isinstance(shape, st.SearchStrategy):
        shape_s = shape
    else:
        shape_s = st.just(tuple(shape))
    return st.tuples(shape_s, st.integers(0, 2**32 - 1)).map(
        lambda p: Drawn.of(draw_values([domain], [p[0]], dtype, p[1])[0], domain)
    )


class Drawn(np.ndarray):
    """An array :func:`arrays` drew, which knows its domain: :func:`agrad.conformance.check`
    rounds a failure's values inside it, so the minimal example shows simple numbers."""

    domain: Domain | None = None

    @classmethod
    def of(cls, a: np.ndarray, domain: Domain) -> Drawn:
        out = a.view(cls)
        out.domain = domain
        return out
