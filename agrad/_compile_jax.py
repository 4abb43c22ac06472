"""``agrad.compile`` on JAX devices: the captured step traced once and handed to ``jax.jit``.

JAX calls go through no protocol a recorder could hook, but JAX records programs itself: a
function run on its tracers becomes a jaxpr. So a capture on a JAX device runs the step
eagerly, as every capture does, while watching which tensors that existed before the call
it uses (their arrays, their ``.grad``) and which ``agrad.random`` generators it draws from.
Then it runs the step once more, on tracers: those tensors' arrays and the generators' keys
are the inputs of the traced function, their final values and the step's results its
outputs, and every tensor and generator is put back as the eager call left it afterwards.
That gives one jaxpr for the whole step (forward, backward sweep, accumulation into
``.grad``, updates under ``no_grad``). Two captures that give the same jaxpr, constants
included, make a verified plan; ``jax.jit`` compiles it at its first replay. A replay reads
the arrays and keys, runs the compiled function and puts its values where the eager call
put them, through the same :meth:`_Plan.finish` as NumPy and torch plans.

Loaded only for steps on JAX devices (the module imports JAX).
"""

from __future__ import annotations

import copy
import linecache
import os
import traceback
from collections.abc import Callable
from typing import Any

import jax
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
    _same,
    _Touched,
    _unflatten,
    _user_line,
    tensor_paths,
)
from agrad._tensor import Tensor

__all__ = ["JaxCapture", "capture"]

_ARRAY = Tensor.__dict__["_array"]  # the slot itself: read and set without the hooks
_GET, _PUT = _ARRAY.__get__, _ARRAY.__set__
_GRAD = Tensor.__dict__["grad"]
_NEXT = jax_backend.JaxRng._next
# Tensor's conversions to Python: hooked while capturing, recorded, and checked at replay
_CONVERSIONS = {
    name: Tensor.__dict__[name]
    for name in ("__bool__", "__int__", "__float__", "__complex__", "__index__", "item", "tolist")
}
_SKIP = (
    os.path.dirname(os.path.abspath(__file__)),  # agrad
    os.path.dirname(os.path.abspath(jax.__file__)),
    os.path.dirname(os.path.abspath(np.__file__)),
    "array_api_compat",
)


class JaxCapture:
    """What a step on a JAX device uses: pre-existing tensors, and random generators."""

    def __init__(self) -> None:
        self.touched: dict[int, _Touched] = {}
        self.new: set[int] = set()  # ids of tensors made during the step
        self.rngs: dict[int, tuple[Any, Any]] = {}  # id -> (generator, key before the step)
        self.tracing = False
        self.problem: str | None = None  # why the step cannot be handed to jax.jit
        self.late: dict[int, tuple[Any, tuple[Any, ...]]] = {}  # first seen by the trace
        # conversions to Python in the eager run, in order: (method, value); the trace
        # gives each the eager value and returns the array converted, checked at replay
        self.conversions: list[tuple[str, Any, str]] = []
        self.converted = 0  # how many of them the trace has made
        self.guards: list[tuple[Any, tuple[str, Any, str]]] = []  # (traced array, conversion)
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
        if self.tracing:  # the eager run never used it: the trace took another path
            if key not in self.late:
                self.late[key] = (t, _state(t))
            self.note(
                "its trace used a tensor its eager run did not (its Python control flow "
                "reads state that changes between calls)"
            )
            return None
        array = _GET(t)
        if t._dev.backend.name != "jax" or not isinstance(array, jax.Array):
            self.note(f"it computes with JAX and with tensors on {t._dev.name!r}")
        tt = self.touched[key] = _Touched(t, array)
        return tt

    def install(self) -> None:
        def get_array(t: Any) -> Any:
            self.touch(t)
            return _GET(t)

        def set_array(t: Any, value: Any) -> None:
            try:
                _GET(t)
            except AttributeError:  # a tensor being made
                self.new.add(id(t))
            else:
                self.touch(t)
            _PUT(t, value)

        def get_grad(t: Any) -> Any:
            tt = self.touch(t)
            if tt is not None:
                tt.grad_read = True
            return _GRAD.fget(t)

        def set_grad(t: Any, value: Any) -> None:
            tt = self.touch(t)
            if tt is not None and not tt.grad_read and not self.new:
                tt.grad_reset = True  # `p.grad = None` before anything is computed
            _GRAD.fset(t, value)

        def next_key(rng: Any) -> Any:
            if id(rng) not in self.rngs:
                if self.tracing:
                    self.note("its trace drew from a random generator its eager run did not")
                    self.late[id(rng)] = (rng, (rng._key,))
                else:
                    self.rngs[id(rng)] = (rng, rng._key)
            return _NEXT(rng)

        for name in _CONVERSIONS:
            setattr(Tensor, name, self._conversion(name))
        Tensor._array = property(get_array, set_array)  # type: ignore[assignment]
        Tensor.grad = property(get_grad, set_grad, _GRAD.fdel, _GRAD.__doc__)  # type: ignore[assignment,method-assign]
        jax_backend.JaxRng._next = next_key  # type: ignore[method-assign]

    def _conversion(self, name: str) -> Callable[..., Any]:
        orig = _CONVERSIONS[name]

        def convert(t: Any) -> Any:
            if self.converting:
                return orig(t)
            self.converting = True
            try:
                if not self.tracing:
                    value = orig(t)
                    self.conversions.append((name, value, _user_line()))
                    return value
                return self._traced_conversion(t, name, orig)
            finally:
                self.converting = False

        convert.__name__ = name
        return convert

    def _traced_conversion(self, t: Any, name: str, orig: Callable[..., Any]) -> Any:
        k = self.converted
        self.converted += 1
        if k >= len(self.conversions) or self.conversions[k][0] != name:
            msg = (
                f"`agrad.compile` cannot trace this step: its trace converted a tensor with "
                f"`{name}` where its eager run did not, at {_user_line()}"
            )
            raise CaptureRefusedError(msg)
        value = self.conversions[k][1]
        a = _GET(t)
        if isinstance(a, jax.core.Tracer):
            self.guards.append((a, self.conversions[k]))
        elif not _same(orig(t), value):
            msg = f"`{name}` of a constant tensor gave another value at {_user_line()}"
            raise CaptureRefusedError(msg)
        return copy.deepcopy(value)  # the step may change a list it gets

    @staticmethod
    def remove() -> None:
        for name, fn in _CONVERSIONS.items():
            setattr(Tensor, name, fn)
        Tensor._array = _ARRAY
        Tensor.grad = _GRAD  # type: ignore[method-assign]
        jax_backend.JaxRng._next = _NEXT  # type: ignore[method-assign]


