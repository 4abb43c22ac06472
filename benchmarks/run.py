"""agrad's benchmark suite: one runner, one process, systems interleaved, medians of repeats.

    python benchmarks/run.py                          # W1-W5 on the CPU (about 5 minutes)
    python benchmarks/run.py --workloads W1,W4 --repeats 101
    python benchmarks/run.py --clock cpu              # CPU time: steadier on a shared machine
    python benchmarks/run.py --systems "agrad(numpy),numpy (by hand)" --workloads W2,W3
    python benchmarks/run.py --gpu                    # G2, G3: W2 at batch 4096 and W3 on CUDA
    python benchmarks/run.py --profile --workloads W2 --systems "agrad(numpy)"
    python benchmarks/run.py --smoke                  # tiny sizes, one repeat: does it run?
    python benchmarks/run.py --workloads W1,W2,W3,W4 \
        --systems "agrad(numpy),agrad(numpy, compiled),jax,jax(jit),numpy (by hand),torch.autograd"

W1-W4 run, beside eager agrad, agrad.compile's replayed step (``agrad(numpy, compiled)``;
``agrad(jax:cpu, compiled)`` replays it through ``jax.jit``)
and JAX (``jax``: ``jax.grad`` eagerly; ``jax(jit)``: under ``jax.jit``), issue 24's
comparison in one run (`workloads.COMPILED_SYSTEMS`); the last line above runs just that.
JAX runs on its CPU device, single-threaded, in float64 (this script sets
``JAX_PLATFORMS``, ``JAX_ENABLE_X64`` and ``XLA_FLAGS`` before anything imports JAX);
without JAX installed its systems are skipped. A one-off cost of a system's set-up, jit's
compile (its first call) or agrad.compile's captures (the calls until it replays), is not
in the timed samples: it is printed under each table and kept in the JSON.

Every system of a workload is set up first; each is then run once and their gradients are
compared (`harness.check`), so no benchmark can time a wrong program. The timed repeats
go round the systems, one sample each per round, in orders where each system follows every
other equally often (`balanced_orders`), with a garbage collection before every sample and
not inside it. The table gives each system's median, its interquartile range relative to
the median, its ratio to the workload's reference system (both medians from this run), the
ratio of the two fastest samples, and the target of issue 7 where there is one: a target
is met when both ratios are within it.

Everything runs on one thread: the BLAS and OpenMP thread counts are forced to 1 before
NumPy is imported, and torch gets `torch.set_num_threads(1)`. On glibc, the allocator's mmap
and trim thresholds are fixed for the run (`steady_allocator`), so that whether a step's
buffers fault in afresh does not depend on which systems ran before it.

W5 (memory) runs each system in a fresh process (`benchmarks/memory.py`), interleaved the
same way. See docs/performance.md for what each workload measures and the latest results.
"""

from __future__ import annotations

import os
import sys

THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
# JAX (systems `jax`, `jax(jit)`): the CPU device, float64 as the other systems, and XLA's
# CPU kernels on one thread; read when JAX is first imported
JAX_VARS = {"JAX_PLATFORMS": "cpu", "JAX_ENABLE_X64": "1"}
XLA_SINGLE_THREAD = "--xla_cpu_multi_thread_eigen=false"
if __name__ == "__main__":  # before NumPy loads its BLAS, which reads these once
    for _var in THREAD_VARS:
        os.environ[_var] = "1"
    os.environ.update(JAX_VARS)
    if XLA_SINGLE_THREAD not in os.environ.get("XLA_FLAGS", ""):
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {XLA_SINGLE_THREAD}".strip()

# ruff: noqa: E402 - the imports follow the thread settings above on purpose
import argparse
import contextlib
import cProfile
import ctypes
import datetime
import gc
import json
import platform
import pstats
import shlex
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

try:
    import resource
except ImportError:  # Windows: no page-fault counts
    resource = None  # type: ignore[assignment]

import harness as hn
import memory
import numpy as np
import workloads as wl

import agrad

HERE = Path(__file__).resolve().parent


