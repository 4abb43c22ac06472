"""Every docstring example in the package runs and prints what it says."""

from __future__ import annotations

import importlib
import pkgutil
import types

import pytest

import agrad


def _modules() -> list[str]:
    names = ["agrad"]
    for info in pkgutil.walk_packages(agrad.__path__, "agrad."):
        names.append(info.name)
    names += ["agrad.backends", "agrad.backends.numpy", "agrad.conformance"]
    return sorted(set(n for n in names if not n.endswith("__main__")))


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name, run_docstring_examples):
    failed = run_docstring_examples(importlib.import_module(name))
    assert failed == 0, f"{failed} docstring example(s) failed in {name}"


def _module_with_example(want: str) -> types.ModuleType:
    module = types.ModuleType("example_module")
    source = f'''
def f():
    """
    >>> [0.1 + 0.2, 2.5, float("nan")]
    {want}
    """
'''
    exec(source, module.__dict__)
    return module


@pytest.mark.parametrize(
    ("want", "failed"),
    [
        ("[0.30000000000000004, 2.5, nan]", 0),  # as printed
        ("[0.3000000000000001, 2.5, nan]", 0),  # another CPU's last digits
        ("[0.31, 2.5, nan]", 1),  # a wrong number
        ("[0.30000000000000004, 2.5]", 1),  # a number missing
        ("(0.30000000000000004, 2.5, nan)", 1),  # the text around the numbers differs
        ("[0.30000000000000004, 2.5, inf]", 1),
    ],
)
def test_examples_tolerate_only_last_digit_rounding(want, failed, run_docstring_examples):
    assert run_docstring_examples(_module_with_example(want)) == failed


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
