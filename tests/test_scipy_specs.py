"""agrad.scipy's rules through the conformance kit: ``python -m agrad.conformance --module
agrad.scipy.special`` (and ``.stats``) checks every spec in the modules' ``SPECS`` against
torch.special / torch.distributions, or finite differences, to second order."""

from __future__ import annotations

import pytest
from agrad.conformance.__main__ import main


@pytest.mark.parametrize("module", ["agrad.scipy.special", "agrad.scipy.stats"])
def test_the_kit_checks_agrad_scipy(module: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--module", module, "--device", "numpy,torch:cpu", "--max-examples", "4"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert " 0 failed" in out
    import importlib

    count = len(importlib.import_module(module).SPECS)
    assert f"{count * 2} passed" in out  # every spec ran on both devices
