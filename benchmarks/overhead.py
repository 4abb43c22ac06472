"""Per-op overhead: a chain of elementwise ops on a tiny array, forward + backward.

agrad (NumPy device) against torch.autograd on the CPU, in one process, interleaved,
single-threaded; prints the median microseconds per op of each and their ratio.

    python benchmarks/overhead.py [--ops 1000] [--repeats 21] [--size 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

import agrad

CYCLE = 5  # multiply, add, sin, exp, tanh


def _chain(y: Any, c: Any, sin: Any, exp: Any, tanh: Any, n_ops: int) -> Any:
    for i in range(n_ops):
        k = i % CYCLE
        if k == 0:
            y = y * c
        elif k == 1:
            y = y + c
        elif k == 2:
            y = sin(y)
        elif k == 3:
            y = exp(y)
        else:
            y = tanh(y)
    return y


def chain_agrad(x0: np.ndarray, n_ops: int) -> float:
    x = agrad.tensor(x0, requires_grad=True)
    c = agrad.asarray(np.full_like(x0, 0.5))
    start = time.perf_counter()
    y = _chain(x, c, agrad.sin, agrad.exp, agrad.tanh, n_ops)
    agrad.sum(y).backward()
    return time.perf_counter() - start


def chain_torch(x0: np.ndarray, n_ops: int) -> float:
    import torch

    x = torch.tensor(x0, requires_grad=True)
    c = torch.full_like(x, 0.5)
    start = time.perf_counter()
    y = _chain(x, c, torch.sin, torch.exp, torch.tanh, n_ops)
    y.sum().backward()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--size", type=int, default=1)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    x0 = np.random.default_rng(0).uniform(0.1, 0.5, args.size)
    systems = {"agrad(numpy)": chain_agrad, "torch.autograd": chain_torch}
    times: dict[str, list[float]] = {name: [] for name in systems}
    for fn in systems.values():  # warm-up
        fn(x0, args.ops)
    for _ in range(args.repeats):
        for name, fn in systems.items():  # interleaved
            times[name].append(fn(x0, args.ops))
    per_op = {name: statistics.median(t) / args.ops * 1e6 for name, t in times.items()}
    print(f"chain of {args.ops} ops on {args.size} float64 element(s), {args.repeats} repeats")
    for name, us in per_op.items():
        print(f"  {name:16s} {us:7.2f} us/op (median)")
    ratio = per_op["agrad(numpy)"] / per_op["torch.autograd"]
    print(f"  ratio agrad/torch: {ratio:.2f} (goal <= 0.60)")


if __name__ == "__main__":
    main()
