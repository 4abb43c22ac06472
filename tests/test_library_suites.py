"""SciPy's and array-api-extra's own test suites with agrad as the array library (issue 22).

``tests/suites/run.py`` runs a library's xp-parametrised tests in a subprocess with the
``agrad_suite_plugin`` swapping the suite's ``xp`` fixture for agrad on one device (agrad poses
as the device's native backend, so the suite's markers for that backend apply). This is the CI
slice: scipy.special, scipy.cluster and array-api-extra (its sdist fetched with ``pip
download`` into ``~/.cache/agrad-suites``) on numpy and torch:cpu, and scipy.fft on numpy.
Each run's failures must be exactly those listed, with their reasons, in
``tests/suites/expected/<device>.txt``: an unexpected failure fails, and so does a listed
test that passes. The whole matrix (eight SciPy modules and array-api-extra, five devices,
beside the native baselines) is run by hand: ``python tests/suites/run.py matrix`` (its table
is in docs/backends.md).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SUITES = Path(__file__).resolve().parent / "suites"
# tests/suites/run.py, under a name no other module takes
_spec = importlib.util.spec_from_file_location("agrad_suites_run", SUITES / "run.py")
assert _spec is not None
assert _spec.loader is not None
runner = importlib.util.module_from_spec(_spec)
sys.modules["agrad_suites_run"] = runner
_spec.loader.exec_module(runner)

# (module, device): about 110 s of CPU in all (each run starts a pytest that imports SciPy,
# torch, JAX and Dask); scipy.fft's 1,582 tests run on numpy only
SLICE = [
    *((m, "numpy") for m in ("scipy.special", "scipy.fft", "scipy.cluster", runner.EXTRA)),
    *((m, "torch:cpu") for m in ("scipy.special", "scipy.cluster", runner.EXTRA)),
]


def test_expected_lists_are_well_formed() -> None:
    for device in runner.DEVICES:
        for key, reason in runner.expected(device).items():
            module, _, tid = key.partition("::")
            assert module in runner.MODULES, key
            assert tid.startswith(("tests/", "scipy/")), key
            assert "[" in tid, f"{key}: not a parametrised (xp) test"
            assert reason, f"{key} has no '  # reason'"


def test_comparison_flags_both_directions(tmp_path: Path) -> None:
    (tmp_path / "numpy.txt").write_text(
        "# comment\nscipy.fft::tests/t.py::test_a[numpy]  # a reason\n"
        "scipy.fft::tests/t.py::test_b[numpy]  # fixed since\n"
    )
    old = runner.EXPECTED
    runner.EXPECTED = tmp_path
    try:
        data = {
            "outcomes": {
                "tests/t.py::test_a[numpy]": "failed",
                "tests/t.py::test_b[numpy]": "passed",
                "tests/t.py::test_c[numpy]": "failed",
            },
            "messages": {"tests/t.py::test_c[numpy]": "TypeError: boom"},
        }
        problems = runner.compare("scipy.fft", "numpy", data)
    finally:
        runner.EXPECTED = old
    assert problems == [
        "unexpected failure: scipy.fft::tests/t.py::test_c[numpy]  (TypeError: boom)",
        "listed but passed: scipy.fft::tests/t.py::test_b[numpy]",
    ]


@pytest.mark.parametrize(("module", "device"), SLICE)
def test_suite_on_agrad(
    module: str, device: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("scipy")
    if device.startswith("torch"):
        pytest.importorskip("torch")
    if module == runner.EXTRA:
        try:
            runner.fetch_extra()
        except runner.FetchError as e:  # pragma: no cover - offline, or no meson-python
            pytest.skip(str(e))
    monkeypatch.setenv("AGRAD_SUITES_OUT", str(tmp_path))
    data = runner.run(module, device)
    assert data["agrad_xp_uses"] > 0, "the plugin handed no test the agrad namespace"
    counts = runner.counts(data)
    assert counts.get("passed", 0) > 0, json.dumps(counts)
    problems = runner.compare(module, device, data)
    assert not problems, f"{len(problems)} differences from tests/suites/expected:\n" + "\n".join(
        problems[:40]
    )


def test_dask_mask_write_found_by_the_suites() -> None:
    """SciPy's log_softmax writes `x[~isfinite(x)] = 0` (through array-api-extra's `at`) on
    Dask; agrad's key `(mask,)` used to reach Dask, which reads it as integer indices."""
    pytest.importorskip("dask")
    import numpy as np

    import agrad

    ref = np.array([[1.0, np.inf], [2.0, -np.inf]])
    x = agrad.asarray(ref, device="dask", copy=True)
    x[~agrad.isfinite(x)] = 0.0
    expected = ref.copy()
    expected[~np.isfinite(ref)] = 0.0
    np.testing.assert_array_equal(np.asarray(x.array.compute()), expected)
    y = agrad.tensor([[1.0, 2.0]], device="dask", requires_grad=True)
    z = y * 1.0
    z[z > 1.5] = 0.0
    agrad.sum(z * y).backward()  # d/dy sum(z*y) = z + y * dz/dy, dz/dy = 1 where kept
    np.testing.assert_array_equal(np.asarray(y.grad.array.compute()), [[2.0, 0.0]])
