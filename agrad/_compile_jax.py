"""``agrad.compile`` on JAX devices: the captured step traced once and handed to ``jax.jit``.

JAX calls go through no protocol a recorder could hook, but JAX records programs itself: a
function run on its tracers becomes a jaxpr. So on a JAX device:

* a **discovery** call (:func:`discover`) runs the step eagerly while watching which
  tensors that existed before the call it uses (their arrays, their ``.grad``) and which
  ``agrad.random`` generators it draws from;
* each later capture (:func:`trace_run`) runs the step once, on tracers: those tensors'
  arrays and the generators' keys are the inputs of the traced function, the step's
  results and every change it makes its outputs, and each tensor and generator is put back
  as it was found. That gives one jaxpr for the whole step (forward, backward sweep,
  accumulation into ``.grad``, updates under ``no_grad``), which JAX evaluates op by op to
  give this call's results: the step's Python code runs once per call, as eagerly;
* two captures that give the same jaxpr, constants included, make a verified plan, which
  ``jax.jit`` compiles at its first replay. A replay reads the arrays and keys, runs the
  compiled function and puts its values where the eager call put them, through the same
  :meth:`_Plan.finish` as NumPy and torch plans.

A conversion to Python has no value to give on a tracer: a step that makes one runs eagerly
(refused before its code sees a value). Loaded only for steps on JAX devices (the module
imports JAX).
"""

from __future__ import annotations

from collections.abc import Callable
from threading import get_ident
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend.core import jaxpr_as_fun

import agrad.backends.jax as jax_backend
from agrad._compile import (
    CaptureRefusedError,
    _const_key,
    _Miss,
    _Plan,
    _Raised,
    _resolve,
    _Touched,
    _unflatten,
    _user_frame,
    _user_line,
    hook_state,
    optimizers_of,
    path_of,
    result_spec,
    tensor_paths,
)
from agrad._tensor import Tensor

__all__ = ["JaxCapture", "JaxPlan", "Known", "discover", "trace_run"]

_ARRAY = Tensor.__dict__["_array"]  # the slot itself: read and set without the hooks
_GET, _PUT = _ARRAY.__get__, _ARRAY.__set__
_GRAD = Tensor.__dict__["grad"]
_NEXT = jax_backend.JaxRng._next
_RNG_INIT = jax_backend.JaxRng.__init__
# Tensor's conversions to Python: a step that makes one is not traced (hooked to see it)
_CONVERSIONS = {
    name: Tensor.__dict__[name]
    for name in ("__bool__", "__int__", "__float__", "__complex__", "__index__", "item", "tolist")
}


