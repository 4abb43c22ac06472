"""The built wheel installs agrad with agrad.backends and agrad.conformance."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_and_imports_subpackages(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = dist.glob("agrad-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "agrad/backends/numpy.py" in names
    assert "agrad/conformance/oracle.py" in names
    assert not any(n.startswith(("backends/", "conformance/", "tests/")) for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import agrad, agrad.backends, agrad.conformance, sys; "
        f"assert agrad.__file__.startswith({str(site)!r}), agrad.__file__; "
        "x = agrad.tensor([1.0, 2.0], requires_grad=True); agrad.sum(x * x).backward(); "
        "print(agrad.backends.get_backend('numpy').name, x.grad.tolist())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "numpy [2.0, 4.0]"


def test_editable_install_maps_subpackages():
    import agrad.backends
    import agrad.conformance

    assert Path(agrad.backends.__file__).parent == ROOT / "backends"
    assert Path(agrad.conformance.__file__).parent == ROOT / "conformance"


def test_backends_and_conformance_are_not_top_level_names(tmp_path):
    code = (
        "import importlib.util, agrad.backends; "
        "print([importlib.util.find_spec(n) is None for n in ('backends', 'conformance')])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[True, True]"
