"""Specs of the manipulation functions: joining, splitting, moving, repeating, reshaping."""

from __future__ import annotations

import math
from typing import Any

from agrad.conformance import strategies
from agrad.conformance._spec import REAL, Spec, dims
from hypothesis import strategies as st

Shape = tuple[int, ...]


def _one(**kw: Any) -> Any:
    """One input of a small shape."""
    return strategies.shapes(**kw).map(lambda s: (s,))


# -- shapes and keywords ------------------------------------------------------------------------
@st.composite
def _concat_shapes(draw: Any, n: int = 2) -> tuple[Shape, ...]:
    ndim = draw(st.integers(1, 3))
    base = draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim))
    axis = draw(st.integers(0, ndim - 1))
    out = []
    for _ in range(n):
        shape = list(base)
        shape[axis] = draw(st.integers(0, 3))
        out.append(tuple(shape))
    return tuple(out)


def _concat_kwargs(shapes: tuple[Shape, ...]) -> Any:
    ndim = len(shapes[0])
    # the axis along which the sizes differ, or any axis when they agree
    differ = [d for d in range(ndim) if len({s[d] for s in shapes}) > 1]
    if differ:
        return st.fixed_dictionaries({"axis": st.sampled_from([differ[0], differ[0] - ndim])})
    return st.fixed_dictionaries({"axis": st.one_of(st.none(), st.integers(-ndim, ndim - 1))})


def _torch_concat(torch: Any, *xs: Any, axis: int | None = 0) -> Any:
    if axis is None:
        return torch.cat([x.reshape(-1) for x in xs])
    return torch.cat(list(xs), dim=axis)


def _stack_kwargs(shapes: tuple[Shape, ...]) -> Any:
    ndim = len(shapes[0]) + 1
    return st.fixed_dictionaries({"axis": st.integers(-ndim, ndim - 1)})


def _axis_kw(none: bool = False, name: str = "axis", extra: int = 0) -> Any:
    def kwargs(shapes: tuple[Shape, ...]) -> Any:
        ndim = len(shapes[0]) + extra
        choices: list[st.SearchStrategy[Any]] = [st.integers(-ndim, ndim - 1)] if ndim else []
        if none or not ndim:
            choices.append(st.none())
        return st.fixed_dictionaries({name: st.one_of(*choices)})

    return kwargs


def _broadcast_to_kwargs(shapes: tuple[Shape, ...]) -> Any:
    (shape,) = shapes

    @st.composite
    def target(draw: Any) -> dict[str, Any]:
        lead = draw(st.lists(st.integers(1, 3), max_size=2))
        body = [draw(st.integers(1, 3)) if d == 1 else d for d in shape]
        return {"shape": (*lead, *body)}

    return target()


def _flip_kwargs(shapes: tuple[Shape, ...]) -> Any:
    return st.fixed_dictionaries({"axis": strategies.axes(len(shapes[0]))})


def _moveaxis_kwargs(shapes: tuple[Shape, ...]) -> Any:
    ndim = len(shapes[0])

    @st.composite
    def draw_kwargs(draw: Any) -> dict[str, Any]:
        k = draw(st.integers(1, ndim))
        src = draw(st.permutations(range(ndim)))[:k]
        dst = draw(st.permutations(range(ndim)))[:k]
        if k == 1 and draw(st.booleans()):
            return {"source": src[0], "destination": dst[0] - ndim}
        return {"source": tuple(src), "destination": tuple(dst)}

    return draw_kwargs()


def _permute_kwargs(shapes: tuple[Shape, ...]) -> Any:
    return st.permutations(range(len(shapes[0]))).map(lambda p: {"axes": tuple(p)})


def _repeat_kwargs(flat_or_counts: bool) -> Any:
    """``repeat``'s keywords: an integer count along an integer axis, or (``flat_or_counts``)
    one count per element or the flattening ``axis=None`` — forms Dask lacks."""

    def kwargs(shapes: tuple[Shape, ...]) -> Any:
        (shape,) = shapes
        ndim = len(shape)

        @st.composite
        def draw_kwargs(draw: Any) -> dict[str, Any]:
            if not flat_or_counts:
                axis = draw(st.integers(-ndim, ndim - 1))
                return {"repeats": draw(st.integers(0, 3)), "axis": axis}
            axis = draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1))) if ndim else None
            length = math.prod(shape) if axis is None else shape[axis]
            if axis is None and draw(st.booleans()):
                return {"repeats": draw(st.integers(0, 3)), "axis": axis}
            counts = draw(st.lists(st.integers(0, 2), min_size=length, max_size=length))
            return {"repeats": counts, "axis": axis}

        return draw_kwargs()

    return kwargs


