"""The built wheel installs agrad with agrad.backends and agrad.conformance; so does the
development install that docs/index.md documents, visibly to mypy."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the development install of docs/index.md, "Install"
STRICT = "--config-settings editable_mode=strict"


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
    for init in (ROOT / "agrad").rglob("__init__.py"):  # every package of agrad/ is listed
        assert init.relative_to(ROOT).as_posix() in names, init
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

    # resolved: a strict editable install serves the files through a tree of symlinks
    assert Path(agrad.backends.__file__).resolve().parent == ROOT / "backends"
    assert Path(agrad.conformance.__file__).resolve().parent == ROOT / "conformance"


def test_backends_and_conformance_are_not_top_level_names(tmp_path):
    code = (
        "import importlib.util, agrad.backends; "
        "print([importlib.util.find_spec(n) is None for n in ('backends', 'conformance')])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[True, True]"


@pytest.mark.slow
def test_documented_editable_install_imports_and_type_checks(tmp_path):
    """The clone is a folder named `agrad`; from its parent, `import agrad` must find the
    package (setuptools' default editable hook loses to the folder, a namespace package
    without `agrad.tensor`) and mypy must see its types (it cannot follow an import hook)."""
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("needs mypy: pip install 'agrad[test]'")
    assert f'pip install -e ".[test]" {STRICT}' in (ROOT / "docs" / "index.md").read_text()
    clone = tmp_path / "agrad"
    clone.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, clone / name)
    for name in ("agrad", "backends", "conformance"):
        shutil.copytree(ROOT / name, clone / name, ignore=shutil.ignore_patterns("__pycache__"))
    # a bare venv that sees this environment's packages (numpy, setuptools, pip, mypy) through
    # a .pth read after its own: `--system-site-packages` would reach the base interpreter's
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    outer = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    Path(purelib, "zz_outer.pth").write_text("\n".join(sorted(outer)) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    # --ignore-installed: never touch the agrad installed in this environment
    install = [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation"]
    install += ["--ignore-installed", "-e", str(clone), *STRICT.split()]
    result = subprocess.run(install, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    code = "import agrad, agrad.backends, agrad.conformance; print(agrad.tensor([1.0]).tolist())"
    result = subprocess.run(
        [str(python), "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[1.0]"
    (tmp_path / "use.py").write_text(
        textwrap.dedent(
            """
            import agrad

            t = agrad.tensor([1.0, 2.0], requires_grad=True)
            reveal_type(t)
            n: int = t
            """
        )
    )
    mypy = [str(python), "-m", "mypy", "--cache-dir", str(tmp_path / "cache"), "use.py"]
    result = subprocess.run(mypy, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert 'Revealed type is "agrad._tensor.Tensor"' in result.stdout, result.stdout
    assert 'use.py:6: error: Incompatible types in assignment (expression has type "Tensor"' in (
        result.stdout
    ), result.stdout
