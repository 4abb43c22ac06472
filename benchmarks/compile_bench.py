"""agrad.compile against eager agrad, the hand-written NumPy gradient, torch and JAX (issue 24).

Single-threaded (set below, before NumPy loads), one process, systems interleaved round by
round, medians of per-call times; ratios are taken within this one run. The machine this
runs on is shared and noisy: compare ratios, not absolute times, and rerun before trusting
a small difference.

    python benchmarks/compile_bench.py            # W1-W4 and first-call cost
    python benchmarks/compile_bench.py --profile W2   # where a replay's time goes

Systems: ``agrad eager`` (workloads.py's agrad builder), ``agrad compiled`` (the same step
through ``agrad.compile``, timed after its captures), ``agrad compiled fused`` (with
``fuse=True``, where numba is installed), ``numpy (by hand)``, ``agrad(torch) eager``,
``agrad(torch) compiled`` and ``agrad(torch) compiled fused`` (the step on agrad's
``torch:cpu`` device; fused: its plan through ``torch.compile``), ``agrad(jax) eager`` and
``agrad(jax) compiled`` (on ``jax:cpu``: the step traced to one jaxpr, through ``jax.jit``;
its first replay, the jit compile included, reported apart), ``torch.autograd``, ``jax
eager`` and ``jax jit`` (workloads.py's ``jax`` and ``jax(jit)`` builders: the same formulas
through ``jax.grad``; jit timed after its compile, whose time is reported apart).
"""

from __future__ import annotations

# ruff: noqa: E402 - the imports follow the thread settings above on purpose
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("JAX_ENABLE_X64", "1")

import argparse
import importlib.util
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import workloads as wl
from harness import System

from agrad._compile import compile as agrad_compile

AGRAD = System("agrad(numpy)", "agrad", "numpy")
AGRAD_TORCH = System("agrad(torch:cpu)", "agrad", "torch:cpu")
AGRAD_JAX = System("agrad(jax:cpu)", "agrad", "jax:cpu")
HAND = System("numpy (by hand)", "by_hand", "numpy")
TORCH = System("torch.autograd", "torch", "cpu")
JAX = System("jax", "jax", "cpu")
JAX_JIT = System("jax(jit)", "jax", "cpu", compiled=True)

SIZES = {
    "W1": {"n_ops": 1000, "n_elems": 1},
    "W2": {"layers": wl.MLP, "batch": 64},
    "W3": {"n": 10**7},
    "W4": {"n": 500},
}
BUILDERS = {"W1": wl.W1, "W2": wl.W2, "W3": wl.W3, "W4": wl.W4}
PER = {"W1": ("us/op", 1e6 / 1000), "W2": ("ms", 1e3), "W3": ("ms", 1e3), "W4": ("ms", 1e3)}
REFERENCE = {"W1": "numpy (by hand)", "W2": "numpy (by hand)", "W3": "numpy (by hand)"}
REFERENCE["W4"] = "torch.autograd"
TARGETS = {"W1": 1.1, "W2": 1.0, "W3": 0.25, "W4": 0.30}


