"""The machinery behind ``agrad.func``: preparing arguments, running ``f``, pulling back."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from agrad._api.creation import zeros_like
from agrad._api.elementwise import positive
from agrad._autograd import grad as _engine_grad
from agrad._device import Device, get_default_device
from agrad._grad_mode import STATE
from agrad._ops import device_of_array, to_tensor
from agrad._pytree import LEAF, Def, flatten, rebuild
from agrad._tensor import Tensor
from agrad.errors import (
    AgradTypeError,
    AgradValueError,
    GradShapeError,
    NonScalarOutputError,
    NotDifferentiableError,
)

Fn = Callable[..., Any]
Argnums = int | Sequence[int]


def _numel(t: Tensor) -> int:
    return math.prod(t._array.shape)


# -- inputs --------------------------------------------------------------------------
@dataclass
class _Inputs:
    """The arguments as ``f`` sees them, and the fresh tensors to differentiate against."""

    args: list[Any]  # positional arguments, the differentiated ones replaced
    leaves: list[Tensor]  # what the gradients are taken with respect to, flattened
    defs: list[Def]  # the structure of each differentiated argument
    counts: list[int]  # how many leaves each differentiated argument has
    tensors: bool  # a differentiated argument held an agrad Tensor
    connected: bool  # a leaf hangs off a graph that is being recorded
    recording: bool  # recording was on when the transform was called

    def own(self, on: bool) -> None:
        """Switch gradients for the fresh leaves on or off.

        Off once the transform is done: the leaves may live on in the graph of results
        that carry one, and an outer transform must see them as the constants they are then.
        """
        for x in self.leaves:
            if x._grad_fn is None:
                x._rg = on


def _argnums(who: str, argnums: Argnums, nargs: int) -> tuple[int, ...]:
    # anything but a tuple or list is checked as a single entry, so a float is reported
    nums: Sequence[Any] = argnums if isinstance(argnums, (tuple, list)) else (argnums,)
    normal = []
    for n in nums:
        if not isinstance(n, int) or isinstance(n, bool):
            msg = f"`{who}` needs `argnums` to be an int or a tuple of ints, got {argnums!r}."
            raise AgradTypeError(msg)
        if not -nargs <= n < nargs:
            msg = (
                f"`{who}` was asked to differentiate with respect to argument {n} "
                f"(`argnums={argnums!r}`), but `f` was called with {nargs} positional "
                "argument(s)."
            )
            raise AgradValueError(msg)
        normal.append(n % nargs)
    if len(set(normal)) != len(normal):
        msg = f"`{who}` got `argnums={argnums!r}`, which names an argument twice."
        raise AgradValueError(msg)
    return tuple(normal)


def _device_of(leaves: Sequence[Any]) -> Device:
    """Where Python numbers among ``leaves`` go: the first array's device, or the default."""
    for leaf in leaves:
        if isinstance(leaf, Tensor):
            return leaf._dev
        dev = device_of_array(leaf)
        if dev is not None:
            return dev
    return get_default_device()


def _as_input(who: str, leaf: Any, where: str, dev: Device) -> Tensor:
    if isinstance(leaf, (int, float)) and not isinstance(leaf, bool):
        leaf = float(leaf)
    try:
        t = to_tensor(leaf, dev)
        dtype = t.dtype
    except TypeError:  # a string, None or another object NumPy stores as such
        dtype = None
    if dtype is None:
        msg = (
            f"`{who}` differentiates with respect to {where}, a {type(leaf).__name__}; "
            "transforms take arrays, tensors, Python numbers, or tuples, lists and dicts of "
            "them."
        )
        raise AgradTypeError(msg)
    if not dtype.is_floating:
        msg = (
            f"`{who}` differentiates with respect to {where}, which has dtype {t.dtype!r}; "
            "only floating-point and complex inputs have gradients. Convert it first "
            "(e.g. `x.astype(float)`), or leave it out of what is differentiated."
        )
        raise NotDifferentiableError(msg)
    return t


