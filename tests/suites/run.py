"""Run SciPy's and array-api-extra's own test suites with agrad as the array library.

SciPy's xp-parametrised tests ship in the SciPy wheel; array-api-extra's tests are in its
sdist, which this script downloads once with ``pip download`` (needs meson-python, meson and
ninja: ``pip install meson-python meson ninja``) into ``$AGRAD_SUITES_CACHE`` (default
``~/.cache/agrad-suites``) and never copies into the repo. Each run is a pytest subprocess with
the ``agrad_suite_plugin`` beside this file, which swaps the suite's ``xp`` fixture for agrad
on one device (agrad posing as the device's native backend, so the suite's skip/xfail markers
for that backend apply) -- or, with ``--native``, runs the suite unchanged on the native
backend as the baseline, on the same selection. Outcomes go to JSON files under
``$AGRAD_SUITES_OUT`` (default ``/tmp/agrad-suites``).

    python tests/suites/run.py run scipy.special --device torch:cpu      # one module, agrad
    python tests/suites/run.py run scipy.special --device torch:cpu --native   # its baseline
    python tests/suites/run.py run array_api_extra --device numpy
    python tests/suites/run.py matrix                  # every module x device, both modes
    python tests/suites/run.py table                   # the table of what has been run
    python tests/suites/run.py check scipy.special --device numpy   # vs expected/<device>.txt

``check`` runs the module on agrad and compares its failures with the expected list for the
device (``expected/<device>.txt``: ``<module>::<test id>  # reason`` per line): an unexpected
failure, or a listed test that does not fail, makes it exit 1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "expected"
DEVICES = ("numpy", "torch:cpu", "jax:cpu", "array_api_strict", "dask")
SCIPY_MODULES = (
    "scipy.special",
    "scipy.stats",
    "scipy.fft",
    "scipy.signal",
    "scipy.cluster",
    "scipy.integrate",
    "scipy.linalg",
    "scipy.ndimage",
)
EXTRA = "array_api_extra"
MODULES = (*SCIPY_MODULES, EXTRA)
#: agrad backend -> SciPy's backend id (SCIPY_ARRAY_API selection)
SCIPY_IDS = {
    "numpy": "numpy",
    "torch": "torch",
    "jax": "jax.numpy",
    "array_api_strict": "array_api_strict",
    "dask": "dask.array",
}
INI = "[pytest]\naddopts =\n"


def out_dir() -> Path:
    return Path(os.environ.get("AGRAD_SUITES_OUT", "/tmp/agrad-suites"))


def cache_dir() -> Path:
    return Path(os.environ.get("AGRAD_SUITES_CACHE", Path.home() / ".cache" / "agrad-suites"))


class FetchError(RuntimeError):
    """array-api-extra's sdist could not be downloaded."""


def extra_version() -> str:
    import array_api_extra

    return str(array_api_extra.__version__)


def fetch_extra() -> Path:
    """The unpacked sdist of the installed array-api-extra version, downloading it once."""
    version = extra_version()
    root = cache_dir() / f"array_api_extra-{version}"
    if (root / "tests" / "main" / "conftest.py").exists():
        return root
    cache_dir().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        spec = f"array-api-extra=={version}"
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
               "--no-build-isolation", spec, "-d", tmp, "--quiet"]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        found = list(Path(tmp).glob("array_api_extra-*.tar.gz"))
        if done.returncode != 0 or not found:
            msg = (
                f"pip download of array-api-extra=={version}'s sdist failed (it needs "
                f"meson-python, meson and ninja installed): {done.stderr.strip()[-500:]}"
            )
            raise FetchError(msg)
        prefix = f"array_api_extra-{version}/"
        with tarfile.open(found[0]) as tar:
            members = [
                m
                for m in tar.getmembers()
                if m.isfile() and m.name.startswith((prefix + "tests/", prefix + "pyproject"))
            ]
            tar.extractall(cache_dir(), members=members, filter="data")
    return root


def label(device: str, native: bool) -> str:
    backend = device.split(":")[0]
    return f"native-{backend}" if native else device


def result_path(module: str, device: str, native: bool) -> Path:
    return out_dir() / module / f"{label(device, native).replace(':', '-')}.json"


