"""In-place updates and views: version counters, copy-on-write, and NumPy's view semantics
on every backend.

``x <op>= y`` goes through :func:`inplace` and ``x[key] = value`` through :func:`setitem`:
both write into the tensor's memory and stay differentiable. A result that NumPy makes a
view (a slice, a reshape, a transpose) is linked to its base by :func:`link_view`, so that
they share a version counter and a write to either reaches the other, by functional updates
on libraries whose arrays are immutable (JAX, Dask).
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from agrad._device import move_array, refused
from agrad._engine import bump_version
from agrad._grad_mode import STATE, UNUSUAL
from agrad._ops import (
    SCALARS,
    apply,
    binary,
    fresh,
    link_view,
    onto,
    raw_nested,
    record,
    to_tensor,
)
from agrad._rule import Rule
from agrad._table import TABLE
from agrad._tensor import Extra, Tensor, make
from agrad.errors import AgradTypeError, AgradValueError, InplaceLeafError


# -- views ---------------------------------------------------------------------------
def _live_views(extra: Extra) -> list[Tensor]:
    return [v for v in (r() for r in extra.views or ()) if v is not None]


def _sync_views(t: Tensor) -> None:
    """After an in-place write to ``t`` on an immutable backend: write ``t``'s values into
    the bases it views (functionally), then recompute every view of the root from it."""
    extra = t._extra
    if extra is None or t._dev.backend.mutable:
        return
    while extra is not None and extra.view is not None:
        base, vrule, vkw = extra.view
        base._array = _placed(base, t, vrule, vkw)
        t = base
        extra = t._extra
    _replay_views(t)


def _placed(base: Tensor, view: Tensor, vrule: Rule, vkw: dict[str, Any] | None) -> Any:
    """``base``'s array with ``view``'s values written where the view reads them."""
    xp = base._dev.xp
    flat, positions = _view_positions(base, vrule, vkw)
    shape = base._array.shape
    values = base._dev.backend.functional_setitem(
        xp.reshape(base._array, (flat.shape[0],)),
        xp.reshape(positions, (-1,)),
        xp.reshape(xp.astype(view._array, base._array.dtype), (-1,)),
    )
    return xp.reshape(values, shape)


def _view_positions(base: Tensor, vrule: Rule, vkw: dict[str, Any] | None) -> tuple[Any, Any]:
    """The flat positions ``0..size-1`` of ``base``, and those the view reads (its shape)."""
    xp = base._dev.xp
    shape = base._array.shape
    size = 1
    for n in shape:
        size *= n
    flat = xp.arange(size)
    return flat, replay_view(xp, vrule, xp.reshape(flat, shape), vkw)


def _replay_views(base: Tensor) -> None:
    extra = base._extra
    if extra is None or not extra.views:
        return
    xp = base._dev.xp
    for view in _live_views(extra):
        vextra = view._extra
        if vextra is None or vextra.view is None or vextra.view[0] is not base:
            continue
        _, vrule, vkw = vextra.view
        view._array = base._dev.backend.ensure_array(replay_view(xp, vrule, base._array, vkw))
        _replay_views(view)


def replay_view(xp: Any, rule: Rule, x: Any, kw: dict[str, Any] | None) -> Any:
    """Apply the view function ``rule`` to ``x`` again (raw array or Tensor)."""
    if rule is DETACH:
        return x
    if rule.name == "__getitem__":
        return x[(kw or {})["key"]]
    if rule.name == "moveaxis":  # positional-only in the standard
        assert kw is not None
        return xp.moveaxis(x, kw["source"], kw["destination"])
    return getattr(xp, rule.name)(x, **(kw or {}))


def _root_of(t: Tensor) -> Tensor:
    """The tensor whose graph a write into ``t`` changes (``detach()`` links are no views)."""
    while t._extra is not None and t._extra.view is not None and t._extra.view[1] is not DETACH:
        t = t._extra.view[0]
    return t


# `t.detach()` shares `t`'s memory and version counter for good, as torch's does, but not its
# graph: a link that values cross (functionally on JAX and Dask) and gradients never do
DETACH = Rule("detach", None, linear=True)


def detach(t: Tensor) -> Tensor:
    """A new leaf without a graph that shares ``t``'s array and version counter for good."""
    d = make(t._array, t._dev)
    link_view(d, t, DETACH, None)
    return d


