"""The harness of the benchmark suite: systems, cases, workloads and the gradient check.

A *system* is how a gradient gets computed:

- ``agrad(<device>)``: agrad on that device (``agrad(numpy)``, ``agrad(torch:cpu)``,
  ``agrad(torch:cuda)``, ``agrad(cupy)``, ...), the program written as a user would, with
  agrad's namespace;
- ``torch.autograd`` (CPU) or ``torch.autograd(cuda)``: the same program in PyTorch;
- ``numpy (by hand)`` or ``cupy (by hand)``: the gradient worked out with the chain rule and
  written out, with no tape at all;
- ``numpy (bare tape)``: the least a tape can do, agrad's derivative formulas and nothing
  else (`bare_tape`), in W1, W2 and W3;
- ``agrad(numpy, compiled)``: the agrad program's step wrapped in ``agrad.compile``
  (`compiled_case`), called during the set-up until it replays, then timed;
- ``jax`` and ``jax(jit)``: the same formulas through ``jax.grad`` on JAX's CPU device in
  float64, eagerly or under ``jax.jit`` (timed after a warm-up call, its compile).

A workload's builder (in `workloads`) takes a system and the workload's sizes, does the
set-up (data, parameters, moves to the device) and returns a `Case`: ``run()`` is the part
that is timed and returns the gradients in the system's own arrays, ``sync()`` waits for an
asynchronous device. `check` compares the systems' gradients before anything is timed.
A one-off cost of the set-up that a user pays once per program (JAX's jit compile, the
captures of ``agrad.compile``) is measured there and carried apart in `Case.setup_s`.

Libraries other than NumPy and agrad are imported only when a system needs them, so a
system whose library is missing is reported by `unavailable` instead of breaking the import.
"""

from __future__ import annotations

import functools
import re
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import agrad

# systems


@dataclass(frozen=True)
class System:
    name: str  # as written on the command line and in the table
    kind: str  # "agrad", "torch", "by_hand", "bare_tape" or "jax"
    device: str  # agrad's device string, torch's device type, or "numpy"/"cupy"/"cpu"
    compiled: bool = False  # agrad: through agrad.compile; jax: through jax.jit


_BY_HAND = re.compile(r"(numpy|cupy) \(by hand\)")
_AGRAD = re.compile(r"agrad\((.+?)(,\s*compiled)?\)")
_TORCH = re.compile(r"torch\.autograd(?:\((.+)\))?")
_JAX = re.compile(r"jax(\(jit\))?")


def system(name: str) -> System:
    """The `System` a name such as ``agrad(torch:cpu)`` or ``numpy (by hand)`` stands for."""
    if m := _AGRAD.fullmatch(name):
        return System(name, "agrad", m[1], compiled=m[2] is not None)
    if m := _JAX.fullmatch(name):
        return System(name, "jax", "cpu", compiled=m[1] is not None)
    if m := _TORCH.fullmatch(name):
        return System(name, "torch", m[1] or "cpu")
    if m := _BY_HAND.fullmatch(name):
        return System(name, "by_hand", m[1])
    if name == "numpy (bare tape)":
        return System(name, "bare_tape", "numpy")
    msg = (
        f"unknown system {name!r}: expected `agrad(<device>)`, `agrad(<device>, compiled)`, "
        "`torch.autograd`, `torch.autograd(cuda)`, `jax`, `jax(jit)`, `numpy (by hand)`, "
        "`cupy (by hand)` or `numpy (bare tape)`"
    )
    raise ValueError(msg)


def unavailable(sys_: System) -> str | None:
    """Why `sys_` cannot run on this machine, or None when it can."""
    if sys_.kind == "jax":
        try:
            import jax  # noqa: F401 - only whether it imports
        except ImportError:
            return "jax not installed"
        return None
    try:
        if sys_.kind == "agrad":
            agrad.Device(sys_.device)
            if sys_.compiled:
                return _compile_refuses(sys_.device)
        elif sys_.kind == "torch":
            import torch

            if sys_.device.startswith("cuda") and not torch.cuda.is_available():
                return "torch sees no CUDA GPU"
        elif sys_.device == "cupy":
            import cupy

            cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    return None


@functools.cache
def _compile_refuses(device: str) -> str | None:
    """Why ``agrad.compile`` would not replay a step on `device` (None when it does).

    Asked of a tiny step rather than assumed, through `compiled_case`: its error for a step
    that runs eagerly or never replays is the reason.
    """
    x = agrad.tensor([1.0, 2.0], device=device, requires_grad=True)

    def step() -> list[Any]:
        x.grad = None
        agrad.sum(x * x).backward()
        return [x.grad]

    try:
        compiled_case(Case(step, _nothing))
    except RuntimeError as exc:
        return str(exc).split("\n", 1)[0]
    return None


def array_module(sys_: System) -> Any:
    """The NumPy-like module a by-hand system writes its arrays with."""
    if sys_.device == "cupy":
        import cupy

        return cupy
    return np


def synchronizer(sys_: System) -> Callable[[], None]:
    """Waits until the system's device has finished its queued work (no-op on the CPU)."""
    if sys_.kind == "agrad":
        dev = agrad.Device(sys_.device)
        return lambda: dev.backend.synchronize(dev.native)
    if sys_.kind == "torch" and sys_.device.startswith("cuda"):
        import torch

        return torch.cuda.synchronize
    if sys_.device == "cupy":
        import cupy

        return lambda: cupy.cuda.Device().synchronize()
    return lambda: None


