"""Running functions on tensors: forward calls and recording nodes.

Every namespace function ends here: :func:`unary`, :func:`binary` and :func:`apply` compute
on the raw arrays, wrap the result, and record a :class:`~agrad._engine.Node` when a
gradient is wanted. In-place operators, ``__setitem__`` and views live in
:mod:`agrad._views`.
"""

from __future__ import annotations

import sys
import warnings
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from agrad._device import Device, device_for_native, get_default_device, move_array, refused
from agrad._engine import NEXT_SEQ, RECORDING, Node, bump_version, user_stack
from agrad._grad_mode import STATE, UNUSUAL
from agrad._rule import ArrayMeta, Rule
from agrad._tensor import Extra, Tensor, make, user_stacklevel
from agrad.backends import get_backend, loaded_backends
from agrad.errors import (
    AgradTypeError,
    DeviceMismatchError,
    HookError,
)

SCALARS = (bool, int, float, complex)
_NOT_ARRAYS = (*SCALARS, ArrayMeta)  # saved values that are no arrays
_new = object.__new__
_NUMPY_TYPES = (np.ndarray, np.generic)


# -- conversions ---------------------------------------------------------------------
def namespace() -> Any:
    """agrad's own namespace (the ``xp`` rules see under ``create_graph=True``)."""
    return sys.modules["agrad"]  # loaded before any rule can run


def device_of_array(x: Any) -> Device | None:
    """The agrad device of a raw backend array, or None if ``x`` is not one we know."""
    if isinstance(x, _NUMPY_TYPES):  # first, and before any import: `tensor * ndarray`
        return Device("numpy")
    for backend in loaded_backends():
        if isinstance(x, backend.array_type):
            return device_for_native(backend, backend.device_of(x))
    # an array of a library whose backend has not been loaded yet
    name = _LIBRARY_BACKENDS.get(type(x).__module__.partition(".")[0])
    if name is not None:
        backend = get_backend(name)
        if isinstance(x, backend.array_type):
            return device_for_native(backend, backend.device_of(x))
    return None


# the top-level module of a library's array type -> the backend for it
_LIBRARY_BACKENDS = {
    "torch": "torch",
    "cupy": "cupy",
    "jax": "jax",
    "jaxlib": "jax",
    "dask": "dask",
    "array_api_strict": "array_api_strict",
}


_HOST = (np.ndarray, np.generic)


def to_tensor(x: Any, dev: Device | None = None) -> Tensor:
    """``x`` as a Tensor: tensors pass, raw arrays and Python data become constants."""
    if type(x) is Tensor or isinstance(x, Tensor):
        return x
    own = device_of_array(x)
    if own is not None and (dev is None or own is dev or not isinstance(x, _HOST)):
        return make(own.backend.ensure_array(x), own)
    # Python data, and NumPy's (host data, as a list is), join the device of the call
    if dev is None:
        dev = get_default_device()
    return make(dev.backend.ensure_array(dev.xp.asarray(x, device=dev.native)), dev)


def raw_nested(obj: Any) -> Any:
    """Nested lists and tuples with their tensors as raw arrays (for NumPy to read)."""
    if isinstance(obj, Tensor):
        return obj._array
    if isinstance(obj, (list, tuple)):
        return [raw_nested(o) for o in obj]
    return obj


# what an array library raises for arguments it cannot take; anything else passes unchanged
# NumPy's floating-point warnings ("invalid value encountered in log") name the Python line
# that called the ufunc: in this module, for every forward call. Made errors here (only
# here; a user's own filters come first), the forward calls catch them, compute again
# quietly and warn once more at the user's line, naming the agrad function.
warnings.filterwarnings("error", category=RuntimeWarning, module=r"agrad\._ops\Z")


def recovered(
    name: str, arrays: tuple[Any, ...], dev: Device, e: Exception, again: Callable[[], Any]
) -> Any:
    """The result of a forward call that raised ``e``: for a floating-point warning, the
    call's result, computed again, after the warning at the user's line; else raises."""
    if not isinstance(e, RuntimeWarning):
        refused(name, arrays, dev, e)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = again()
    warnings.warn(f"{e} (in `agrad.{name}`)", RuntimeWarning, stacklevel=user_stacklevel())
    return out


