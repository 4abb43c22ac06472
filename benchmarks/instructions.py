"""Instructions per call of one workload's system, counted by valgrind's callgrind.

Timings on a shared machine swing by half from minute to minute, so comparing two
versions of the engine by time needs many interleaved runs. Instruction counts are the
same from run to run (with a fixed ``PYTHONHASHSEED``): this script runs the workload
``--calls`` times and twice that, each in a fresh process under callgrind, and prints
the difference per call, which leaves out start-up and imports. Counts are not times (a
cache miss costs more than an addition) and do not compare different libraries; they
tell whether a change to agrad made its own work smaller.

    python benchmarks/instructions.py W1                       # agrad(numpy)
    PYTHONPATH=/path/to/other/checkout python benchmarks/instructions.py W4

Needs valgrind (``apt install valgrind``). With ``--run K`` it only runs the workload
K times, which is what callgrind is given to run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def collected(stderr: str) -> int:
    """The instruction total callgrind prints at exit ("Collected : N")."""
    match = _COLLECTED.search(stderr)
    if match is None:
        msg = f"callgrind printed no instruction total:\n{stderr[-2000:]}"
        raise RuntimeError(msg)
    return int(match.group(1))


def count(key: str, system: str, calls: int) -> int:
    """Instructions of a fresh process that runs ``key`` on ``system`` ``calls`` times."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1"}
    env["OPENBLAS_NUM_THREADS"] = env["MKL_NUM_THREADS"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={tmp}/out",
            sys.executable,
            str(Path(__file__).resolve()),
            key,
            "--system",
            system,
            "--run",
            str(calls),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        msg = f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}"
        raise RuntimeError(msg)
    return collected(proc.stderr)


def _run(key: str, system: str, calls: int) -> None:
    sys.path.insert(0, str(HERE))
    import workloads

    matches = [w for w in workloads.WORKLOADS if w.key == key]
    if not matches:
        keys = sorted({w.key for w in workloads.WORKLOADS})
        msg = f"unknown workload {key!r}; choose one of {', '.join(keys)}"
        raise SystemExit(msg)
    case = matches[0].build(system)
    for _ in range(calls):
        case.run()
    case.sync()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", help="W1, W2, W3 or W4 (the first row of W1: 1 element)")
    parser.add_argument("--system", default="agrad(numpy)")
    parser.add_argument("--calls", type=int, default=5, help="calls in the shorter run")
    parser.add_argument("--run", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run is not None:
        _run(args.workload, args.system, args.run)
        return
    short = count(args.workload, args.system, args.calls)
    long = count(args.workload, args.system, 2 * args.calls)
    per_call = (long - short) / args.calls
    print(f"{args.workload} on {args.system}: {per_call:,.0f} instructions per call")


if __name__ == "__main__":
    main()
