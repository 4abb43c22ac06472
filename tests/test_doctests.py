"""Every docstring example in the package runs and prints what it says."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import agrad


def _modules() -> list[str]:
    names = ["agrad"]
    for info in pkgutil.walk_packages(agrad.__path__, "agrad."):
        names.append(info.name)
    names += ["agrad.backends", "agrad.backends.numpy", "agrad.conformance"]
    return sorted(set(n for n in names if not n.endswith("__main__")))


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_public_functions_have_examples():
    missing = []
    for name in agrad.__all__:
        obj = getattr(agrad, name)
        if (
            callable(obj)
            and not isinstance(obj, agrad.DType)
            and name != "__array_namespace_info__"
        ):
            doc = getattr(obj, "__doc__", "") or ""
            if ">>>" not in doc:
                missing.append(name)
    assert not missing, f"public functions without an example: {missing}"