# -- the systems -------------------------------------------------------------------------------
def cases(key: str) -> tuple[dict[str, Callable[[], Any]], dict[str, float]]:
    """The timed callables of one workload and the one-off costs (first calls)."""
    b, sizes = BUILDERS[key], SIZES[key]
    runs: dict[str, Callable[[], Any]] = {}
    once: dict[str, float] = {}
    eager = b["agrad"](AGRAD, **sizes).run
    runs["agrad eager"] = eager
    t0 = time.perf_counter()
    eager()
    once["agrad eager, first call"] = time.perf_counter() - t0
    compiled_step = agrad_compile(b["agrad"](AGRAD, **sizes).run)
    for k in range(6):  # a warm-up call, then captures until two agree, then a replay
        before = dict(compiled_step.stats)
        t0 = time.perf_counter()
        compiled_step()
        took = time.perf_counter() - t0
        kind = next(
            name
            for name, key in (
                ("warm-up", "warmups"),
                ("capture", "captures"),
                ("replay", "replays"),
            )
            if compiled_step.stats[key] > before[key]
        )
        once[f"agrad compiled, call {k + 1} ({kind})"] = took
        if compiled_step.stats["replays"]:
            break
    assert compiled_step.stats["replays"] == 1, compiled_step.explain()[:2000]
    runs["agrad compiled"] = compiled_step
    if importlib.util.find_spec("numba") is not None:  # fuse=True needs numba
        fused_step = agrad_compile(b["agrad"](AGRAD, **sizes).run, fuse=True)
        once["agrad compiled fused, to its first replay"] = _to_first_replay(fused_step)
        runs["agrad compiled fused"] = fused_step
    if importlib.util.find_spec("torch") is not None:  # the same step on agrad's torch device
        runs["agrad(torch) eager"] = b["agrad"](AGRAD_TORCH, **sizes).run
        on_torch = agrad_compile(b["agrad"](AGRAD_TORCH, **sizes).run)
        _to_first_replay(on_torch)
        runs["agrad(torch) compiled"] = on_torch
        # fuse=True on torch: the plan through torch.compile (its compile at the first replay)
        torch_fused = agrad_compile(b["agrad"](AGRAD_TORCH, **sizes).run, fuse=True)
        once["agrad(torch) compiled fused, to its first replay"] = _to_first_replay(torch_fused)
        runs["agrad(torch) compiled fused"] = torch_fused
    if importlib.util.find_spec("jax") is not None:  # on agrad's JAX device: through jax.jit
        runs["agrad(jax) eager"] = _blocking(b["agrad"](AGRAD_JAX, **sizes).run)
        on_jax = agrad_compile(b["agrad"](AGRAD_JAX, **sizes).run)
        once["agrad(jax) compiled, to its first replay"] = _to_first_replay(on_jax)
        runs["agrad(jax) compiled"] = _blocking(on_jax)
    runs["numpy (by hand)"] = b["by_hand"](HAND, **sizes).run
    runs["torch.autograd"] = b["torch"](TORCH, **sizes).run
    try:  # workloads.py's JAX builders; jax(jit)'s makes its first call, the compile
        runs["jax eager"] = b["jax"](JAX, **sizes).run
        jit = b["jax"](JAX_JIT, **sizes)
        once["jax jit, first call (compile)"] = jit.setup_s or 0.0
        runs["jax jit"] = jit.run
    except ImportError:
        pass
    return runs, once


def _blocking(run: Callable[[], Any]) -> Callable[[], Any]:
    """``run``, waiting for JAX's asynchronous dispatch to finish what it returns."""

    def blocked() -> Any:
        import jax

        out = run()
        jax.block_until_ready([getattr(t, "array", t) for t in out])
        return out

    return blocked


def _to_first_replay(step: Any) -> float:
    """Call a compiled step until it has replayed once; the seconds that took."""
    t0 = time.perf_counter()
    while not step.stats["replays"] and step.stats["captures"] < 6:
        step()
    took = time.perf_counter() - t0
    assert step.stats["replays"] == 1, step.explain()[:2000]
    return took


def measure(key: str, rounds: int) -> None:
    runs, once = cases(key)
    times: dict[str, list[float]] = {name: [] for name in runs}
    budget = {"W1": 1, "W2": 5, "W3": 1, "W4": 5}[key]
    for _ in range(rounds):
        for name, run in runs.items():  # interleaved: every system once per round
            if name == "jax eager" and key == "W1" and len(times[name]) >= 3:
                continue  # about 0.3 s a call; three calls give its order of magnitude
            t0 = time.perf_counter()
            for _ in range(budget):
                run()
            times[name].append((time.perf_counter() - t0) / budget)
    unit, scale = PER[key]
    ref = statistics.median(times[REFERENCE[key]])
    fastest = min(times[REFERENCE[key]])
    print(f"\n{key} {sizes_text(key)}: median of {rounds} rounds, {unit} (and min ratio)")
    for name, ts in times.items():
        med = statistics.median(ts)
        target = f"  (target <= {TARGETS[key]:.2f})" if name.startswith("agrad compiled") else ""
        print(
            f"  {name:<20} {med * scale:10.3f}  {med / ref:6.2f}x ({min(ts) / fastest:4.2f}x) "
            f"{REFERENCE[key]}{target}"
        )
    eager_med = statistics.median(times["agrad eager"])
    for what, t in once.items():
        print(f"  {what:<34} {t * 1e3:10.1f} ms  {t / eager_med:6.2f}x an eager call")