def mismatch(op: str, a: Device, b: Device) -> DeviceMismatchError:
    msg = (
        f"`{op}` got tensors on two devices, {a.name!r} and {b.name!r}. Move one with "
        f"`t.to_device({a.name!r})` before combining them."
    )
    return DeviceMismatchError(msg)


def _edge(t: Tensor) -> Any:
    fn = t._grad_fn
    if fn is not None:
        return fn
    return t if t._rg else None


# -- recording -----------------------------------------------------------------------
def record(
    rule: Rule,
    out: Tensor | tuple[Tensor, ...],
    inputs: tuple[Any, ...],
    arrays: tuple[Any, ...],
    kw: dict[str, Any] | None,
    node_class: type[Node] = Node,
) -> Node:
    """Record a call whose results are already computed; set the outputs' ``grad_fn``."""
    edges = []
    onrs: list[int] | None = None
    is_tensor = []
    for i, x in enumerate(inputs):
        if type(x) is Tensor or isinstance(x, Tensor):
            e = _edge(x)
            edges.append(e)
            is_tensor.append(True)
            if x._onr and e is x._grad_fn:
                if onrs is None:
                    onrs = [0] * len(inputs)
                onrs[i] = x._onr
        else:
            edges.append(None)
            is_tensor.append(False)
    if rule.variadic:
        rule = rule.for_arity(len(inputs))
    multi = type(out) is tuple
    outs: tuple[Tensor, ...] = out if multi else (out,)  # type: ignore[assignment]
    dev = outs[0]._dev
    save = rule.save
    vers: tuple[Any, ...] = ()
    saved: tuple[Any, ...]
    if save == "none":
        saved = rule.empty_saved
    elif save == "meta":
        out_meta: Any = tuple(ArrayMeta(o._array.shape, o._array.dtype) for o in outs)
        saved = (
            out_meta if multi else out_meta[0],
            *(
                ArrayMeta(arrays[i].shape, arrays[i].dtype) if is_tensor[i] else arrays[i]
                for i in range(len(inputs))
            ),
        )
    else:
        vlist: list[Any] = []
        if save == "inputs":
            out_saved: Any = None
        else:
            out_saved = tuple(o._array for o in outs) if multi else outs[0]._array
            for o in outs:
                vlist += (o._vc, o._vc[0], -1)
        if save == "out":
            saved = (out_saved, *([None] * len(inputs)))
        else:
            saved = (out_saved, *arrays)
            for i, x in enumerate(inputs):
                if is_tensor[i]:
                    vlist += (x._vc, x._vc[0], i)
        vers = tuple(vlist)
    node = node_class().setup(
        rule,
        tuple(edges),
        saved,
        vers,
        kw,
        dev,
        outs[0]._array.shape,
        outs[0]._array.dtype,
        tuple(onrs) if onrs else None,
        len(outs),
    )
    if multi:
        node.outs = tuple((o._array.shape, o._array.dtype) for o in outs)
    for k, o in enumerate(outs):
        o._grad_fn = node
        o._rg = True
        o._onr = k
    return node


def record_function(
    node_class: type[Node],
    rule: Rule,
    outs: tuple[Tensor, ...],
    inputs: tuple[Tensor, ...],
    kw: dict[str, Any],
) -> Node:
    """Record a custom Function's call (its node class runs the user's backward)."""
    out: Tensor | tuple[Tensor, ...] = outs if len(outs) > 1 else outs[0]
    return record(rule, out, inputs, tuple(t._array for t in inputs), kw, node_class)


def _wants_grad(rule: Rule, inputs: tuple[Any, ...]) -> bool:
    if rule.nondiff or (UNUSUAL and not STATE.enabled):
        return False
    for x in inputs:  # noqa: SIM110 - a loop: any() of a generator costs more on this hot path
        if (type(x) is Tensor or isinstance(x, Tensor)) and x._rg:
            return True
    return False