def _state(t: Any) -> tuple[Any, ...]:
    return (_GET(t), t.__dict__.get("_grad"), t._vc[0], t._rg, t._grad_fn)


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
        # None when the step sets .grad before reading it)
        self.state: list[tuple[Any, Any, Any, bool, bool | None]] = []
        self.rngs: list[Any] = []
        self.guards: list[tuple[str, Any, str]] = []  # (method, value, where it was made)

    def run(self, flat: list[Any]) -> Any:
        ins = [flat[i] for i in self.arg_arrays]
        for where, shape, dtype, rg, grad_none in self.state:
            t = _resolve(where, flat)
            if t is None:
                raise _Miss("a `.grad` the step reads is None")
            a = _GET(t)
            if (
                a.shape != shape
                or a.dtype != dtype
                or t._rg is not rg
                or (grad_none is not None and (t.__dict__.get("_grad") is None) is not grad_none)
            ):
                raise _Miss(f"shape, dtype, `requires_grad` or `.grad` of a tensor {shape}")
            ins.append(a)
        ins.extend(rng._key for rng in self.rngs)
        code = self.run_code
        if code is None:  # compiled at the first replay: a capture never verified costs none
            code = self.run_code = jax.jit(jaxpr_as_fun(self.closed))
        try:
            values = code(*ins)
        except Exception as e:  # nothing is written yet: the call runs eagerly
            raise _Raised(repr(e)) from e
        n = len(values) - len(self.rngs)
        g = n - len(self.guards)
        for (name, value, line), a in zip(self.guards, values[g:n], strict=True):
            if not _same(_as_python(name, a), value):
                raise _Miss(f"{name}() = {value!r} at {line}")
        for rng, key in zip(self.rngs, values[n:], strict=True):
            rng._key = key
        return self.finish(values, flat)


def capture(
    fn: Callable[..., Any],
    flat: list[Any],
    tree: Any,
    kinds: list[str],
) -> tuple[Any, JaxPlan | None, str | None]:
    """Run ``fn`` eagerly, then trace it into a plan: (result, plan, why it cannot be)."""
    cap = JaxCapture()
    args, kwargs = _unflatten(tree, iter(flat))
    cap.install()
    try:
        result = fn(*args, **kwargs)
        if cap.problem is not None:
            return result, None, cap.problem
        plan: JaxPlan | None = None
        try:
            plan = _trace(cap, fn, flat, tree, kinds)
        except CaptureRefusedError as e:
            cap.note(str(e))
        except Exception as e:  # the eager run went through: a limit of tracing
            first = str(e).strip().splitlines()[0] if str(e).strip() else ""
            cap.note(
                f"jax.jit cannot trace it ({type(e).__name__} at {_user_frame(e)}: {first}). "
                "JAX's tracers have no values: a conversion to Python (`float(loss)`, "
                "`if loss > 0:`), a boolean mask or another shape that depends on values "
                "cannot be traced; move it out of the compiled function"
            )
        return result, (plan if cap.problem is None else None), cap.problem
    finally:
        cap.remove()