def _prepare(who: str, args: Sequence[Any], nums: Sequence[int], label: str) -> _Inputs:
    recording = STATE.enabled
    flats: list[list[Any]] = []
    defs = []
    for n in nums:
        flat: list[Any] = []
        defs.append(flatten(args[n], flat))
        flats.append(flat)
    all_leaves = [leaf for flat in flats for leaf in flat]
    dev = _device_of(all_leaves)
    new_args = list(args)
    leaves: list[Tensor] = []
    connected = False
    for n, d, flat in zip(nums, defs, flats, strict=True):
        inner = []
        for k, leaf in enumerate(flat):
            where = f"{label} {n}" + (f" (leaf {k})" if d is not LEAF else "")
            t = _as_input(who, leaf, where, dev)
            if t._rg and recording:
                # hang the input off the outer graph through a recorded identity: gradients
                # taken with respect to it can then be differentiated by the outer graph
                x = positive(t)
                connected = True
            else:
                x = t.detach()
                x._rg = True
            inner.append(x)
        leaves.extend(inner)
        new_args[n] = rebuild(d, inner)
    return _Inputs(
        args=new_args,
        leaves=leaves,
        defs=defs,
        counts=[len(flat) for flat in flats],
        tensors=any(isinstance(leaf, Tensor) for leaf in all_leaves),
        connected=connected,
        recording=recording,
    )


def _call(f: Fn, inputs: _Inputs, kwargs: dict[str, Any]) -> Any:
    previous = STATE.enabled
    STATE.enabled = True
    try:
        return f(*inputs.args, **kwargs)
    finally:
        STATE.enabled = previous


def _split_aux(who: str, result: Any, has_aux: bool) -> tuple[Any, Any]:
    if not has_aux:
        return result, None
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        msg = (
            f"`{who}` with `has_aux=True` needs `f` to return a pair `(output, aux)`, got "
            f"{type(result).__name__}."
        )
        raise AgradTypeError(msg)
    return result[0], result[1]


def _reaches_outside(roots: Sequence[Tensor], ours: set[int]) -> bool:
    """Whether the graph of ``roots`` reaches a tensor requiring grad other than ``ours``."""
    stack_: list[Any] = []
    for t in roots:
        if t._grad_fn is not None:
            stack_.append(t._grad_fn)
        elif t._rg and id(t) not in ours:
            return True
    seen: set[int] = set()
    while stack_:
        node = stack_.pop()
        for edge in node.edges:
            if edge is None:
                continue
            if isinstance(edge, Tensor):
                if edge._rg and id(edge) not in ours:
                    return True
            elif id(edge) not in seen:
                seen.add(id(edge))
                stack_.append(edge)
    return False


@dataclass
class _Result:
    """What ``f`` returned, flattened, and how to hand results back to the caller."""

    outs: list[Tensor]
    out_def: Def
    aux: Any
    graph: bool  # record the backward passes, and return tensors carrying their graph
    tensors: bool  # return Tensors rather than raw arrays

    def export(self, t: Tensor) -> Any:
        if self.graph:
            return t
        if self.tensors:
            return t.detach()
        return t._array

    def export_tree(self, d: Def, flat: Sequence[Tensor]) -> Any:
        return rebuild(d, [self.export(t) for t in flat])

    def export_args(self, inputs: _Inputs, flat: Sequence[Tensor]) -> list[Any]:
        """``flat`` (one tensor per input leaf) as one pytree per differentiated argument."""
        trees = []
        start = 0
        for d, n in zip(inputs.defs, inputs.counts, strict=True):
            trees.append(self.export_tree(d, flat[start : start + n]))
            start += n
        return trees

    def value(self) -> Any:
        return self.export_tree(self.out_def, self.outs)

    def aux_value(self) -> Any:
        flat: list[Any] = []
        d = flatten(self.aux, flat)
        return rebuild(d, [self.export(a) if isinstance(a, Tensor) else a for a in flat])


def _run(
    who: str, f: Fn, inputs: _Inputs, kwargs: dict[str, Any], has_aux: bool, dev: Device
) -> _Result:
    if not callable(f):
        msg = f"`{who}` transforms a function, got {type(f).__name__}: `{who}(lambda x: ...)`."
        raise AgradTypeError(msg)
    out, aux = _split_aux(who, _call(f, inputs, kwargs), has_aux)
    flat: list[Any] = []
    out_def = flatten(out, flat)
    outs = [to_tensor(o, dev) for o in flat]
    roots = list(outs)
    aux_flat: list[Any] = []
    flatten(aux, aux_flat)
    roots += [a for a in aux_flat if isinstance(a, Tensor)]
    graph = inputs.recording and (
        inputs.connected or _reaches_outside(roots, {id(x) for x in inputs.leaves})
    )
    return _Result(outs, out_def, aux, graph, graph or inputs.tensors)


