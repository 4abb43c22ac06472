"""agrad's gradient conformance kit, installed as ``agrad.conformance``.

It proves gradients right: agrad's first and second order gradients (``create_graph=True``)
against an oracle — ``torch.autograd`` on the CPU in float64, or central finite differences
in float64 for functions torch lacks and for user rules — on examples that hypothesis draws
(0-d, size-0 and broadcasting shapes; float32, float64, complex64, complex128; values inside
each function's domain; its keyword arguments), shrinking a failure to a minimal example
printed as a runnable snippet.

- ``python -m agrad.conformance``: every spec on the installed CPU devices, a table and a
  JSON or HTML report (see ``--help``);
- :func:`check`: a user's function or :class:`agrad.Function` against an oracle;
- the ``agrad_check`` pytest fixture (a plugin installed with agrad) runs :func:`check`;
- :data:`SPECS`: one :class:`Spec` per differentiable function (``specs/<category>.py``);
- ``xfails-<device>.txt``: known deviations per device, one reason each.

Names load on first use, so importing this package (as the pytest plugin does) is cheap.

Examples
--------
>>> import numpy as np
>>> import agrad
>>> from agrad.conformance import check
>>> check(lambda x: agrad.sum(agrad.exp(x) * x), np.array([0.5, -1.0]), order=2).ok
True
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "ABOVE_ONE",
    "AWAY",
    "POSITIVE",
    "REAL",
    "SMALL",
    "SPECS",
    "UNIT",
    "Away",
    "Comparison",
    "Domain",
    "GradientMismatch",
    "Interval",
    "Matrices",
    "NotReplayed",
    "ReplayMismatch",
    "Result",
    "Spec",
    "check",
    "compare",
    "default_devices",
    "finite_difference_grads",
    "replay",
    "run",
    "run_suite",
    "strategies",
    "torch_grads",
]

_WHERE = {
    "check": "checks",
    "compare": "checks",
    "replay": "checks",
    "run": "checks",
    "Comparison": "checks",
    "GradientMismatch": "checks",
    "NotReplayed": "checks",
    "ReplayMismatch": "checks",
    "Result": "checks",
    "finite_difference_grads": "oracle",
    "torch_grads": "oracle",
    "default_devices": "suite",
    "run_suite": "suite",
    "SPECS": "specs",
    "Spec": "specs",
    "Domain": "specs",
    "Interval": "specs",
    "Away": "specs",
    "Matrices": "specs",
    "REAL": "specs",
    "POSITIVE": "specs",
    "AWAY": "specs",
    "UNIT": "specs",
    "ABOVE_ONE": "specs",
    "SMALL": "specs",
}


def __getattr__(name: str) -> Any:
    if name == "strategies":
        return importlib.import_module("agrad.conformance.strategies")
    where = _WHERE.get(name)
    if where is None:
        msg = f"module 'agrad.conformance' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f"agrad.conformance.{where}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