def _agrad_repeat(xp: Any, x: Any, repeats: Any, axis: int | None = None) -> Any:
    if isinstance(repeats, list):
        repeats = xp.asarray(repeats, dtype=xp.int64)
    return xp.repeat(x, repeats, axis=axis)


def _torch_repeat(torch: Any, x: Any, repeats: Any, axis: int | None = None) -> Any:
    if isinstance(repeats, list):
        repeats = torch.tensor(repeats, dtype=torch.int64)
    if axis is None:
        return torch.repeat_interleave(x.reshape(-1), repeats)
    return torch.repeat_interleave(x, repeats, dim=axis)


@st.composite
def _reshape_target(draw: Any, size: int) -> tuple[int, ...]:
    if size == 0:
        return draw(st.sampled_from([(0,), (0, 2), (3, 0), (-1,)]))
    dims_: list[int] = []
    rest = size
    for _ in range(draw(st.integers(0, 3))):
        d = draw(st.sampled_from([k for k in range(1, rest + 1) if rest % k == 0]))
        dims_.append(d)
        rest //= d
    if rest != 1:
        dims_.append(rest)
    if dims_ and draw(st.booleans()):
        dims_[draw(st.integers(0, len(dims_) - 1))] = -1
    return tuple(dims_)


def _reshape_kwargs(shapes: tuple[Shape, ...]) -> Any:
    return _reshape_target(math.prod(shapes[0])).map(lambda s: {"shape": s})


def _roll_kwargs(shapes: tuple[Shape, ...]) -> Any:
    ndim = len(shapes[0])

    @st.composite
    def draw_kwargs(draw: Any) -> dict[str, Any]:
        axis = draw(strategies.axes(ndim))
        shift_ = st.integers(-4, 4)
        if isinstance(axis, tuple):
            return {"shift": tuple(draw(shift_) for _ in axis), "axis": axis}
        return {"shift": draw(shift_), "axis": axis}

    return draw_kwargs()


def _torch_roll(torch: Any, x: Any, shift: Any, axis: Any = None) -> Any:
    if axis is None:
        return torch.roll(x, shift)
    return torch.roll(x, shift, dims=axis)


@st.composite
def _squeeze_case(draw: Any) -> tuple[Shape, ...]:
    shape = list(draw(strategies.shapes(min_dims=1, empty=False)))
    for d in draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True)):
        shape[d] = 1
    return (tuple(shape),)


def _squeeze_kwargs(shapes: tuple[Shape, ...]) -> Any:
    (shape,) = shapes
    ones = [d for d, n in enumerate(shape) if n == 1]
    single = st.sampled_from(ones).flatmap(lambda d: st.sampled_from([d, d - len(shape)]))
    several = st.lists(st.sampled_from(ones), min_size=1, unique=True).map(tuple)
    return st.fixed_dictionaries({"axis": st.one_of(single, several)})


def _tile_kwargs(shapes: tuple[Shape, ...]) -> Any:
    return st.lists(st.integers(1, 3), max_size=4).map(lambda r: {"repetitions": tuple(r)})


def _unstack_kwargs(shapes: tuple[Shape, ...]) -> Any:
    # along an axis with values (an empty one is the spec "unstack(empty axis)")
    (shape,) = shapes
    axes = [a for a in range(-len(shape), len(shape)) if shape[a]]
    return st.fixed_dictionaries({"axis": st.sampled_from(axes)})


@st.composite
def _empty_axis_case(draw: Any) -> Any:
    shape = list(draw(strategies.shapes(min_dims=1, empty=False)))
    axis = draw(st.integers(0, len(shape) - 1))
    shape[axis] = 0
    return strategies.Case((tuple(shape),), {"axis": axis})