class JaxCapture:
    """What a step on a JAX device uses: pre-existing tensors, and random generators."""

    def __init__(self) -> None:
        self.thread = get_ident()
        self.touched: dict[int, _Touched] = {}
        self.new: set[int] = set()  # ids of tensors made during the step
        self.rngs: dict[int, tuple[Any, Any]] = {}  # id -> (generator, key before the step)
        self.tracing = False
        self.problem: str | None = None  # why the step cannot be handed to jax.jit
        # tensors the discovery did not see, first used by the trace (their arrays are
        # constants of its jaxpr: a plan right for this call only), and generators
        self.late: dict[int, _Touched] = {}
        self.late_rngs: dict[int, tuple[Any, Any]] = {}
        self.new_rngs: set[int] = set()  # ids of generators made during the step
        self.converting = False  # inside a conversion (`item()` of a 0-d tensor is one)

    def note(self, why: str) -> None:
        if self.problem is None:
            self.problem = why

    def touch(self, t: Any) -> _Touched | None:
        key = id(t)
        if key in self.new:
            return None
        tt = self.touched.get(key)
        if tt is not None:
            return tt
        array = _GET(t)
        if t._dev.backend.name != "jax" or not isinstance(array, jax.Array):
            self.note(f"it computes with JAX and with tensors on {t._dev.name!r}")
        tt = _Touched(t, array)
        if self.tracing:  # the trace reads its array as a constant: right for this call only
            self.late[key] = tt
        else:
            self.touched[key] = tt
        return tt

    def install(self) -> None:
        me = self.thread  # another thread's tensors are none of the capture's business

        def get_array(t: Any) -> Any:
            if get_ident() == me:
                self.touch(t)
            return _GET(t)

        def set_array(t: Any, value: Any) -> None:
            if get_ident() == me:
                try:
                    _GET(t)
                except AttributeError:  # a tensor being made
                    self.new.add(id(t))
                else:
                    self.touch(t)
            _PUT(t, value)

        def get_grad(t: Any) -> Any:
            tt = self.touch(t) if get_ident() == me else None
            if tt is not None:
                tt.grad_read = True
            return _GRAD.fget(t)

        def set_grad(t: Any, value: Any) -> None:
            tt = self.touch(t) if get_ident() == me else None
            if tt is not None and not tt.grad_read and not self.new:
                tt.grad_reset = True  # `p.grad = None` before anything is computed
            _GRAD.fset(t, value)

        def new_rng(rng: Any, *args: Any) -> None:
            _RNG_INIT(rng, *args)
            if get_ident() == me:  # made by the step: its key is no input of the step
                self.new_rngs.add(id(rng))

        def next_key(rng: Any) -> Any:
            if id(rng) not in self.rngs and id(rng) not in self.new_rngs and get_ident() == me:
                seen = self.late_rngs if self.tracing else self.rngs
                seen.setdefault(id(rng), (rng, rng._key))
            return _NEXT(rng)

        for name in _CONVERSIONS:
            setattr(Tensor, name, self._conversion(name))
        Tensor._array = property(get_array, set_array)
        Tensor.grad = property(get_grad, set_grad, _GRAD.fdel, _GRAD.__doc__)  # type: ignore[assignment,method-assign]
        jax_backend.JaxRng._next = next_key
        jax_backend.JaxRng.__init__ = new_rng

    def _conversion(self, name: str) -> Callable[..., Any]:
        orig = _CONVERSIONS[name]

        def convert(t: Any, *args: Any) -> Any:
            if self.converting or get_ident() != self.thread:
                return orig(t, *args)
            # a tracer has no value to give: the step cannot be traced. Refused here, before
            # the step sees a value (a trace that assumed one could hand Python a stale one)
            msg = (
                f"it converts a tensor to Python (`{name}` at {_user_line()}), and JAX's "
                "tracers have no values to convert; return the tensor and convert it outside "
                "the compiled function"
            )
            if self.tracing:
                raise CaptureRefusedError(msg)
            self.note(msg)
            self.converting = True
            try:
                return orig(t, *args)
            finally:
                self.converting = False

        convert.__name__ = name
        return convert

    @staticmethod
    def remove() -> None:
        for name, fn in _CONVERSIONS.items():
            setattr(Tensor, name, fn)
        Tensor._array = _ARRAY
        Tensor.grad = _GRAD  # type: ignore[method-assign]
        jax_backend.JaxRng._next = _NEXT
        jax_backend.JaxRng.__init__ = _RNG_INIT


def _set_state(t: Any, state: tuple[Any, ...]) -> None:
    array, grad, vc, rg, grad_fn = state
    _PUT(t, array)
    t._grad = grad
    t._vc[0] = vc
    t._rg = rg
    t._grad_fn = grad_fn


class JaxPlan(_Plan):
    """A step traced to one jaxpr, run through ``jax.jit``."""

    def __init__(self) -> None:
        super().__init__()
        self.jaxpr = True
        self.closed: Any = None  # the ClosedJaxpr
        self.arg_arrays: list[int] = []  # raw JAX arrays among the arguments, by index
        # per tensor the plan reads: (path, shape, dtype, requires_grad, .grad is None or
        # None when the step sets .grad before reading it, its hooks)
        self.state: list[tuple[Any, Any, Any, bool, bool | None, Any]] = []
        self.rngs: list[Any] = []  # generators whose keys the plan reads
        self.rng_outs: list[Any] = []  # and those whose keys it gives back

    def run(self, flat: list[Any], code: Callable[..., Any] | None = None) -> Any:
        if self.optimizers or self.python_state:
            self.check_state()
        ins = [flat[i] for i in self.arg_arrays]
        for where, shape, dtype, rg, grad_none, hooks in self.state:
            try:
                t = _resolve(where, flat)
            except AttributeError:  # the `.grad` of a `.grad` that is None
                t = None
            if t is None:
                msg = "a `.grad` the step reads is None"
                raise _Miss(msg)
            a = _GET(t)
            if (
                a.shape != shape
                or a.dtype != dtype
                or t._rg is not rg
                or (grad_none is not None and (t.__dict__.get("_grad") is None) is not grad_none)
                or hook_state(t) != hooks
            ):
                msg = f"shape, dtype, `requires_grad`, `.grad` or hooks of a tensor {shape}"
                raise _Miss(msg)
            ins.append(a)
        ins.extend(rng._key for rng in self.rngs)
        if code is None:
            code = self.run_code
        if code is None:  # compiled at the first replay: a capture never verified costs none
            code = self.run_code = jax.jit(jaxpr_as_fun(self.closed))
        try:
            values = code(*ins)
        except Exception as e:  # nothing is written yet: the call runs eagerly
            raise _Raised(repr(e)) from e
        n = len(values) - len(self.rng_outs)
        for rng, key in zip(self.rng_outs, values[n:], strict=True):
            rng._key = key
        return self.finish(values, flat)