# -- forward calls -------------------------------------------------------------------
# unary() and binary() are everyone's hot path: they make the tensor and the node inline
# (a node's fields as `Node.setup` sets them; a call costs more than the assignments),
# without the general loop of record().
def _record1(
    rule: Rule, t: Tensor, x: Tensor, a: Any, kw: dict[str, Any] | None, elementwise: bool
) -> None:
    """Record a call with one tensor input and one output (what `record` does for it);
    ``elementwise``: the output has the input's shape."""
    save = rule.save
    # versions: one counter alone stands for (counter, 0, -1) when the output is saved and
    # (counter, 0, 0) when the input is, at version 0 (see `Node.check_saved`): no tuple
    vers: Any
    if save == "out":
        saved: tuple[Any, ...] = (t._array, None)
        vers = t._vc
    elif save == "inputs":
        saved = (None, a)
        vc = x._vc
        vers = vc if vc[0] == 0 else (vc, vc[0], 0)
    elif save == "none":
        saved = rule.empty_saved
        vers = ()
    elif save == "meta":
        out = t._array
        saved = (ArrayMeta(out.shape, out.dtype), ArrayMeta(a.shape, a.dtype))
        vers = ()
    else:  # "all"
        saved = (t._array, a)
        vers = (t._vc, 0, -1, x._vc, x._vc[0], 0)
    fn = x._grad_fn
    node = Node()
    node.rule = rule
    node.edges = (x if fn is None else fn,)
    node.saved = saved
    node.vers = vers
    node.dev = t._dev
    # the input node's own tuple when the shapes agree: the graph then keeps one tuple for a
    # chain of elementwise calls, not one per node (fewer objects for the garbage collector);
    # an elementwise call's output has its input's shape, and a node's `shape` is that of
    # its output number 0, so it needs no comparison
    # (an input's output number can be nonzero only if its node is no plain `Node`)
    onr = x._onr if fn is not None and type(fn) is not Node else 0
    if fn is not None and elementwise and not onr:
        node.shape = fn.shape
    else:
        shape = t._array.shape
        if fn is not None and fn.shape == shape:
            shape = fn.shape
        node.shape = shape
    node.dtype = t._array.dtype
    node.seq = NEXT_SEQ()
    node.kw = kw
    if onr:
        node.onrs = (onr,)
    if UNUSUAL and STATE.anomaly:
        node.trace = user_stack()
    t._grad_fn = node
    t._rg = True


def unary(rule: Rule, x: Any) -> Tensor:
    """Call the one-input function ``rule.name`` on ``x``."""
    if type(x) is not Tensor:
        x = to_tensor(x)
    dev = x._dev
    a = x._array
    try:
        out = getattr(dev.xp, rule.name)(a)
    except Exception as e:
        out = recovered(rule.name, (a,), dev, e, lambda: getattr(dev.xp, rule.name)(a))
    if out.__class__ is not dev.atype:
        out = dev.backend.ensure_array(out)
    elif out is a:  # torch's conj and positive of a real tensor return the tensor itself
        out = dev.backend.copy(a)
    t = _new(Tensor)  # as `make` does
    t._array = out
    t._dev = dev
    t._vc = [0]
    if not x._rg or (UNUSUAL and not STATE.enabled) or rule.nondiff:
        t._grad_fn = None
        t._rg = False
        return t
    # the node, made here for the common kinds of rule (what `_record1` does, without the
    # call, which every elementwise function would pay)
    save = rule.save
    if save == "out":
        saved: tuple[Any, ...] = (out, None)
        vers: Any = t._vc  # the output's counter alone: (counter, 0, -1), see `_record1`
    elif save == "inputs":
        saved = (None, a)
        vc = x._vc
        vers = vc if vc[0] == 0 else (vc, vc[0], 0)
    elif save == "none":
        saved = rule.empty_saved
        vers = ()
    else:
        _record1(rule, t, x, a, None, True)
        return t
    fn = x._grad_fn
    node = Node()
    node.rule = rule
    node.saved = saved
    node.vers = vers
    node.dev = dev
    if fn is None:
        node.edges = (x,)
        node.shape = out.shape
    else:
        node.edges = (fn,)
        if type(fn) is not Node and x._onr:  # (as in `binary`)
            node.onrs = (x._onr,)
            node.shape = out.shape
        else:  # the input node's own shape tuple, as in `_record1`
            node.shape = fn.shape
    node.dtype = out.dtype
    node.seq = NEXT_SEQ()
    node.kw = None
    if UNUSUAL and STATE.anomaly:
        node.trace = user_stack()
    t._grad_fn = node
    t._rg = True
    return t


def _other_operand(rule: Rule, x: Any, dev: Device) -> tuple[Any, Any]:
    """The second operand of a binary call: a scalar stays, anything else becomes a tensor
    on ``dev``; ``(None, None)`` if it lives elsewhere (`apply` then reconciles or raises)."""
    if isinstance(x, SCALARS):
        return x, x
    x = to_tensor(x, dev)
    if x._dev is not dev:
        return None, None
    return x, x._array


