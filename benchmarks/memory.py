"""W5's measurement in one fresh process: the memory one training step adds over its set-up.

    python benchmarks/memory.py "agrad(numpy)" [--smoke]

prints one line of JSON, ``{"system": ..., "setup": bytes, "step": bytes}``. `run.py` starts
this script once per system and repeat, so no system inherits another's memory.

What is measured is the resident set size (RSS) the kernel counts for the process, the one
number that sees NumPy's buffers, torch's CPU allocator and agrad's Python objects alike:

1. a warm-up step on a model of the same size that is then thrown away, so libraries' lazy
   one-off allocations (BLAS buffers, imports) are not charged to the step;
2. the set-up: parameters, batch and labels on the system's device; ``setup`` is the RSS it
   adds;
3. the peak RSS (``VmHWM``) is reset to the current RSS by writing ``5`` to
   ``/proc/self/clear_refs`` (Linux >= 4.0), one step runs, and ``step`` is the peak minus
   the RSS before it.

The parent runs this with ``MALLOC_MMAP_THRESHOLD_=65536``: glibc then serves every
allocation over 64 KiB by ``mmap`` and gives it back to the kernel on ``free``, so the RSS
follows the live arrays instead of what the allocator keeps cached (by default glibc raises
its threshold after a large free, up to 32 MiB, and keeps such blocks in its heap).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path
from typing import Any

import workloads as wl

STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kb(field: str) -> int:
    for line in STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    msg = f"no {field!r} in {STATUS}"
    raise RuntimeError(msg)


def supported() -> str | None:
    """Why this measurement cannot run here, or None when it can."""
    if not STATUS.exists() or not CLEAR_REFS.exists():
        return "needs Linux's /proc/self/status and /proc/self/clear_refs"
    try:
        CLEAR_REFS.write_text("5")
        _status_kb("VmHWM")
    except (OSError, RuntimeError) as exc:
        return f"cannot reset the peak RSS: {exc}"
    return None


def measure(name: str, *, smoke: bool = False) -> dict[str, Any]:
    """Bytes of RSS that the set-up and then one training step of W5 add, on `name`."""
    workload = next(w for w in wl.WORKLOADS if w.memory)
    warm = workload.build(name, smoke=smoke)
    warm.run()
    warm.sync()
    del warm
    gc.collect()

    before_setup = _status_kb("VmRSS")
    case = workload.build(name, smoke=smoke)
    case.sync()
    gc.collect()
    before_step = _status_kb("VmRSS")
    CLEAR_REFS.write_text("5")  # VmHWM := VmRSS
    grads = case.run()
    case.sync()
    peak = _status_kb("VmHWM")
    del grads
    return {
        "system": name,
        "setup": (before_step - before_setup) * 1024,
        "step": (peak - before_step) * 1024,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("system", help='e.g. "agrad(numpy)" or "numpy (by hand)"')
    parser.add_argument("--smoke", action="store_true", help="a tiny model, for the tests")
    args = parser.parse_args(argv)
    if reason := supported():
        sys.exit(f"W5: {reason}")
    if args.system.startswith(("agrad(torch", "torch")):
        import torch

        torch.set_num_threads(1)
    print(json.dumps(measure(args.system, smoke=args.smoke)))


if __name__ == "__main__":
    main()