class Known:
    """What a step on a JAX device uses, as its discovery run found it: how to reach the
    tensors that existed before the call, and the generators it draws from."""

    def __init__(self, paths: list[Any], rngs: list[Any]) -> None:
        self.paths = paths
        self.rngs = rngs


def discover(
    fn: Callable[..., Any], flat: list[Any], tree: Any, kinds: list[str]
) -> tuple[Any, Known | None, str | None]:
    """Run ``fn`` eagerly, watching what it uses: (result, what it uses, why it cannot be
    traced)."""
    cap = JaxCapture()
    args, kwargs = _unflatten(tree, iter(flat))
    cap.install()
    try:
        result = fn(*args, **kwargs)
    finally:
        cap.remove()
    touched = list(cap.touched.values())
    paths = tensor_paths(touched, flat, kinds)
    known = Known(
        [path_of(paths, tt.t) for tt in touched],
        [r for r, _ in cap.rngs.values()],
    )
    return result, known, cap.problem


def trace_run(
    fn: Callable[..., Any],
    flat: list[Any],
    tree: Any,
    kinds: list[str],
    known: Known,
    optimizers: list[tuple[Any, Any]],
) -> tuple[bool, Any, JaxPlan | None, Known | None, str | None]:
    """Trace ``fn`` once (the call's only run of its Python code) and evaluate the jaxpr for
    this call: (done, result, plan to keep, what it uses, why it cannot be traced). Not
    ``done``: the call must run again, eagerly (the trace failed, or a replay would)."""
    cap = JaxCapture()
    for where in known.paths:
        try:
            t = _resolve(where, flat)
        except AttributeError:  # the `.grad` of a `.grad` that is None now
            t = None
        if isinstance(t, Tensor) and id(t) not in cap.touched:
            cap.touched[id(t)] = _Touched(t, _GET(t))
    cap.rngs = {id(r): (r, r._key) for r in known.rngs}
    cap.install()
    try:
        plan = _trace(cap, fn, flat, tree, kinds)
    except Exception as e:  # a limit of tracing (the eager run went through)
        if isinstance(e, CaptureRefusedError):
            cap.note(str(e))
        else:
            first = str(e).strip().splitlines()[0] if str(e).strip() else ""
            cap.note(
                f"jax.jit cannot trace it ({type(e).__name__} at {_user_frame(e)}: {first}). "
                "JAX's tracers have no values: a conversion to Python of a raw JAX array, "
                "a boolean mask or another shape that depends on values cannot be traced; "
                "move it out of the compiled function"
            )
        return False, None, None, None, cap.problem
    finally:
        cap.remove()
    if cap.problem is not None:
        return False, None, None, None, cap.problem
    plan.optimizers = optimizers_of(optimizers, set(cap.touched) | set(cap.late))
    try:  # JAX's op-by-op evaluation: no compile wait for a capture
        result = plan.run(flat, jaxpr_as_fun(plan.closed))
    except (_Miss, _Raised):
        return False, None, None, None, None
    every = list(cap.touched.values()) + list(cap.late.values())
    paths = tensor_paths(every, flat, kinds)
    grown = Known(
        [path_of(paths, tt.t) for tt in every],
        known.rngs + [r for r, _ in cap.late_rngs.values()],
    )
    late = bool(cap.late or cap.late_rngs)
    return True, result, (None if late else plan), grown, None


