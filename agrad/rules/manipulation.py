"""Rules for the standard's manipulation functions."""

from __future__ import annotations

from typing import Any

from agrad.extend import Rule, along, backend_of, device_of, nondiff, size


def _permute_back(g: Any, out: Any, x: Any, *, xp: Any, axes: tuple[int, ...]) -> Any:
    ndim = len(axes)
    inverse = [0] * ndim
    for i, a in enumerate(axes):
        inverse[a % ndim] = i
    return xp.permute_dims(g, tuple(inverse))


def _concat_vjp(g: Any, out: Any, *arrays: Any, xp: Any, index: int, axis: int | None) -> Any:
    # the slice of g that came from input `index`
    if axis is None:
        start = sum(size(a) for a in arrays[:index])
        piece = g[start : start + size(arrays[index])]
        return xp.reshape(piece, arrays[index].shape)
    ax = axis % g.ndim
    start = sum(a.shape[ax] for a in arrays[:index])
    return g[along(ax, slice(start, start + arrays[index].shape[ax]))]


def _stack_vjp(g: Any, out: Any, *arrays: Any, xp: Any, index: int, axis: int) -> Any:
    return g[along(axis % g.ndim, index)]


def _broadcast_arrays_vjp(g: Any, out: Any, *arrays: Any, xp: Any, index: int) -> Any:
    # one output arrives as a bare cotangent, not a 1-tuple
    gi = g[index] if isinstance(g, (tuple, list)) else g
    return gi  # the engine sums the broadcast axes back down


def _tile_vjp(g: Any, out: Any, x: Any, *, xp: Any, repetitions: tuple[int, ...]) -> Any:
    # out has shape (r0*s0, r1*s1, ...): split each axis into (r, s) and sum over the r's
    ndim = max(x.ndim, len(repetitions))
    reps = (1,) * (ndim - len(repetitions)) + tuple(repetitions)
    shape = (1,) * (ndim - x.ndim) + tuple(x.shape)
    split = tuple(n for pair in zip(reps, shape, strict=True) for n in pair)
    g = xp.sum(xp.reshape(g, split), axis=tuple(range(0, 2 * ndim, 2)))
    return xp.reshape(g, x.shape)


def _repeat_vjp(g: Any, out: Any, x: Any, repeats: Any, *, xp: Any, axis: int | None) -> Any:
    if axis is None:
        flat_shape: tuple[int, ...] = (size(x),)
        ax = 0
    else:
        flat_shape = tuple(x.shape)
        ax = axis % x.ndim
    n = flat_shape[ax]
    if isinstance(repeats, int):
        # out axis ax is (n, repeats): sum the repeats
        split = (*flat_shape[:ax], n, repeats, *flat_shape[ax + 1 :])
        summed = xp.sum(xp.reshape(g, split), axis=ax + 1)
    else:
        owner = xp.repeat(xp.arange(n, device=device_of(g)), repeats)
        zeros = xp.zeros(flat_shape, dtype=g.dtype, device=device_of(g))
        summed = backend_of(xp).scatter_add(zeros, owner, g, axis=ax)
    return xp.reshape(summed, x.shape)


def _negated(shift: int | tuple[int, ...]) -> int | tuple[int, ...]:
    return -shift if isinstance(shift, int) else tuple(-s for s in shift)


RULES = [
    Rule("concat", _concat_vjp, save="meta", variadic=True),
    Rule("stack", _stack_vjp, linear=True, variadic=True),
    Rule("broadcast_arrays", _broadcast_arrays_vjp, linear=True, variadic=True),
    # unstack's outputs are the slices along axis: stack their cotangents back
    # (one output, from an axis of length 1, arrives as a bare cotangent, not a 1-tuple)
    Rule(
        "unstack",
        lambda g, out, x, *, xp, axis=0: xp.stack(
            g if isinstance(g, (tuple, list)) else (g,), axis=axis
        ),
        linear=True,
    ),
    Rule(
        "moveaxis",
        lambda g, out, x, *, xp, source, destination: xp.moveaxis(g, destination, source),
        linear=True,
        view=True,
    ),
    Rule(
        "roll",
        lambda g, out, x, *, xp, shift, axis=None: xp.roll(g, _negated(shift), axis=axis),
        linear=True,
    ),
    Rule("tile", _tile_vjp, save="meta"),
    Rule("repeat", _repeat_vjp, None, save="inputs"),
    *nondiff("broadcast_shapes"),
    Rule("flip", lambda g, out, x, *, xp, axis=None: xp.flip(g, axis=axis), linear=True, view=True),
    Rule(
        "reshape",
        lambda g, out, x, *, xp, shape, copy=None: xp.reshape(g, x.shape),
        save="meta",
        view=True,
    ),
    Rule("permute_dims", _permute_back, linear=True, view=True),
    # the engine sums the broadcast axes back down
    Rule("broadcast_to", lambda g, out, x, *, xp, shape: g, linear=True, view=True),
    Rule(
        "expand_dims",
        lambda g, out, x, *, xp, axis=0: xp.reshape(g, x.shape),
        save="meta",
        view=True,
    ),
    Rule(
        "squeeze",
        lambda g, out, x, *, xp, axis: xp.reshape(g, x.shape),
        save="meta",
        view=True,
    ),
]
