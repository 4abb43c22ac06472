"""The checks: agrad's gradients against an oracle, one example or a hypothesis search.

- :func:`compare` runs one example: agrad's first (and second) order gradients on a device
  against the oracle's, raising :class:`GradientMismatch` past the tolerance;
- :func:`run` searches one spec on one device and dtype with hypothesis, shrinks a failure
  to a minimal example and keeps it as a runnable snippet (:class:`Result`);
- :func:`check` does the same for a user's function or :class:`agrad.Function`;
- :func:`replay` re-runs one spec example (what a snippet calls).

With ``compiled="replay"`` or ``"fuse"`` each of them also checks the gradients that
:func:`agrad.compile` replays: the gradient computation becomes one step of the inputs,
cotangents and directions (as tensors), compiled and called until it replays; the
replay's gradients are compared with the oracle, and with the eager step's: bit for bit,
or within the dtype's tolerance where ``"fuse"`` ran elementwise chains as numba loops.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import re
import warnings
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from agrad.conformance import strategies
from agrad.conformance._spec import DEFAULT_TOL, FD_TOL, Away, Interval, Matrices, Spec
from agrad.conformance.oracle import Grads, finite_difference_grads, torch_grads, widen
from agrad.conformance.specs import get_spec

import agrad
from agrad._compile import JAX_JITTED, TORCH_COMPILED  # the marks of plans others compile

__all__ = [
    "Comparison",
    "Failure",
    "GradientMismatch",
    "NotReplayed",
    "ReplayMismatch",
    "Result",
    "check",
    "compare",
    "replay",
    "run",
]

ORACLES = ("torch", "finite-difference")
#: the complex conventions :func:`compare` checks ("both": JAX's too on complex examples)
CONVENTIONS = ("both", "torch", "jax")
#: the hint of an order-2 failure whose gradient is disconnected from an input: the
#: backward ran on raw arrays (NumPy calls, ``.array``), which create_graph cannot follow
NOT_DIFFERENTIABLE = (
    "; agrad's second-order gradient does not depend on {what} at all: your backward is not "
    "differentiable: write it with agrad operations (not NumPy calls or `.array`), so that "
    "`create_graph=True` can differentiate it"
)


#: what ``compiled=`` takes: None (eager gradients only), "replay" (also those of
#: ``agrad.compile``'s replay, equal to eager's bit for bit) or "fuse" (replayed with
#: elementwise chains fused into numba loops: within the dtype's tolerance of eager's where
#: a loop ran, bit for bit elsewhere)
COMPILED = (None, "replay", "fuse")
#: the backends whose steps ``agrad.compile`` replays (on others it runs them eagerly)
COMPILED_BACKENDS = ("numpy", "torch", "jax")
#: calls of a compiled step until its replay, at most: two captures that agree, then the
#: replay (on JAX a discovery run comes first)
REPLAY_CALLS = 4
#: the label's end of a comparison of a replay's gradient with the eager one
AGAINST_EAGER = " (replay vs eager)"


class GradientMismatch(AssertionError):
    """agrad's gradient disagrees with the oracle's (or has the wrong shape or dtype).

    An ``AssertionError``, so a test that calls :func:`check` fails with its message: which
    gradient is wrong, by how much, and a snippet that reproduces it. ``comparisons`` holds
    every :class:`Comparison` of the failing example.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.conformance import GradientMismatch, check
    >>> try:
    ...     check(lambda x: x * x, np.array([1.0]), torch_fn=lambda x: x * x * x)
    ... except GradientMismatch as error:
    ...     print(str(error).splitlines()[0])
    <lambda>: order 1, input 0: max |agrad - torch| = ... (max |torch| = ..., rtol 1e-07, ...)
    """

    comparisons: list[Comparison] = []  # noqa: RUF012 - set on each raised instance


class ReplayMismatch(GradientMismatch):
    """``agrad.compile``'s replay of the gradient step gives other gradients than the eager
    step: in any bit, or beyond the dtype's tolerance where ``compiled="fuse"`` ran fused
    loops.

    A :class:`GradientMismatch`; its message starts each such difference with "compiled
    replay differs from eager".

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> from agrad.conformance import ReplayMismatch, check
    >>> calls = []
    >>> class Cube(agrad.Function):  # right at its first call only: Python state
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         calls.append(1)
    ...         return (3.0 if len(calls) == 1 else 2.0) * x * x * g
    >>> try:
    ...     check(Cube, np.array([0.5, -2.0]), compiled="replay")
    ... except ReplayMismatch as error:
    ...     print(str(error).splitlines()[0])
    Cube: compiled replay differs from eager: order 1, input 0: 2 of 2 values differ, ...
    """


class NotReplayed(AssertionError):
    """``agrad.compile`` ran the gradient step eagerly instead of replaying it, so the
    compiled check (``compiled=``) could not be made; ``reason`` says why.

    The eager gradients were checked against the oracle and passed: ``comparisons`` holds
    those comparisons. :func:`run` and the suite record this as its own status ("not
    replayed") instead of raising; :func:`compare` and :func:`check` raise it.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> from agrad.conformance import NotReplayed, check
    >>> calls = []
    >>> class Cube(agrad.Function):  # reads a counter: each capture's constants differ
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         calls.append(1)
    ...         return (3.0 + 1e-12 * len(calls)) * x * x * g
    >>> try:
    ...     check(Cube, np.array([0.5, -2.0]), compiled="replay")
    ... except NotReplayed as error:
    ...     print(error.reason)
    4 capture(s) in 4 calls, no replay; no two of its captures agreed: the step reads ...
    """

    def __init__(self, message: str, reason: str, comparisons: list[Comparison]) -> None:
        super().__init__(message)
        self.reason = reason
        self.comparisons = comparisons


@dataclasses.dataclass(frozen=True)
class Comparison:
    """One gradient compared: its order, which one, and the errors found.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> from agrad.conformance import compare
    >>> first = compare(agrad.exp, [np.array([0.5])], oracle="finite-difference", order=1)[0]
    >>> first.order, first.what, first.ok
    (1, 'input 0', True)
    """

    order: int
    what: str  # "input 0", or at order 2 also "cotangent 0"
    abs_err: float
    rel_err: float
    ok: bool


@dataclasses.dataclass
class Failure:
    """The minimal failing example of a search: what went wrong and how to reproduce it."""

    message: str
    snippet: str
    kind: str = "mismatch"  # "mismatch", "error" (agrad raised), "oracle" (the oracle raised)


@dataclasses.dataclass
class Result:
    """The outcome of one spec (or function) on one device and dtype.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> from agrad.conformance import check
    >>> result = check(agrad.sin, np.array([0.5, 1.0]), order=2)
    >>> result.ok, result.examples, result.oracle, result.worst_rel < 1e-8
    (True, 1, 'finite-difference', True)
    """

    spec: str
    device: str
    dtype: str
    order: int
    oracle: str
    seed: int
    examples: int = 0
    worst_abs: float = 0.0
    worst_rel: float = 0.0
    failure: Failure | None = None
    seconds: float = 0.0
    #: the ``compiled=`` mode checked: None, "replay" or "fuse"
    compiled: str | None = None
    #: examples whose gradients came from a replay of ``agrad.compile``
    replayed: int = 0
    #: of those, examples whose replay ran fused loops (``compiled="fuse"``)
    fused: int = 0
    #: the first example that ``agrad.compile`` did not replay: why, and its snippet
    not_replayed: Failure | None = None
    #: the largest relative difference between a replay's gradient and the eager one
    replay_rel: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether every example passed."""
        return self.failure is None

    def add(self, comparisons: Sequence[Comparison]) -> None:
        for c in comparisons:
            if c.what.endswith(AGAINST_EAGER):  # the worst errors are against the oracle
                self.replay_rel = max(self.replay_rel, c.rel_err)
                continue
            self.worst_abs = max(self.worst_abs, c.abs_err)
            self.worst_rel = max(self.worst_rel, c.rel_err)

    def note(self, replay: Replay | None, snippet: Callable[[], str]) -> None:
        """Count one passing example's replay (``compiled=`` only)."""
        if replay is None:
            return
        if replay.replayed:
            self.replayed += 1
            self.fused += replay.fused
        elif self.not_replayed is None:
            self.not_replayed = Failure(replay.why, snippet(), "not replayed")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        out = dataclasses.asdict(self)
        out["ok"] = self.ok
        return out


# -- one example ------------------------------------------------------------------------------
def _as_tuple(out: Any) -> tuple[Any, ...]:
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def _numpy(t: Any) -> np.ndarray:
    """A tensor's values as a NumPy array, from any device."""
    try:
        return np.asarray(t.array)
    except (TypeError, RuntimeError, ValueError):
        return np.asarray(t.to_device(agrad.Device("numpy")).array)


def _is_float(t: Any) -> bool:
    return bool(agrad.isdtype(t.dtype, ("real floating", "complex floating")))


def _random_like(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return np.asarray(x).astype(dtype)


@dataclasses.dataclass(frozen=True)
class Replay:
    """How ``agrad.compile`` ran one example's gradient step (``compiled=`` only)."""

    replayed: bool  # the gradients compared came from a replay
    fused: bool = False  # the replayed plan runs fused loops
    why: str = ""  # why it was not replayed
    eager: Grads | None = None  # the eager step's gradients, to compare the replay with

    @staticmethod
    def merged(passes: Sequence[Replay]) -> Replay:
        """One outcome for the passes of an example (torch's convention, JAX's)."""
        missed = [p for p in passes if not p.replayed]
        if missed:
            return Replay(False, why=missed[0].why)
        return Replay(True, fused=any(p.fused for p in passes))


def _grads_agrad(
    fn: Callable[..., Any],
    arrays: Sequence[np.ndarray],
    ws: Sequence[np.ndarray | None],
    vs: Sequence[np.ndarray],
    *,
    order: int,
    device: str,
    convention: str = "torch",
    compiled: str | None = None,
) -> tuple[Grads, list[str], Replay | None]:
    """agrad's gradients (the structure of :mod:`agrad.conformance.oracle`) and shape or
    dtype faults, in the complex ``convention``; with ``compiled``, those of the compiled
    step's replay where it replayed, and how it ran."""
    with warnings.catch_warnings(), agrad.complex_convention(convention):
        # a backend's notes on valid inputs (a reduction of an empty array) are not
        # failures; wrong values are, and the comparison finds them
        warnings.simplefilter("ignore")
        return _grads_agrad_inner(fn, arrays, ws, vs, order=order, device=device, compiled=compiled)


def _conj(a: np.ndarray | None) -> np.ndarray | None:
    return a if a is None or a.dtype.kind != "c" else np.conj(a)


def _grads_jax_as_torch(
    fn: Callable[..., Any],
    arrays: Sequence[np.ndarray],
    ws: Sequence[np.ndarray | None],
    vs: Sequence[np.ndarray],
    *,
    order: int,
    device: str,
    compiled: str | None = None,
) -> tuple[Grads, list[str], Replay | None]:
    """agrad's gradients in JAX's convention, mapped to what torch's gives for ``ws, vs``.

    JAX's vector-Jacobian product is ``conj(torch's(conj(w)))``. So with the cotangents
    ``conj(ws)``, JAX's first-order gradients are the conjugates of torch's with ``ws``; and
    differentiating those again along ``vs`` (JAX's convention again) gives the conjugates of
    torch's second-order gradients with respect to the inputs, and torch's own with respect
    to the cotangents (which went in conjugated)."""
    grads, faults, replay = _grads_agrad(
        fn,
        arrays,
        [_conj(w) for w in ws],
        vs,
        order=order,
        device=device,
        convention="jax",
        compiled=compiled,
    )
    n = len(arrays)

    def mapped(gs: Grads) -> Grads:
        out: Grads = [[_conj(g) for g in gs[0]]]
        if order > 1:
            out.append([_conj(g) if k < n else g for k, g in enumerate(gs[1])])
        return out

    if replay is not None and replay.eager is not None:
        replay = dataclasses.replace(replay, eager=mapped(replay.eager))
    return mapped(grads), faults, replay


#: a gradient step's result: the first-order gradients, and the second-order ones (with
#: respect to the inputs, then the cotangents given) or () at order 1; tensors or None
_StepOut = tuple[tuple[Any, ...], tuple[Any, ...]]


def _gradient_step(
    fn: Callable[..., Any],
    given: Sequence[bool],
    *,
    n_inputs: int,
    order: int,
    device: str,
) -> Callable[..., _StepOut]:
    """agrad's gradients of ``fn`` as one step, ``step(*inputs, *cotangents,
    *directions)`` of the tensors :func:`_step_args` makes: what ``agrad.compile``
    captures. ``given[k]`` says whether output ``k`` has a cotangent."""
    n_given = sum(given)

    def step(*args: Any) -> _StepOut:
        xs = list(args[:n_inputs])
        with agrad.default_device(device):
            outs = _as_tuple(fn(*xs))
            cotangents = iter(args[n_inputs : n_inputs + n_given])
            wts = [next(cotangents) if g else None for g in given]
            wrt = xs + [w for w in wts if w is not None]
            pairs = [
                (o, w) for o, w in zip(outs, wts, strict=True) if w is not None and o.requires_grad
            ]
            if not pairs:
                return (None,) * len(xs), (None,) * len(wrt) if order > 1 else ()
            firsts = agrad.grad(
                [o for o, _ in pairs],
                xs,
                [w for _, w in pairs],
                create_graph=order > 1,
                allow_unused=True,
            )
            if order == 1:
                return tuple(firsts), ()
            terms = [
                (g, v)
                for g, v in zip(firsts, args[n_inputs + n_given :], strict=True)
                if g is not None and g.requires_grad
            ]
            if not terms:
                return tuple(firsts), (None,) * len(wrt)
            seconds = agrad.grad(
                [g for g, _ in terms], wrt, [v for _, v in terms], allow_unused=True
            )
            return tuple(firsts), tuple(seconds)

    step.__name__ = step.__qualname__ = "gradient_step"  # as agrad.compile's messages name it
    return step


def _step_args(
    arrays: Sequence[np.ndarray],
    ws: Sequence[np.ndarray | None],
    vs: Sequence[np.ndarray],
    *,
    order: int,
    device: str,
) -> list[Any]:
    """The tensors a gradient step takes. Tensors, not raw arrays: ``agrad.compile`` reads
    the arrays of argument tensors at each replay, while a tensor the step made from a raw
    argument would hold a copy the capture cannot see (a constant of the plan)."""
    with agrad.default_device(device):
        xs = [agrad.tensor(a, requires_grad=True, device=device) for a in arrays]
        wts = [agrad.tensor(w, requires_grad=order > 1, device=device) for w in ws if w is not None]
        vts = [agrad.asarray(v, device=device) for v in vs] if order > 1 else []
    return [*xs, *wts, *vts]


def _grads_agrad_inner(
    fn: Callable[..., Any],
    arrays: Sequence[np.ndarray],
    ws: Sequence[np.ndarray | None],
    vs: Sequence[np.ndarray],
    *,
    order: int,
    device: str,
    compiled: str | None = None,
) -> tuple[Grads, list[str], Replay | None]:
    step = _gradient_step(
        fn, [w is not None for w in ws], n_inputs=len(arrays), order=order, device=device
    )
    grads = _as_grads(
        step(*_step_args(arrays, ws, vs, order=order, device=device)), arrays, ws, order
    )
    replay = None
    if compiled is not None:
        args = _step_args(arrays, ws, vs, order=order, device=device)
        out, replay = _replay(step, args, fuse=compiled == "fuse")
        if out is not None:  # the replay's gradients are the ones checked
            replay = dataclasses.replace(replay, eager=grads)
            grads = _as_grads(out, arrays, ws, order)
    faults: list[str] = []
    for i, (g, a) in enumerate(zip(grads[0], arrays, strict=True)):
        if g is not None:
            _check_meta_np(g, a.shape, a.dtype, f"order 1, input {i}", faults)
    if order > 1:
        refs = list(arrays) + list(ws)
        for k, (g2, ref) in enumerate(zip(grads[1], refs, strict=True)):
            if g2 is not None and ref is not None:
                what = _what(k, len(arrays))
                _check_meta_np(g2, ref.shape, ref.dtype, f"order 2, {what}", faults)
    return grads, faults, replay


def _as_grads(
    out: _StepOut, arrays: Sequence[np.ndarray], ws: Sequence[np.ndarray | None], order: int
) -> Grads:
    """A gradient step's tensors as NumPy arrays, the second-order ones laid out as the
    inputs and then every output's cotangent (None for an output without one)."""
    firsts, seconds = out
    results: Grads = [[_maybe(g) for g in firsts]]
    if order > 1:
        it = iter(seconds)
        full = [_maybe(next(it)) for _ in arrays]
        full += [None if w is None else _maybe(next(it)) for w in ws]
        results.append(full)
    return results


#: a plan's line that runs a fused loop (``v17 = k7(v0, )  # fused(sin, exp, ...)``)
_FUSED_LINE = "# fused("


def _replay(
    step: Callable[..., _StepOut], args: Sequence[Any], *, fuse: bool
) -> tuple[_StepOut | None, Replay]:
    """``step`` compiled and called until it replays: the replay's result, or None and why
    it was not replayed."""
    # fused loops on arrays of any size: the kit's examples are small, and the loops are what
    # it checks
    compiled = agrad.compile(step, warmup=0, fuse=fuse, fuse_min_size=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", agrad.CompileWarning)
        for call in range(1, REPLAY_CALLS + 1):
            if compiled.stats["replays"]:
                break
            try:
                out = compiled(*args)
            except Exception as exc:
                msg = (
                    f"agrad.compile(step, fuse={fuse}) raised {type(exc).__name__} at call "
                    f"{call} ({compiled.stats}) where the eager step did not: {exc}"
                )
                raise _CompiledStepError(msg) from exc
    if compiled.stats["replays"]:
        # numba's loops, or torch's compiler or XLA over the whole plan: they round as they like
        plan = compiled.plan
        marks = (_FUSED_LINE, f"# {TORCH_COMPILED}:", f"# {JAX_JITTED}:")
        return out, Replay(True, fused=any(m in plan for m in marks))
    why = _why_not_replayed(compiled, [str(w.message) for w in caught])
    return None, Replay(False, why=why)


def _why_not_replayed(compiled: Any, warned: list[str]) -> str:
    """What ``agrad.compile`` said about a step it did not replay, in one line."""
    stats = compiled.stats
    calls = f"{stats['captures']} capture(s) in {REPLAY_CALLS} calls, no replay"
    if warned:  # it gave up, and its warning says why
        return f"{calls}; {warned[-1]}"
    if compiled.last_miss is not None:
        return f"{calls}; the last guard that failed: {compiled.last_miss}"
    return (
        f"{calls}; no two of its captures agreed: the step reads Python state besides its "
        "arrays (a counter, random numbers, a value cached from an earlier call), so each "
        "capture's constants differ and a replay would repeat stale ones"
    )


class _CompiledStepError(Exception):
    """The compiled gradient step raised where the eager one did not (an agrad.compile
    error, reported as a failure of kind "error")."""


def _maybe(g: Any) -> np.ndarray | None:
    return None if g is None else _numpy(g)


def _check_meta_np(
    g: np.ndarray, shape: tuple[int, ...], dtype: Any, where: str, faults: list[str]
) -> None:
    if tuple(g.shape) != tuple(shape):
        faults.append(f"{where}: gradient of shape {tuple(g.shape)}, input has {tuple(shape)}")
    elif np.dtype(g.dtype) != np.dtype(dtype):
        faults.append(f"{where}: gradient of dtype {g.dtype}, input has {np.dtype(dtype)}")


def _what(k: int, n_inputs: int) -> str:
    return f"input {k}" if k < n_inputs else f"cotangent {k - n_inputs}"


def _errors(
    ours: np.ndarray | None, theirs: np.ndarray | None, ref: np.ndarray, floor: float = 0.0
) -> tuple[float, float, float]:
    """(max abs difference, max abs of the oracle, relative error); None reads as zeros.

    The relative error is the difference over the oracle's largest value, or over ``floor``
    where that is smaller (a gradient of ~0 has no relative error worth the name)."""
    a = np.zeros(ref.shape) if ours is None else widen(ours)
    b = np.zeros(ref.shape) if theirs is None else widen(theirs)
    if a.shape != b.shape:
        a = np.broadcast_to(a, b.shape) if a.size == 1 else a
    if a.shape != b.shape:
        return math.inf, 0.0, math.inf
    diff = np.abs(a - b)
    if not np.all(np.isfinite(a) == np.isfinite(b)):
        return math.inf, float(np.max(np.abs(b), initial=0.0)), math.inf
    diff = np.where(np.isfinite(b), diff, 0.0)
    abs_err = float(np.max(diff, initial=0.0))
    scale = float(np.max(np.where(np.isfinite(b), np.abs(b), 0.0), initial=0.0))
    denominator = max(scale, floor)
    rel_err = abs_err / denominator if denominator else abs_err
    return abs_err, scale, rel_err


def _agrad_forward_numpy(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` on NumPy arrays in, NumPy arrays out: agrad's forward on the numpy device."""

    def forward(*arrays: np.ndarray) -> Any:
        with agrad.no_grad(), agrad.default_device("numpy"):
            outs = _as_tuple(fn(*(agrad.asarray(a, device="numpy") for a in arrays)))
        return tuple(_numpy(o) for o in outs)

    return forward


def _agrad_first_numpy(fn: Callable[..., Any]) -> Callable[..., Any]:
    """agrad's first-order gradients on the numpy device (what order-2 differences use)."""

    def first(arrays: list[np.ndarray], ws: list[np.ndarray]) -> list[np.ndarray | None]:
        grads, _, _ = _grads_agrad(fn, arrays, ws, [], order=1, device="numpy")
        return grads[0]

    return first


def check_compiled(compiled: str | None, device: str) -> None:
    """Refuse a ``compiled=`` value the kit does not know, or a device whose steps
    ``agrad.compile`` does not replay (it would run them eagerly: nothing to check).

    Examples
    --------
    >>> from agrad.conformance.checks import check_compiled
    >>> check_compiled("fuse", "numpy")
    >>> check_compiled("replay", "array_api_strict")
    Traceback (most recent call last):
    ...
    ValueError: `compiled='replay'` checks the gradients `agrad.compile` replays, ...
    """
    if compiled not in COMPILED:
        msg = f"`compiled` must be one of {COMPILED!r}, got {compiled!r}."
        raise ValueError(msg)
    if compiled is None:
        return
    backend = agrad.Device(device).backend.name
    if backend not in COMPILED_BACKENDS:
        msg = (
            f"`compiled={compiled!r}` checks the gradients `agrad.compile` replays, and it "
            f"replays steps on the {', '.join(COMPILED_BACKENDS[:-1])} and "
            f"{COMPILED_BACKENDS[-1]} devices only: on "
            f'{device!r} it would run them eagerly. Use `device="numpy"` (`--device numpy`) '
            f"or a torch or JAX device, or drop `compiled=` to check {device!r} eagerly."
        )
        raise ValueError(msg)


def _identical(a: np.ndarray | None, b: np.ndarray | None) -> tuple[int, int]:
    """(values that differ in any bit, values): NaN equals NaN, -0.0 differs from 0.0."""
    if a is None or b is None:
        size = 0 if a is None and b is None else max(x.size for x in (a, b) if x is not None)
        return (0 if a is None and b is None else max(size, 1)), size
    if a.shape != b.shape or a.dtype != b.dtype:
        return max(a.size, b.size, 1), max(a.size, b.size)
    if a.dtype.kind not in "fc":
        return int(np.count_nonzero(a != b)), a.size
    same = np.ones(a.shape, dtype=bool)
    for pa, pb in zip(_parts(a), _parts(b), strict=True):
        bits = np.dtype(f"u{pa.dtype.itemsize}")
        pa, pb = np.array(pa, order="C"), np.array(pb, order="C")  # 0-d stays 0-d
        same &= (pa.view(bits) == pb.view(bits)) | (np.isnan(pa) & np.isnan(pb))
    return int(np.count_nonzero(~same)), a.size


def _parts(x: np.ndarray) -> tuple[np.ndarray, ...]:
    return (x.real, x.imag) if x.dtype.kind == "c" else (x,)


def _replay_problems(
    replayed: Grads,
    eager: Grads,
    refs: Sequence[np.ndarray],
    *,
    fused: bool,
    tol: tuple[float, float],
    label: str,
    n_inputs: int,
) -> tuple[list[Comparison], list[str]]:
    """The replay's gradients against the eager step's: bit for bit, or within ``tol``
    where its plan ran fused loops (numba's ``sin``, ``exp``, ... are not NumPy's)."""
    rtol, atol = tol
    comparisons, problems = [], []
    mapped = " in JAX's convention" if label else ""
    for k, (ours, theirs) in enumerate(zip(replayed, eager, strict=True)):
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            what = _what(i, n_inputs)
            abs_err, scale, rel_err = _errors(a, b, refs[i], atol / rtol if rtol else 1.0)
            if fused:
                ok = abs_err <= atol + rtol * scale
                detail = (
                    f"max |replay - eager| = {abs_err:.3g} (max |eager| = {scale:.3g}, "
                    f"rtol {rtol:g}, atol {atol:g})"
                )
            else:
                differ, size = _identical(a, b)
                ok = differ == 0
                detail = f"{differ} of {size} values differ, max |replay - eager| = {abs_err:.3g}"
                if a is None or b is None:
                    detail = (
                        f"{'no gradient' if a is None else 'a gradient'} from the replay, "
                        + ("none" if b is None else "one")
                        + " from eager"
                    )
                elif a.shape != b.shape or a.dtype != b.dtype:
                    detail = f"replay {a.dtype}{a.shape}, eager {b.dtype}{b.shape}"
            comparisons.append(
                Comparison(k + 1, f"{what}{label}{AGAINST_EAGER}", abs_err, rel_err, ok)
            )
            if not ok:
                problems.append(
                    f"compiled replay differs from eager: order {k + 1}, {what}{mapped}: {detail}"
                )
    return comparisons, problems


def compare(
    fn: Callable[..., Any],
    arrays: Sequence[np.ndarray],
    *,
    torch_fn: Callable[..., Any] | None = None,
    oracle: str = "torch",
    order: int = 2,
    device: str = "numpy",
    seed: int = 0,
    tol: tuple[float, float] | None = None,
    where: str = "",
    convention: str = "both",
    compiled: str | None = None,
) -> list[Comparison]:
    """Compare agrad's gradients of ``fn`` at ``arrays`` with the oracle's, up to ``order``.

    ``fn(*tensors)`` is called with agrad tensors on ``device``; ``torch_fn(*tensors)`` is
    its torch twin (``oracle="torch"``). The cotangents and second-order directions are
    drawn from ``seed``. Raises :class:`GradientMismatch` past the tolerance
    (``(rtol, atol)``; by default the dtype's) and returns the comparisons made.

    ``convention`` is the complex convention checked: ``"torch"``, ``"jax"`` (JAX's and
    HIPS autograd's, mapped to torch's for the oracle: see
    :class:`agrad.complex_convention`), or ``"both"`` (the default), which checks JAX's too
    where an input or an output is complex. Comparisons in JAX's convention are labelled
    ``"input 0 (jax)"``.

    ``compiled="replay"`` or ``"fuse"`` (NumPy, torch and JAX devices) checks the gradients of
    :func:`agrad.compile`: the gradient computation, a step of the inputs, cotangents and
    directions, is compiled (``fuse=True`` for ``"fuse"``, which then fuses chains of any
    size) and called until it replays; the replay's gradients are compared with the
    oracle, and with the eager step's, labelled ``"input 0 (replay vs eager)"``: equal bit
    for bit (NaN equals NaN), or within the tolerance where the plan ran fused loops (or
    ``jax.jit``, on JAX devices). A
    difference raises :class:`ReplayMismatch`; a step that is not replayed raises
    :class:`NotReplayed` (once its eager gradients passed).

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> from agrad.conformance import compare
    >>> comps = compare(agrad.sin, [np.array([0.5, 1.0])], oracle="finite-difference")
    >>> [(c.order, c.what, c.ok) for c in comps]
    [(1, 'input 0', True), (2, 'input 0', True), (2, 'cotangent 0', True)]
    >>> comps = compare(agrad.sin, [np.array([0.5, 1.0])], oracle="finite-difference",
    ...                 order=1, compiled="replay")
    >>> [(c.what, c.abs_err) for c in comps]
    [('input 0', ...), ('input 0 (replay vs eager)', 0.0)]
    """
    __tracebackhide__ = True  # pytest shows the message, not the kit's source
    comparisons, replay = _compare(
        fn,
        arrays,
        torch_fn=torch_fn,
        oracle=oracle,
        order=order,
        device=device,
        seed=seed,
        tol=tol,
        where=where,
        convention=convention,
        compiled=compiled,
    )
    if replay is not None and not replay.replayed:
        raise NotReplayed(_not_replayed_message(where, replay.why), replay.why, comparisons)
    return comparisons


def _not_replayed_message(where: str, why: str) -> str:
    return f"{where}agrad.compile did not replay the gradient step: {why}"


def _compare(
    fn: Callable[..., Any],
    arrays: Sequence[np.ndarray],
    *,
    torch_fn: Callable[..., Any] | None,
    oracle: str,
    order: int,
    device: str,
    seed: int,
    tol: tuple[float, float] | None,
    where: str,
    convention: str,
    compiled: str | None,
) -> tuple[list[Comparison], Replay | None]:
    """:func:`compare`, returning how ``agrad.compile`` ran the example (None without
    ``compiled``) instead of raising :class:`NotReplayed`."""
    __tracebackhide__ = True
    if oracle not in ORACLES:
        msg = f"`oracle` must be one of {ORACLES!r}, got {oracle!r}."
        raise ValueError(msg)
    if oracle == "torch" and torch_fn is None:
        msg = "The torch oracle needs `torch_fn`, the function's torch twin."
        raise ValueError(msg)
    if convention not in CONVENTIONS:
        msg = f"`convention` must be one of {CONVENTIONS!r}, got {convention!r}."
        raise ValueError(msg)
    check_compiled(compiled, device)
    arrays = [np.asarray(a) for a in arrays]
    dtype = next((a.dtype.name for a in arrays if a.dtype.kind in "fc"), "float64")
    rng = np.random.default_rng([seed, 1])
    try:
        with agrad.no_grad(), agrad.default_device(device), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs = _as_tuple(fn(*(agrad.asarray(a, device=device) for a in arrays)))
        ws: list[np.ndarray | None] = [
            _random_like(rng, tuple(o.shape), o.dtype.name) if _is_float(o) else None for o in outs
        ]
        vs = [_random_like(rng, a.shape, a.dtype.name) for a in arrays]
        complex_case = any(a.dtype.kind == "c" for a in arrays) or any(
            w is not None and w.dtype.kind == "c" for w in ws
        )
        passes: list[tuple[str, Grads, Replay | None]] = []
        faults: list[str] = []
        if convention != "jax":
            ours, faults, replay = _grads_agrad(
                fn, arrays, ws, vs, order=order, device=device, compiled=compiled
            )
            passes.append(("", ours, replay))
        if convention == "jax" or (convention == "both" and complex_case):
            ours, jax_faults, replay = _grads_jax_as_torch(
                fn, arrays, ws, vs, order=order, device=device, compiled=compiled
            )
            passes.append((" (jax)", ours, replay))
            faults += [f"{f} (jax)" for f in jax_faults]
    except GradientMismatch:
        raise
    except _CompiledStepError as exc:
        msg = f"{where}{exc}"
        raise _AgradError(msg) from exc
    except Exception as exc:
        msg = f"{where}agrad raised {type(exc).__name__}: {exc}"
        raise _AgradError(msg) from exc
    ws_used = [w for w in ws if w is not None]
    try:
        if oracle == "torch":
            assert torch_fn is not None
            theirs = torch_grads(torch_fn, arrays, ws_used, vs, order=order)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = finite_difference_grads(
                    _agrad_forward_numpy(fn),
                    arrays,
                    ws_used,
                    vs,
                    order=order,
                    grad_fn=_agrad_first_numpy(fn),
                )
    except Exception as exc:
        msg = f"{where}the {oracle} oracle raised {type(exc).__name__}: {exc}"
        raise _OracleError(msg) from exc
    if tol is None:
        rtol, atol = DEFAULT_TOL.get(dtype, DEFAULT_TOL["float64"])
        if oracle == "finite-difference":
            rtol, atol = max(rtol, FD_TOL[0]), max(atol, FD_TOL[1])
    else:
        rtol, atol = tol
    comparisons: list[Comparison] = []
    problems = list(faults)
    refs = list(arrays) + ws_used
    replayed: list[str] = []
    against_eager: list[Comparison] = []
    for label, ours, replay in passes:
        if replay is not None and replay.eager is not None:
            comps, differ = _replay_problems(
                ours,
                replay.eager,
                refs,
                fused=replay.fused,
                tol=(rtol, atol),
                label=label,
                n_inputs=len(arrays),
            )
            against_eager += comps
            replayed += differ
        for k in range(order):
            for i, (a, b) in enumerate(zip(ours[k], theirs[k], strict=True)):
                # below atol / rtol, atol decides: relative errors are taken against that
                abs_err, scale, rel_err = _errors(a, b, refs[i], atol / rtol if rtol else 1.0)
                ok = abs_err <= atol + rtol * scale
                what = _what(i, len(arrays))
                comparisons.append(Comparison(k + 1, what + label, abs_err, rel_err, ok))
                if not ok:
                    mapped = " in JAX's convention, mapped to torch's" if label else ""
                    problems.append(
                        f"order {k + 1}, {what}{mapped}: max |agrad - {oracle}| = {abs_err:.3g} "
                        f"(max |{oracle}| = {scale:.3g}, rtol {rtol:g}, atol {atol:g})"
                        + (NOT_DIFFERENTIABLE.format(what=what) if k == 1 and a is None else "")
                    )
    comparisons += against_eager
    if problems or replayed:
        # a replay unlike eager is agrad.compile's fault, whatever the oracle says
        kind = ReplayMismatch if replayed else GradientMismatch
        error = kind(where + "; ".join(replayed + problems))
        error.comparisons = comparisons
        raise error
    if compiled is None:
        return comparisons, None
    return comparisons, Replay.merged([r for _, _, r in passes if r is not None])


class _AgradError(Exception):
    """agrad raised while computing the gradient (reported as a failure, kind "error")."""


class _OracleError(Exception):
    """The oracle raised (reported as a failure, kind "oracle")."""


# -- searches ---------------------------------------------------------------------------------
def _mix(*parts: object) -> int:
    return zlib.crc32(":".join(map(str, parts)).encode())


def _hypothesis_settings(max_examples: int, phases: Any = None) -> Any:
    from hypothesis import HealthCheck, Verbosity, settings

    kw: dict[str, Any] = {}
    if phases is not None:
        kw["phases"] = phases
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=False,
        print_blob=False,
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.nested_given,
        ],
        **kw,
    )


def _search(
    result: Result,
    strategy: Any,
    trial: Callable[[Any], tuple[list[Comparison], Replay | None]],
    snippet: Callable[[Any], str],
    *,
    max_examples: int,
    seed: int,
    phases: Any = None,
    simpler: Callable[[Any], Sequence[Any]] | None = None,
) -> Result:
    """Run ``trial`` on examples of ``strategy``; record the minimal failure in ``result``,
    and how ``agrad.compile`` ran each passing example (``trial``'s second result).

    Hypothesis shrinks what it draws (shapes, keywords, seeds); ``simpler(example)`` then
    offers the shrunk example with rounder values (simplest first), and the first that fails
    the same way replaces it."""
    import time

    from hypothesis import errors, given
    from hypothesis import seed as hseed

    last: dict[str, Any] = {}

    @_hypothesis_settings(max_examples, phases)
    @hseed(seed)
    @given(strategy)
    def search(example: Any) -> None:
        last["example"] = example
        try:
            comparisons, replay = trial(example)
        except GradientMismatch as error:
            result.add(error.comparisons)  # the worst errors include the failures'
            raise
        result.examples += 1
        result.add(comparisons)
        result.note(replay, lambda: snippet(example))

    start = time.perf_counter()
    try:
        search()
    except (GradientMismatch, _AgradError, _OracleError) as exc:
        kind = {
            GradientMismatch: "mismatch",
            ReplayMismatch: "replay",
            _AgradError: "error",
            _OracleError: "oracle",
        }
        shrinks = phases is None or any(p.name == "shrink" for p in phases)
        example, error = _simplest(last["example"], exc, trial, simpler if shrinks else None)
        result.failure = Failure(str(error), snippet(example), kind[type(error)])
    except errors.Unsatisfiable as exc:
        result.failure = Failure(f"no valid example could be drawn: {exc}", "", "error")
    except errors.FlakyFailure as exc:
        example = last.get("example")
        result.failure = Failure(
            f"flaky: {exc}", "" if example is None else snippet(example), "error"
        )
    except Exception as exc:  # a spec's own mistake (a strategy, a twin): report, go on
        import traceback

        where = "".join(traceback.format_exception(exc)[-3:])
        result.failure = Failure(
            f"the search raised {type(exc).__name__}: {exc}\n{where}", "", "error"
        )
    result.seconds = time.perf_counter() - start
    return result


def _where(error: Exception) -> list[str]:
    """Which gradients an error is about ("order 1, input 0", ...), to tell failures apart."""
    return re.findall(r"order \d, (?:input|cotangent) \d+", str(error))


def _simplest(
    example: Any,
    error: Exception,
    trial: Callable[[Any], Any],
    simpler: Callable[[Any], Sequence[Any]] | None,
) -> tuple[Any, Exception]:
    """The first of ``simpler(example)`` that fails as ``example`` did (same kind, same
    gradients), with its error; else ``example`` and ``error``."""
    if simpler is None:
        return example, error
    for candidate in simpler(example):
        try:
            trial(candidate)
        except (GradientMismatch, _AgradError, _OracleError) as exc:
            if type(exc) is type(error) and _where(exc) == _where(error):
                return candidate, exc
        except Exception:  # a candidate the function refuses is no simpler failure
            continue
    return example, error


def rounded(x: np.ndarray, digits: int, domain: Any) -> np.ndarray | None:
    """``x`` rounded to ``digits`` decimals and kept in ``domain`` (an :class:`Interval`,
    :class:`Away` or :class:`Matrices`); None for another domain, whose constraints are
    unknown here, or where the rounded matrices leave their domain.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.conformance import AWAY, POSITIVE
    >>> from agrad.conformance.checks import rounded
    >>> rounded(np.array([0.61, 1.73]), 0, POSITIVE).tolist()
    [1.0, 2.0]
    >>> rounded(np.array([-0.61, 0.42]), 0, AWAY).tolist()  # |x| >= 0.5 kept
    [-1.0, 0.5]
    """

    def real(v: np.ndarray) -> np.ndarray:
        r = np.round(v, digits)
        if isinstance(domain, Interval):
            return np.clip(r, domain.low, domain.high)
        sign = np.where(v < 0, -1.0, 1.0)
        return sign * np.clip(np.abs(r), domain.low, domain.high)

    if isinstance(domain, Matrices) and x.dtype.kind in "fc":
        return _rounded_matrices(x, digits, domain)
    if not isinstance(domain, (Interval, Away)) or x.dtype.kind not in "fc":
        return None
    if x.dtype.kind == "c":
        return (real(x.real) + 1j * np.round(x.imag, digits)).astype(x.dtype)
    return real(x).astype(x.dtype)


def _rounded_matrices(x: np.ndarray, digits: int, domain: Any) -> np.ndarray | None:
    """Rounded matrices that keep what :class:`Matrices` promises (a differentiable point:
    well-separated singular values, and eigenvalues for square ones; Hermitian positive
    definite for ``"spd"``; a negative determinant for ``"negative_det"``), else None."""
    if domain.kind == "spd" and x.ndim >= 2:  # Hermitian to the last bit before rounding
        x = (x + np.conj(np.swapaxes(x, -1, -2))) / 2
    r = np.round(x.real, digits) + (1j * np.round(x.imag, digits) if x.dtype.kind == "c" else 0)
    r = r.astype(x.dtype)
    if x.ndim < 2 or x.size == 0:
        return r
    gap = 0.1  # apart by this much, and from zero: a failure there is the rule's, not a kink's
    if domain.kind == "spd":
        values = np.linalg.eigvalsh(r)
        if (values < gap).any() or (np.diff(values, axis=-1) < gap).any():
            return None
        return r
    s = np.linalg.svd(r, compute_uv=False)
    if (s < gap).any() or (-np.diff(s, axis=-1) < gap).any():
        return None
    if r.shape[-1] == r.shape[-2]:
        w = np.sort_complex(np.linalg.eigvals(r).astype(complex).ravel())
        pairs = np.abs(w[:, None] - w[None, :]) + np.eye(w.size) * 1e9
        if domain.kind == "normal" and x.ndim == 2 and pairs.min() < gap:
            return None
        if domain.kind == "negative_det" and (np.linalg.det(r).real >= 0).any():
            return None
    return r


#: the decimals tried, simplest first, when a failure's values are made rounder
DIGITS = (0, 1, 2)


def run(
    spec: Spec,
    device: str = "numpy",
    dtype: str = "float64",
    *,
    order: int = 2,
    max_examples: int = 20,
    seed: int = 0,
    oracle: str | None = None,
    phases: Any = None,
    convention: str = "both",
    compiled: str | None = None,
) -> Result:
    """Search ``spec`` on ``device`` in ``dtype`` with hypothesis, up to ``order``.

    The search is reproducible: it is seeded from ``seed``, the spec, device and dtype. A
    failure shrinks to a minimal example, kept in ``result.failure`` as a runnable snippet.
    ``oracle`` defaults to torch where the spec has a torch twin, else finite differences.
    ``convention``: the complex conventions checked, as in :func:`compare` (by default
    torch's, and JAX's too on complex examples).

    ``compiled="replay"`` or ``"fuse"`` checks the gradients of :func:`agrad.compile`'s
    replay too (see :func:`compare`); an example it does not replay is not a failure (its
    eager gradients are checked) but is kept in ``result.not_replayed``, with why.

    Examples
    --------
    >>> from agrad.conformance import SPECS, run
    >>> spec = next(s for s in SPECS if s.id == "sin")
    >>> result = run(spec, "numpy", "float64", max_examples=3, oracle="finite-difference")
    >>> result.ok, result.examples
    (True, 3)
    >>> result = run(spec, "numpy", "float64", max_examples=3, compiled="fuse")
    >>> result.ok, result.replayed, result.not_replayed
    (True, 3, None)
    """
    check_compiled(compiled, device)
    if oracle is None:
        oracle = "torch" if spec.has_torch else "finite-difference"
    order = min(order, spec.order)
    rtol_atol = spec.tolerance(dtype, oracle)
    result = Result(spec.id, device, dtype, order, oracle, seed, compiled=compiled)

    def agrad_fn(kwargs: dict[str, Any]) -> Callable[..., Any]:
        return lambda *xs: spec.agrad_call(agrad, *xs, **kwargs)

    def torch_fn(kwargs: dict[str, Any]) -> Callable[..., Any]:
        import torch

        return lambda *ts: spec.torch_call(torch, *ts, **kwargs)

    def trial(example: strategies.Example) -> tuple[list[Comparison], Replay | None]:
        arrays = example.arrays(spec, dtype)
        return _compare(
            agrad_fn(example.kwargs),
            arrays,
            torch_fn=torch_fn(example.kwargs) if oracle == "torch" else None,
            oracle=oracle,
            order=order,
            device=device,
            seed=example.seed,
            tol=rtol_atol,
            where=f"{spec.id} on {device}, {dtype}: ",
            convention=convention,
            compiled=compiled,
        )

    def snippet(example: strategies.Example) -> str:
        return spec_snippet(
            spec,
            example.arrays(spec, dtype),
            example.kwargs,
            device,
            order,
            example.seed,
            oracle,
            convention,
            compiled,
        )

    def simpler(example: strategies.Example) -> list[strategies.Example]:
        if spec.distinct:  # rounding would make ties, where the function has kinks
            return []
        arrays = example.arrays(spec, dtype)
        out = []
        for digits in DIGITS:
            values = [rounded(a, digits, d) for a, d in zip(arrays, spec.inputs, strict=True)]
            new = tuple(a if v is None else v for a, v in zip(arrays, values, strict=True))
            if any(not np.array_equal(a, v) for a, v in zip(arrays, new, strict=True)):
                out.append(dataclasses.replace(example, values=new))
        return out

    return _search(
        result,
        strategies.examples(spec),
        trial,
        snippet,
        max_examples=max_examples,
        seed=_mix(seed, spec.id, device, dtype),
        phases=phases,
        simpler=simpler,
    )


# -- snippets ---------------------------------------------------------------------------------
def _array_source(a: np.ndarray) -> str:
    # tolist() of float32 values gives the exact float64 numbers; they round-trip
    if a.size == 0 and a.ndim > 1:
        return f"np.zeros({a.shape!r}, dtype=np.{a.dtype.name})"
    return f"np.array({a.tolist()!r}, dtype=np.{a.dtype.name})"


def _source(value: Any) -> str:
    """``repr`` that writes NumPy arrays as runnable ``np.array(...)`` calls."""
    if isinstance(value, np.ndarray):
        return _array_source(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_source(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        inner = ", ".join(_source(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(_source(v) for v in value) + "]"
    if value is Ellipsis:
        return "..."
    return repr(value)


def spec_snippet(
    spec: Spec,
    arrays: Sequence[np.ndarray],
    kwargs: dict[str, Any],
    device: str,
    order: int,
    seed: int,
    oracle: str,
    convention: str = "both",
    compiled: str | None = None,
) -> str:
    """A runnable snippet that replays one example of ``spec``."""
    inputs = ",\n    ".join(_array_source(a) for a in arrays)
    conv = "" if convention == "both" else f", convention={convention!r}"
    conv += "" if compiled is None else f", compiled={compiled!r}"
    return (
        f"# agrad.conformance: {spec.id} on {device} ({arrays[0].dtype.name if arrays else ''})"
        "\nimport numpy as np\n"
        "from agrad.conformance import replay\n\n"
        f"inputs = [\n    {inputs},\n]\n"
        f"replay({spec.id!r}, inputs, {_source(kwargs)}, device={device!r}, order={order}, "
        f"seed={seed}, oracle={oracle!r}{conv})\n"
    )


def replay(
    spec_id: str,
    inputs: Sequence[np.ndarray],
    kwargs: dict[str, Any] | None = None,
    *,
    device: str = "numpy",
    order: int = 2,
    seed: int = 0,
    oracle: str | None = None,
    convention: str = "both",
    compiled: str | None = None,
) -> list[Comparison]:
    """Re-run one example of the spec ``spec_id`` (what a failure's snippet calls).

    Raises :class:`GradientMismatch` if the example still fails (:class:`NotReplayed`
    where ``compiled`` is given and ``agrad.compile`` does not replay it).

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.conformance import replay
    >>> comps = replay("exp", [np.array([0.5, -1.0])], oracle="finite-difference")
    >>> all(c.ok for c in comps)
    True
    """
    __tracebackhide__ = True
    spec = get_spec(spec_id)
    if oracle is None:
        oracle = "torch" if spec.has_torch else "finite-difference"
    kw = dict(kwargs or {})
    arrays = [np.asarray(a) for a in inputs]
    dtype = arrays[0].dtype.name if arrays else "float64"

    def fn(*xs: Any) -> Any:
        return spec.agrad_call(agrad, *xs, **kw)

    def tfn(*ts: Any) -> Any:
        import torch

        return spec.torch_call(torch, *ts, **kw)

    return compare(
        fn,
        arrays,
        torch_fn=tfn if oracle == "torch" else None,
        oracle=oracle,
        order=min(order, spec.order),
        device=device,
        seed=seed,
        tol=spec.tolerance(dtype, oracle),
        where=f"{spec.id} on {device}, {dtype}: ",
        convention=convention,
        compiled=compiled,
    )


# -- the user's entry point -------------------------------------------------------------------
def _callable_of(fn: Any) -> Callable[..., Any]:
    if inspect.isclass(fn) and issubclass(fn, agrad.Function):
        return fn.apply
    if not callable(fn):
        msg = f"`check` takes a function or an `agrad.Function` subclass, got {fn!r}."
        raise TypeError(msg)
    return fn  # type: ignore[no-any-return]


def _source_name(fn: Any) -> tuple[str, str]:
    """``(import line, expression)`` naming ``fn`` in a snippet; the import line is empty
    where ``fn`` cannot be imported (a lambda, a function defined inside another)."""
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None)
    if module and qualname and "<" not in qualname:
        return f"from {module} import {qualname.split('.')[0]}\n", qualname
    return "", getattr(fn, "__name__", "fn")


def _lambda_source(fn: Any) -> str | None:
    """The source of the lambda ``fn`` (``lambda x: x.exp()``), when it can be read alone."""
    import ast
    import textwrap

    if getattr(fn, "__name__", "") != "<lambda>":
        return None
    try:
        text = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):
        return None
    for attempt in (text, f"(\n{text.strip().rstrip(',')}\n)", text.split("=", 1)[-1]):
        try:
            tree = ast.parse(attempt.strip())
        except SyntaxError:
            continue
        found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)]
        if len(found) == 1:
            return ast.get_source_segment(attempt.strip(), found[0])
        return None
    return None


def _twin_source(torch_fn: Any) -> tuple[str, str | None]:
    """``(lines defining it, expression)`` for ``torch_fn`` in a snippet; the expression is
    None where the twin cannot be written out (the snippet then uses finite differences)."""
    source = _lambda_source(torch_fn)
    if source is not None:
        return f"torch_fn = {source}\n", "torch_fn"
    lines, expr = _source_name(torch_fn)
    return (lines, expr) if lines else ("", None)


def check(
    fn: Any,
    *args: Any,
    oracle: str | None = None,
    order: int = 1,
    torch_fn: Callable[..., Any] | None = None,
    device: str = "numpy",
    max_examples: int = 20,
    seed: int = 0,
    rtol: float | None = None,
    atol: float | None = None,
    convention: str = "both",
    compiled: str | None = None,
) -> Result:
    """Prove the gradient of ``fn`` (a function of agrad tensors, or an ``agrad.Function``).

    Each of ``args`` is an example array or a hypothesis strategy of arrays
    (:func:`agrad.conformance.strategies.arrays`). With only arrays, that one example is
    checked; with strategies, ``max_examples`` examples are drawn and a failure shrinks to a
    minimal one. Floating arrays are the differentiated inputs.

    Parameters
    ----------
    fn
        The function, or an :class:`agrad.Function` subclass (its ``apply`` is called).
    *args
        Example arrays or strategies, one per argument of ``fn``.
    oracle
        ``"torch"`` (needs ``torch_fn``) or ``"finite-difference"``; by default torch when
        ``torch_fn`` is given, finite differences otherwise.
    order
        1, or 2 to also check the double backward (``create_graph=True``).
    torch_fn
        The same function written with torch, for the torch oracle.
    device
        The agrad device to run ``fn`` on.
    max_examples, seed
        The size and seed of the hypothesis search (``seed`` also draws the cotangents).
    rtol, atol
        Tolerances; by default those of the inputs' dtype.
    convention
        The complex conventions checked (:class:`agrad.complex_convention`): ``"both"``
        (the default: torch's, and JAX's too where an input or output is complex, mapped to
        torch's for the oracle), ``"torch"`` or ``"jax"``. A rule is written in torch's
        convention; JAX's checks the conversion around it.
    compiled
        None (the default), or ``"replay"`` / ``"fuse"`` to also prove the gradients that
        :func:`agrad.compile` replays, without (``fuse=False``) or with fused loops
        (``fuse=True``, on arrays of any size): the gradient computation is compiled as
        one step of the inputs, cotangents and directions and called until it replays; the
        replay's gradients must match the oracle, and the eager step's bit for bit (within
        the tolerance where fused loops ran). ``result.replayed`` counts the examples
        replayed. On the NumPy, torch and JAX devices (numba fuses NumPy's calls only; a
        JAX step's plan is one jaxpr that ``jax.jit`` compiles, checked within the tolerance).

    Returns
    -------
    Result
        The examples run and the worst errors.

    Raises
    ------
    GradientMismatch
        If a gradient disagrees with the oracle; the message holds the minimal example as
        a runnable snippet. :class:`ReplayMismatch` (a ``GradientMismatch``) if a replay's
        gradient differs from the eager one.
    NotReplayed
        With ``compiled``, if ``agrad.compile`` ran an example eagerly instead of replaying
        it (the eager gradients passed): the message says why.
    ValueError
        With ``compiled`` on a device other than NumPy.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> from agrad.conformance import check
    >>> class Cube(agrad.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return 3 * x * x * g
    >>> check(Cube, np.array([0.5, -2.0]), order=2).ok
    True
    >>> class WrongCube(Cube):
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return -3 * x * x * g  # off by a sign
    >>> check(WrongCube, np.array([0.5, -2.0]))
    Traceback (most recent call last):
    ...
    agrad.conformance.checks.GradientMismatch: WrongCube: order 1, input 0: ...
    >>> check(Cube, np.array([0.5, -2.0]), order=2, compiled="replay").replayed
    1
    """
    __tracebackhide__ = True  # pytest shows the message and the snippet, not the kit's source
    from hypothesis import strategies as st

    call = _callable_of(fn)
    if oracle is None:
        oracle = "torch" if torch_fn is not None else "finite-difference"
    if oracle not in ORACLES:
        msg = f"`oracle` must be one of {ORACLES!r}, got {oracle!r}."
        raise ValueError(msg)
    if oracle == "torch" and torch_fn is None:
        msg = (
            "`check(..., oracle='torch')` needs `torch_fn`, the same function written with "
            "torch; or use `oracle='finite-difference'`."
        )
        raise ValueError(msg)
    if convention not in CONVENTIONS:
        msg = f"`check(..., convention=...)` takes one of {CONVENTIONS!r}, got {convention!r}."
        raise ValueError(msg)
    check_compiled(compiled, device)
    name = getattr(fn, "__name__", repr(fn))
    import_line, expr = _source_name(fn)
    fixed = [not isinstance(a, st.SearchStrategy) for a in args]

    def split(values: Sequence[Any]) -> tuple[list[np.ndarray], Callable[..., Any], Any]:
        """The differentiated arrays, and ``fn`` / ``torch_fn`` of those alone."""
        values = [np.asarray(v) if isinstance(v, (np.ndarray, np.generic)) else v for v in values]
        diff = [
            i for i, v in enumerate(values) if isinstance(v, np.ndarray) and v.dtype.kind in "fc"
        ]

        def merged(xs: Sequence[Any], convert: Callable[[Any], Any]) -> list[Any]:
            out = [convert(v) for v in values]
            for i, x in zip(diff, xs, strict=True):
                out[i] = x
            return out

        def agrad_side(*xs: Any) -> Any:
            return call(*merged(xs, lambda v: agrad.asarray(v) if isinstance(v, np.ndarray) else v))

        def torch_side(*ts: Any) -> Any:
            import torch

            assert torch_fn is not None
            return torch_fn(
                *merged(ts, lambda v: torch.asarray(v) if isinstance(v, np.ndarray) else v)
            )

        return [values[i] for i in diff], agrad_side, torch_side if torch_fn else None

    first = next(
        (
            np.asarray(a)
            for a, f in zip(args, fixed, strict=True)
            if f and np.asarray(a).dtype.kind in "fc"
        ),
        None,
    )
    dtype = "float64" if first is None else first.dtype.name
    result = Result(name, device, dtype, order, oracle, seed, compiled=compiled)
    tol = None if rtol is None and atol is None else (rtol or 0.0, atol or 0.0)

    def trial_at(values: Sequence[Any], cot_seed: int) -> tuple[list[Comparison], Replay | None]:
        arrays, agrad_side, torch_side = split(values)
        return _compare(
            agrad_side,
            arrays,
            torch_fn=torch_side,
            oracle=oracle,
            order=order,
            device=device,
            seed=cot_seed,
            tol=tol,
            where=f"{name}: ",
            convention=convention,
            compiled=compiled,
        )

    twin_lines, twin = ("", None) if torch_fn is None else _twin_source(torch_fn)

    conv = "" if convention == "both" else f", convention={convention!r}"
    conv += "" if compiled is None else f", compiled={compiled!r}"

    def snippet(values: Sequence[Any], cot_seed: int) -> str:
        shown = ", ".join(
            _array_source(np.asarray(v)) if isinstance(v, (np.ndarray, np.generic)) else repr(v)
            for v in values
        )
        head, notes, how = import_line, "", f"oracle={oracle!r}"
        if not import_line:
            notes += f"# `{expr}`: defined in your code (it cannot be imported from here)\n"
        if oracle == "torch" and twin is None:
            notes += "# the torch twin could not be written out: finite differences check it\n"
            how = "oracle='finite-difference'"
        elif oracle == "torch":
            head, how = head + twin_lines, f"torch_fn={twin}"
        return (
            f"# agrad.conformance.check: {name} on {device}\nimport numpy as np\n"
            f"from agrad.conformance import check\n{head}\n{notes}"
            f"check({expr}, {shown}, {how}, order={order}, device={device!r}, "
            f"seed={cot_seed}{conv})\n"
        )

    def simpler(example: Any) -> list[Any]:
        values, cot_seed = example
        out = []
        for digits in DIGITS:
            new = []
            for v in values:
                domain = getattr(v, "domain", None)
                r = rounded(np.asarray(v), digits, domain) if domain is not None else None
                new.append(v if r is None else r)
            if any(a is not b for a, b in zip(values, new, strict=True)):
                out.append((tuple(new), cot_seed))
        return out

    if all(fixed):
        try:
            comparisons, replay = trial_at(args, seed)
        except (GradientMismatch, _AgradError, _OracleError) as exc:
            msg = f"{exc}\n\nReproduce with:\n\n{snippet(args, seed)}"
            raise (ReplayMismatch if isinstance(exc, ReplayMismatch) else GradientMismatch)(
                msg
            ) from None
        result.add(comparisons)
        result.examples = 1
        result.note(replay, lambda: snippet(args, seed))
        _raise_not_replayed(result, f"{name}: ", comparisons)
        return result

    strategy = st.tuples(
        st.tuples(*(st.just(a) if f else a for a, f in zip(args, fixed, strict=True))),
        st.integers(0, 2**32 - 1),
    )
    _search(
        result,
        strategy,
        lambda ex: trial_at(ex[0], ex[1]),
        lambda ex: snippet(ex[0], ex[1]),
        max_examples=max_examples,
        seed=_mix(seed, name, device),
        simpler=simpler,
    )
    if result.failure is not None:
        failure = result.failure
        msg = f"{failure.message}\n\nMinimal example, reproduce with:\n\n{failure.snippet}"
        raise (ReplayMismatch if failure.kind == "replay" else GradientMismatch)(msg)
    _raise_not_replayed(result, f"{name}: ", [])
    return result


def _raise_not_replayed(result: Result, where: str, comparisons: list[Comparison]) -> None:
    """:func:`check`'s end: an example ``agrad.compile`` did not replay is not proven."""
    missed = result.not_replayed
    if missed is None:
        return
    msg = (
        f"{_not_replayed_message(where, missed.message)}; {result.examples - result.replayed} "
        f"of {result.examples} examples were not replayed (their eager gradients passed)"
        f"\n\nReproduce with:\n\n{missed.snippet}"
    )
    raise NotReplayed(msg, missed.message, comparisons)