def sizes_text(key: str) -> str:
    return ", ".join(f"{k}={v}" for k, v in SIZES[key].items())


def profile(key: str, calls: int = 200) -> None:
    """Where a replay's time goes: each line of the plan timed (grouped by the NumPy call it
    makes), the guards before them, and the work around the plan (putting ``.grad`` and the
    results back); the hand-written step timed in the same loop for scale."""
    runs, _ = cases(key)
    step = runs["agrad compiled"]
    hand = runs["numpy (by hand)"]
    compiled = step.__self__ if hasattr(step, "__self__") else step
    plan = next(p for ps in compiled._plans.values() for p in ps if p.verified)
    lines = plan.source.splitlines()
    body = [i for i, ln in enumerate(lines) if ln.startswith("    ") and "return " not in ln]
    labels: list[str] = []
    out = [lines[0]]
    for i, ln in enumerate(lines[1:], 1):
        if i not in body:
            out.append(ln)
            continue
        code, _, comment = ln.partition("  # ")
        if code.strip().startswith(("if ", "W[0]")):
            label = "guards"
        elif code.strip().startswith("del "):
            label = "del (freeing)"
        else:
            label = comment.strip() or "read a source"
        k = len(labels)
        labels.append(label)
        out += ["    _t = _pc()", f"    {code.strip()}", f"    _acc[{k}] += _pc() - _t"]
    acc = [0.0] * len(labels)
    ns = dict(plan.ns, _pc=time.perf_counter, _acc=acc)
    exec(compile("\n".join(out), "<profiled plan>", "exec"), ns)  # the plan, timed per line
    timed, original = ns["_plan"], plan.run_code
    # what a timer pair adds inside its own reading, to take off each line's time
    probe = [0.0]
    pc = time.perf_counter
    for _ in range(20000):
        t = pc()
        probe[0] += pc() - t
    per_line = probe[0] / 20000
    total = hand_total = plan_total = 0.0
    try:
        for _ in range(calls):  # interleaved: the plain step, the hand-written one, timed
            t0 = time.perf_counter()
            step()
            total += time.perf_counter() - t0
            t0 = time.perf_counter()
            hand()
            hand_total += time.perf_counter() - t0
            plan.run_code = timed
            step()
            plan.run_code = original
            t0 = time.perf_counter()
            with np.errstate(all="ignore"):
                original([], [False])  # the plan alone (the step takes no arguments)
            plan_total += time.perf_counter() - t0
    finally:
        plan.run_code = original
    groups: dict[str, list[float]] = {}
    for label, t in zip(labels, acc, strict=True):
        g = groups.setdefault(label, [0.0, 0])
        g[0] += max(t - per_line * calls, 0.0)
        g[1] += 1
    print(f"{key}: a replay's time, us per call, {calls} calls")
    print(f"  whole step {total / calls * 1e6:9.1f}   hand-written {hand_total / calls * 1e6:9.1f}")
    for label, (t, n) in sorted(groups.items(), key=lambda kv: -kv[1][0]):
        print(f"  {label:<40} x{int(n):<4} {t / calls * 1e6:9.1f}  {t / total:6.1%}")
    rest = total - plan_total
    what = "outside the plan (call, sinks, results)"
    print(f"  {what:<46} {rest / calls * 1e6:9.1f}  {rest / total:6.1%}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("workloads", nargs="*", default=["W1", "W2", "W3", "W4"])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--profile", metavar="W")
    a = p.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)
    np.random.seed(0)
    if a.profile:
        profile(a.profile)
        return
    for key in a.workloads:
        measure(key, a.rounds)


if __name__ == "__main__":
    main()
