"""The pytest plugin of the conformance kit (entry point ``pytest11``, name ``agrad``).

pytest loads it in every session of an environment where agrad is installed, so it only
registers the ``agrad_check`` fixture and two command-line options: importing it loads
neither hypothesis nor torch, and tests that don't ask for the fixture are untouched.
Disable it with ``pytest -p no:agrad``.

One line checks a rule::

    def test_softplus_gradient(agrad_check):
        agrad_check(Softplus, strategies.arrays(domain=REAL), order=2)
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

__all__ = ["agrad_check"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("agrad", "agrad gradient conformance (the agrad_check fixture)")
    group.addoption(
        "--agrad-max-examples",
        type=int,
        default=None,
        help="examples per agrad_check call with strategies (default: the call's, 20)",
    )
    group.addoption(
        "--agrad-seed",
        type=int,
        default=None,
        help="seed of agrad_check's searches (default: the call's, 0)",
    )


@pytest.fixture
def agrad_check(request: pytest.FixtureRequest) -> Any:
    """:func:`agrad.conformance.check`, with ``--agrad-max-examples`` and ``--agrad-seed``.

    It raises :class:`agrad.conformance.GradientMismatch` (an ``AssertionError``) with the
    minimal failing example as a runnable snippet, so the test fails with it.
    """
    from agrad.conformance.checks import check  # hypothesis loads on first use, not at start-up

    defaults: dict[str, Any] = {}
    examples = request.config.getoption("--agrad-max-examples")
    seed = request.config.getoption("--agrad-seed")
    if examples is not None:
        defaults["max_examples"] = examples
    if seed is not None:
        defaults["seed"] = seed
    return functools.partial(check, **defaults)