def _constant_scalar(t: Tensor) -> bool:
    """A 0-d tensor that needs no gradient: it may join a call on another device."""
    return not t._rg and t._array.ndim == 0


def onto(t: Tensor, dev: Device, op: str) -> Tensor:
    """``t`` on ``dev`` for the call ``op``: itself, a 0-d constant moved there, or an error."""
    if t._dev is dev:
        return t
    if not _constant_scalar(t):
        raise mismatch(op, dev, t._dev)
    return make(move_array(t._array, t._dev, dev), dev)


def _reunite(rule: Rule, converted: list[Any]) -> tuple[Device, list[Any], list[Any]]:
    """A call's operands on one device: 0-d constants (NumPy scalars, `asarray(2.0)` made
    on another device) move to the device of the others, as torch lets 0-d CPU tensors
    join tensors on any device; two devices holding real data still raise."""
    tensors = [c for c in converted if isinstance(c, Tensor)]
    fixed: list[Device] = []
    for t in tensors:
        if not _constant_scalar(t) and t._dev not in fixed:
            fixed.append(t._dev)
    if len(fixed) > 1:
        raise mismatch(rule.name, fixed[0], fixed[1])
    if fixed:
        target = fixed[0]
    else:  # constants only: the default device's move, as made without `device=` (torch's
        # 0-d CPU tensors join CUDA ones), so the result stays where the data was placed
        default = get_default_device()
        target = next((t._dev for t in tensors if t._dev is not default), tensors[0]._dev)
    moved = [onto(c, target, rule.name) if isinstance(c, Tensor) else c for c in converted]
    return target, moved, [c._array if isinstance(c, Tensor) else c for c in moved]


def _mixed(rule: Rule, x1: Any, x2: Any, fwd: Callable[[Any, Any], Any] | None) -> Tensor:
    """A binary call off the fast path (no plain Tensor operand, or two devices)."""
    forward = None if fwd is None else (lambda xp, a, b: fwd(a, b))
    return apply(rule, (x1, x2), None, forward)  # type: ignore[no-any-return]


def _by_scalar(rule: Rule, tensor_first: bool) -> bool:
    """Whether the tensor operand's VJP reads only the Python scalar beside it: agrad's own
    ``multiply`` (either side) and ``divide`` (tensor numerator); a replaced rule may read
    anything, so it keeps everything."""
    name = rule.name
    if name != "multiply" and (name != "divide" or not tensor_first):
        return False
    return getattr(rule.vjps[0], "__module__", None) == "agrad.rules.elementwise"


