"""The kit through ``agrad.compile`` (``compiled="replay"`` and ``"fuse"``): right rules pass
from a replay, a replay unlike eager is a failure, a step that is not replayed is its own
outcome with compile's reason, other devices are refused up front, and the CLI says the mode."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from agrad.conformance import NotReplayed, ReplayMismatch, check, compare, run
from agrad.conformance.__main__ import main
from agrad.conformance.checks import _identical
from agrad.conformance.report import table, write_html
from agrad.conformance.specs import get_spec, select
from agrad.conformance.suite import run_suite

import agrad
from agrad._registry import TABLE
from agrad.extend import Rule

MODES = ["replay", "fuse"]
X = np.linspace(-1.5, 1.5, 8)


class Cube(agrad.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * x * g


class RightOnItsFirstCall(Cube):
    """Its backward reads Python state: right the first time it runs, off by a third after
    (a cache filled on the first call, say), so two captures agree on the wrong values."""

    calls = 0

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        RightOnItsFirstCall.calls += 1
        return (3.0 if RightOnItsFirstCall.calls == 1 else 2.0) * x * x * g


class ReadsACounter(Cube):
    """Right within any tolerance, but each call's constant differs: captures never agree."""

    calls = 0

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        ReadsACounter.calls += 1
        return (3.0 + 1e-12 * ReadsACounter.calls) * x * x * g


_MEMO: dict[bytes, object] = {}


class MemoisedByBytes(Cube):
    """Keys a memo by the input's bytes: `tobytes()` leaves NumPy's protocols, so
    agrad.compile refuses the capture and runs the step eagerly."""

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        _MEMO[x.array.tobytes()] = None
        return 3 * x * x * g


# -- right rules pass from a replay ------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_a_right_rule_passes_from_its_replay(mode):
    result = check(Cube, X, order=2, compiled=mode)
    assert result.ok
    assert (result.examples, result.replayed, result.not_replayed) == (1, 1, None)
    # the kit's examples are small: fusion is forced on every size, so the loops are checked
    assert result.fused == (1 if mode == "fuse" else 0)


def test_steps_on_a_torch_device_are_replayed_too():
    # agrad.compile records torch's calls there; with fuse=True torch.compile runs the plan
    for mode in MODES:
        result = check(Cube, X, order=2, device="torch:cpu", compiled=mode)
        assert (result.ok, result.replayed, result.fused) == (True, 1, int(mode == "fuse"))


def test_the_replay_is_compared_with_eager_and_the_oracle():
    comps = compare(agrad.tanh, [X], torch_fn=lambda t: t.tanh(), compiled="replay")
    labels = [c.what for c in comps]
    assert labels == [
        "input 0",
        "input 0",
        "cotangent 0",
        "input 0 (replay vs eager)",
        "input 0 (replay vs eager)",
        "cotangent 0 (replay vs eager)",
    ]
    assert all(c.ok for c in comps)
    assert all(c.abs_err == 0.0 for c in comps if c.what.endswith("(replay vs eager)"))


def test_a_spec_search_counts_its_replays_and_fused_loops():
    result = run(get_spec("sin"), "numpy", "float64", max_examples=4, compiled="fuse")
    assert result.ok, result.failure
    assert result.compiled == "fuse"
    assert result.replayed == result.examples == 4
    assert result.fused >= 1  # the 0-d and empty examples have nothing to fuse
    assert result.replay_rel <= 1e-7  # numba's cos within the float64 tolerance of NumPy's


# -- wrong replays are caught --------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_a_replay_unlike_eager_is_caught(mode):
    RightOnItsFirstCall.calls = 0
    with pytest.raises(ReplayMismatch) as caught:
        check(RightOnItsFirstCall, X, compiled=mode)
    message = str(caught.value)
    assert message.startswith(
        "RightOnItsFirstCall: compiled replay differs from eager: order 1, input 0: "
    ), message
    assert f"compiled={mode!r}" in message  # the snippet checks the same way
    # eagerly the rule's first call is all there is, and it is right
    RightOnItsFirstCall.calls = 0
    assert check(RightOnItsFirstCall, X).ok


def test_a_step_whose_captures_disagree_is_not_replayed():
    ReadsACounter.calls = 0
    assert check(ReadsACounter, X).ok  # within the tolerance, eagerly
    with pytest.raises(NotReplayed) as caught:
        check(ReadsACounter, X, compiled="replay")
    error = caught.value
    assert "4 capture(s) in 4 calls, no replay; no two of its captures agreed" in error.reason
    assert str(error).startswith("ReadsACounter: agrad.compile did not replay")
    assert "check(ReadsACounter" in str(error)  # the snippet


