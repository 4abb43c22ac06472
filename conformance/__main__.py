"""``python -m agrad.conformance``: check agrad's rules against torch.autograd.

Prints a table (function x device: examples, worst absolute and relative error, status)
and exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import sys

from agrad.conformance.check import check_spec
from agrad.conformance.specs import SPECS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agrad.conformance", description=__doc__)
    parser.add_argument("--device", default="numpy", help="comma-separated agrad devices")
    parser.add_argument("--functions", default="", help="comma-separated function names")
    parser.add_argument("--order", type=int, default=2, choices=(1, 2, 3))
    parser.add_argument("--max-examples", type=int, default=3, help="examples per input shape")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        import torch  # noqa: F401
    except ImportError:
        print('The oracle needs PyTorch: pip install "agrad[torch]"', file=sys.stderr)
        return 2
    wanted = {f for f in args.functions.split(",") if f}
    specs = [s for s in SPECS if not wanted or s.name in wanted]
    devices = [d for d in args.device.split(",") if d]
    print(
        f"agrad conformance: {len(specs)} specs x {len(devices)} device(s), "
        f"order <= {args.order}, seed {args.seed}"
    )
    header = (
        f"{'function':34s} {'device':10s} {'examples':>8s} "
        f"{'worst abs':>10s} {'worst rel':>10s}  status"
    )
    print(header)
    print("-" * len(header))
    failed = 0
    for spec in specs:
        for device in devices:
            r = check_spec(
                spec, device=device, order=args.order, examples=args.max_examples, seed=args.seed
            )
            status = "ok" if r.ok else f"FAIL {r.error}"
            failed += not r.ok
            print(
                f"{r.spec:34s} {device:10s} {r.examples:8d} "
                f"{r.worst_abs:10.2e} {r.worst_rel:10.2e}  {status}"
            )
    print("-" * len(header))
    print(f"{len(specs) * len(devices) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
