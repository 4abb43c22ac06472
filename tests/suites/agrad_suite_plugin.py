"""pytest plugin: run SciPy's and array-api-extra's own tests with agrad as the array library.

Loaded with ``-p agrad_suite_plugin`` (this folder on ``PYTHONPATH``) by ``run.py``; it
touches none of the suites' files. Environment variables:

``AGRAD_SUITE_DEVICE``
    An agrad device (``numpy``, ``torch:cpu``, ``jax:cpu``, ``array_api_strict``, ``dask``).
    Set: the suite's ``xp`` fixture is replaced by one that yields the ``agrad`` namespace with
    that device as agrad's default device. agrad poses as the device's *native* backend (the
    library behind the device), so every skip/xfail marker the suite puts on that backend
    applies to agrad too, and the same tests are selected as in the native run. NumPy-only
    tests (SciPy's ``np_only=True``) are skipped on agrad's numpy device: agrad is not NumPy.
``AGRAD_SUITE_NATIVE``
    A native backend (``numpy``, ``torch``, ``jax``, ``array_api_strict``, ``dask``), used when
    ``AGRAD_SUITE_DEVICE`` is not set: the suite runs unchanged on that library (the baseline),
    with the same selection.
``AGRAD_SUITE_REPORT``
    A JSON file that receives every test's outcome (``passed``, ``failed``, ``skipped``,
    ``xfailed``, ``xpassed``) and the first line of each failure.

Hypothesis runs derandomised without a database, so both runs draw the same examples.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Generator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

#: agrad device's backend name -> (SciPy's backend id, array-api-extra's Backend member name)
NATIVE = {
    "numpy": ("numpy", "NUMPY"),
    "torch": ("torch", "TORCH"),
    "jax": ("jax.numpy", "JAX"),
    "array_api_strict": ("array_api_strict", "ARRAY_API_STRICT"),
    "dask": ("dask.array", "DASK"),
}

DEVICE = os.environ.get("AGRAD_SUITE_DEVICE") or None
BACKEND = DEVICE.split(":")[0] if DEVICE else os.environ.get("AGRAD_SUITE_NATIVE", "numpy")
REPORT = os.environ.get("AGRAD_SUITE_REPORT") or None
_outcomes: dict[str, str] = {}
_messages: dict[str, str] = {}
_uses = [0]  # how many tests were handed the agrad namespace


def _agrad() -> ModuleType:
    import agrad

    return agrad


def pytest_configure(config: pytest.Config) -> None:
    if BACKEND not in NATIVE:
        msg = f"AGRAD_SUITE_DEVICE/AGRAD_SUITE_NATIVE must name one of {sorted(NATIVE)}"
        raise pytest.UsageError(msg)
    if BACKEND == "jax":
        import jax

        jax.config.update("jax_enable_x64", True)
    try:
        from hypothesis import HealthCheck, Phase, settings
    except ImportError:
        pass
    else:
        settings.register_profile(
            "agrad_suites",
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=list(HealthCheck),
            deadline=None,
        )
        settings.load_profile("agrad_suites")
    if DEVICE is not None:
        _agrad().set_default_device(DEVICE)


def pytest_plugin_registered(plugin: object, plugin_name: str) -> None:
    """Swap the ``xp`` fixture of SciPy's and array-api-extra's top conftest (they are parsed
    later, when their folder is collected)."""
    if not isinstance(plugin, ModuleType) or not str(plugin_name).endswith("conftest.py"):
        return
    path = Path(str(getattr(plugin, "__file__", ""))).resolve()
    if path.parent.name == "scipy" and hasattr(plugin, "xp_available_backends"):
        _patch_scipy(plugin)
    elif path.parent.name == "main" and hasattr(plugin, "NumPyReadOnly"):
        _patch_extra(plugin)


def _patch_scipy(conftest: Any) -> None:
    native = NATIVE[BACKEND][0]
    params = [p for p in conftest.xp_available_backends if p.id == native]
    if not params:
        msg = (
            f"SciPy offers no {native!r} backend here (SCIPY_ARRAY_API="
            f"{os.environ.get('SCIPY_ARRAY_API')!r}; is the library installed?)"
        )
        raise pytest.UsageError(msg)
    if DEVICE is None:
        return  # the native run: SCIPY_ARRAY_API selects the backend
    agrad = _agrad()

    def xp(request: pytest.FixtureRequest) -> Generator[ModuleType]:
        # SciPy's own marker logic, for the native backend agrad poses as
        conftest.skip_or_xfail_xp_backends(request, "skip")
        conftest.skip_or_xfail_xp_backends(request, "xfail")
        for kind, act in (("skip", pytest.skip), ("xfail", pytest.xfail)):
            for marker in request.node.iter_markers(f"{kind}_xp_backends"):
                if marker.kwargs.get("np_only") and "numpy" not in marker.args:
                    reason = marker.kwargs.get("reason") or "do not run with non-NumPy backends"
                    act(reason=f"np_only (agrad is not NumPy): {reason}")
        _uses[0] += 1
        with conftest.default_xp(agrad):
            yield agrad

    conftest.xp = pytest.fixture(params=params, name="xp")(xp)


def _patch_extra(conftest: Any) -> None:
    backend = conftest.Backend[NATIVE[BACKEND][1]]
    if DEVICE is None:
        return
    agrad = _agrad()

    def xp(library: Any) -> ModuleType:
        assert library == backend, library
        _uses[0] += 1
        return agrad

    conftest.xp = pytest.fixture(name="xp")(xp)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """array-api-extra: keep the tests parametrised by the native backend's ``library``."""
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        lib = params.get("library")
        if lib is None and not _is_extra(item):
            keep.append(item)  # SciPy's selection is SCIPY_ARRAY_API's
        elif lib is not None and lib.name == NATIVE[BACKEND][1]:
            keep.append(item)
        else:
            drop.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _is_extra(item: pytest.Item) -> bool:
    return "array_api_extra" in str(item.path) or "/tests/main/" in str(item.path)


def test_id(nodeid: str) -> str:
    """A node id without the folders in front of the suite's own package."""
    m = re.search(r"(scipy/.*|tests/main/.*)$", nodeid)
    return m.group(1) if m else nodeid


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    tid = test_id(report.nodeid)
    if report.failed:
        text = str(report.longrepr)
        if "XPASS(strict)" in text:
            _outcomes[tid] = "xpassed"
            return
        _outcomes[tid] = "failed"
        crash = getattr(report.longrepr, "reprcrash", None)
        line = crash.message if crash is not None else text.strip().splitlines()[-1:]
        _messages.setdefault(tid, str(line).splitlines()[0][:300] if line else "")
    elif report.skipped:
        if tid not in _outcomes:
            _outcomes[tid] = "xfailed" if hasattr(report, "wasxfail") else "skipped"
    elif report.when == "call" and tid not in _outcomes:
        _outcomes[tid] = "xpassed" if hasattr(report, "wasxfail") else "passed"


def pytest_sessionfinish(session: pytest.Session) -> None:
    if REPORT is None:
        return
    data = {
        "device": DEVICE,
        "native": BACKEND if DEVICE is None else None,
        "outcomes": _outcomes,
        "messages": _messages,
        "agrad_xp_uses": _uses[0],
    }
    Path(REPORT).write_text(json.dumps(data, indent=0, sort_keys=True))