def binary(rule: Rule, x1: Any, x2: Any, fwd: Callable[[Any, Any], Any] | None = None) -> Tensor:
    """Call the two-input function ``rule.name`` (or ``fwd``); Python scalars stay scalars."""
    # tensor1, tensor2: whether the operand is exactly a Tensor (a subclass, as any other
    # operand that is no Python scalar, takes `record`'s general path)
    if type(x1) is Tensor:
        tensor1 = True
        dev = x1._dev
        a1 = x1._array
        if type(x2) is Tensor and x2._dev is dev:
            tensor2 = True
            a2 = x2._array
        elif type(x2) is float or type(x2) is int:  # `h * 2.0`: stays a Python scalar
            tensor2 = False
            a2 = x2
        else:
            other, a2 = _other_operand(rule, x2, dev)
            if other is None:
                return _mixed(rule, x1, x2, fwd)
            x2 = other
            tensor2 = type(x2) is Tensor
    elif type(x2) is Tensor:
        tensor2 = True
        dev = x2._dev
        a2 = x2._array
        if type(x1) is float or type(x1) is int:
            tensor1 = False
            a1 = x1
        else:
            other, a1 = _other_operand(rule, x1, dev)
            if other is None:
                return _mixed(rule, x1, x2, fwd)
            x1 = other
            tensor1 = type(x1) is Tensor
    else:
        return _mixed(rule, x1, x2, fwd)
    try:
        out = fwd(a1, a2) if fwd is not None else getattr(dev.xp, rule.name)(a1, a2)
    except Exception as e:
        again = (
            (lambda: fwd(a1, a2))
            if fwd is not None
            else (lambda: getattr(dev.xp, rule.name)(a1, a2))
        )
        out = recovered(rule.name, (a1, a2), dev, e, again)
    if out.__class__ is not dev.atype:
        out = dev.backend.ensure_array(out)
    t = _new(Tensor)  # as `make` does
    t._array = out
    t._dev = dev
    t._vc = [0]
    if (
        not ((tensor1 and x1._rg) or (tensor2 and x2._rg))
        or (UNUSUAL and not STATE.enabled)
        or rule.nondiff
    ):
        t._grad_fn = None
        t._rg = False
        return t
    # the node, made inline as `_record1` makes one: each operand is a Tensor or a Python
    # scalar; a tensor subclass or a rule that saves metadata takes the general path
    save = rule.save
    if (
        save == "meta"
        or not (tensor1 or isinstance(x1, SCALARS))
        or not (tensor2 or isinstance(x2, SCALARS))
    ):
        record(rule, t, (x1, x2), (a1, a2), None)
        return t
    vers: tuple[Any, ...]
    saved: tuple[Any, ...]
    if (
        (save == "inputs" or save == "all")
        and not (tensor1 and tensor2)
        and _by_scalar(rule, tensor1)
    ):
        # `x * 2.0`, `2.0 * x`, `x / 2.0`: x's VJP reads the scalar alone, so x's array is
        # not kept (a later in-place write into x then needs no copy)
        saved = (None, None, a2) if tensor1 else (None, a1, None)
        vers = ()
    elif save == "inputs" or save == "all":
        if tensor1 and tensor2:
            vers = (x1._vc, x1._vc[0], 0, x2._vc, x2._vc[0], 1)
        elif tensor1:
            vers = (x1._vc, x1._vc[0], 0)
        else:
            vers = (x2._vc, x2._vc[0], 1)
        if save == "all":  # the output's counter first, as `record` orders them
            saved = (out, a1, a2)
            vers = (t._vc, 0, -1, *vers)
        else:
            saved = (None, a1, a2)
    elif save == "none":
        saved = rule.empty_saved
        vers = ()
    else:  # "out"
        saved = (out, None, None)
        vers = (t._vc, 0, -1)
    f1 = x1._grad_fn if tensor1 else None
    f2 = x2._grad_fn if tensor2 else None
    node = Node()
    node.rule = rule
    node.edges = (
        f1 if f1 is not None else (x1 if tensor1 and x1._rg else None),
        f2 if f2 is not None else (x2 if tensor2 and x2._rg else None),
    )
    node.saved = saved
    node.vers = vers
    node.dev = dev
    shape = out.shape
    if f1 is not None and f1.shape == shape:  # as in `_record1`
        shape = f1.shape
    node.shape = shape
    node.dtype = out.dtype
    node.seq = NEXT_SEQ()
    node.kw = None
    # an input's output number is 0 unless its node has several outputs, and such a node is
    # never of class `Node` itself (see `Node.setup`): no read of `_onr` for the others
    if (f1 is not None and type(f1) is not Node and x1._onr) or (
        f2 is not None and type(f2) is not Node and x2._onr
    ):
        node.onrs = (x1._onr if f1 is not None else 0, x2._onr if f2 is not None else 0)
    if UNUSUAL and STATE.anomaly:
        node.trace = user_stack()
    t._grad_fn = node
    t._rg = True
    return t