@dataclass
class Row:
    workload: str
    system: str
    unit: str
    median: float | None  # in `unit`; None when the system was skipped
    iqr: float | None  # interquartile range / median
    best: float | None  # the smallest sample, in `unit`
    ratio: float | None  # median / the reference's median
    target: float | None
    samples: list[float]
    note: str = ""
    best_ratio: float | None = None  # the fastest sample / the reference's fastest
    faults: float | None = None  # minor page faults per call (median), where counted
    setup_s: float | None = None  # a one-off cost of the set-up (jit's compile), seconds
    setup_note: str = ""  # what `setup_s` measured
    setup_calls: float | None = None  # `setup_s` over the median call's time

    @property
    def met(self) -> bool | None:
        # both ratios: on a machine whose samples fall into a fast and a slow group (W3's
        # fresh 80 MB arrays and the kernel's page faults), which group a median lands in
        # is luck, and the fastest samples are the fair comparison
        if self.target is None or self.ratio is None:
            return None
        best_ok = self.best_ratio is None or self.best_ratio <= self.target
        return self.ratio <= self.target and best_ok


# ---------------------------------------------------------------------------------------
# measuring


def _single_thread_torch() -> None:
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)
    with contextlib.suppress(RuntimeError):  # allowed only before torch's first parallel work
        torch.set_num_interop_threads(1)


def _check(workload: hn.Workload, cases: dict[str, hn.Case]) -> None:
    results = {}
    for name, case in cases.items():
        results[name] = case.run()
        case.sync()
    hn.check(workload, results)


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def page_faults() -> int | None:
    """Minor page faults of this process so far (None where the platform does not count).

    A fresh buffer costs the kernel a fault per page on first touch; on a virtual machine
    that can be a third of a W2 step, paid alike by every system, which pulls ratios
    towards 1 (see docs/performance.md). The runner reports them per call.
    """
    if resource is None:
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def balanced_orders(n: int) -> list[list[int]]:
    """Orders of ``range(n)`` in which each item comes straight after each other item
    equally often (a Williams design: ``n`` rows for even ``n``, ``2n`` for odd).

    A plain rotation keeps every system's neighbour the same in every round, so a system
    that leaves the process slowed (torch.autograd's W3, with its 371 thousand page faults a
    call) slows the same successor each time; here each system follows it as often.
    """
    first = [0]
    low, high = 1, n - 1
    for i in range(1, n):
        if i % 2:
            first.append(low)
            low += 1
        else:
            first.append(high)
            high -= 1
    rows = [[(k + r) % n for k in first] for r in range(n)]
    if n % 2:
        rows += [row[::-1] for row in rows]
    return rows


def time_workload(
    workload: hn.Workload,
    names: Sequence[str],
    repeats: int,
    *,
    smoke: bool = False,
    clock: str = "wall",
    faults: dict[str, list[float]] | None = None,
    setups: dict[str, tuple[float, str]] | None = None,
) -> dict[str, list[float]]:
    """Seconds per call of each system, `repeats` samples each, interleaved.

    ``faults``, when given, receives each sample's minor page faults per call; ``setups``
    each case's one-off set-up cost and what it was (`harness.Case.setup_s`), where it has one.
    """
    now = CLOCKS[clock]
    cases = {name: workload.build(name, smoke=smoke) for name in names}
    if setups is not None:
        for name, case in cases.items():
            if case.setup_s is not None:
                setups[name] = (case.setup_s, case.setup_note)
    _check(workload, cases)  # also the warm-up
    samples: dict[str, list[float]] = {name: [] for name in names}
    orders = balanced_orders(len(names))
    gc.collect()
    gc.freeze()  # the libraries' and set-up's objects: no collection needs to walk them again
    try:
        for r in range(repeats):
            for i in orders[r % len(orders)]:
                name = names[i]
                case = cases[name]
                gc.collect()
                case.sync()
                faults_before = page_faults()
                start = now()
                for _ in range(workload.inner):
                    case.run()
                case.sync()
                samples[name].append((now() - start) / workload.inner)
                faults_after = page_faults()
                if faults is not None and faults_before is not None and faults_after is not None:
                    faults.setdefault(name, []).append(
                        (faults_after - faults_before) / workload.inner
                    )
    finally:
        gc.unfreeze()
    return samples


