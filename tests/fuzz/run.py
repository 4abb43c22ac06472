"""The thorough profile's driver: run many programs, count every failure class.

    python tests/fuzz/run.py --programs 20000 [--seed 0] [--device numpy|torch:cpu]
                             [--max-steps 8] [--exclude-known] [--report FILE]

Program ``i`` is generated from seed ``seed + i`` (so ``--seed I --programs 1`` replays
it). Each failing program is shrunk (steps and outputs dropped while the failure keeps its
class); the first one of each class is printed. The exit status is 1 if any program failed.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz.program import RandomSource, check, generate, minimize


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--programs", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default=None, help="default: numpy, torch:cpu for 20%%")
    parser.add_argument("--max-steps", type=int, default=8)
    parser.add_argument("--exclude-known", action="store_true", help="honour KNOWN_BROKEN")
    parser.add_argument("--report", default=None, help="also write the report to this file")
    args = parser.parse_args(argv)
    exclude: set[str] = set()
    if args.exclude_known:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from test_fuzz import KNOWN_BROKEN

        exclude = set(KNOWN_BROKEN)
    statuses: collections.Counter[str] = collections.Counter()
    classes: collections.Counter[str] = collections.Counter()
    refusals: collections.Counter[str] = collections.Counter()
    others: collections.Counter[str] = collections.Counter()  # both refused, or skipped
    first: dict[str, str] = {}
    start = time.perf_counter()
    for i in range(args.programs):
        seed = args.seed + i
        src = RandomSource(seed)
        prog = generate(src, exclude=exclude, device=args.device, max_steps=args.max_steps)
        verdict = check(prog)
        statuses[verdict.status] += 1
        if verdict.status == "refuse":
            refusals[verdict.kind] += 1
        elif verdict.status in ("agree-error", "skip"):
            others[f"{verdict.status}: {verdict.kind}"] += 1
        if verdict.failed:
            classes[verdict.kind] += 1
            if verdict.kind not in first:
                small = minimize(prog, verdict.kind)
                again = check(small)
                first[verdict.kind] = f"seed {seed}\n{small.describe()}\n{again.detail[:2000]}"
                print(f"[{i}] new failure class: {verdict.kind} (seed {seed})", flush=True)
        if (i + 1) % 1000 == 0:
            print(f"[{i + 1}] {dict(statuses)} {time.perf_counter() - start:.0f}s", flush=True)
    elapsed = time.perf_counter() - start
    lines = [
        f"{args.programs} programs in {elapsed:.0f}s: {dict(statuses)}",
        f"{sum(classes.values())} failures in {len(classes)} classes",
    ]
    lines += [f"  {n:5d}  {k}" for k, n in classes.most_common()]
    lines.append("refusals (agrad's clear error where torch runs):")
    lines += [f"  {n:5d}  {k}" for k, n in refusals.most_common()]
    lines.append("both refused (agrad's error, torch's error) and skipped, by kind:")
    lines += [f"  {n:5d}  {k}" for k, n in others.most_common()]
    for k, text in first.items():
        lines += ["", f"=== {k}", text]
    report = "\n".join(lines)
    print(report)
    if args.report:
        Path(args.report).write_text(report + "\n")
    return 1 if classes else 0


if __name__ == "__main__":
    sys.exit(main())
