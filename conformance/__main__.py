"""``python -m agrad.conformance``: prove agrad's gradients on this machine's devices.

Every spec (or those chosen, or those of the rules a module registers) on every device, in
every dtype it defines, to first and second order, against torch.autograd (CPU, float64)
or finite differences. Prints a table — function x device: examples, worst absolute and
relative error, status — and the minimal failing examples as runnable snippets; exits 1 on
any failure. The default run is quick (a few examples per spec on the fast devices, one on
the slow ones, seed 0); --thorough searches longer, from a random seed.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import secrets
import sys
import time
from pathlib import Path

from agrad.conformance import report
from agrad.conformance.checks import COMPILED_BACKENDS, REPLAY_CALLS, check_compiled
from agrad.conformance.specs import ALL_DTYPES, select
from agrad.conformance.suite import (
    COMPILED_COST,
    COST,
    COST_OTHER,
    QUICK_DTYPES,
    default_convention,
    default_devices,
    default_dtypes,
    default_examples,
    dtypes_for,
    module_specs,
    prepare,
    run_suite,
    supported_dtypes,
)

import agrad

EPILOG = """\
examples:
  python -m agrad.conformance                       # every installed CPU device, quick
  python -m agrad.conformance --thorough            # 25 examples each, a random seed
  python -m agrad.conformance --module mypkg.rules  # the rules mypkg.rules registers
  python -m agrad.conformance --device numpy
  python -m agrad.conformance --device numpy,torch:cpu --functions sin,matmul --order 1
  python -m agrad.conformance --category linalg --max-examples 50 --report linalg.html
  python -m agrad.conformance --functions sum --seed 1234   # replay a printed seed
  python -m agrad.conformance --compiled replay     # agrad.compile's replays (numpy, torch)
  python -m agrad.conformance --compiled fuse --functions sin,exp --max-examples 3