def test_a_refused_capture_is_not_replayed_with_compiles_reason():
    with pytest.raises(NotReplayed) as caught:
        check(MemoisedByBytes, X, compiled="replay")
    reason = caught.value.reason
    assert "runs eagerly from now on" in reason
    assert "`tobytes()`" in reason
    assert "test_conformance_compiled.py" in reason  # the line agrad.compile names


def test_the_suite_gives_not_replayed_its_own_status(tmp_path, monkeypatch):
    calls = []

    def sin_vjp(g, out, x, *, xp):
        calls.append(1)  # a constant of the plan that changes at every call
        return g * xp.conj(xp.cos(x)) * (1.0 + 1e-12 * len(calls))

    original = TABLE["sin"]
    monkeypatch.setitem(TABLE, "sin", Rule("sin", sin_vjp, save="inputs"))  # put back after
    (row,) = run_suite(
        select(["sin"]), ["numpy"], dtypes=["float64"], max_examples=2, compiled="replay"
    )
    assert row.status == "not replayed"
    assert not row.failed
    assert (row.examples, row.replayed) == (2, 0)
    missed = row.results[0].not_replayed
    assert "no two of its captures agreed" in missed.message
    assert "compiled='replay'" in missed.snippet
    with pytest.raises(NotReplayed):
        exec(missed.snippet, {})  # the snippet reproduces the outcome
    (eager_row,) = run_suite(select(["sin"]), ["numpy"], dtypes=["float64"], max_examples=2)
    monkeypatch.setitem(TABLE, "sin", original)
    assert eager_row.status == "ok"
    assert re.search(r"^sin\s+numpy\s.*not replayed \(float64: ran eagerly\)$", table([row]), re.M)
    page = tmp_path / "r.html"
    write_html(page, [row], {"compiled": "replay"})
    text = page.read_text()
    assert 'id="not-replayed"' in text
    assert "compiled (agrad.compile)" in text


# -- refusals ---------------------------------------------------------------------------------
def test_compiled_checks_refuse_a_device_compile_does_not_replay(capsys):
    only = r'on the numpy, torch and jax devices only.*device="numpy"'
    with pytest.raises(ValueError, match=only):
        check(Cube, X, device="array_api_strict", compiled="replay")
    with pytest.raises(ValueError, match='device="numpy"'):
        run_suite(select(["sin"]), ["array_api_strict"], max_examples=1, compiled="fuse")
    with pytest.raises(ValueError, match="`compiled` must be one of"):
        compare(agrad.sin, [X], oracle="finite-difference", compiled="jit")
    assert main(["--device", "array_api_strict", "--compiled", "replay"]) == 2
    assert "--device numpy" in capsys.readouterr().err


def test_bit_for_bit_means_nan_equals_nan_and_zeros_keep_their_sign():
    nan = np.array([np.nan, 1.0])
    assert _identical(nan, nan.copy()) == (0, 2)
    assert _identical(np.array(0.0), np.array(-0.0)) == (1, 1)
    z = np.array([1 + 1j, complex(1.0, np.nan)])
    assert _identical(z, z.copy()) == (0, 2)
    assert _identical(z, z + np.array([0, 1e-16])) == (0, 2)  # 1 + 1e-16 rounds to 1
    assert _identical(z, z * np.array([1, 1 + 1e-15])) == (1, 2)
    assert _identical(np.ones(2, np.float32), np.ones(2)) == (2, 2)  # another dtype
    assert _identical(None, None) == (0, 0)
    assert _identical(None, np.ones(3)) == (3, 3)


# -- the command line ---------------------------------------------------------------------------
def test_cli_runs_a_category_compiled_and_says_so(tmp_path, capsys):
    report = tmp_path / "r.json"
    code = main(
        [
            "--functions",
            "sin,exp,matmul",
            "--compiled",
            "replay",
            "--max-examples",
            "3",
            "--report",
            str(report),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "compiled: replay: gradients from agrad.compile's replay" in out
    # the default devices are those agrad.compile replays: numpy and torch:cpu, not
    # array_api_strict, dask or jax:cpu
    assert "6 passed, 0 failed, 0 not replayed, 0 known failures" in out
    assert re.search(r"^compiled replay: 72 of 72 examples replayed \(0 with fused", out, re.M)
    doc = json.loads(report.read_text())
    assert doc["compiled"] == "replay"
    assert doc["devices"] == ["numpy", "torch:cpu"]
    assert doc["summary"]["replayed"] == doc["summary"]["examples"] == 72


def test_cli_fuse_checks_fused_loops(capsys):
    # on numpy (torch.compile's compile per example would take minutes on torch:cpu)
    args = ["--functions", "sin,exp", "--compiled", "fuse", "--max-examples", "3"]
    code = main([*args, "--device", "numpy"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "compiled: fuse: gradients from agrad.compile's replay" in out
    summary = r"^compiled fuse: (\d+) of \1 examples replayed \([1-9]\d* with fused"
    assert re.search(summary, out, re.M)
