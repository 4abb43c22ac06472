"""Run HIPS autograd's own test suite, unchanged, on ``agrad.autograd``.

The suite ships in HIPS autograd's sdist on PyPI. This script downloads it once into a cache
(``$AGRAD_HIPS_CACHE``, default ``~/.cache/agrad-hips``) with ``pip download``, unpacks only
its ``tests/`` folder (never HIPS's own package), and runs those files with pytest in a
subprocess, with ``autograd`` resolved to ``agrad.autograd`` by the ``agrad_hips_alias``
plugin beside this file. The results (JUnit XML) are compared with ``xfails.txt``: a test
listed there must fail, any other must pass (or be skipped as HIPS itself skips it, e.g.
without xarray).

    python tests/hips/run.py                 # prints "passed N of M" and the verdict
    python tests/hips/run.py -k test_fft     # extra arguments go to pytest
    python tests/hips/run.py --sdist autograd-1.9.1.tar.gz   # offline, from a file

Exit status 0 when the results match the xfail list, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

VERSION = "1.9.1"
HERE = Path(__file__).resolve().parent
XFAILS = HERE / "xfails.txt"
INI = "[pytest]\naddopts =\n"


def cache_dir() -> Path:
    return Path(os.environ.get("AGRAD_HIPS_CACHE", Path.home() / ".cache" / "agrad-hips"))


def fetch(sdist: Path | None = None) -> Path:
    """The unpacked ``tests/`` folder of HIPS autograd's sdist, downloading it if needed."""
    root = cache_dir() / f"autograd-{VERSION}"
    tests = root / "tests"
    if (tests / "conftest.py").exists():
        return tests
    cache_dir().mkdir(parents=True, exist_ok=True)
    if sdist is None:
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary",
                   ":all:", f"autograd=={VERSION}", "-d", tmp, "--quiet"]  # fmt: skip
            subprocess.run(cmd, check=True)
            (found,) = Path(tmp).glob("autograd-*.tar.gz")
            _unpack(found)
    else:
        _unpack(sdist)
    return tests


def _unpack(sdist: Path) -> None:
    prefix = f"autograd-{VERSION}/tests/"
    with tarfile.open(sdist) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix) and m.isfile()]
        tar.extractall(cache_dir(), members=members, filter="data")


@dataclass
class Results:
    outcome: dict[str, str] = field(default_factory=dict)  # test id -> passed/failed/skipped

    def count(self, kind: str) -> int:
        return sum(1 for v in self.outcome.values() if v == kind)


def parse_junit(path: Path) -> Results:
    res = Results()
    for case in ET.parse(path).iter("testcase"):
        module = case.get("classname", "").split(".")[0]
        name = case.get("name", "")
        # a file that fails to import is one failed entry, named by the file
        tid = f"{module}.py::{name}" if module else f"{name}.py::<collection>"
        kinds = {child.tag for child in case}
        if "skipped" in kinds:
            res.outcome[tid] = "skipped"
        elif kinds & {"failure", "error"}:
            res.outcome[tid] = "failed"
        else:
            res.outcome[tid] = "passed"
    return res


def read_xfails(path: Path = XFAILS) -> dict[str, str]:
    """Test id -> the reason (the last ``#`` line above it)."""
    reasons: dict[str, str] = {}
    reason = ""
    if not path.exists():
        return reasons
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            reason = line.lstrip("# ")
        else:
            reasons[line] = reason
    return reasons


def run_suite(pytest_args: list[str], sdist: Path | None = None) -> Results:
    tests = fetch(sdist)
    with tempfile.TemporaryDirectory() as tmp:
        ini = Path(tmp) / "pytest.ini"
        ini.write_text(INI)
        xml = Path(tmp) / "junit.xml"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        )
        env.setdefault("OMP_NUM_THREADS", "1")
        cmd = [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(tests),
               "-p", "agrad_hips_alias", "-p", "no:cacheprovider", "-q", "--tb=line",
               "--continue-on-collection-errors",
               "-W", "ignore::DeprecationWarning", f"--junitxml={xml}", *pytest_args]  # fmt: skip
        if not any(not a.startswith("-") for a in pytest_args):
            cmd.append(str(tests))
        subprocess.run(cmd, cwd=tests, env=env, check=False)
        return parse_junit(xml)


def compare(res: Results, xfails: dict[str, str], selected: bool) -> list[str]:
    """The problems: unexpected failures, unexpected passes, listed ids never run."""
    problems = []
    for tid, outcome in sorted(res.outcome.items()):
        if outcome == "failed" and tid not in xfails:
            problems.append(f"unexpected failure: {tid}")
        elif outcome == "passed" and tid in xfails:
            problems.append(f"unexpected pass (remove it from xfails.txt): {tid}")
    if not selected:
        problems += [
            f"listed in xfails.txt but not run: {t}" for t in xfails if t not in res.outcome
        ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sdist", type=Path, help="a local autograd sdist instead of PyPI")
    parser.add_argument("--list-failures", action="store_true", help="print every failure")
    args, rest = parser.parse_known_args(argv)
    res = run_suite(rest, args.sdist)
    passed, total = res.count("passed"), len(res.outcome)
    print(f"passed {passed} of {total} (failed {res.count('failed')}, "
          f"skipped {res.count('skipped')})")  # fmt: skip
    if args.list_failures:
        for tid, outcome in sorted(res.outcome.items()):
            if outcome == "failed":
                print("FAILED", tid)
    problems = compare(res, read_xfails(), selected=bool(rest))
    for p in problems:
        print(p)
    print("OK: the results match tests/hips/xfails.txt" if not problems else "MISMATCH")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