def apply(
    rule: Rule,
    inputs: tuple[Any, ...],
    kw: dict[str, Any] | None = None,
    fwd: Callable[..., Any] | None = None,
    *,
    nout: int = 1,
    dev: Device | None = None,
    links: Sequence[tuple[Rule, dict[str, Any]]] | None = None,
) -> Any:
    """Call a function of any arity; ``fwd(xp, *arrays, **kw)`` overrides ``xp.<name>``.

    Array inputs that are not tensors are converted (Python scalars stay scalars);
    ``None`` passes through for optional inputs. ``nout > 1`` returns a tuple of tensors.

    A result that shares memory with an input is either linked to input 0 as a view (a
    ``rule.view`` rule, or output ``k`` as the view ``links[k]`` names: a view rule and its
    keywords) or copied, so that no untracked alias reaches the user.
    """
    converted: list[Any] = []
    arrays: list[Any] = []
    mixed = False
    if dev is None and inputs and not isinstance(inputs[0], Tensor):
        # host data before the first tensor joins that tensor's device too
        dev = next((x._dev for x in inputs if isinstance(x, Tensor)), None)
    for x in inputs:
        if type(x) is Tensor or isinstance(x, Tensor):
            if dev is None:
                dev = x._dev
            elif x._dev is not dev:
                mixed = True
            converted.append(x)
            arrays.append(x._array)
        elif x is None or isinstance(x, SCALARS):
            converted.append(x)
            arrays.append(x)
        else:
            t = to_tensor(x, dev)
            if dev is None:
                dev = t._dev
            elif t._dev is not dev:
                mixed = True
            converted.append(t)
            arrays.append(t._array)
    if mixed:
        dev, converted, arrays = _reunite(rule, converted)
    if dev is None:
        dev = get_default_device()
    xp = dev.xp
    kwargs = kw or {}
    try:
        out = (
            fwd(xp, *arrays, **kwargs)
            if fwd is not None
            else getattr(xp, rule.name)(*arrays, **kwargs)
        )
    except Exception as e:
        out = recovered(
            rule.name,
            tuple(arrays),
            dev,
            e,
            lambda: (
                fwd(xp, *arrays, **kwargs)
                if fwd is not None
                else getattr(xp, rule.name)(*arrays, **kwargs)
            ),
        )
    ins = tuple(converted)
    backend = dev.backend
    if nout > 1 or isinstance(out, tuple):
        ensure = backend.ensure_array
        outs = [ensure(o) for o in out]
        if backend.mutable and links is None:
            outs = [backend.copy(o) if _shares_input(o, arrays, backend) else o for o in outs]
        results = tuple(make(o, dev) for o in outs)
        if results and _wants_grad(rule, ins):  # no outputs (unstack of a length-0 axis)
            record(rule, results, ins, tuple(arrays), kw)
        if links is not None:
            for r, (vrule, vkw) in zip(results, links, strict=True):
                link_view(r, ins[0], vrule, vkw)
        return results
    if out.__class__ is not dev.atype:
        out = backend.ensure_array(out)
    if backend.mutable and not rule.view and _shares_input(out, arrays, backend):
        out = backend.copy(out)  # no view agrad knows how to follow: a copy
    t = make(out, dev)
    if _wants_grad(rule, ins):
        if len(ins) == 1 and type(ins[0]) is Tensor and not rule.variadic:
            _record1(rule, t, ins[0], arrays[0], kw, False)
        else:
            record(rule, t, ins, tuple(arrays), kw)
    if rule.view and ins and isinstance(ins[0], Tensor):
        link_view(t, ins[0], rule, kw)
    return t


# -- views (linked here; in-place writes through them are agrad._views') -----------
def link_view(view: Tensor, base: Tensor, rule: Rule, kw: dict[str, Any] | None) -> None:
    """Make ``view`` share ``base``'s version counter if their memory overlaps.

    Immutable arrays (JAX, Dask) share no memory, so agrad keeps NumPy's view semantics
    itself: a result that NumPy makes a view is linked, and in-place writes to either side
    are carried over by functional updates (:func:`_sync_views`).
    """
    backend = base._dev.backend
    if rule.name == "broadcast_to":
        pass  # always linked, on every backend: a read-only view (see `_check_writable`)
    elif backend.mutable:
        if not backend.shares_memory(view._array, base._array):
            return
    elif (rule.name == "__getitem__" and _is_advanced((kw or {})["key"])) or 0 in view.shape:
        return  # NumPy copies for these; an empty array holds no memory to share
    view._vc = base._vc
    extra = view._extra
    if extra is None:
        extra = view._extra = Extra()
    extra.view = (base, rule, kw)
    bextra = base._extra
    if bextra is None:
        bextra = base._extra = Extra()
    views = bextra.views
    if views is None:
        bextra.views = [weakref.ref(view)]
    else:
        # a list of weak references costs a tenth of a WeakSet; dead ones are dropped
        # whenever the list doubles
        if len(views) >= 8 and len(views) & (len(views) - 1) == 0:
            views[:] = [r for r in views if r() is not None]
        views.append(weakref.ref(view))


def _is_advanced(key: tuple[Any, ...]) -> bool:
    return any(getattr(k, "ndim", None) is not None for k in key)


def fresh(a: Any) -> bool:
    """Whether ``a`` owns its memory (NumPy's and CuPy's ``base``, torch's ``_base``): then
    it shares none with another array."""
    return getattr(a, "base", 0) is None or getattr(a, "_base", 0) is None