SPECS = [
    Spec(
        "broadcast_arrays",
        torch=lambda torch, a, b: torch.broadcast_tensors(a, b),
        inputs=(REAL, REAL),
    ),
    Spec(
        "broadcast_arrays",
        torch=lambda torch, a, b, c: torch.broadcast_tensors(a, b, c),
        inputs=(REAL, REAL, REAL),
        label="broadcast_arrays(3 arrays)",
    ),
    Spec(
        "broadcast_arrays",
        call=lambda xp, x: xp.broadcast_arrays(x),
        torch=lambda torch, x: torch.broadcast_tensors(x),
        label="broadcast_arrays(1 array)",
    ),
    Spec(
        "broadcast_to",
        torch=lambda torch, x, shape: x.broadcast_to(shape),
        shapes=_one(),
        kwargs=_broadcast_to_kwargs,
    ),
    Spec(
        "concat",
        call=lambda xp, a, b, axis=0: xp.concat([a, b], axis=axis),
        torch=_torch_concat,
        inputs=(REAL, REAL),
        shapes=_concat_shapes(2),
        kwargs=_concat_kwargs,
    ),
    Spec(
        "concat",
        call=lambda xp, a, b, c, axis=0: xp.concat((a, b, c), axis=axis),
        torch=_torch_concat,
        inputs=(REAL, REAL, REAL),
        shapes=_concat_shapes(3),
        kwargs=_concat_kwargs,
        label="concat(3 arrays)",
    ),
    Spec(
        "expand_dims",
        torch=lambda torch, x, axis: torch.unsqueeze(x, axis),
        shapes=_one(),
        kwargs=_axis_kw(extra=1),
    ),
    Spec(
        "flip",
        torch=lambda torch, x, axis=None: torch.flip(x, dims=dims(axis, x.ndim)),
        shapes=_one(),
        kwargs=_flip_kwargs,
    ),
    Spec(
        "moveaxis",
        call=lambda xp, x, source, destination: xp.moveaxis(x, source, destination),
        torch=lambda torch, x, source, destination: torch.movedim(x, source, destination),
        shapes=_one(min_dims=1),
        kwargs=_moveaxis_kwargs,
    ),
    Spec(
        "permute_dims",
        torch=lambda torch, x, axes: torch.permute(x, axes),
        shapes=_one(),
        kwargs=_permute_kwargs,
    ),
    Spec(
        "repeat",
        call=_agrad_repeat,
        torch=_torch_repeat,
        shapes=strategies.shapes(min_dims=1).map(lambda s: (s,)),
        kwargs=_repeat_kwargs(flat_or_counts=False),
    ),
    Spec(
        "repeat",
        call=_agrad_repeat,
        torch=_torch_repeat,
        shapes=_one(),
        kwargs=_repeat_kwargs(flat_or_counts=True),
        label="repeat(counts or axis=None)",
    ),
    Spec(
        "reshape",
        torch=lambda torch, x, shape: torch.reshape(x, shape),
        shapes=_one(),
        kwargs=_reshape_kwargs,
    ),
    Spec("roll", torch=_torch_roll, shapes=_one(), kwargs=_roll_kwargs),
    Spec(
        "squeeze",
        torch=lambda torch, x, axis: torch.squeeze(x, axis),
        shapes=_squeeze_case(),
        kwargs=_squeeze_kwargs,
    ),
    Spec(
        "stack",
        call=lambda xp, a, b, axis=0: xp.stack([a, b], axis=axis),
        torch=lambda torch, a, b, axis=0: torch.stack([a, b], dim=axis),
        inputs=(REAL, REAL),
        shapes=strategies.same_shapes(2),
        kwargs=_stack_kwargs,
    ),
    Spec(
        "tile",
        call=lambda xp, x, repetitions: xp.tile(x, repetitions),
        torch=lambda torch, x, repetitions: torch.tile(x, repetitions),
        shapes=_one(),
        kwargs=_tile_kwargs,
    ),
    Spec(
        "unstack",
        torch=lambda torch, x, axis: torch.unbind(x, dim=axis),
        shapes=_one(min_dims=1).filter(lambda s: any(s[0])),
        kwargs=_unstack_kwargs,
    ),
    Spec(
        "unstack",
        torch=lambda torch, x, axis: torch.unbind(x, dim=axis),
        shapes=_empty_axis_case(),
        label="unstack(empty axis)",
    ),
]