def _trace(
    cap: JaxCapture, fn: Callable[..., Any], flat: list[Any], tree: Any, kinds: list[str]
) -> JaxPlan:
    """Run ``fn`` on JAX's tracers: the tensors of ``cap.touched`` and the keys of
    ``cap.rngs`` are the jaxpr's inputs, the step's results and every change it makes its
    outputs; each tensor and generator is left as it was found."""
    plan = JaxPlan()
    touched = list(cap.touched.values())
    paths = tensor_paths(touched, flat, kinds)
    rngs = [r for r, _ in cap.rngs.values()]
    plan.arg_arrays = [i for i, k in enumerate(kinds) if k == "array"]
    devices = {tt.t._dev.native for tt in touched}
    devices |= {x._dev.native for x in flat if isinstance(x, Tensor)}
    devices |= {x.device for i, x in enumerate(flat) if kinds[i] == "array"}
    if len(devices) > 1:
        cap.note(f"it computes on {len(devices)} JAX devices")
    plan.rngs = rngs

    def pure(arg_arrays: list[Any], arrays: list[Any], keys: list[Any]) -> list[Any]:
        for tt, a in zip(touched, arrays, strict=True):
            _PUT(tt.t, a)
        for rng, key in zip(rngs, keys, strict=True):
            rng._key = key
        call = list(flat)
        for i, a in zip(plan.arg_arrays, arg_arrays, strict=True):
            call[i] = a
        call_args, call_kwargs = _unflatten(tree, iter(call))
        cap.tracing = True
        try:
            result = fn(*call_args, **call_kwargs)
        finally:
            cap.tracing = False
        outs: list[Any] = []
        made: dict[int, Any] = {}

        def spec(x: Any) -> Any:
            if isinstance(x, Tensor):
                if id(x) not in cap.new:
                    return ("path", path_of(paths, x))
                s = made.get(id(x))
                if s is None:
                    outs.append(_GET(x))
                    s = made[id(x)] = ("tensor", len(outs) - 1, x._dev)
                return s
            if isinstance(x, jax.Array):
                outs.append(x)
                return ("value", len(outs) - 1)
            return result_spec(x, spec)

        plan.out_tree = spec(result)
        inputs = [(tt, a) for tt, a in zip(touched, arrays, strict=True)]
        inputs += [(tt, tt.array) for tt in cap.late.values()]
        for tt, a in inputs:
            t = tt.t
            where = path_of(paths, t)
            if t._rg != tt.rg or (t._grad_fn is None) != (tt.grad_fn is None):
                cap.note("a change of `requires_grad` or of the graph of a tensor made before")
            final = _GET(t)
            if final is not a:
                outs.append(final)
                plan.sinks.append(("array", where, len(outs) - 1))
            g = t.__dict__.get("_grad")
            if g is not tt.grad:
                plan.sinks.append(("grad", where, ("const", None) if g is None else spec(g)))
            if t._vc[0] != tt.vc:
                plan.vc_bumps.append((where, t._vc[0] - tt.vc))
        plan.rng_outs = rngs + [r for r, _ in cap.late_rngs.values()]
        outs.extend(rng._key for rng in plan.rng_outs)
        return outs

    backend_device = jax_backend.TRACE_DEVICE
    jax_backend.TRACE_DEVICE = next(iter(devices)) if devices else None
    try:
        keys = [key for _, key in cap.rngs.values()]
        arg_arrays = [flat[i] for i in plan.arg_arrays]
        closed = jax.make_jaxpr(pure)(arg_arrays, [tt.array for tt in touched], keys)
    finally:  # every tensor and generator as it was found
        jax_backend.TRACE_DEVICE = backend_device
        for tt in (*touched, *cap.late.values()):
            _set_state(tt.t, (tt.array, tt.grad, tt.vc, tt.rg, tt.grad_fn))
        for rng, key in (*cap.rngs.values(), *cap.late_rngs.values()):
            rng._key = key
    for tt in touched:  # what a replay checks of each (not `.grad` where the step resets it)
        where = path_of(paths, tt.t)
        grad_none = None if tt.grad_reset else tt.grad is None
        plan.state.append((where, tt.array.shape, tt.array.dtype, tt.rg, grad_none, tt.hooks))
    plan.closed = closed
    plan.n_instrs = len(closed.jaxpr.eqns)
    plan.source = str(closed.jaxpr)
    plan.signature = (
        plan.source,
        tuple(_array_key(c) for c in closed.consts),
        _key(plan.out_tree),
        _key(plan.sinks),
        _key(plan.vc_bumps),
        _key(plan.state),
    )
    return plan


def _array_key(c: Any) -> Any:
    a = np.asarray(c) if not jnp.issubdtype(c.dtype, jax.dtypes.prng_key) else None
    if a is None:
        return ("key", id(c))
    return ("array", a.dtype.str, a.shape, a.tobytes())


def _key(x: Any) -> Any:
    """A comparable form of a plan's specs: containers by content, objects by identity."""
    if type(x) in (tuple, list):
        return tuple(_key(e) for e in x)
    if type(x) is dict:
        return tuple((k, _key(v)) for k, v in x.items())
    return _const_key(x)