def _default_dev(inputs: _Inputs) -> Device:
    return inputs.leaves[0]._dev if inputs.leaves else get_default_device()


def _pullback(
    inputs: _Inputs,
    outs: Sequence[Tensor],
    cts: Sequence[Any] | None,
    *,
    retain: bool,
    create: bool,
) -> list[Tensor]:
    """The cotangent of every input leaf (zeros where unused), given the outputs' ``cts``."""
    pairs = [
        (o, None if cts is None else cts[k]) for k, o in enumerate(outs) if o._rg and _numel(o) != 0
    ]
    found: Sequence[Tensor | None] = [None] * len(inputs.leaves)
    if pairs and inputs.leaves:
        found = _engine_grad(
            [o for o, _ in pairs],
            inputs.leaves,
            None if cts is None else [g for _, g in pairs],
            retain_graph=retain,
            create_graph=create,
            allow_unused=True,
        )
    return [
        g if g is not None else zeros_like(x) for g, x in zip(found, inputs.leaves, strict=True)
    ]


def _check_scalar(who: str, result: _Result) -> Tensor:
    if result.out_def is not LEAF:
        kind = result.out_def.kind.__name__ if result.out_def.kind else "leaf"
        msg = (
            f"`{who}` needs `f` to return a scalar, got a {kind}. If the other entries are "
            "auxiliary data, pass `has_aux=True` and return `(output, aux)`; for non-scalar "
            "outputs use `agrad.func.vjp` or `agrad.func.jacobian`."
        )
        raise NonScalarOutputError(msg)
    (out,) = result.outs
    shape = tuple(out.shape)
    if shape != ():
        msg = (
            f"`{who}` needs `f` to return a scalar, got shape {shape!r}. Use "
            "`agrad.func.vjp` or `agrad.func.jacobian` for non-scalar outputs, or reduce "
            "the output (e.g. `agrad.sum(y)`)."
        )
        raise NonScalarOutputError(msg)
    if out.dtype.kind != "f":
        msg = (
            f"`{who}` needs `f` to return a real floating-point scalar, got dtype "
            f"{out.dtype!r}. Use `agrad.func.vjp` for complex outputs."
        )
        raise NotDifferentiableError(msg)
    return out


def _tangents(who: str, inputs: _Inputs, tangents: Any, name: str) -> list[Tensor]:
    """``tangents`` (one per primal, same structure) as tensors matching the input leaves."""
    if not isinstance(tangents, (tuple, list)) or len(tangents) != len(inputs.defs):
        msg = (
            f"`{who}` needs `{name}` to be a tuple with one entry per primal "
            f"({len(inputs.defs)}), got {type(tangents).__name__}"
            + (f" of length {len(tangents)}." if isinstance(tangents, (tuple, list)) else ".")
        )
        raise AgradTypeError(msg)
    flat: list[Any] = []
    for t in tangents:
        flatten(t, flat)
    if len(flat) != len(inputs.leaves):
        msg = (
            f"`{who}` got `{name}` with {len(flat)} array(s), but the primals have "
            f"{len(inputs.leaves)}; they must have the same structure."
        )
        raise AgradValueError(msg)
    return [
        _like(who, t, x, f"{name} leaf {k}")
        for k, (t, x) in enumerate(zip(flat, inputs.leaves, strict=True))
    ]


def _like(who: str, value: Any, ref: Tensor, where: str) -> Tensor:
    t = to_tensor(value, ref._dev)
    if tuple(t.shape) != tuple(ref.shape):
        msg = (
            f"`{who}`: {where} has shape {tuple(t.shape)!r}, but it must match the shape "
            f"{tuple(ref.shape)!r} of what it pairs with."
        )
        raise GradShapeError(msg)
    return t


def _any_recorded(inputs: _Inputs, tensors: Sequence[Tensor]) -> bool:
    return inputs.recording and any(t._rg for t in tensors)