def to_numpy(a: Any) -> np.ndarray:
    """A system's array (agrad Tensor, torch tensor, NumPy or CuPy array) as a NumPy array."""
    if isinstance(a, agrad.Tensor):
        return np.asarray(a.device.backend.to_host(a.array))
    if type(a).__module__.startswith("torch"):
        return np.asarray(a.detach().cpu().numpy())
    if type(a).__module__.startswith("cupy"):
        return np.asarray(a.get())
    return np.asarray(a)  # NumPy arrays, and JAX's (which NumPy reads through __array__)


def _nothing() -> None:
    pass


@dataclass
class Case:
    """One workload set up on one system."""

    run: Callable[[], Sequence[Any]]  # the timed part; returns the gradients
    sync: Callable[[], None]  # wait for the device; part of every timed call
    # puts back the state a step changes (W2's parameters), so that calls made during the
    # set-up (a warm-up, captures) leave every system at the same step for `check`
    reset: Callable[[], None] = field(default=_nothing)
    setup_s: float | None = None  # a one-off cost of the set-up, in seconds, reported apart
    setup_note: str = ""  # what `setup_s` is: "jit compile: the first call", ...


COMPILE_CALLS = 8  # calls of an agrad.compile'd step allowed before it must replay


def compiled_case(case: Case) -> Case:
    """`case` with its step wrapped in ``agrad.compile``, called until it replays.

    The calls that capture (and the first replay) happen here, in the set-up; their total
    time is the case's `Case.setup_s`. A step that runs eagerly instead (a `CompileWarning`)
    or does not replay within `COMPILE_CALLS` calls raises, since timing it would time eager
    agrad under another name.
    """
    from agrad._compile import CompileWarning
    from agrad._compile import compile as agrad_compile

    step = agrad_compile(case.run)
    start = time.perf_counter()
    calls = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        while not step.stats["replays"]:
            if calls == COMPILE_CALLS:
                msg = f"agrad.compile did not replay in {calls} calls:\n{step.explain()[:2000]}"
                raise RuntimeError(msg)
            try:
                step()
            except CompileWarning as exc:
                msg = f"agrad.compile runs this step eagerly: {exc}"
                raise RuntimeError(msg) from exc
            case.sync()
            calls += 1
    elapsed = time.perf_counter() - start
    case.reset()
    note = f"agrad.compile: {calls} calls to its first replay, {step.stats['captures']} captures"
    return Case(step, case.sync, case.reset, elapsed, note)


Builder = Callable[..., Case]


@dataclass(frozen=True)
class Workload:
    key: str  # what `--workloads` selects: W1 ... W5, G2, G3
    title: str
    unit: str  # of the table: "us/op", "ms/step", "ms", "MB"
    scale: float  # seconds per call (or bytes, for memory) -> unit
    reference: str  # the system the ratios divide by
    targets: Mapping[str, float]  # system -> largest ratio to the reference that meets it
    systems: tuple[str, ...]  # run by default, in this order
    builders: Mapping[str, Builder]  # System.kind -> builder
    sizes: Mapping[str, Any]
    smoke_sizes: Mapping[str, Any]  # tiny, for the tests and `--smoke`
    per: str | None = None  # a size that the time is divided by (W1: per op)
    inner: int = 1  # calls per timed sample
    repeats: int = 41  # timed samples per system, unless `--repeats` says otherwise
    rtol: float = 1e-7
    atol: float = 0.0
    memory: bool = False  # W5: measured by benchmarks/memory.py in fresh processes
    variant: str = ""  # tells apart the rows of one key (W1 on 1 and on 16 elements)

    @property
    def label(self) -> str:
        return f"{self.key} ({self.variant})" if self.variant else self.key

    def build(self, name: str, *, smoke: bool = False) -> Case:
        sys_ = system(name)
        sizes = self.smoke_sizes if smoke else self.sizes
        case = self.builders[sys_.kind](sys_, **sizes)
        if sys_.compiled and sys_.kind == "agrad":  # jax(jit): its builder jits
            case = compiled_case(case)
        return case

    def divisor(self, *, smoke: bool = False) -> float:
        sizes = self.smoke_sizes if smoke else self.sizes
        return float(sizes[self.per]) if self.per else 1.0


def check(workload: Workload, results: Mapping[str, Sequence[Any]]) -> None:
    """Asserts that every system's gradients agree with the first system's.

    Run once before timing, so a benchmark cannot silently time a wrong program.
    """
    (first, expected), *others = ((k, [to_numpy(g) for g in v]) for k, v in results.items())
    for name, grads in others:
        if len(grads) != len(expected):
            msg = f"{workload.title}: {name!r} gives {len(grads)} gradients, {first!r} gives"
            msg += f" {len(expected)}"
            raise AssertionError(msg)
        for i, (got, want) in enumerate(zip(grads, expected, strict=True)):
            if got.shape != want.shape:
                msg = (
                    f"{workload.title}: gradient {i} of {name!r} has shape {got.shape}, "
                    f"{first!r}'s {want.shape}"
                )
                raise AssertionError(msg)
            # Subnormal numbers keep fewer significant bits than `rtol` asks for: W1's chain of
            # 1000 ops has a gradient of ~4e-322, where two right formulas (tanh's g*(1-t*t)
            # and g-g*t*t) differ by a few units of 5e-324. Below the smallest normal number,
            # values can only agree to that number.
            atol = workload.atol
            if np.issubdtype(want.dtype, np.inexact):
                atol = max(atol, float(np.finfo(want.dtype).tiny))
            if not np.allclose(got, want, rtol=workload.rtol, atol=atol):
                err = np.max(np.abs(got - want) / (atol + workload.rtol * np.abs(want)))
                msg = (
                    f"{workload.title}: gradient {i} of {name!r} disagrees with {first!r} "
                    f"(worst element {err:.3g}x the tolerance rtol={workload.rtol}, atol={atol})"
                )
                raise AssertionError(msg)
