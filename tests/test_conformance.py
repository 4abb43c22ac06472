"""The conformance suite: every spec x every installed CPU device x dtype, orders 1 and 2.

Each test is one hypothesis search of the kit (:func:`agrad.conformance.run`): shapes,
keywords and values drawn for the spec, agrad's first and second order gradients (the
double backward, ``create_graph=True``) against torch.autograd in float64, or finite
differences where the spec has no torch twin. A failure shrinks to a minimal example,
printed as a runnable snippet with the seed.

- devices: :func:`agrad.conformance.default_devices` (every installed CPU device), or the
  comma-separated ``AGRAD_CONFORMANCE_DEVICES``;
- dtypes: float64, float32, complex128 and complex64 where the function defines them and
  the device holds them;
- examples per test: the hypothesis profile's ``max_examples`` / 5 (``ci``: 10, ``dev``: 4,
  ``thorough``: 100); ``ci`` is derandomised (seed 0), the others print their seed. Devices
  whose every example costs a task graph or a JIT compile (``SLOW``) run one example (ten
  under ``thorough``) from seed 0, so their known failures stay the same from run to run;
- known deviations: ``conformance/xfails-<device>.txt``, strict (they skip shrinking).
"""

from __future__ import annotations

import importlib.util
import os
import random

import pytest
from agrad.conformance import xfails
from agrad.conformance.checks import run
from agrad.conformance.specs import SPECS
from agrad.conformance.suite import default_devices, dtypes_for
from hypothesis import Phase, settings

if importlib.util.find_spec("jax") is not None:
    import jax

    # JAX holds 64-bit dtypes only when asked (tests/test_devices.py asks too)
    jax.config.update("jax_enable_x64", True)

PROFILE = settings.default
EXAMPLES = max(2, PROFILE.max_examples // 5)
SEED = 0 if PROFILE.derandomize else random.randrange(2**31)
_ENV = os.environ.get("AGRAD_CONFORMANCE_DEVICES", "")
DEVICES = [d for d in _ENV.split(",") if d] or default_devices()
#: ~0.1 s (Dask's task graphs) to ~0.3 s (JAX's compiles) per example, against ~5 ms
SLOW = {"dask", "jax:cpu"}
_NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)


def _budget(device: str) -> tuple[int, int]:
    """(examples, seed) of a test on ``device``."""
    if device in SLOW:
        return max(1, EXAMPLES // 10), 0
    return EXAMPLES, SEED


def _params() -> list[object]:
    params = []
    for device in DEVICES:
        known = xfails.load(device)
        for spec in SPECS:
            for dtype in dtypes_for(spec, None, device):
                reason = xfails.reason(known, spec.id, dtype)
                marks = [] if reason is None else [pytest.mark.xfail(strict=True, reason=reason)]
                params.append(
                    pytest.param(spec, device, dtype, id=f"{spec.id}-{device}-{dtype}", marks=marks)
                )
    return params


@pytest.mark.parametrize(("spec", "device", "dtype"), _params())
def test_gradient_matches_oracle(request, spec, device, dtype):
    examples, seed = _budget(device)
    known = request.node.get_closest_marker("xfail") is not None
    phases = _NO_SHRINK if known else PROFILE.phases
    result = run(spec, device, dtype, order=2, max_examples=examples, seed=seed, phases=phases)
    if result.failure is not None:
        pytest.fail(
            f"{result.failure.message}\n(reproduce the search: python -m agrad.conformance "
            f"--device {device} --functions '{spec.id}' --dtypes {dtype} --seed {seed} "
            f"--max-examples {examples})\n\nMinimal example:\n\n{result.failure.snippet}",
            pytrace=False,
        )
    assert result.examples > 0
    assert result.order == min(2, spec.order)