def memory_workload(
    workload: hn.Workload, names: Sequence[str], repeats: int, *, smoke: bool = False
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Bytes that the set-up and one step add, per system, each in a fresh process."""
    # the programs are W2's: check that they agree, at a tiny size, before measuring
    _check(workload, {name: workload.build(name, smoke=True) for name in names})
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536", **dict.fromkeys(THREAD_VARS, "1")}
    steps: dict[str, list[float]] = {name: [] for name in names}
    setups: dict[str, list[float]] = {name: [] for name in names}
    orders = balanced_orders(len(names))
    for r in range(repeats):
        for i in orders[r % len(orders)]:
            name = names[i]
            cmd = [sys.executable, str(HERE / "memory.py"), name, *(["--smoke"] * smoke)]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
            if proc.returncode != 0:
                msg = f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}"
                raise RuntimeError(msg)
            result = json.loads(proc.stdout.splitlines()[-1])
            steps[name].append(result["step"])
            setups[name].append(result["setup"])
    return steps, setups


def profile_workload(
    workload: hn.Workload, names: Sequence[str], repeats: int, top: int, *, smoke: bool
) -> None:
    """Prints cProfile's top functions, by own time and by cumulative time, per system."""
    for name in names:
        case = workload.build(name, smoke=smoke)
        case.run()
        case.sync()
        calls = repeats * workload.inner
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(calls):
            case.run()
        case.sync()
        profiler.disable()
        for key in ("tottime", "cumulative"):
            print(f"\n### {workload.label} on {name}: {calls} calls, sorted by {key}\n")
            pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats(key).print_stats(top)


# ---------------------------------------------------------------------------------------
# the table


def _rows(
    workload: hn.Workload,
    names: Sequence[str],
    samples: dict[str, list[float]],
    skipped: dict[str, str],
    scale: float,
    faults: dict[str, list[float]] | None = None,
    setups: dict[str, tuple[float, str]] | None = None,
) -> list[Row]:
    medians = {name: statistics.median(s) * scale for name, s in samples.items()}
    ref = medians.get(workload.reference)
    ref_samples = samples.get(workload.reference)
    ref_best = min(ref_samples) * scale if ref_samples else None
    rows = []
    for name in names:
        target = workload.targets.get(name)
        if name in skipped:
            note = skipped[name]
            rows.append(
                Row(workload.label, name, workload.unit, None, None, None, None, target, [], note)
            )
            continue
        values = [v * scale for v in samples[name]]
        q1, _, q3 = statistics.quantiles(values, n=4) if len(values) > 1 else (values[0],) * 3
        med = medians[name]
        best = min(values)
        rows.append(
            Row(
                workload.label,
                name,
                workload.unit,
                med,
                (q3 - q1) / med if med else 0.0,
                best,
                med / ref if ref else None,
                target,
                values,
                "reference" if name == workload.reference else "",
                best / ref_best if ref_best else None,
                statistics.median(faults[name]) if faults and faults.get(name) else None,
            )
        )
        if setups and name in setups:
            rows[-1].setup_s, rows[-1].setup_note = setups[name]
            per_call = statistics.median(samples[name])
            rows[-1].setup_calls = rows[-1].setup_s / per_call if per_call else None
    return rows


def _num(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}"


def table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| workload | system | median | IQR | min | ratio | min ratio | target | met | faults |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        if r.median is None:
            lines.append(f"| {r.workload} | {r.system} | skipped: {r.note} | | | | | | | |")
            continue
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}"
        best_ratio = "-" if r.best_ratio is None else f"{r.best_ratio:.2f}"
        if r.note == "reference":
            ratio += " (ref)"
            best_ratio += " (ref)"
        target = "" if r.target is None else f"<= {r.target:.2f}"
        met = {None: "", True: "yes", False: "**no**"}[r.met]
        iqr = f"{100 * r.iqr:.0f}%" if r.iqr is not None else ""
        best = "" if r.best is None else _num(r.best)
        faults = "" if r.faults is None else f"{r.faults:.0f}"
        lines.append(
            f"| {r.workload} | {r.system} | {_num(r.median)} {r.unit} | {iqr} | {best} | {ratio} "
            f"| {best_ratio} | {target} | {met} | {faults} |"
        )
    return "\n".join(lines)