def is_view(t: Tensor) -> bool:
    """Whether ``t`` is a view of another tensor (whose graph writes into ``t`` change)."""
    extra = t._extra
    return extra is not None and extra.view is not None and extra.view[1] is not DETACH


def _check_writable(t: Tensor, op: str) -> None:
    """Raise if ``t`` is a ``broadcast_to`` result or a view of one: NumPy's rule, kept on
    every backend, makes those read-only (a write would reach one input element through
    several output positions). Callers check ``t._extra`` first (the rare path)."""
    while t._extra is not None and t._extra.view is not None:
        base, vrule, _ = t._extra.view
        if vrule.name == "broadcast_to":
            msg = (
                f"`{op}` cannot write into the result of `broadcast_to` (or "
                "`broadcast_arrays`), or into a view of it: broadcast results are read-only "
                "views, as in NumPy, on every backend (several of their elements are one "
                "element of the input). Write into a copy instead: "
                "`b = agrad.asarray(b, copy=True)`."
            )
            raise AgradValueError(msg)
        t = base


def _check_leaf(t: Tensor, op: str) -> None:
    """Raise if ``op`` would change a leaf that requires grad (callers: only while recording)."""
    if t._rg and t._grad_fn is None:
        msg = (
            f"`{op}` would change a leaf tensor that requires grad in place. Do it inside "
            "`with agrad.no_grad():` (as an optimiser step does), or work on a copy."
        )
        raise InplaceLeafError(msg)
    root = _root_of(t)
    if root is not t and root._rg and root._grad_fn is None:
        msg = (
            f"`{op}` would change, in place, a view of a leaf tensor that requires grad. "
            "Do it inside `with agrad.no_grad():`, or work on a copy of the leaf."
        )
        raise InplaceLeafError(msg)


def _after_inplace(t: Tensor) -> None:
    """``t`` got a new ``grad_fn`` in place: update the base it views, and its own views."""
    extra = t._extra
    if extra is None:
        return
    if extra.view is not None and extra.view[1] is not DETACH:
        base, vrule, vkw = extra.view
        _scatter_into_base(base, t, vrule, vkw)
        return  # the base's update refreshes its views, t among them
    _refresh_views(t)


def _refresh_views(base: Tensor) -> None:
    extra = base._extra
    if extra is None or not extra.views:
        return
    for view in _live_views(extra):
        vextra = view._extra
        if vextra is None or vextra.view is None or vextra.view[0] is not base:
            continue
        _, vrule, vkw = vextra.view
        if vrule is DETACH:
            continue  # it saw the new values, and keeps no graph
        if base._rg and STATE.enabled:
            record(vrule, view, (base,), (base._array,), vkw)
        _refresh_views(view)


def _scatter_into_base(base: Tensor, view: Tensor, vrule: Rule, vkw: dict[str, Any] | None) -> None:
    """The view's values changed in place; record that ``base`` changed at its positions."""
    xp = base._dev.xp
    shape = base._array.shape
    flat, positions = _view_positions(base, vrule, vkw)
    # standard calls only (integer-array assignment is not in the standard)
    mask = xp.reshape(xp.isin(flat, xp.reshape(positions, (-1,))), shape)
    snapshot = _snapshot(base)

    def replay(xp: Any, g: Any) -> Any:
        return replay_view(xp, vrule, g, vkw)

    kw = {"mask": mask, "replay": replay}
    record(TABLE["_view_scatter"], base, (snapshot, view), (base._array, view._array), kw)
    _after_inplace(base)


def _snapshot(t: Tensor) -> Tensor:
    """A stand-in for ``t`` before an in-place change: same array, grad_fn and version."""
    s = make(t._array, t._dev, t._grad_fn, t._rg, t._onr)
    s._vc = t._vc
    return s


# -- in-place ------------------------------------------------------------------------
_IOPS: dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.iadd,
    "subtract": operator.isub,
    "multiply": operator.imul,
    "divide": operator.itruediv,
    "floor_divide": operator.ifloordiv,
    "remainder": operator.imod,
    "pow": operator.ipow,
    "matmul": operator.imatmul,
    "bitwise_and": operator.iand,
    "bitwise_or": operator.ior,
    "bitwise_xor": operator.ixor,
    "bitwise_left_shift": operator.ilshift,
    "bitwise_right_shift": operator.irshift,
}