def _trace(
    cap: JaxCapture, fn: Callable[..., Any], flat: list[Any], tree: Any, kinds: list[str]
) -> JaxPlan:
    plan = JaxPlan()
    touched = list(cap.touched.values())
    paths = tensor_paths(touched, flat, kinds)
    rngs = [r for r, _ in cap.rngs.values()]
    after = [_state(tt.t) for tt in touched]  # as the eager run left them, put back below
    keys_after = [r._key for r in rngs]
    plan.arg_arrays = [i for i, k in enumerate(kinds) if k == "array"]
    devices = {tt.t._dev for tt in touched} | {x._dev for x in flat if isinstance(x, Tensor)}
    devices |= {x.device for i, x in enumerate(flat) if kinds[i] == "array"}
    natives = {getattr(d, "native", d) for d in devices}
    if len(natives) > 1:
        cap.note(f"it computes on {len(natives)} JAX devices")
    for tt in touched:
        where = paths.get(id(tt.t), ("obj", tt.t))
        grad_none = None if tt.grad_reset else tt.grad is None
        plan.state.append((where, tt.array.shape, tt.array.dtype, tt.rg, grad_none))
    plan.rngs = rngs

    def pure(arg_arrays: list[Any], arrays: list[Any], keys: list[Any]) -> list[Any]:
        for tt, a in zip(touched, arrays, strict=True):
            _set_state(tt.t, (a, tt.grad, tt.vc, tt.rg, tt.grad_fn))
        for rng, key in zip(rngs, keys, strict=True):
            rng._key = key
        call = list(flat)
        for i, a in zip(plan.arg_arrays, arg_arrays, strict=True):
            call[i] = a
        call_args, call_kwargs = _unflatten(tree, iter(call))
        cap.new = set()
        cap.converted = 0
        cap.guards = []
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
                    return ("path", paths.get(id(x), ("obj", x)))
                s = made.get(id(x))
                if s is None:
                    outs.append(_GET(x))
                    s = made[id(x)] = ("tensor", len(outs) - 1, x._dev)
                return s
            if isinstance(x, jax.Array):
                outs.append(x)
                return ("value", len(outs) - 1)
            if isinstance(x, np.ndarray):
                return ("copy", x.copy())
            t = type(x)
            if t is tuple or t is list:
                return (t.__name__, [spec(e) for e in x])
            if isinstance(x, tuple) and hasattr(x, "_fields"):
                return ("namedtuple", [spec(e) for e in x], type(x))
            if t is dict:
                return ("dict", {k: spec(v) for k, v in x.items()})
            return ("const", x)

        plan.out_tree = spec(result)
        for tt, a in zip(touched, arrays, strict=True):
            t = tt.t
            where = paths.get(id(t), ("obj", t))
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
        if cap.converted != len(cap.conversions):
            cap.note("its trace converted fewer tensors to Python than its eager run")
        for a, conversion in cap.guards:
            outs.append(a)
            plan.guards.append(conversion)
        outs.extend(rng._key for rng in rngs)
        return outs

    backend_device = jax_backend.TRACE_DEVICE
    jax_backend.TRACE_DEVICE = next(iter(natives)) if natives else None
    try:
        keys = [key for _, key in cap.rngs.values()]
        arg_arrays = [flat[i] for i in plan.arg_arrays]
        closed = jax.make_jaxpr(pure)(arg_arrays, [tt.array for tt in touched], keys)
    finally:
        jax_backend.TRACE_DEVICE = backend_device
        for tt, state in zip(touched, after, strict=True):
            _set_state(tt.t, state)
        for rng, key in zip(rngs, keys_after, strict=True):
            rng._key = key
        for obj, state in cap.late.values():
            if isinstance(obj, Tensor):
                _set_state(obj, state)
            else:
                obj._key = state[0]
    plan.closed = closed
    plan.n_instrs = len(closed.jaxpr.eqns)
    plan.source = str(closed.jaxpr)
    plan.signature = (
        plan.source,
        tuple(_array_key(c) for c in closed.consts),
        _key(plan.out_tree),
        _key(plan.sinks),
        _key(plan.vc_bumps),
        _key([s[0] for s in plan.state]),
    )
    return plan


def _as_python(name: str, a: Any) -> Any:
    """``a`` (a JAX array) converted as ``Tensor.<name>`` converts a tensor's array."""
    if name in ("item", "tolist"):
        return getattr(np.asarray(a), name)()
    if name == "__index__":
        return a.__index__()
    return {"__bool__": bool, "__int__": int, "__float__": float, "__complex__": complex}[name](a)


def _user_frame(e: BaseException) -> str:
    """The last frame of ``e``'s traceback in the user's code (outside agrad and JAX)."""
    where = "<unknown>"
    for frame, line in traceback.walk_tb(e.__traceback__):
        name = os.path.abspath(frame.f_code.co_filename)
        if not name.startswith(_SKIP) and "array_api_compat" not in name:
            text = linecache.getline(name, line).strip()
            where = f"{name}:{line}" + (f": `{text}`" if text else "")
    return where


def _array_key(c: Any) -> Any:
    a = np.asarray(c) if not jax.dtypes.issubdtype(c.dtype, jax.dtypes.prng_key) else None
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