def one_offs(rows: Sequence[Row]) -> str:
    """The rows' one-off set-up costs (not in their times), one line each; "" if none."""
    lines = []
    for r in rows:
        if r.setup_s is None:
            continue
        calls = "" if r.setup_calls is None else f", the time of {r.setup_calls:.3g} timed calls"
        lines.append(
            f"- {r.workload}, {r.system}: {_num(r.setup_s * 1e3)} ms once ({r.setup_note}){calls}"
        )
    if not lines:
        return ""
    return "one-off set-up costs, not in the times above:\n" + "\n".join(lines)


# glibc's malloc serves a block from mmap (fresh pages, faulted in when first written) above
# its mmap threshold, and trims the heap's free top above its trim threshold; by default it
# raises both as blocks are freed (up to 32 MiB and 64 MiB), so a step's page faults depend
# on what the process allocated before: W2's hand-written step paid ~400 a step run beside
# agrad alone and none beside torch. Fixed at 64 MiB and twice that, every buffer of W1, W2
# and W4 comes from the heap in every system, and W3's 80 MB arrays from mmap in every one.
MMAP_THRESHOLD = 64 << 20
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)


def glibc() -> tuple[Any, str] | None:
    """This process's C library and its version if it is glibc, else None."""
    try:
        libc = ctypes.CDLL(None)
        version = libc.gnu_get_libc_version
    except (OSError, AttributeError):
        return None
    version.restype = ctypes.c_char_p
    return libc, version().decode()


def steady_allocator() -> str:
    """Fixes glibc's mmap and trim thresholds for this process; says what it did."""
    found = glibc()
    if found is None:
        return "the platform's default (not glibc)"
    libc, version = found
    glibc_name = f"glibc {version}"
    if not (
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    ):
        return f"{glibc_name}'s default (mallopt refused)"
    return (
        f"{glibc_name}, mmap threshold {MMAP_THRESHOLD >> 20} MiB and trim threshold "
        f"{TRIM_THRESHOLD >> 20} MiB (fixed)"
    )


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "agrad": agrad.__version__,
        "threads": {var: os.environ.get(var) for var in THREAD_VARS},
        "load average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name()
    except ImportError:
        pass
    with contextlib.suppress(OSError):  # no git, or not a checkout
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True
        )
        if commit.returncode == 0:
            info["commit"] = commit.stdout.strip()
    return info


# ---------------------------------------------------------------------------------------
# the command line


def _gpu_missing() -> str | None:
    reasons = {name: hn.unavailable(hn.system(name)) for name in wl.GPU_SYSTEMS}
    if any(reason is None for reason in reasons.values()):
        return None
    return "no CUDA GPU on this machine" + "".join(
        f"\n  {name}: {reason}" for name, reason in reasons.items()
    )


def _cannot_run(workload: hn.Workload, name: str) -> str | None:
    """Why system ``name`` cannot run ``workload`` here, or None when it can."""
    sys_ = hn.system(name)
    if sys_.kind not in workload.builders:
        return f"{workload.key} is not written for it"
    return hn.unavailable(sys_)


def split_systems(text: str) -> list[str]:
    """The names in a comma-separated ``--systems`` list; a comma inside parentheses, as in
    ``agrad(numpy, compiled)``, belongs to its name."""
    names, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            names.append(text[start:i])
            start = i + 1
    names.append(text[start:])
    return [name.strip() for name in names if name.strip()]