def copy_on_write(x: Tensor) -> None:
    """Before an in-place write into ``x``: if a graph node saved ``x``'s array for backward,
    write into a fresh copy instead, so the saved value stays what the forward pass used
    (library code that updates its arrays in place then stays differentiable, where torch
    would raise). On JAX and Dask, whose arrays never change, ``x`` only takes a new version
    counter, so that the node's check agrees.

    A saved array is recognised by its version counter, which the saving node holds. When
    ``x`` is one of a family of views (a slice written as ``u[1:-1] += d``, its base, the
    base's other views, ``detach()`` results), the whole family moves: the root gets the
    fresh buffer and every live view is re-pointed into it (see :func:`_copy_family`).
    Tensors that share memory with a tensor on another device (a zero-copy move,
    ``Extra.shared``) keep writing in place; their saved values are still checked at
    backward.
    """
    if sys.getrefcount(x._vc) <= 2:
        return
    extra = x._extra
    if extra is not None and (extra.view is not None or extra.views):
        _copy_family(x)
        return
    if extra is not None and extra.shared:
        return
    if x._dev.backend.mutable:  # (an immutable array the node saved stays as it is)
        x._array = x._dev.backend.copy(x._array)
    x._vc = [x._vc[0]]


def _copy_family(x: Tensor) -> None:
    """Copy-on-write for ``x`` and every tensor sharing its memory through view links.

    The family is found from its root along the live views. If nothing but the family
    holds its version counter, no node saved any of its arrays and nothing happens.
    Otherwise the root's array is copied, each view is made again from its new base by its
    view function, and the family takes a new counter; the nodes keep the old arrays and the
    old counter. Should a view function not give a view of the new buffer (a layout a copy
    does not keep), nothing moves and the saved values stay checked at backward.
    """
    vc = x._vc
    root = x
    while root._extra is not None and root._extra.view is not None:
        root = root._extra.view[0]
    members = [root]
    i = 0
    while i < len(members):
        t = members[i]
        i += 1
        if t._vc is not vc or (t._extra is not None and t._extra.shared):
            return
        if t._extra is not None and t._extra.views:
            members.extend(
                v
                for v in _live_views(t._extra)
                if v._extra is not None and v._extra.view is not None and v._extra.view[0] is t
            )
    # holders of `vc`: the members, `vc` here, getrefcount's argument, and saving nodes
    if sys.getrefcount(vc) <= len(members) + 2:
        return
    new_vc = [vc[0]]
    backend = x._dev.backend
    if not backend.mutable:  # the saved arrays never change: a new counter is enough
        for t in members:
            t._vc = new_vc
        return
    xp = x._dev.xp
    arrays = {id(root): backend.copy(root._array)}
    for t in members[1:]:
        link = t._extra.view if t._extra is not None else None
        assert link is not None  # every member below the root was found through its link
        base, vrule, vkw = link
        a = arrays[id(base)]
        if vrule is DETACH:
            arrays[id(t)] = a
            continue
        v = backend.ensure_array(replay_view(xp, vrule, a, vkw))
        if v.shape != t._array.shape or not backend.shares_memory(v, a):
            return
        arrays[id(t)] = v
    for t in members:
        t._array = arrays[id(t)]
        t._vc = new_vc


def _is_complex(v: Any) -> bool:
    if isinstance(v, Tensor):
        return v.dtype.kind == "c"
    if isinstance(v, complex):
        return True
    dtype = getattr(v, "dtype", None)
    return dtype is not None and "complex" in str(dtype)


def _check_target(x: Tensor, value: Any, value_rg: bool, op: str) -> None:
    """Raise if writing ``value`` into ``x`` in place would lose its gradient or its
    imaginary part: ``x``'s dtype cannot hold it (torch refuses both; NumPy truncates)."""
    kind = x.dtype.kind
    if value_rg and kind not in "fc":
        msg = (
            f"`{op}` would write a value that requires grad into a tensor of dtype "
            f"{x.dtype.name}, which cannot hold a gradient (the value would be truncated and "
            f"its graph lost). Make the target floating first (`t = agrad.astype(t, "
            "agrad.float64)`), or write `value.detach()` if no gradient should flow."
        )
        raise AgradTypeError(msg)
    if kind != "c" and _is_complex(value):
        msg = (
            f"`{op}` would write a complex value into a tensor of dtype {x.dtype.name}, "
            "dropping its imaginary part. Make the target complex first "
            "(`t = agrad.astype(t, agrad.complex128)`), or write `agrad.real(value)`."
        )
        raise AgradTypeError(msg)