Known failures per device are listed in xfails-<device>.txt beside the kit (':' as '-'),
the same lists the test suite reads.
"""


def _seed(text: str) -> int | None:
    if text == "random":
        return None
    try:
        return int(text)
    except ValueError:
        msg = f"expected an integer or 'random', got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


def _split(text: str | None) -> list[str] | None:
    if not text:
        return None
    return [t.strip() for t in text.split(",") if t.strip()]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m agrad.conformance",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--device",
        help="comma-separated agrad devices (default: every installed CPU device)",
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--functions", help="comma-separated function names or spec ids")
    which.add_argument("--category", help="comma-separated categories (elementwise, linalg, ...)")
    which.add_argument(
        "--module",
        help="import MODULE and check every rule it registers (agrad.extend.register) and "
        "every spec in its SPECS list",
    )
    p.add_argument(
        "--dtypes",
        help="comma-separated dtypes (default: float64,float32,complex128,complex64 where defined)",
    )
    p.add_argument("--order", type=int, choices=(1, 2), default=2, help="highest order (2)")
    p.add_argument(
        "--max-examples",
        type=int,
        help="examples per function, device and dtype (default: 3 on numpy and torch:cpu, "
        "1 elsewhere; twice that at --order 1; 25 with --thorough)",
    )
    p.add_argument(
        "--thorough",
        action="store_true",
        help="the long run: 25 examples per function, device and dtype, a random seed",
    )
    p.add_argument(
        "--seed",
        type=_seed,
        default=argparse.SUPPRESS,
        help="the run's seed, or 'random' (default: 0; random with --thorough)",
    )
    p.add_argument(
        "--oracle",
        choices=("torch", "finite-difference"),
        help="default: torch where a spec has a torch twin, else finite differences",
    )
    p.add_argument(
        "--convention",
        choices=("both", "torch", "jax"),
        help="complex conventions checked: torch's, and JAX's/HIPS autograd's too on complex "
        "examples (both), or one of them (default: both, torch's alone on Dask in a quick run)",
    )
    p.add_argument(
        "--compiled",
        choices=("replay", "fuse"),
        help="also check the gradients agrad.compile replays (on the numpy, torch and jax "
        "devices; numpy and torch are then the default): 'replay' equal to eager's bit for "
        "bit (within the dtype's tolerance on jax, whose plans XLA compiles), 'fuse' with "
        "NumPy's elementwise chains fused into numba loops, within the dtype's tolerance of "
        "eager's where a loop ran",
    )
    p.add_argument(
        "--report", type=Path, action="append", help="write PATH.json or PATH.html (repeatable)"
    )
    p.add_argument("--list", action="store_true", help="list the specs and exit")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the kit from the command line; returns the exit status (0: all passed)."""
    args = _parser().parse_args(argv)

    err = sys.stderr
    try:
        if args.module:
            specs, unchecked = module_specs(args.module)
        else:
            specs, unchecked = select(_split(args.functions), _split(args.category)), []
    except (ValueError, ImportError) as exc:
        print(f"error: {exc}", file=err)
        return 2
    if args.list:
        for s in specs:
            print(f"{s.category:15s} {s.describe()}")
        return 0
    dtypes = _split(args.dtypes)
    unknown = sorted(set(dtypes or ()) - set(ALL_DTYPES))
    if unknown:
        print(f"error: unknown dtypes {unknown}; known: {list(ALL_DTYPES)}", file=err)
        return 2
    devices = _split(args.device) or default_devices()
    if args.compiled and not args.device:  # the default devices that agrad.compile replays
        # (numpy and torch: a JAX device's examples each wait for a jit compile)
        devices = [d for d in devices if agrad.Device(d).backend.name in COMPILED_BACKENDS[:2]]
    prepare(devices)
    for d in devices:
        try:
            agrad.Device(d)
        except Exception as exc:
            print(f"error: device {d!r} is not usable here: {exc}", file=err)
            return 2
        try:
            check_compiled(args.compiled, d)
        except ValueError as exc:
            print(f"error: {exc}", file=err)
            return 2
    if args.compiled == "fuse" and importlib.util.find_spec("numba") is None:
        print('error: --compiled fuse needs numba: pip install "agrad[fuse]"', file=err)
        return 2
    if importlib.util.find_spec("hypothesis") is None:
        print('error: the kit needs hypothesis: pip install "agrad[torch]"', file=err)
        return 2
    oracle = args.oracle
    if oracle != "finite-difference" and importlib.util.find_spec("torch") is None:
        if oracle == "torch":
            print('error: the torch oracle needs PyTorch: pip install "agrad[torch]"', file=err)
            return 2
        print(
            "note: PyTorch is not installed; every spec uses finite differences "
            '(pip install "agrad[torch]" for the torch oracle)',
            file=err,
        )
        oracle = "finite-difference"
    for path in args.report or []:
        if path.suffix not in (".json", ".html"):
            print(f"error: --report takes a .json or .html path, got {str(path)!r}", file=err)
            return 2
    seed = getattr(args, "seed", None if args.thorough else 0)
    if seed is None:
        seed = secrets.randbelow(2**31)
    examples = {
        d: args.max_examples or default_examples(d, order=args.order, thorough=args.thorough)
        for d in devices
    }
    wanted = {d: dtypes or default_dtypes(d, thorough=args.thorough) for d in devices}
    conventions = {
        d: args.convention or default_convention(d, thorough=args.thorough) for d in devices
    }
    steps = {d: sum(len(dtypes_for(s, wanted[d], d)) for s in specs) for d in devices}
    per_device = ", ".join(f"{d} {n}" for d, n in examples.items())
    print(
        f"agrad.conformance: {len(specs)} specs ({len({s.name for s in specs})} functions) x "
        f"{len(devices)} device(s), order <= {args.order}; examples per function and dtype: "
        f"{per_device}"
    )
    again = f"{'--thorough ' if args.thorough else ''}--seed {seed}"
    print(f"seed {seed} (rerun with {again}; --seed random or --thorough for a new search)")
    if args.compiled:
        how = (
            "equal to eager's bit for bit"
            if args.compiled == "replay"
            else "equal to eager's bit for bit, or within the dtype's tolerance where fused "
            "loops ran (on arrays of any size)"
        )
        print(
            f"compiled: {args.compiled}: gradients from agrad.compile's replay (call "
            f"{REPLAY_CALLS - 1} of a compiled gradient step, {REPLAY_CALLS} on jax), checked "
            f"against the oracle and {how}; on jax within the dtype's tolerance (XLA compiles "
            "the whole step)"
        )
    for name in unchecked:
        print(f"note: {name}")
    quick = [d for d in devices if not dtypes and wanted[d]]
    if quick:
        print(
            f"note: {', '.join(quick)}: {', '.join(QUICK_DTYPES)} only in a quick run "
            "(--thorough or --dtypes for all)"
        )
    for d in devices:
        missing = [t for t in (dtypes or ALL_DTYPES) if t not in supported_dtypes(d)]
        if missing:
            print(f"note: {d} does not hold {', '.join(missing)} here; skipped there")
    name_width = max([8, *(len(s.id) for s in specs)])
    device_width = max([6, *(len(d) for d in devices)])
    header = report.table_header(name_width, device_width)
    print(header)
    print("-" * len(header), flush=True)
    # a compiled example runs eagerly, then captures twice and replays
    slower = COMPILED_COST if args.compiled else 1.0
    cost = {d: COST.get(d, COST_OTHER) * n * slower for d, n in examples.items()}
    bar = report.Progress(steps, cost=cost)
    started = time.perf_counter()
    rows = run_suite(
        specs,
        devices,
        dtypes=wanted,
        order=args.order,
        max_examples=examples,
        seed=seed,
        oracle=oracle,
        convention=conventions,
        compiled=args.compiled,
        on_result=lambda r: bar.advance(r.device, f"{r.spec} {r.dtype}"),
        on_row=lambda row: bar.print(report.table_line(row, name_width, device_width)),
    )
    bar.clear()
    seconds = time.perf_counter() - started
    info = report.summary(rows)
    counts = info["by_status"]
    print("-" * len(header))
    eager = f"{counts.get('not replayed', 0)} not replayed, " if args.compiled else ""
    print(
        f"{counts.get('ok', 0)} passed, {info['failed']} failed, {eager}"
        f"{counts.get('xfail', 0)} known failures; {info['functions']} functions x "
        f"{len(devices)} device(s), {info['examples']} examples in {seconds:.1f} s"
    )
    if args.compiled:
        print(
            f"compiled {args.compiled}: {info['replayed']} of {info['examples']} examples "
            f"replayed ({info['fused']} with fused loops); replay vs eager: at most "
            f"{info['replay_rel']:.1e} relative"
        )
    by_device = ", ".join(f"{d} {t:.1f} s" for d, t in bar.seconds.items())
    print(f"time per device: {by_device}")
    for row in rows:
        if row.status != "not replayed":
            continue
        for r in row.results:
            if r.not_replayed is not None:
                print(f"\n== {row.spec.id} on {row.device}, {r.dtype}: not replayed")
                print("agrad.compile ran it eagerly (its eager gradients passed): ", end="")
                print(r.not_replayed.message)
                print("\nreproduce with:\n")
                print(r.not_replayed.snippet)
    for row in rows:
        if not row.failed:
            continue
        for r in row.results:
            if r.failure is None and row.status != "XPASS":
                continue
            print(f"\n== {row.spec.id} on {row.device}, {r.dtype}: {row.status}")
            if r.failure is None:
                print(
                    f"listed as a known failure ({row.xfail}) but passes: remove it from "
                    f"xfails-{row.device.replace(':', '-')}.txt"
                )
                continue
            print(r.failure.message)
            if r.failure.snippet:
                print("\nminimal example, reproduce with:\n")
                print(r.failure.snippet)
    meta = {
        "agrad_version": getattr(agrad, "__version__", ""),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "devices": devices,
        "dtypes": {d: list(wanted[d] or ALL_DTYPES) for d in devices},
        "order": args.order,
        "max_examples": examples,
        "thorough": args.thorough,
        "module": args.module or "",
        "seed": seed,
        "convention": conventions,
        "compiled": args.compiled,
        "seconds": round(seconds, 2),
    }
    for path in args.report or []:
        write = report.write_html if path.suffix == ".html" else report.write_json
        write(path, rows, meta)
        print(f"report: {path}")
    return 1 if info["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