def main(argv: Sequence[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(
        description="agrad's benchmark suite (issue 7); see docs/performance.md.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument(
        "--workloads",
        default=None,
        help="comma-separated keys: W1,W2,W3,W4,W5 (default: all of them; with --gpu: G2,G3)",
    )
    parser.add_argument(
        "--systems",
        default=None,
        help='comma-separated, e.g. "agrad(numpy),torch.autograd,numpy (by hand)" '
        "(default: each workload's own list; any agrad(<device>) works)",
    )
    parser.add_argument("--gpu", action="store_true", help="the GPU workloads G2 and G3")
    parser.add_argument(
        "--repeats", type=int, default=None, help="timed samples per system (default: per workload)"
    )
    parser.add_argument(
        "--memory-repeats", type=int, default=None, help="fresh processes per system for W5"
    )
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="wall",
        help="wall: elapsed time (default); cpu: the process's CPU time, steadier on a busy "
        "machine (the GPU workloads always use wall)",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and one repeat")
    parser.add_argument("--profile", action="store_true", help="cProfile instead of timing")
    parser.add_argument("--top", type=int, default=30, help="functions per profile listing")
    parser.add_argument("--json", type=Path, default=None, help="also write rows and samples")
    parser.add_argument(
        "--default-allocator",
        action="store_true",
        help="leave glibc's malloc thresholds to adjust themselves (see `steady_allocator`)",
    )
    args = parser.parse_args(argv)

    pool = wl.GPU_WORKLOADS if args.gpu else wl.WORKLOADS
    keys = args.workloads.split(",") if args.workloads else sorted({w.key for w in pool})
    known = {w.key for w in (*wl.WORKLOADS, *wl.GPU_WORKLOADS)}
    if unknown := set(keys) - known:
        parser.error(f"unknown workloads {sorted(unknown)}; choose from {sorted(known)}")
    selected = [w for w in (*wl.WORKLOADS, *wl.GPU_WORKLOADS) if w.key in keys]
    if any(w in wl.GPU_WORKLOADS for w in selected) and (reason := _gpu_missing()):
        print(f"GPU workloads skipped: {reason}")
        selected = [w for w in selected if w not in wl.GPU_WORKLOADS]
        if not selected:
            return []
    wanted = split_systems(args.systems) if args.systems else None
    for name in wanted or ():
        hn.system(name)  # a typo fails here, not after minutes of measuring

    info = machine()
    info["clock"] = args.clock
    info["allocator"] = "left to itself" if args.default_allocator else steady_allocator()
    command = "python benchmarks/run.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    print(f"command: {command.strip()}")
    for key, value in info.items():
        print(f"{key}: {value}")

    rows: list[Row] = []
    for workload in selected:
        names = list(wanted or workload.systems)
        if workload.reference not in names and wanted is None:
            names.append(workload.reference)
        skipped = {n: r for n in names if (r := _cannot_run(workload, n)) is not None}
        runnable = [n for n in names if n not in skipped]
        if workload.memory and (reason := memory.supported()):
            skipped.update(dict.fromkeys(runnable, reason))
            runnable = []
        for name, reason in skipped.items():
            print(f"{workload.label}: skipping {name}: {reason}")
        if not runnable:
            rows += _rows(workload, names, {}, skipped, 1.0)
            continue
        print(f"\n{workload.title}: {', '.join(runnable)}", flush=True)
        if args.profile:
            if workload.memory:
                print("  (no profile: W5 measures memory)")
                continue
            repeats = args.repeats or (1 if args.smoke else workload.repeats)
            profile_workload(workload, runnable, repeats, args.top, smoke=args.smoke)
            continue
        start = time.perf_counter()
        faults: dict[str, list[float]] = {}
        one_off: dict[str, tuple[float, str]] = {}
        scale = workload.scale / workload.divisor(smoke=args.smoke)
        if workload.memory:
            repeats = args.memory_repeats or (1 if args.smoke else workload.repeats)
            samples, setups = memory_workload(workload, runnable, repeats, smoke=args.smoke)
            for name, values in setups.items():
                mb = statistics.median(values) / 2**20
                print(f"  set-up of {name}: {mb:.0f} MB (median)")
        else:
            repeats = args.repeats or (1 if args.smoke else workload.repeats)
            clock = "wall" if workload in wl.GPU_WORKLOADS else args.clock
            samples = time_workload(
                workload,
                runnable,
                repeats,
                smoke=args.smoke,
                clock=clock,
                faults=faults,
                setups=one_off,
            )
        new = _rows(workload, names, samples, skipped, scale, faults, one_off)
        print(f"  {repeats} repeats in {time.perf_counter() - start:.0f} s")
        print(table(new), flush=True)
        if once := one_offs(new):
            print(once, flush=True)
        rows += new

    if rows:
        if hasattr(os, "getloadavg"):
            print(f"\nload average at the end: {os.getloadavg()}")
        print(f"\n## All results ({command.strip()})\n")
        print(table(rows))
        if once := one_offs(rows):
            print(f"\n{once}")
    if args.json:
        args.json.write_text(
            json.dumps({"command": command, "machine": info, "rows": [asdict(r) for r in rows]})
        )
    return rows


if __name__ == "__main__":
    _single_thread_torch()
    main()