def _unknown_alike(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Two shapes equal but for lengths unknown (nan, Dask's after a mask) in both."""
    return len(a) == len(b) and all(
        p == q or (p != p and q != q) for p, q in zip(a, b, strict=False)
    )


def inplace(rule: Rule, x: Tensor, other: Any) -> Tensor:
    """``x <op>= other``: really in place, and differentiable."""
    is_tensor = isinstance(other, Tensor)
    other_rg = is_tensor and other._rg
    if is_tensor and other._dev is not x._dev:
        other = onto(other, x._dev, rule.name)
    if x._extra is not None:
        _check_writable(x, f"{rule.name} (in place)")
    recording = not UNUSUAL or STATE.enabled
    if other_rg or not isinstance(other, (float, int)):
        grad = other_rg and recording and not rule.nondiff
        _check_target(x, other, grad, f"{rule.name} (in place)")
    if recording:
        _check_leaf(x, f"{rule.name} (in place)")
    copy_on_write(x)
    if not (recording and not rule.nondiff and (x._rg or other_rg)):
        if is_tensor:
            b = _unaliased(x._dev.backend, x._array, other._array)
        elif isinstance(other, SCALARS):
            b = other
        elif isinstance(other, x._dev.backend.array_type):
            b = _unaliased(x._dev.backend, x._array, other)
        else:
            b = to_tensor(other, x._dev)._array
        try:
            result = _IOPS[rule.name](x._array, b)
        except ValueError:
            if not _empty(x._array):
                raise
            result = x._array  # (see `_empty`)
        x._array = x._dev.backend.ensure_array(result)
        bump_version(x._vc)
        if x._extra is not None:
            _sync_views(x)
        return x
    # With a graph: compute out of place from a snapshot (copied if the rule needs x's old
    # value), write the result back into x's memory, and let x take over the new node.
    old = x._array
    if rule.save in ("all", "inputs"):
        old = x._dev.backend.copy(old)
    snapshot = make(old, x._dev, x._grad_fn, x._rg, x._onr)
    if is_tensor and other._vc is x._vc and old is not x._array:
        # `x *= x`, `v /= v.T`: the operand the node saves must not be the memory written
        if other is x:
            other = snapshot
        else:
            o = x._dev.backend.copy(other._array)
            other = make(o, x._dev, other._grad_fn, other._rg, other._onr)
    y = binary(rule, snapshot, other)
    if y._array.shape != x._array.shape and not _unknown_alike(y._array.shape, x._array.shape):
        msg = (
            f"`{rule.name}` in place cannot change the shape of its target: {x._array.shape!r} "
            f"would become {y._array.shape!r}."
        )
        raise AgradValueError(msg)
    _write_back(x, y._array)
    if x._extra is not None:
        _sync_views(x)
    x._grad_fn = y._grad_fn
    x._onr = 0
    x._rg = True
    _after_inplace(x)
    return x


def _empty(a: Any) -> bool:
    """Whether ``a`` is an empty read-only NumPy array (array-api-strict wraps one).

    NumPy refuses any write into a read-only array, an empty one too. agrad hands out
    NumPy's empty read-only views (an empty ``linalg.diagonal`` shares no memory, so it is
    not copied) as they are, and a write of nothing into one is done: the refusal is
    caught, on the rare path."""
    if 0 not in a.shape:
        return False
    flags = getattr(getattr(a, "_array", a), "flags", None)
    return flags is not None and not flags.writeable


def _unaliased(backend: Any, target: Any, value: Any) -> Any:
    """``value``, copied if it may share memory with ``target`` (and is not ``target``):
    NumPy buffers a write whose operand overlaps its target; torch refuses it, or where it
    cannot tell, reads values the write already changed. Two arrays that own their memory
    share none, so the check costs two attribute reads on the common path."""
    if value is target or not isinstance(value, backend.array_type):
        return value
    if fresh(value) and fresh(target):
        return value
    if backend.mutable and backend.shares_memory(target, value):
        return backend.copy(value)
    return value


def _write_back(x: Tensor, values: Any) -> None:
    dev = x._dev
    if dev.backend.mutable:
        try:
            x._array[...] = dev.xp.astype(values, x._array.dtype, copy=False)
        except ValueError:
            if not _empty(x._array):
                raise
    else:
        x._array = values
    bump_version(x._vc)


def _getitem_forward(xp: Any, a: Any, *, key: Any) -> Any:
    return a[key]


def getitem(x: Tensor, key: Any) -> Tensor:
    """``x[key]``: a view for basic keys (where the backend makes one), differentiable."""
    key = raw_key(key, x._array.shape, x._dev)
    if _scalar_mask(x, key):
        # Dask takes no 0-d mask; `x[m]` is `x[None][m[None]]`: 0 or 1 copies of x
        m = make(x._dev.xp.reshape(key[0], (1,)), x._dev)
        return getitem(apply(TABLE["expand_dims"], (x,), {"axis": 0}), m)
    if not x._dev.backend.data_dependent_shapes and any(hasattr(k, "shape") for k in key):
        # Dask's indexing by arrays: bounds unchecked, new axes beside them and index
        # arrays of several axes (or several arrays) refused
        key = _checked(key, tuple(x._array.shape), x._dev.backend)
        if any(k is None for k in key):
            return _with_new_axes(x, key)
        out = _through_flat_index(x, key)
        if out is None:
            out = _through_flat_positions(x, key)
        if out is not None:
            return out
    return apply(TABLE["__getitem__"], (x,), {"key": key}, _getitem_forward)  # type: ignore[no-any-return]


def _through_flat_positions(x: Tensor, key: tuple[Any, ...]) -> Tensor | None:
    """``x[i, j, ...]`` for integer arrays and integers on the leading axes, more than one
    array or one of two or more axes (which Dask refuses), beside full slices only: ``take``
    of the flat positions along the leading axes joined into one; None for other keys."""
    lead = 0
    while lead < len(key) and (
        type(key[lead]) is int or (hasattr(key[lead], "shape") and "int" in str(key[lead].dtype))
    ):
        lead += 1
    arrays = [k for k in key[:lead] if hasattr(k, "shape")]
    if not arrays or (len(arrays) == 1 and arrays[0].ndim < 2):
        return None
    if not all(_whole(k) for k in key[lead:]):
        return None
    xp, shape = x._dev.xp, tuple(x._array.shape)
    pos: Any = 0
    for k, n in zip(key[:lead], shape[:lead], strict=True):
        k = xp.where(k < 0, k + n, k) if hasattr(k, "shape") else k % n
        pos = pos * n + k
    pos_shape = tuple(pos.shape)
    size = 1
    for n in shape[:lead]:
        size *= n
    joined = apply(TABLE["reshape"], (x,), {"shape": (size, *shape[lead:]), "copy": None})
    flat = make(xp.reshape(pos, (-1,)), x._dev)
    taken = apply(TABLE["take"], (joined, flat), {"axis": 0})
    new_shape = (*pos_shape, *shape[lead:])
    return apply(TABLE["reshape"], (taken,), {"shape": new_shape, "copy": None})  # type: ignore[no-any-return]


def _through_flat_index(x: Tensor, key: tuple[Any, ...]) -> Tensor | None:
    """``x[..., idx, ...]`` for one integer index array of two or more axes beside full
    slices, as ``take`` of the flattened index reshaped (Dask takes 1-d index arrays only);
    None for any other key."""
    arrays = [i for i, k in enumerate(key) if hasattr(k, "shape")]
    if len(arrays) != 1:
        return None
    idx = key[arrays[0]]
    if idx.ndim < 2 or "int" not in str(idx.dtype):
        return None
    if not all(_whole(k) for k in key if k is not idx):
        return None
    shape = tuple(x._array.shape)
    axis = sum(_axes_taken(key, len(shape))[: arrays[0]])
    flat = make(x._dev.xp.reshape(idx, (-1,)), x._dev)
    taken = apply(TABLE["take"], (x, flat), {"axis": axis})
    new_shape = (*shape[:axis], *idx.shape, *shape[axis + 1 :])
    return apply(TABLE["reshape"], (taken,), {"shape": new_shape, "copy": None})  # type: ignore[no-any-return]


_BASIC = (int, slice, type(None), type(Ellipsis))


def _index(k: Any, dev: Any) -> Any:
    """One entry of a key in the one form the rules read: Python ints, bools, slices, None
    and ``...`` stay; every array-like (a tensor, a list, a tuple, a NumPy array or scalar)
    becomes an array of ``dev``'s backend, so integer arrays, which may repeat a position,
    are told from basic indices by their ``dtype`` alone."""
    if type(k) in _BASIC or isinstance(k, bool):
        return k
    if isinstance(k, Tensor):
        if k._dev is not dev:  # indices carry no gradient: they go where the data is
            return move_array(k._array, k._dev, dev)
        return k._array
    if isinstance(k, np.generic) and k.dtype.kind in "iub":  # NumPy scalars index as Python's
        return bool(k) if k.dtype.kind == "b" else int(k)
    if isinstance(k, dev.backend.array_type):
        return k
    if isinstance(k, (list, tuple, np.ndarray)):
        nested = raw_nested(k)
        try:
            a = np.asarray(nested)
        except (TypeError, ValueError):  # arrays NumPy cannot read (CuPy's)
            a = None
        if a is not None:
            if a.size == 0 and a.dtype.kind == "f":  # `x[[]]`: NumPy reads an empty integer index
                a = a.astype(np.intp)
            if dev.backend.name == "numpy":
                return a
            return dev.backend.ensure_array(dev.xp.asarray(a, device=dev.native))
        return dev.backend.ensure_array(dev.xp.asarray(nested, device=dev.native))
    return k  # anything else: the backend's own error (or its own index type)


def raw_key(key: Any, shape: tuple[int, ...], dev: Any = None) -> tuple[Any, ...]:
    """An index key for an array of ``shape`` as a tuple of raw indices, closed with ``...``
    where it names fewer axes (NumPy's implicit trailing slices; the standard wants them said).

    Every form NumPy accepts is normalised here, once (see :func:`_index`): a list at the
    top (``x[[0, 0]]``) is one integer-array index, a tuple at the top indexes several
    axes. A key with a negative slice step goes to the backend's ``index_key`` where it has
    one (torch has no negative steps), which returns a key its library takes."""
    keys: tuple[Any, ...] = key if isinstance(key, tuple) else (key,)
    if dev is None:
        keys = tuple(k._array if isinstance(k, Tensor) else k for k in keys)
    else:
        keys = tuple(_index(k, dev) for k in keys)
    if len(keys) == 1 and "bool" in str(getattr(keys[0], "dtype", "")):
        return keys  # a mask is the sole index the standard allows it to be
    consumed = 0
    ellipsis = reverse = False
    for k in keys:
        if k.__class__ is slice:
            consumed += 1
            if k.step is not None and k.step < 0:
                reverse = True
            continue
        if k is Ellipsis:
            ellipsis = True
            continue
        if k is None or isinstance(k, bool):
            continue
        dtype = getattr(k, "dtype", None)
        consumed += k.ndim if dtype is not None and "bool" in str(dtype) else 1
    if not ellipsis and consumed < len(shape):
        keys = (*keys, Ellipsis)
    if reverse and dev is not None:
        fix = getattr(dev.backend, "index_key", None)
        if fix is not None:
            keys = fix(keys, shape, dev.native)
    return keys


def _bool_array(k: Any) -> bool:
    return hasattr(k, "shape") and "bool" in str(k.dtype)


def _whole(k: Any) -> bool:
    """``...`` or ``:``: an entry that takes its axes whole."""
    return k is Ellipsis or (isinstance(k, slice) and k == slice(None))


def _axes_taken(key: tuple[Any, ...], ndim: int) -> list[int]:
    """How many of the array's ``ndim`` axes each entry of a raw key reads: none for a new
    axis (None) or a Python bool, a mask's rank for a boolean array, the rest for ``...``,
    one otherwise (as `raw_key` counts them)."""
    taken = [
        0 if k is None or isinstance(k, bool) else k.ndim if _bool_array(k) else 1 for k in key
    ]
    rest = ndim - sum(t for t, k in zip(taken, key, strict=True) if k is not Ellipsis)
    return [rest if k is Ellipsis else t for t, k in zip(taken, key, strict=True)]


def _checked(key: tuple[Any, ...], shape: tuple[int, ...], backend: Any) -> tuple[Any, ...]:
    """``key`` with each integer index array bounds-checked against its axis (Dask's
    ``checked_index``: it raises when computed, where Dask would pick another element)."""
    checker = getattr(backend, "checked_index", None)
    if checker is None:
        return key
    out: list[Any] = []
    at = 0
    for k, t in zip(key, _axes_taken(key, len(shape)), strict=True):
        if hasattr(k, "shape") and not _bool_array(k) and at < len(shape):
            k = checker(k, shape[at])
        out.append(k)
        at += t
    return tuple(out)


def _with_new_axes(x: Tensor, key: tuple[Any, ...]) -> Tensor:
    """``x[key]`` as ``x`` with the key's new axes made first, each then taken whole: NumPy
    reads a None in a key as a length-1 axis sliced whole, so the selection is the same."""
    at = 0  # the axis of x, new axes made so far included, the next entry starts at
    plain: list[Any] = []
    for k, t in zip(key, _axes_taken(key, len(x._array.shape)), strict=True):
        if k is None:
            x = apply(TABLE["expand_dims"], (x,), {"axis": at})
            plain.append(slice(None))
            at += 1
        else:
            plain.append(k)
            at += t
    return getitem(x, tuple(plain))


def _scalar_mask(x: Tensor, key: tuple[Any, ...]) -> bool:
    """Whether ``key`` is a sole 0-d mask on a backend that does not take one (Dask)."""
    if len(key) != 1 or x._dev.backend.data_dependent_shapes:
        return False
    k = key[0]
    return getattr(k, "ndim", None) == 0 and "bool" in str(getattr(k, "dtype", ""))


def setitem(x: Tensor, key: Any, value: Any) -> None:
    """``x[key] = value``, in place and differentiable."""
    if x._extra is not None:
        _check_writable(x, "__setitem__")
    key = raw_key(key, x._array.shape, x._dev)
    dev = x._dev
    if not dev.backend.data_dependent_shapes and any(hasattr(k, "shape") for k in key):
        key = _checked(key, tuple(x._array.shape), dev.backend)  # Dask skips such a write
    if _scalar_mask(x, key):
        # Dask takes no 0-d mask: `x[m] = v` is `x[...] = where(m, v, x)`, with the leading
        # axis of 0 or 1 rows that `x[m]` has summed away (Dask does not know which)
        v = to_tensor(value, dev) if not isinstance(value, SCALARS) else value
        if isinstance(v, Tensor) and v.ndim == x.ndim + 1:
            v = apply(TABLE["sum"], (v,), {"axis": 0, "dtype": None, "keepdims": False})
        m = make(key[0], dev)
        setitem(x, Ellipsis, apply(TABLE["where"], (m, v, x)))
        return
    if isinstance(value, Tensor):
        if value._dev is not dev:
            value = onto(value, dev, "__setitem__")
        v = value._array
    elif isinstance(value, SCALARS):
        v = value
    else:
        value = to_tensor(value, dev)
        v = value._array
    value_rg = isinstance(value, Tensor) and value._rg
    if value_rg or not isinstance(v, (float, int)):
        _check_target(x, value, value_rg and STATE.enabled, "__setitem__")
    wants = STATE.enabled and (x._rg or value_rg)
    if wants:
        _check_leaf(x, "__setitem__")
    copy_on_write(x)
    snapshot = _snapshot(x) if wants else None
    if dev.backend.mutable:
        w = v
        if isinstance(w, dev.backend.array_type):
            # (`x[key] = x` too: the key may move elements onto positions still to be read)
            w = dev.backend.copy(w) if w is x._array else _unaliased(dev.backend, x._array, w)
            if w.dtype != x._array.dtype:  # torch's index_put_ casts nothing; NumPy casts
                w = dev.xp.astype(w, x._array.dtype)
        try:
            # a sole mask goes in alone: array_api_strict mis-broadcasts `a[(mask,)] = v`
            # when the mask selects nothing
            x._array[key[0] if len(key) == 1 else key] = w
        except Exception as e:
            if not (isinstance(e, ValueError) and _empty(x._array)):
                name = "__setitem__"
                refused(name, (x._array, w), dev, e)
    else:
        try:
            x._array = dev.backend.functional_setitem(x._array, key, v)
        except Exception as e:
            name = "__setitem__"
            refused(name, (x._array, v), dev, e)
        if x._extra is not None:
            _sync_views(x)
    bump_version(x._vc)
    if wants:
        assert snapshot is not None
        record(TABLE["__setitem__"], x, (snapshot, value), (snapshot._array, v), {"key": key})
        _after_inplace(x)