def _shares_input(out: Any, arrays: Sequence[Any], backend: Any) -> bool:
    """Whether the result ``out`` of a call on mutable ``arrays`` may share memory with one."""
    for a in arrays:
        if out is a:  # torch's `positive`, `real` and `conj` can return their input itself
            return True
    if fresh(out):
        return False
    for a in arrays:
        if a is not None and not isinstance(a, SCALARS) and backend.shares_memory(out, a):
            return True
    return False


def power(a: Any, b: Any) -> Any:
    """``a ** b`` on raw arrays; small integer exponents by multiplication.

    NumPy has no fast path for ``x ** 3`` (its general power is ~30x slower than ``x*x*x`` on
    large arrays); torch multiplies too.
    """
    if type(b) is int or type(b) is float:
        if b == 3:
            return a * a * a
        if b == 4:
            sq = a * a
            return sq * sq
    return a**b


_errstate = np.errstate


def quiet_backward() -> Any:
    """Silence floating-point warnings during backward: like torch, inf and NaN gradients
    pass quietly (``detect_anomaly`` finds them)."""
    return _errstate(all="ignore")


# -- engine callbacks ----------------------------------------------------------------
def saved_as_tensors(node: Node) -> tuple[Any, ...]:
    """A node's saved values as tensors connected to the graph (for ``create_graph``)."""
    saved = node.saved
    dev = node.dev
    out = saved[0]
    if out is not None and not isinstance(out, ArrayMeta):
        if node.nout > 1:
            out = tuple(make(o, dev, node, True, k) for k, o in enumerate(out))
        else:
            out = make(out, dev, node, True)
    result = [out]
    for i, a in enumerate(saved[1:]):
        if a is None or isinstance(a, _NOT_ARRAYS):
            result.append(a)
            continue
        edge = node.edges[i]
        if edge is None:
            result.append(make(a, dev))
        elif isinstance(edge, Tensor):
            result.append(edge if edge._array is a else make(a, dev))
        else:
            result.append(make(a, dev, edge, True, node.onrs[i] if node.onrs else 0))
    return tuple(result)


def cotangent_as_tensor(node: Node, g: Any) -> Any:
    if isinstance(g, list):
        return tuple(_as_graph_value(x, node.dev) for x in g)
    return _as_graph_value(g, node.dev)


def _as_graph_value(g: Any, dev: Device) -> Tensor:
    return g if isinstance(g, Tensor) else make(dev.backend.ensure_array(g), dev)


def fill_missing(node: Node, g: list[Any], graph: bool) -> list[Any]:
    """Zeros for the outputs of a multi-output node that received no cotangent."""
    assert node.outs is not None
    xp = namespace() if graph else node.dev.xp
    filled = []
    for k, gk in enumerate(g):
        if gk is None:
            shape, dtype = node.outs[k]
            if graph:
                gk = xp.zeros(shape, dtype=node.dev.backend.from_dtype(dtype), device=node.dev)
            else:
                gk = xp.zeros(shape, dtype=dtype, device=node.dev.native)
        filled.append(gk)
    return filled


def call_hook(fn: Callable[[Any], Any], g: Any, dev: Device, graph: bool) -> Any:
    """Run a tensor hook on a cotangent; its non-None result replaces the cotangent."""
    new = fn(g if graph else make(dev.backend.ensure_array(g), dev))
    if new is None:
        return g
    new = _checked_hook_result(fn, new, g, dev, graph)
    return new if graph else new._array


def _checked_hook_result(fn: Any, new: Any, g: Any, dev: Device, graph: bool) -> Tensor:
    """A hook's replacement gradient, refused unless it is one for the same tensor: same
    shape, device and kind of dtype (a real one of another precision is cast back)."""
    name = getattr(fn, "__qualname__", None) or repr(fn)
    if not isinstance(new, Tensor):
        if device_of_array(new) is None:
            msg = (
                f"The hook `{name}` returned a {type(new).__name__}; a hook returns None (keep "
                "the gradient) or a tensor of the gradient's shape and dtype to replace it."
            )
            raise AgradTypeError(msg)
        new = to_tensor(new)
    old = g if graph else make(g, dev)
    if new._dev is not dev:
        msg = (
            f"The hook `{name}` returned a gradient on {new._dev.name!r} for a tensor on "
            f"{dev.name!r}; return it on the same device (`g.to_device({dev.name!r})`)."
        )
        raise HookError(msg)
    shape, old_shape = tuple(new._array.shape), tuple(old._array.shape)
    if shape != old_shape:
        msg = (
            f"The hook `{name}` changed the gradient's shape from {old_shape!r} to {shape!r}; "
            "a hook must return a gradient of the same shape."
        )
        raise HookError(msg)
    dtype, old_dtype = new.dtype, old.dtype
    if dtype != old_dtype:
        if dtype.kind != old_dtype.kind or dtype.kind not in "fc":
            msg = (
                f"The hook `{name}` changed the gradient's dtype from {old_dtype!r} to "
                f"{dtype!r}; a hook must return a gradient of the same dtype."
            )
            raise HookError(msg)
        new = namespace().astype(new, old_dtype)
    checked: Tensor = new
    return checked


