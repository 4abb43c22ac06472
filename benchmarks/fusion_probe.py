"""How far fusing W3's elementwise gradient into one pass can go, on one thread (issue 24).

W3 is ``loss = sum(sin(x) exp(-x^2) + x^3)`` and its gradient over 10^7 float64; its target
for ``agrad.compile`` is 0.25x the hand-written NumPy gradient, which makes ~12 passes over
memory. This probe times, in one process, interleaved, medians:

- ``numpy (by hand)``: workloads.py's hand-written gradient, the baseline;
- ``numba (one loop)``: loss and gradient in one ``numba.njit`` loop (what
  ``agrad.compile(fuse=True)`` generates for the gradient), if numba is installed;
- ``numexpr (two expressions)``: loss and gradient as two ``numexpr.evaluate`` calls, if
  numexpr is installed.

Neither library is a dependency of agrad; install them in a scratch environment
(``pip install numba numexpr``) to run this. Results are checked against the hand-written
ones before timing.

    python benchmarks/fusion_probe.py            # 10^7 elements, 9 rounds
    python benchmarks/fusion_probe.py --n 100000 --rounds 3
"""

from __future__ import annotations

# ruff: noqa: E402 - the imports follow the thread settings above on purpose
import os

for _v in ("OMP_NUM_THREADS", "NUMBA_NUM_THREADS", "NUMEXPR_MAX_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import importlib.util
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

Fn = Callable[[np.ndarray], tuple[float, np.ndarray]]


def by_hand(x: np.ndarray) -> tuple[float, np.ndarray]:
    """workloads.py's ``w3_by_hand``: NumPy, ``x*x*x`` for ``x**3``."""
    x2 = x * x
    e = np.exp(-x2)
    s = np.sin(x)
    loss = float((s * e + x2 * x).sum())
    return loss, (np.cos(x) - 2 * x * s) * e + 3 * x2


def numba_loop() -> Fn | None:
    if importlib.util.find_spec("numba") is None:
        return None
    import numba

    @numba.njit(cache=False)
    def fused(x: Any, g: Any) -> float:  # pragma: no cover - compiled by numba
        loss = 0.0
        for i in range(x.shape[0]):
            xi = x[i]
            x2 = xi * xi
            e = np.exp(-x2)
            s = np.sin(xi)
            loss += s * e + x2 * xi
            g[i] = (np.cos(xi) - 2 * xi * s) * e + 3 * x2
        return loss

    def run(x: np.ndarray) -> tuple[float, np.ndarray]:
        g = np.empty_like(x)
        return float(fused(x, g)), g

    return run


def numexpr_pair() -> Fn | None:
    if importlib.util.find_spec("numexpr") is None:
        return None
    import numexpr

    numexpr.set_num_threads(1)

    def run(x: np.ndarray) -> tuple[float, np.ndarray]:
        loss = float(numexpr.evaluate("sum(sin(x) * exp(-x*x) + x*x*x)"))
        g = numexpr.evaluate("(cos(x) - 2*x*sin(x)) * exp(-x*x) + 3*x*x")
        return loss, g

    return run


def systems() -> dict[str, Fn]:
    found: dict[str, Fn] = {"numpy (by hand)": by_hand}
    for name, make in (
        ("numba (one loop)", numba_loop),
        ("numexpr (two expressions)", numexpr_pair),
    ):
        fn = make()
        if fn is not None:
            found[name] = fn
    return found


def measure(n: int, rounds: int) -> dict[str, list[float]]:
    """Seconds per call of each system, every round, after checking it against the baseline."""
    x = np.random.default_rng(0).uniform(-2.0, 2.0, n)
    found = systems()
    want_loss, want_grad = by_hand(x)
    for name, fn in found.items():
        loss, grad = fn(x)  # (also numba's compile, outside the timing)
        if not np.isclose(loss, want_loss, rtol=1e-9) or not np.allclose(
            grad, want_grad, rtol=1e-12, atol=1e-12
        ):
            msg = f"{name} disagrees with the hand-written gradient"
            raise AssertionError(msg)
    times: dict[str, list[float]] = {name: [] for name in found}
    for _ in range(rounds):
        for name, fn in found.items():
            start = time.perf_counter()
            fn(x)
            times[name].append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10**7)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    times = measure(args.n, args.rounds)
    base = statistics.median(times["numpy (by hand)"])
    fastest = min(times["numpy (by hand)"])
    # the hand-written gradient's fresh 80 MB arrays meet page faults in bursts: its samples
    # can fall into a slow group, so the fastest samples are compared too
    for name, t in times.items():
        med = statistics.median(t)
        print(
            f"{name:28s} {med * 1e3:9.1f} ms  {med / base:5.2f}x hand ({min(t) / fastest:.2f}x min)"
        )
    if len(times) == 1:
        print("(numba and numexpr are not installed: `pip install numba numexpr`)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
