"""Manipulation functions (https://data-apis.org/array-api/latest/API_specification/manipulation_functions.html).

Where the backend returns a view (NumPy's ``reshape`` of a contiguous array), the result
shares memory and a version counter with its input, and in-place changes to it reach the
input's graph, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

from agrad._ops import apply, to_tensor
from agrad._registry import TABLE
from agrad._tensor import Tensor
from agrad.errors import AgradValueError

__all__ = [
    "broadcast_arrays",
    "broadcast_shapes",
    "broadcast_to",
    "concat",
    "expand_dims",
    "flip",
    "moveaxis",
    "permute_dims",
    "repeat",
    "reshape",
    "roll",
    "squeeze",
    "stack",
    "tile",
    "unstack",
]


_GETITEM = TABLE["__getitem__"]


def reshape(x: Tensor, /, shape: tuple[int, ...], *, copy: bool | None = None) -> Tensor:
    """``x`` with a new shape.

    Examples
    --------
    >>> import agrad
    >>> agrad.reshape(agrad.arange(6), (2, 3)).shape
    (2, 3)
    """
    return apply(TABLE["reshape"], (x,), {"shape": tuple(shape), "copy": copy})  # type: ignore[no-any-return]


def permute_dims(x: Tensor, /, axes: tuple[int, ...]) -> Tensor:
    """``x`` with its axes reordered.

    Examples
    --------
    >>> import agrad
    >>> agrad.permute_dims(agrad.zeros((2, 3)), (1, 0)).shape
    (3, 2)
    """
    # negative axes, as NumPy and torch take them (JAX refuses them)
    ndim = len(x.shape)
    axes = tuple(a + ndim if -ndim <= a < 0 else a for a in axes)
    return apply(TABLE["permute_dims"], (x,), {"axes": axes})  # type: ignore[no-any-return]


def broadcast_to(x: Tensor, /, shape: tuple[int, ...]) -> Tensor:
    """``x`` broadcast to ``shape``; its gradient sums the broadcast axes back.

    Examples
    --------
    >>> import agrad
    >>> agrad.broadcast_to(agrad.ones(3), (2, 3)).shape
    (2, 3)
    """
    return apply(TABLE["broadcast_to"], (x,), {"shape": tuple(shape)})  # type: ignore[no-any-return]


def expand_dims(x: Tensor, /, axis: int = 0) -> Tensor:
    """``x`` with a new axis of size one at ``axis``.

    Examples
    --------
    >>> import agrad
    >>> agrad.expand_dims(agrad.ones(3), axis=0).shape
    (1, 3)
    """
    return apply(TABLE["expand_dims"], (x,), {"axis": axis})  # type: ignore[no-any-return]


def squeeze(x: Tensor, /, axis: int | tuple[int, ...]) -> Tensor:
    """``x`` without the size-one axes ``axis``.

    Examples
    --------
    >>> import agrad
    >>> agrad.squeeze(agrad.ones((1, 3)), axis=0).shape
    (3,)
    """
    return apply(TABLE["squeeze"], (x,), {"axis": axis})  # type: ignore[no-any-return]


def flip(x: Tensor, /, *, axis: int | tuple[int, ...] | None = None) -> Tensor:
    """``x`` with the order of elements reversed along ``axis`` (all axes by default).

    Examples
    --------
    >>> import agrad
    >>> agrad.flip(agrad.asarray([1.0, 2.0, 3.0])).tolist()
    [3.0, 2.0, 1.0]
    """
    return apply(TABLE["flip"], (x,), {"axis": axis})  # type: ignore[no-any-return]


def concat(arrays: tuple[Tensor, ...] | list[Tensor], /, *, axis: int | None = 0) -> Tensor:
    """The arrays joined along ``axis`` (flattened first when ``axis`` is None).

    Examples
    --------
    >>> import agrad
    >>> agrad.concat([agrad.ones(2), agrad.zeros(1)]).tolist()
    [1.0, 1.0, 0.0]
    """
    return apply(TABLE["concat"], tuple(arrays), {"axis": axis}, _concat_forward)  # type: ignore[no-any-return]


def _concat_forward(xp: Any, *arrays: Any, axis: int | None) -> Any:
    return xp.concat(list(arrays), axis=axis)


def stack(arrays: tuple[Tensor, ...] | list[Tensor], /, *, axis: int = 0) -> Tensor:
    """The arrays joined along a new axis.

    Examples
    --------
    >>> import agrad
    >>> agrad.stack([agrad.ones(2), agrad.zeros(2)], axis=1).shape
    (2, 2)
    """
    return apply(TABLE["stack"], tuple(arrays), {"axis": axis}, _stack_forward)  # type: ignore[no-any-return]


def _stack_forward(xp: Any, *arrays: Any, axis: int) -> Any:
    return xp.stack(list(arrays), axis=axis)


def unstack(x: Tensor, /, *, axis: int = 0) -> tuple[Tensor, ...]:
    """The slices of ``x`` along ``axis``, as a tuple.

    Examples
    --------
    >>> import agrad
    >>> [t.tolist() for t in agrad.unstack(agrad.asarray([[1.0, 2.0], [3.0, 4.0]]))]
    [[1.0, 2.0], [3.0, 4.0]]
    """
    n = x.shape[axis]
    # each slice is the view `x[..., i, ...]` (NumPy's and torch's), linked as one
    head = (slice(None),) * (axis % x.ndim)
    links = [(_GETITEM, {"key": (*head, i, Ellipsis)}) for i in range(n)]
    kw = {"axis": axis}
    return apply(TABLE["unstack"], (x,), kw, _unstack_forward, nout=n, links=links)  # type: ignore[no-any-return]


def _unstack_forward(xp: Any, a: Any, *, axis: int) -> tuple[Any, ...]:
    # by indexing: views on every backend, 0-d ones included (NumPy's `unstack` gives scalars)
    head = (slice(None),) * (axis % a.ndim)
    keys = [(*head, i, Ellipsis) for i in range(a.shape[axis])]
    return tuple(a[key] for key in keys)


def broadcast_arrays(*arrays: Tensor) -> tuple[Tensor, ...]:
    """The arrays broadcast against each other.

    Examples
    --------
    >>> import agrad
    >>> [t.shape for t in agrad.broadcast_arrays(agrad.ones((2, 1)), agrad.ones(3))]
    [(2, 3), (2, 3)]
    """
    # a broadcast result is the view `broadcast_to(x, shape)`: read-only where NumPy's
    # `broadcast_to` is (NumPy deprecates writing into `broadcast_arrays`' results); an input
    # that already has the shape comes back itself, writable, as NumPy returns it
    tensors = [to_tensor(a) for a in arrays]
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t if t.shape == shape else broadcast_to(t, shape) for t in tensors)


def moveaxis(
    x: Tensor, source: int | tuple[int, ...], destination: int | tuple[int, ...], /
) -> Tensor:
    """``x`` with axes ``source`` moved to ``destination``.

    Examples
    --------
    >>> import agrad
    >>> agrad.moveaxis(agrad.zeros((2, 3, 4)), 0, -1).shape
    (3, 4, 2)
    """
    kw = {"source": source, "destination": destination}
    return apply(TABLE["moveaxis"], (x,), kw, _moveaxis_forward)  # type: ignore[no-any-return]


def _moveaxis_forward(xp: Any, a: Any, *, source: Any, destination: Any) -> Any:
    return xp.moveaxis(a, source, destination)


def roll(
    x: Tensor,
    /,
    shift: int | tuple[int, ...],
    *,
    axis: int | tuple[int, ...] | None = None,
) -> Tensor:
    """``x`` rolled by ``shift`` along ``axis`` (flattened when ``axis`` is None).

    Examples
    --------
    >>> import agrad
    >>> agrad.roll(agrad.asarray([1.0, 2.0, 3.0]), 1).tolist()
    [3.0, 1.0, 2.0]
    """
    return apply(TABLE["roll"], (x,), {"shift": shift, "axis": axis})  # type: ignore[no-any-return]


def tile(x: Tensor, repetitions: tuple[int, ...], /) -> Tensor:
    """``x`` repeated ``repetitions[i]`` times along each axis.

    Examples
    --------
    >>> import agrad
    >>> agrad.tile(agrad.asarray([1.0, 2.0]), (2,)).tolist()
    [1.0, 2.0, 1.0, 2.0]
    """
    kw = {"repetitions": tuple(repetitions)}
    return apply(TABLE["tile"], (x,), kw, _tile_forward)  # type: ignore[no-any-return]


def _tile_forward(xp: Any, a: Any, *, repetitions: tuple[int, ...]) -> Any:
    return xp.tile(a, repetitions)


def repeat(x: Tensor, repeats: int | Tensor, /, *, axis: int | None = None) -> Tensor:
    """Each element of ``x`` repeated ``repeats`` times (one count, or one per element).

    Examples
    --------
    >>> import agrad
    >>> agrad.repeat(agrad.asarray([1.0, 2.0]), 2).tolist()
    [1.0, 1.0, 2.0, 2.0]
    """
    return apply(TABLE["repeat"], (x, repeats), {"axis": axis}, _repeat_forward)  # type: ignore[no-any-return]


def _repeat_forward(xp: Any, a: Any, repeats: Any, *, axis: int | None) -> Any:
    return xp.repeat(a, repeats, axis=axis)


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape the given shapes broadcast to.

    Examples
    --------
    >>> import agrad
    >>> agrad.broadcast_shapes((2, 1), (3,))
    (2, 3)
    """
    result: list[int] = []
    for shape in shapes:
        shape = tuple(shape)
        padded = [1] * (len(shape) - len(result)) + result
        tail = [1] * (len(padded) - len(shape)) + list(shape)
        merged = []
        for a, b in zip(padded, tail, strict=True):
            if a != b and 1 not in (a, b):
                msg = f"Shapes {shapes!r} cannot be broadcast together ({a} against {b})."
                raise AgradValueError(msg)
            merged.append(b if a == 1 else a)
        result = merged
    return tuple(result)