def run(
    module: str, device: str, *, native: bool = False, extra_args: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Run one module on one device (agrad, or the native backend); return the results."""
    backend = device.split(":")[0]
    report = result_path(module, device, native)
    report.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH"), str(HERE)]))
    env.setdefault("OMP_NUM_THREADS", "1")
    env["AGRAD_SUITE_REPORT"] = str(report)
    env.pop("AGRAD_SUITE_DEVICE", None)
    env.pop("AGRAD_SUITE_NATIVE", None)
    if native:
        env["AGRAD_SUITE_NATIVE"] = backend
    else:
        env["AGRAD_SUITE_DEVICE"] = device
    base = [sys.executable, "-m", "pytest", "-p", "agrad_suite_plugin", "-p", "no:cacheprovider",
            "-p", "no:agrad", "-q", "--tb=no", "-o", "console_output_style=classic"]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        if module == EXTRA:
            cwd = fetch_extra()
            cmd = [*base, "tests/main", *extra_args]
        else:
            cwd = Path(tmp)
            (cwd / "pytest.ini").write_text(INI)
            env["SCIPY_ARRAY_API"] = json.dumps([SCIPY_IDS[backend]])
            cmd = [*base, "--pyargs", module, "-m", "array_api_backends", *extra_args]
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
    if not report.exists():
        msg = (
            f"{' '.join(cmd)} wrote no report (exit {done.returncode}):\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
        raise RuntimeError(msg)
    data = json.loads(report.read_text())
    data.update(
        module=module, device=device, mode="native" if native else "agrad", wall_s=round(wall, 1)
    )
    data["summary"] = done.stdout.strip().splitlines()[-1:] if done.stdout.strip() else []
    report.write_text(json.dumps(data, indent=0, sort_keys=True))
    return data


def counts(data: dict[str, Any]) -> dict[str, int]:
    c: dict[str, int] = {}
    for v in data["outcomes"].values():
        c[v] = c.get(v, 0) + 1
    return c


def failures(data: dict[str, Any]) -> set[str]:
    return {k for k, v in data["outcomes"].items() if v == "failed"}


def load(module: str, device: str, native: bool) -> dict[str, Any] | None:
    path = result_path(module, device, native)
    return json.loads(path.read_text()) if path.exists() else None


def table(devices: tuple[str, ...] = DEVICES, modules: tuple[str, ...] = MODULES) -> str:
    """A Markdown table: passed / failed per module and device, agrad's run first and the
    native library's in brackets (``-`` where a run has not been made)."""

    def cell(module: str, device: str, native: bool) -> tuple[int, int] | None:
        data = load(module, device, native)
        if data is None:
            return None
        c = counts(data)
        return c.get("passed", 0) + c.get("xpassed", 0), c.get("failed", 0)

    def show(pair: tuple[int, int] | None) -> str:
        return "-" if pair is None else f"{pair[0]} / {pair[1]}"

    rows = ["| module | " + " | ".join(devices) + " |", "|---|" + "---|" * len(devices)]
    totals: dict[tuple[str, bool], list[int]] = {}
    for module in modules:
        cells = []
        for device in devices:
            ours, theirs = cell(module, device, False), cell(module, device, True)
            cells.append("-" if ours is theirs is None else f"{show(ours)} ({show(theirs)})")
            for native, pair in ((False, ours), (True, theirs)):
                if pair is not None and ours is not None and theirs is not None:
                    t = totals.setdefault((device, native), [0, 0])
                    t[0] += pair[0]
                    t[1] += pair[1]
        rows.append(f"| {module} | " + " | ".join(cells) + " |")
    total = []
    for device in devices:
        ours, theirs = totals.get((device, False)), totals.get((device, True))
        total.append(
            f"{show(None if ours is None else (ours[0], ours[1]))} "
            f"({show(None if theirs is None else (theirs[0], theirs[1]))})"
        )
    rows.append("| all measured in both | " + " | ".join(total) + " |")
    return "\n".join(rows)


def expected(device: str) -> dict[str, str]:
    """``module::test id`` -> reason, from ``expected/<device>.txt``."""
    path = EXPECTED / f"{device.replace(':', '-')}.txt"
    out: dict[str, str] = {}
    if not path.exists():
        return out
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, reason = line.partition("  # ")
        out[key.strip()] = reason.strip()
    return out


def compare(module: str, device: str, data: dict[str, Any]) -> list[str]:
    """What differs between the run's failures and the expected list (empty: as expected)."""
    listed = {k.split("::", 1)[1] for k in expected(device) if k.split("::", 1)[0] == module}
    failed = failures(data)
    problems = [f"unexpected failure: {module}::{t}  ({data['messages'].get(t, '')})"
                for t in sorted(failed - listed)]  # fmt: skip
    problems += [f"listed but {data['outcomes'].get(t, 'not run')}: {module}::{t}"
                 for t in sorted(listed - failed)]  # fmt: skip
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_run = sub.add_parser("run", help="run one module on one device")
    p_run.add_argument("module", choices=MODULES)
    p_run.add_argument("--device", default="numpy", choices=DEVICES)
    p_run.add_argument("--native", action="store_true", help="the native backend's baseline")
    p_run.add_argument("pytest_args", nargs="*")
    p_mx = sub.add_parser("matrix", help="every module x device, agrad and native")
    p_mx.add_argument("--devices", nargs="*", default=list(DEVICES))
    p_mx.add_argument("--modules", nargs="*", default=list(MODULES))
    p_mx.add_argument("--skip-done", action="store_true", help="keep results already there")
    sub.add_parser("table", help="print the table of the results under $AGRAD_SUITES_OUT")
    p_ck = sub.add_parser("check", help="run on agrad and compare with expected/<device>.txt")
    p_ck.add_argument("module", choices=MODULES)
    p_ck.add_argument("--device", default="numpy", choices=DEVICES)
    args = parser.parse_args(argv)

    if args.cmd == "table":
        print(table())
        return 0
    if args.cmd == "run":
        data = run(args.module, args.device, native=args.native, extra_args=tuple(args.pytest_args))
        print(args.module, label(args.device, args.native), counts(data), f"{data['wall_s']} s")
        return 0
    if args.cmd == "matrix":
        for module in args.modules:
            for device in args.devices:
                for native in (False, True):
                    if args.skip_done and result_path(module, device, native).exists():
                        continue
                    data = run(module, device, native=native)
                    print(
                        module,
                        label(device, native),
                        counts(data),
                        f"{data['wall_s']} s",
                        flush=True,
                    )
        print(table())
        return 0
    data = run(args.module, args.device)
    problems = compare(args.module, args.device, data)
    print(args.module, args.device, counts(data), f"{data['wall_s']} s")
    print("\n".join(problems) or "as expected")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
