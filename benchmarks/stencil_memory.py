"""Peak memory of a time-stepping solver written with slice updates in place, against the
same solver written out of place (issue 27): copy-on-write must keep no more alive than the
graph needs.

    python benchmarks/stencil_memory.py [--steps 1000] [--cells 20000] [--repeats 5]

Each measurement runs in a fresh process (``--one in-place|out-of-place``), the two variants
interleaved, with ``MALLOC_MMAP_THRESHOLD_=65536`` so that freed buffers leave the resident
set (see ``memory.py``). One measurement: the peak RSS of forward plus backward, over the
RSS after the set-up. Prints the medians and their ratio, and both gradients' agreement.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
from memory import CLEAR_REFS, _status_kb, supported

DX, DT, DIFFUSIVITY = 0.1, 0.002, 0.5


def _in_place(agrad: Any, u0: Any, rate: Any, inflow: Any, steps: int) -> Any:
    u = u0 * 1.0
    for _ in range(steps):
        flux = -DIFFUSIVITY * (u[1:] - u[:-1]) / DX
        reaction = rate * u * (1.0 - u)  # saves u: each update below writes into it
        u[1:-1] += DT * (-(flux[1:] - flux[:-1]) / DX + reaction[1:-1])
        u[0] = inflow
        u[-1] = u[-2]
    return u


def _out_of_place(agrad: Any, u0: Any, rate: Any, inflow: Any, steps: int) -> Any:
    u = u0 * 1.0
    for _ in range(steps):
        flux = -DIFFUSIVITY * (u[1:] - u[:-1]) / DX
        reaction = rate * u * (1.0 - u)
        inner = u[1:-1] + DT * (-(flux[1:] - flux[:-1]) / DX + reaction[1:-1])
        u = agrad.concat([agrad.reshape(inflow, (1,)), inner, inner[-1:]])
    return u


def one(variant: str, steps: int, cells: int) -> dict[str, Any]:
    import agrad

    solver = _in_place if variant == "in-place" else _out_of_place
    grid = np.linspace(0.0, 1.0, cells)
    u0 = agrad.tensor(0.5 + 0.4 * np.sin(6.0 * grid), requires_grad=True)
    rate = agrad.tensor(1.5, requires_grad=True)
    inflow = agrad.tensor(0.3, requires_grad=True)
    gc.collect()
    before = _status_kb("VmRSS")
    CLEAR_REFS.write_text("5")  # VmHWM := VmRSS
    agrad.sum(solver(agrad, u0, rate, inflow, steps) ** 2).backward()
    peak = _status_kb("VmHWM")
    return {
        "variant": variant,
        "peak": (peak - before) * 1024,
        "grads": [float(rate.grad), float(inflow.grad), float(agrad.sum(u0.grad))],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--cells", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--one", choices=["in-place", "out-of-place"])
    args = parser.parse_args(argv)
    if reason := supported():
        sys.exit(f"stencil memory: {reason}")
    if args.one:
        print(json.dumps(one(args.one, args.steps, args.cells)))
        return
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536", "OMP_NUM_THREADS": "1"}
    runs: dict[str, list[dict[str, Any]]] = {"in-place": [], "out-of-place": []}
    for _ in range(args.repeats):
        for variant in runs:
            cmd = [sys.executable, str(Path(__file__)), "--one", variant]
            cmd += ["--steps", str(args.steps), "--cells", str(args.cells)]
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
            runs[variant].append(json.loads(out.stdout))
    medians = {v: statistics.median(r["peak"] for r in rs) for v, rs in runs.items()}
    buffer = args.cells * 8
    for v, m in medians.items():
        print(f"{v:13s} peak over set-up: {m / 2**20:8.1f} MiB ({m / buffer:7.1f} buffers)")
    print(f"ratio in-place / out-of-place: {medians['in-place'] / medians['out-of-place']:.2f}")
    ga, gb = runs["in-place"][0]["grads"], runs["out-of-place"][0]["grads"]
    print(f"gradients agree: {np.allclose(ga, gb, rtol=1e-10)} ({ga} vs {gb})")


if __name__ == "__main__":
    main()
