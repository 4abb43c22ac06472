"""Specs of indexing: take, take_along_axis, ``x[key]``, ``x[key] = v``, in-place views.

agrad's internal operations are reached here too: ``_view_scatter`` by an in-place change
of a view, ``_scatter_add`` by integer-array indexing at the second order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from agrad.conformance import strategies
from agrad.conformance._spec import REAL, Spec
from agrad.conformance.strategies import Case
from hypothesis import strategies as st

Shape = tuple[int, ...]


# -- keys ---------------------------------------------------------------------------------------
@st.composite
def basic_key(draw: Any, shape: Shape, newaxis: bool = True) -> tuple[Any, ...]:
    """A key of integers, forward slices, ``...`` and ``None`` that names every axis."""
    parts: list[Any] = []
    for n in shape:
        if n and draw(st.booleans()):
            parts.append(draw(st.integers(-n, n - 1)))
        else:
            bound = st.one_of(st.none(), st.integers(-n, n))
            step = st.one_of(st.none(), st.integers(1, 3))
            parts.append(slice(draw(bound), draw(bound), draw(step)))
    if parts and draw(st.booleans()):  # `...` for a run of full slices
        i = draw(st.integers(0, len(parts)))
        j = draw(st.integers(i, len(parts)))
        parts[i:j] = [Ellipsis]
    if newaxis and draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), None)
    return tuple(parts)


def _result_shape(shape: Shape, key: Any) -> Shape:
    return tuple(np.empty(shape)[key].shape)


@st.composite
def _value_shape(draw: Any, target: Shape) -> Shape:
    """A shape that broadcasts to ``target``: a suffix of it, some sides set to 1."""
    k = draw(st.integers(0, len(target)))
    tail = list(target[len(target) - k :])
    for d in range(len(tail)):
        if draw(st.integers(0, 3)) == 0:
            tail[d] = 1
    return tuple(tail)


def _basic(shapes: tuple[Shape, ...]) -> Any:
    return basic_key(shapes[0]).map(lambda key: {"key": key})


@st.composite
def _int_arrays_key(draw: Any, shape: Shape) -> tuple[Any, ...]:
    """An integer array (or an integer) per axis, the arrays broadcasting together."""
    index_shape = draw(strategies.shapes(max_dims=2, empty=False))
    parts: list[Any] = []
    for n in shape:
        if not parts or draw(st.integers(0, 2)):
            size = int(np.prod(index_shape))
            flat = draw(st.lists(st.integers(-n, n - 1), min_size=size, max_size=size))
            parts.append(np.reshape(np.array(flat, dtype=np.int64), index_shape))
        else:
            parts.append(draw(st.integers(-n, n - 1)))
    return tuple(parts)


def _array(lib: Any, a: Any, like: Any) -> Any:
    """A NumPy array (an index, a mask) as an array of ``lib`` on the device of ``like``."""
    if lib.__name__ == "torch":
        return lib.asarray(np.asarray(a))
    return lib.asarray(np.asarray(a), device=like.device)


def _as_key(lib: Any, key: tuple[Any, ...], like: Any) -> tuple[Any, ...]:
    """The NumPy arrays in a key as arrays of ``lib``."""
    return tuple(_array(lib, k, like) if isinstance(k, np.ndarray) else k for k in key)


def _getitem(lib: Any, x: Any, key: Any) -> Any:
    return x[_as_key(lib, key, x)]


def _mask(shapes: tuple[Shape, ...]) -> Any:
    shape = shapes[0]
    size = int(np.prod(shape))
    return st.lists(st.booleans(), min_size=size, max_size=size).map(
        lambda flat: {"mask": np.reshape(np.array(flat, dtype=bool), shape)}
    )


def _bool(lib: Any, mask: Any, like: Any) -> Any:
    return _array(lib, np.asarray(mask, dtype=bool), like)


# -- assignments ----------------------------------------------------------------------------------
def _copy(lib: Any, x: Any) -> Any:
    return x.clone() if lib.__name__ == "torch" else x + 0.0


def _setitem(lib: Any, x: Any, v: Any, key: Any) -> Any:
    y = _copy(lib, x)
    y[_as_key(lib, key, x)] = v
    return y


def _setitem_mask(lib: Any, x: Any, v: Any, mask: Any) -> Any:
    y = _copy(lib, x)
    y[_bool(lib, mask, x)] = v
    return y


@st.composite
def _setitem_case(draw: Any) -> Case:
    x = draw(strategies.shapes(min_dims=1))
    key = draw(basic_key(x, newaxis=False))  # the standard's assignment takes no None
    v = draw(_value_shape(_result_shape(x, key)))
    return Case((x, v), {"key": key})


@st.composite
def _setitem_rows_case(draw: Any) -> Case:
    # distinct rows: assigning twice to one row through an integer array is unspecified
    x = draw(strategies.shapes(min_dims=2, empty=False))
    rows = draw(st.lists(st.integers(0, x[0] - 1), min_size=1, max_size=x[0], unique=True))
    v = draw(_value_shape((len(rows), *x[1:])))
    return Case((x, v), {"key": (np.array(rows, dtype=np.int64),)})


@st.composite
def _setitem_mask_case(draw: Any) -> Case:
    x = draw(strategies.shapes(empty=False))
    size = int(np.prod(x))
    flat = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    mask = np.reshape(np.array(flat, dtype=bool), x)
    v = draw(st.sampled_from([(), (int(mask.sum()),)]))
    return Case((x, v), {"mask": mask})


def _inplace_view(lib: Any, x: Any, v: Any, key: Any) -> Any:
    # `*=` on a view of an intermediate: the change reaches it through `_view_scatter`
    y = _copy(lib, x)
    view = y[key]
    view *= v
    return y


@st.composite
def _view_case(draw: Any) -> Case:
    # a proper part of x (a row, or a slice from 1 on), then any basic key inside it
    x = draw(strategies.shapes(min_dims=1, empty=False).filter(lambda s: s[0] >= 2))
    first = draw(st.integers(0, x[0] - 1)) if len(x) > 1 else slice(draw(st.integers(1, 2)), None)
    key = (first, *draw(basic_key(x[1:], newaxis=False)))
    if all(isinstance(k, int) for k in key):
        # integers alone select a copy in NumPy (agrad follows), a view in torch
        key = (*key[:-1], slice(None))
    v = draw(_value_shape(_result_shape(x, key)))
    return Case((x, v), {"key": key})


# -- take ---------------------------------------------------------------------------------------
def _take_kwargs(shapes: tuple[Shape, ...]) -> Any:
    (shape,) = shapes
    ndim = len(shape)

    @st.composite
    def draw_kwargs(draw: Any) -> dict[str, Any]:
        axis = draw(
            st.one_of(st.none(), st.integers(-ndim, ndim - 1))
            if ndim == 1
            else st.integers(-ndim, ndim - 1)
        )
        n = shape[0 if axis is None else axis]
        indices = st.lists(st.integers(-n, n - 1), max_size=4) if n else st.just([])
        return {"indices": draw(indices), "axis": axis}

    return draw_kwargs()


def _agrad_take(xp: Any, x: Any, indices: Any, axis: int | None = None) -> Any:
    return xp.take(x, _array(xp, np.asarray(indices, dtype=np.int64), x), axis=axis)


def _torch_take(torch: Any, x: Any, indices: Any, axis: int | None = None) -> Any:
    idx = _array(torch, np.asarray(indices, dtype=np.int64), x)
    d = 0 if axis is None else axis
    return torch.index_select(x, d, idx % max(x.shape[d], 1))


def _along_kwargs(shapes: tuple[Shape, ...]) -> Any:
    (shape,) = shapes
    ndim = len(shape)

    @st.composite
    def draw_kwargs(draw: Any) -> dict[str, Any]:
        axis = draw(st.integers(-ndim, ndim - 1))
        n = shape[axis]
        out = list(shape)
        out[axis] = draw(st.integers(0, 3)) if n else 0
        size = int(np.prod(out))
        flat = draw(st.lists(st.integers(0, max(n - 1, 0)), min_size=size, max_size=size))
        return {"indices": np.reshape(np.array(flat, dtype=np.int64), out), "axis": axis}

    return draw_kwargs()


_ONE = strategies.shapes(min_dims=1).map(lambda s: (s,))
_NONEMPTY = strategies.shapes(min_dims=1, empty=False).map(lambda s: (s,))

SPECS = [
    Spec("take", call=_agrad_take, torch=_torch_take, shapes=_ONE, kwargs=_take_kwargs),
    Spec(
        "take_along_axis",
        call=lambda xp, x, indices, axis=-1: xp.take_along_axis(
            x, _array(xp, indices, x), axis=axis
        ),
        torch=lambda torch, x, indices, axis=-1: torch.take_along_dim(
            x, _array(torch, indices, x), dim=axis
        ),
        shapes=_ONE,
        kwargs=_along_kwargs,
    ),
    # -- x[key] ---------------------------------------------------------------------------
    Spec(
        "__getitem__",
        call=_getitem,
        torch=_getitem,
        shapes=strategies.shapes().map(lambda s: (s,)),
        kwargs=_basic,
        label="getitem-basic",
    ),
    Spec(
        "__getitem__",
        call=_getitem,
        torch=_getitem,
        shapes=_NONEMPTY,
        kwargs=lambda shapes: _int_arrays_key(shapes[0]).map(lambda k: {"key": k}),
        label="getitem-int-arrays",
    ),
    Spec(
        "__getitem__",
        call=lambda xp, x, mask: x[_bool(xp, mask, x)],
        torch=lambda torch, x, mask: x[_bool(torch, mask, x)],
        shapes=strategies.shapes(empty=False).map(lambda s: (s,)),
        kwargs=_mask,
        label="getitem-bool-mask",
    ),
    # masks of size 0 apart: array-api-strict assigns through some of them wrongly
    Spec(
        "__getitem__",
        call=lambda xp, x, mask: x[_bool(xp, mask, x)],
        torch=lambda torch, x, mask: x[_bool(torch, mask, x)],
        shapes=st.sampled_from([((0, 1),), ((1, 0, 2),)]),
        kwargs=_mask,
        label="getitem-bool-mask(size 0)",
    ),
    # NumPy's forms beyond the standard: an integer array for the first axis only, and one
    # beside a slice (known failures on array_api_strict)
    Spec(
        "__getitem__",
        call=lambda xp, x, rows: x[_array(xp, np.asarray(rows, dtype=np.int64), x)],
        torch=lambda torch, x, rows: x[_array(torch, np.asarray(rows, dtype=np.int64), x)],
        shapes=strategies.shapes(min_dims=2, empty=False).map(lambda s: (s,)),
        kwargs=lambda shapes: st.lists(
            st.integers(0, shapes[0][0] - 1), min_size=1, max_size=5
        ).map(lambda r: {"rows": r + r[:1]}),
        label="getitem-int-array-repeated",
    ),
    Spec(
        "__getitem__",
        call=lambda xp, x, cols: x[:, _array(xp, np.asarray(cols, dtype=np.int64), x)],
        torch=lambda torch, x, cols: x[:, _array(torch, np.asarray(cols, dtype=np.int64), x)],
        shapes=strategies.shapes(min_dims=2, empty=False).map(lambda s: (s,)),
        kwargs=lambda shapes: st.lists(
            st.integers(0, shapes[0][1] - 1), min_size=1, max_size=4
        ).map(lambda c: {"cols": c}),
        label="getitem-slice-int-array",
    ),
    # -- x[key] = v ---------------------------------------------------------------------------
    Spec(
        "__setitem__",
        call=_setitem,
        torch=_setitem,
        inputs=(REAL, REAL),
        shapes=_setitem_case(),
        label="setitem-basic",
    ),
    Spec(
        "__setitem__",
        call=_setitem_mask,
        torch=_setitem_mask,
        inputs=(REAL, REAL),
        shapes=_setitem_mask_case(),
        label="setitem-bool-mask",
    ),
    Spec(
        "__setitem__",
        call=_setitem,
        torch=_setitem,
        inputs=(REAL, REAL),
        shapes=_setitem_rows_case(),
        label="setitem-int-array",
    ),
    # -- agrad's internal operations ------------------------------------------------------
    Spec(
        "_view_scatter",
        call=_inplace_view,
        torch=_inplace_view,
        inputs=(REAL, REAL),
        shapes=_view_case(),
        label="inplace-mul-through-view",
    ),
    Spec(
        "_scatter_add",
        call=_getitem,
        torch=_getitem,
        shapes=_NONEMPTY,
        kwargs=lambda shapes: _int_arrays_key(shapes[0]).map(lambda k: {"key": k}),
        label="_scatter_add(getitem-int-arrays)",
    ),
]
