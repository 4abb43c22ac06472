"""The differential fuzzer: random programs on agrad against torch.autograd (issue 20).

Hypothesis composes programs from the op kinds of ``tests/fuzz/`` (elementwise ops with
their domains, reductions, broadcasting, every index form, ``__setitem__``, in-place ops,
view functions followed by writes, joins, sorting, cumulative ops, linalg, complex numbers),
runs each on agrad and on torch.autograd with the same float64/complex128 leaves, and
compares forward values and gradients, at second order for a share. Where NumPy views and
torch copies (or agrad copies on write where torch refuses), agrad is checked against
finite differences of its own forward. An agrad error (an ``AgradError``) where torch also
refuses is agreement; any other exception from agrad is a failure.

Profiles, chosen by ``AGRAD_FUZZ``:

- ``quick`` (default, CI): 2,000 programs, derandomized; about half a minute.
- ``thorough`` (by hand): 20,000 programs, random seeds; stops at the first failure and
  shrinks it. To count every failure class over a run instead, use the driver:
  ``python tests/fuzz/run.py --programs 20000`` (see its ``--help``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the `fuzz` helper package

from fuzz.ops import OPS
from fuzz.program import HypothesisSource, check, generate

PROFILE = os.environ.get("AGRAD_FUZZ", "quick")
if PROFILE not in ("quick", "thorough"):
    msg = f"AGRAD_FUZZ must be 'quick' or 'thorough', got {PROFILE!r}"
    raise ValueError(msg)

# Op kinds left out of the quick profile while a known bug in them is being fixed, each
# with its item of issue 20. `name@device` leaves the op out on that device only and
# `name:complex` on complex inputs only. Remove an entry when its fix lands; the thorough
# profile ignores this set.
KNOWN_BROKEN: dict[str, str] = {}

EXAMPLES = {
    "quick": {"numpy": 1500, "torch:cpu": 500},
    "thorough": {"numpy": 15000, "torch:cpu": 5000},
}


def _settings(device: str) -> settings:
    return settings(
        max_examples=EXAMPLES[PROFILE][device],
        derandomize=PROFILE == "quick",
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def test_op_kinds() -> None:
    assert len(OPS) >= 100
    forms = {k for n in OPS for k in (n, f"{n}:complex", f"{n}:empty", f"{n}@torch:cpu")}
    assert set(KNOWN_BROKEN) <= forms


@pytest.mark.parametrize("device", ["numpy", "torch:cpu"])
def test_random_programs_agree_with_torch(device: str) -> None:
    exclude = set(KNOWN_BROKEN) if PROFILE == "quick" else set()

    @_settings(device)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        prog = generate(HypothesisSource(data), exclude=exclude, device=device)
        verdict = check(prog)
        assert not verdict.failed, f"{verdict.kind}\n{prog.describe()}\n{verdict.detail}"

    run()
