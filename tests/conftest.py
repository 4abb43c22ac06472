"""Shared test settings: hypothesis profiles, the GPU marker's skip, a docstring-example runner."""

from __future__ import annotations

import doctest
import math
import os
import re
from collections.abc import Callable
from types import ModuleType

import pytest
from hypothesis import HealthCheck, Phase, settings

# `dev`: quick, for local runs; `ci`: more examples, derandomised; `thorough`: by hand.
settings.register_profile("dev", max_examples=20, deadline=None)
settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=500, deadline=None)
# while many tests fail, shrinking costs 30-60 s each: this profile skips it
settings.register_profile(
    "noshrink",
    max_examples=50,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def _has_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _has_cuda():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU; none on this machine")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


# a decimal float as repr() prints it: 1.0471975511965976, -3.5e-07, 2.
_FLOAT = re.compile(r"(?<![\w.])-?(?:\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)")


class _LastDigitsChecker(doctest.OutputChecker):
    """Accepts printed floats that differ from the example's by rounding in the last digits.

    libm and NumPy's SIMD loops differ between CPUs by an ulp or two in transcendental
    functions (``acos(0.5)`` prints ``...976`` on one machine, ``...979`` on another). Text
    around the numbers must still match exactly, and each number to 1e-13 relative.
    """

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        if super().check_output(want, got, optionflags):
            return True
        wanted, gotten = _FLOAT.findall(want), _FLOAT.findall(got)
        if not wanted or len(wanted) != len(gotten):
            return False
        if not super().check_output(_FLOAT.sub("F", want), _FLOAT.sub("F", got), optionflags):
            return False
        pairs = zip(wanted, gotten, strict=True)
        return all(math.isclose(float(w), float(g), rel_tol=1e-13) for w, g in pairs)


def _run_docstring_examples(module: ModuleType) -> int:
    """Run a module's docstring examples; the number that failed (their report is printed)."""
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    runner = doctest.DocTestRunner(checker=_LastDigitsChecker(), optionflags=flags)
    for test in doctest.DocTestFinder().find(module, module.__name__):
        runner.run(test)
    return runner.summarize(verbose=False).failed


@pytest.fixture
def run_docstring_examples() -> Callable[[ModuleType], int]:
    """``run_docstring_examples(module)``: how many of its docstring examples failed."""
    return _run_docstring_examples