def run_leaf_hooks(leaf: Tensor, g: Any, graph: bool) -> Any:
    extra = leaf._extra
    if extra is None or not extra.hooks:
        return g
    for fn in extra.hooks:
        g = call_hook(fn, g, leaf._dev, graph)
    return g


def _may_alias(a: Any) -> bool:
    """Whether ``a`` may share memory with another array (a view, or a library that does not
    say); a fresh array's base is None."""
    base = getattr(a, "base", _ABSENT)
    if base is _ABSENT:
        base = getattr(a, "_base", _ABSENT)  # torch
    return base is not None


_ABSENT: Any = object()


def accumulate(
    leaf: Tensor, g: Any, graph: bool, owned: bool = False, taken: set[int] | None = None
) -> None:
    """Add a cotangent into ``leaf.grad``, as torch does: the first one is taken over when
    nothing else can hold it (``owned``: the engine summed it; else a fresh array that is
    not one of ``taken``, the caller's gradients and those other leaves took) and copied
    otherwise; later ones are added in place, so ``leaf.grad`` stays the same tensor."""
    dev = leaf._dev
    current = leaf._grad
    if graph:
        g = to_tensor(g, dev)
        # a tensor of its own (the caller's gradient may arrive unchanged), in the graph
        leaf._grad = namespace().positive(g) if current is None else current + g
        return
    if g.__class__ is not dev.atype:
        g = dev.backend.ensure_array(g)
    extra = leaf._extra
    if extra is None:
        extra = leaf._extra = Extra()
    if current is None:
        backend = dev.backend
        if backend.mutable and (
            extra.hooks  # a hook saw `g`, and may have kept it
            or (not owned and (taken is None or id(g) in taken or _may_alias(g)))
        ):
            g = backend.copy(g)
        elif taken is not None:
            taken.add(id(g))
        leaf._grad = make(g, dev)
        extra.grad_owned = True
    elif current._grad_fn is None:
        if dev.backend.mutable:
            try:
                current._array += g
            except (TypeError, ValueError):  # a read-only array assigned to .grad
                current._array = current._array + g
        else:  # immutable arrays: a new one, in the same tensor
            current._array = current._array + g
        bump_version(current._vc)
    else:
        leaf._grad = make(current._array + g, dev)
        extra.grad_owned = True


def retain_hook(t: Tensor) -> Callable[[Any], None]:
    ref = weakref.ref(t)

    def store(g: Tensor) -> None:
        target = ref()
        if target is None:
            return
        if STATE.sweep_conj and g.dtype.kind == "c":  # `.grad` in JAX's convention
            g = namespace().conj(g)
        if target._grad is not None:
            target._grad = target._grad + g
        elif g._rg:  # create_graph: a tensor of its own, in the graph
            target._grad = namespace().positive(g)
        else:  # a copy: the cotangent itself flows on, and may reach a leaf's `.grad`
            target._grad = make(g._dev.backend.copy(g._array), g._dev)

    return store


def all_finite(g: Any, dev: Device, graph: bool) -> bool:
    a = g._array if graph else g
    if not isinstance(a, dev.atype):  # a move's cotangent lives on the source device
        dev = device_of_array(a) or dev
    xp = dev.xp
    return bool(xp.all(xp.isfinite(a)))


RECORDING.install(
    namespace=namespace,
    saved_as_tensors=saved_as_tensors,
    cotangent_as_tensor=cotangent_as_tensor,
    fill_missing=fill_missing,
    call_hook=call_hook,
    run_leaf_hooks=run_leaf_hooks,
    accumulate=accumulate,
    all_finite=all_finite,
)
