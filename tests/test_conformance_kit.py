"""The conformance kit itself: coverage of the rules, its oracles, that it catches wrong
rules (a sign, a missing conj, a wrong axis, a broadcast left un-reduced, a backward that
is not differentiable), its snippets, CLI, reports, pytest plugin and known-failure files."""

from __future__ import annotations

import importlib
import io
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import agrad.conformance
import numpy as np
import pytest
import tomllib
from agrad.conformance import (
    POSITIVE,
    REAL,
    GradientMismatch,
    check,
    compare,
    replay,
    strategies,
)
from agrad.conformance import xfails as xfails_module
from agrad.conformance.__main__ import main
from agrad.conformance.checks import run
from agrad.conformance.oracle import finite_difference_grads, torch_grads
from agrad.conformance.report import Progress, heatmap_html, table, write_html
from agrad.conformance.specs import ALL_DTYPES, BY_CATEGORY, SPECS, get_spec, select
from agrad.conformance.suite import default_devices, run_suite

import agrad
from agrad._registry import TABLE
from agrad.extend import Rule, register

ROOT = Path(__file__).resolve().parents[1]


# -- coverage -------------------------------------------------------------------------------------
def test_every_rule_with_a_gradient_has_a_spec():
    ruled = {name for name, rule in TABLE.items() if not rule.nondiff}
    missing = sorted(ruled - {s.name for s in SPECS})
    assert not missing, f"rules without a conformance spec (conformance/specs/): {missing}"


def test_specs_name_differentiable_rules_in_their_category():
    for spec in SPECS:
        rule = TABLE.get(spec.name)
        assert rule is not None, f"spec {spec.id!r} names no rule"
        assert not rule.nondiff, f"spec {spec.id!r} names a rule without a gradient"
        assert rule.source == f"agrad/rules/{spec.category}.py", (spec.id, rule.source)


def test_spec_ids_are_unique_and_categories_mirror_the_rules():
    assert len({s.id for s in SPECS}) == len(SPECS)
    rules_dir = ROOT / "agrad" / "rules"
    categories = {p.stem for p in rules_dir.glob("*.py") if p.stem != "__init__"}
    assert set(BY_CATEGORY) <= categories


def test_every_spec_draws_valid_examples():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(
        max_examples=3,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
    )
    @given(st.data())
    def draw(data):
        for spec in SPECS:
            example = data.draw(strategies.examples(spec))
            arrays = example.arrays(spec, spec.dtypes[-1])
            assert len(arrays) == spec.arity, spec.id
            assert [a.shape for a in arrays] == list(example.shapes), spec.id
            assert all(a.dtype.name == spec.dtypes[-1] for a in arrays), spec.id

    draw()


def test_select_by_function_and_category():
    assert {s.name for s in select(["sin", "linalg.det"])} == {"sin", "linalg.det"}
    assert all(s.category == "fft" for s in select(categories=["fft"]))
    assert select(["pow(x, 3)"])[0].label == "pow(x, 3)"
    with pytest.raises(ValueError, match="No spec for"):
        select(["no_such_function"])
    with pytest.raises(ValueError, match="Unknown categories"):
        select(categories=["nope"])


# -- known-failure files ---------------------------------------------------------------------
XFAIL_FILES = sorted((ROOT / "conformance").glob("xfails-*.txt"))


@pytest.mark.parametrize("path", XFAIL_FILES, ids=[p.name for p in XFAIL_FILES])
def test_known_failures_name_real_specs_with_reasons(path):
    device = path.stem.removeprefix("xfails-")
    entries = xfails_module.load(device.replace("-", ":") if "-" in device else device)
    assert entries or xfails_module.load_cases(device), f"{path.name} lists nothing: delete it"
    ids = {s.id for s in SPECS}
    for entry, reason in entries.items():
        match = re.fullmatch(r"(.*?)(?:\[(\w+)\])?", entry)
        assert match is not None
        spec_id, dtype = match.groups()
        assert spec_id in ids, f"{path.name}: {entry!r} names no spec"
        assert dtype is None or dtype in ALL_DTYPES, f"{path.name}: {entry!r}"
        assert reason, f"{path.name}: {entry!r} has no reason"


def test_one_file_per_device_holds_the_kit_and_the_rule_suite_entries():
    # tests/test_devices.py reads the `case:` lines of the same file: one list per fact
    assert not (ROOT / "tests" / "device-xfails").exists()
    text = "# why\nsort\ncase:sort-axis-float64\n"
    assert xfails_module.parse(text) == {"sort": "why", "case:sort-axis-float64": "why"}
    assert "getitem-bool-mask-float64" in xfails_module.load_cases("dask")
    assert "getitem-bool-mask" in xfails_module.load("dask")
    assert not any(k.startswith("case:") for k in xfails_module.load("dask"))


def test_known_failure_files_are_named_after_devices():
    assert xfails_module.path_for("torch:cpu").name == "xfails-torch-cpu.txt"
    assert xfails_module.path_for("numpy") == ROOT / "conformance" / "xfails-numpy.txt"
    assert xfails_module.reason({"a[float32]": "r"}, "a", "float32") == "r"
    assert xfails_module.reason({"a": "r"}, "a", "complex64") == "r"
    assert xfails_module.reason({"a[float32]": "r"}, "a", "float64") is None


def test_default_devices_are_cpu_devices_agrad_can_use():
    devices = default_devices()
    assert devices[0] == "numpy"
    assert len(devices) == len(set(devices))
    for d in devices:
        assert agrad.Device(d) is not None
        assert not any(w in d for w in ("cuda", "gpu", "mps"))


# -- the oracles -------------------------------------------------------------------------------
def test_oracles_agree_on_a_complex_function():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    w = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    v = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    t = torch_grads(lambda z: z * z.exp(), [x], [w], [v], order=2)
    first = agrad.conformance.checks._agrad_first_numpy(lambda z: z * agrad.exp(z))
    f = finite_difference_grads(lambda z: z * np.exp(z), [x], [w], [v], order=2, grad_fn=first)
    np.testing.assert_allclose(f[0][0], t[0][0], rtol=1e-8)
    # d/dz z e^z = (1 + z) e^z, conjugated (torch's convention)
    np.testing.assert_allclose(t[0][0], w * np.conj((1 + x) * np.exp(x)), rtol=1e-12)
    for a, b in zip(f[1], t[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


def test_finite_differences_need_the_first_order_for_the_second():
    with pytest.raises(ValueError, match="grad_fn"):
        finite_difference_grads(np.sin, [np.ones(2)], [np.ones(2)], [np.ones(2)], order=2)


@pytest.mark.parametrize("spec", BY_CATEGORY["elementwise"], ids=lambda s: s.id)
def test_finite_difference_oracle_confirms_elementwise_rules(spec):
    # the second oracle, on its own: finite differences of agrad's forward (and of its
    # first-order gradients) agree with every elementwise rule
    result = run(spec, "numpy", "float64", max_examples=3, oracle="finite-difference")
    assert result.ok, result.failure.message if result.failure else ""
    assert result.examples == 3


# -- wrong rules are caught ----------------------------------------------------------------
class _Swapped:
    """Register a wrong rule for the duration of a ``with`` block."""

    def __init__(self, rule):
        self.rule = rule

    def __enter__(self):
        self.original = TABLE[self.rule.name]
        register(self.rule, replace=True)

    def __exit__(self, *exc):
        register(self.original, replace=True)


def test_a_sign_error_is_caught_and_shrinks_to_a_tiny_runnable_example():
    wrong = Rule("sin", lambda g, out, x, *, xp: -g * xp.cos(x), save="inputs")
    with _Swapped(wrong):
        result = run(get_spec("sin"), "numpy", "float64", max_examples=20, seed=3)
        assert not result.ok
        assert result.failure.kind == "mismatch"
        assert "order 1, input 0" in result.failure.message
        snippet = result.failure.snippet
        inputs = eval(snippet.split("inputs = ")[1].split("\nreplay")[0], {"np": np})
        assert sum(a.size for a in inputs) <= 1, snippet  # shrunk to one value (or none)
        with pytest.raises(GradientMismatch):
            exec(snippet, {})
    exec(snippet, {})  # the right rule passes the same example


def test_the_finite_difference_oracle_catches_a_sign_error_too():
    wrong = Rule("exp", lambda g, out, x, *, xp: -g * out, save="out")
    with _Swapped(wrong):
        result = run(
            get_spec("exp"), "numpy", "float64", max_examples=5, oracle="finite-difference"
        )
    assert not result.ok
    assert "finite-difference" in result.failure.message


def test_a_missing_conj_is_caught_on_complex_inputs_only():
    wrong = Rule("exp", lambda g, out, x, *, xp: g * out, save="out")  # no conj(out)
    with _Swapped(wrong):
        real = run(get_spec("exp"), "numpy", "float64", max_examples=5)
        cplx = run(get_spec("exp"), "numpy", "complex128", max_examples=5)
    assert real.ok
    assert not cplx.ok
    assert "order 1" in cplx.failure.message


def test_a_wrong_axis_is_caught():
    # flip's cotangent flipped along axis 0, whatever the call's axis
    wrong = Rule("flip", lambda g, out, x, *, xp, axis=None: xp.flip(g, axis=0), linear=True)
    with _Swapped(wrong):
        result = run(get_spec("flip"), "numpy", "float64", max_examples=30)
    assert not result.ok
    assert "'axis'" in result.failure.snippet


def test_a_reduction_whose_cotangent_is_not_expanded_back_is_caught():
    # sum's cotangent returned as is: with keepdims=False it broadcasts along the wrong axes
    wrong = Rule("sum", lambda g, out, x, *, xp, axis=None, keepdims=False, dtype=None: g)
    with _Swapped(wrong):
        result = run(get_spec("sum"), "numpy", "float64", max_examples=30)
    assert not result.ok


def test_a_broken_second_order_is_caught_only_at_order_two():
    # right values, but computed on raw arrays: the backward is not differentiable
    def detached(g, out, x, *, xp):
        return g * xp.asarray(np.cos(np.asarray(getattr(x, "array", x))))

    with _Swapped(Rule("sin", detached, save="inputs")):
        first = run(get_spec("sin"), "numpy", "float64", order=1, max_examples=5)
        second = run(get_spec("sin"), "numpy", "float64", order=2, max_examples=5)
    assert first.ok
    assert not second.ok
    assert "order 2" in second.failure.message


def test_an_agrad_error_is_a_failure_with_a_snippet():
    def broken(g, out, x, *, xp):
        raise RuntimeError("boom")

    with _Swapped(Rule("cos", broken, save="inputs")):
        result = run(get_spec("cos"), "numpy", "float64", max_examples=5)
    assert result.failure.kind == "error"
    assert "boom" in result.failure.message
    assert "replay('cos'" in result.failure.snippet


# -- user functions: check() ----------------------------------------------------------------
class Softplus(agrad.Function):
    """log(1 + exp(x)), forward by NumPy."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0.0, x.array)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + agrad.exp(-x))


class SoftplusWrongSign(Softplus):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g / (1 + agrad.exp(-x))


class SoftplusDetached(Softplus):
    """Right first order; the backward runs on raw arrays, so no second order."""

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * agrad.asarray(1 / (1 + np.exp(-x.array)))


class ComplexSquare(agrad.Function):
    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return z * z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * 2 * agrad.conj(z)


class ComplexSquareNoConj(ComplexSquare):
    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * 2 * z  # missing conj


class RowSoftmaxWrongAxis(agrad.Function):
    """softmax along axis 1; its backward sums along axis 0."""

    @staticmethod
    def forward(ctx, x):
        e = agrad.exp(x - agrad.max(x, axis=1, keepdims=True))
        y = e / agrad.sum(e, axis=1, keepdims=True)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return y * (g - agrad.sum(g * y, axis=0, keepdims=True))


class ScaleRowsUnreduced(agrad.Function):
    """x * s[:, None] for x (n, m), s (n, 1); s's gradient left at x's shape un-reduced
    along the wrong axis (reduced, then its kept axis dropped)."""

    @staticmethod
    def forward(ctx, x, s):
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, g):
        x, s = ctx.saved_tensors
        return g * s, agrad.sum(g * x, axis=1)


def test_check_passes_a_right_function_at_both_orders():
    result = check(Softplus, np.array([0.3, -1.2, 2.0]), order=2)
    assert result.ok
    assert result.examples == 1
    assert result.oracle == "finite-difference"
    assert result.worst_rel < 1e-8


def test_check_with_strategies_and_the_torch_oracle():
    result = check(
        Softplus,
        strategies.arrays(domain=REAL),
        torch_fn=lambda x: x.exp().log1p(),
        order=2,
        max_examples=15,
    )
    assert result.ok
    assert result.oracle == "torch"
    assert result.examples == 15


def test_check_takes_composite_functions_and_constants():
    def weighted(x, w, k):
        return agrad.sum(agrad.sin(x) * w) ** k

    result = check(weighted, np.array([0.1, 0.7]), np.array([2.0, -1.0]), 2, order=2)
    assert result.ok


@pytest.mark.parametrize(
    ("fn", "args", "where"),
    [
        (SoftplusWrongSign, [np.array([0.3, -1.2])], "order 1, input 0"),
        (ComplexSquareNoConj, [np.array([0.5 + 1j, -1 - 0.2j])], "order 1, input 0"),
        (RowSoftmaxWrongAxis, [np.array([[0.1, 0.5, -0.3], [1.0, 0.2, 0.0]])], "order 1"),
        (
            ScaleRowsUnreduced,
            [np.array([[0.1, 0.5], [1.0, 0.2]]), np.array([[2.0], [-1.0]])],
            "FunctionBackwardError",
        ),
    ],
    ids=["sign", "missing-conj", "wrong-axis", "broadcast-unreduced"],
)
def test_check_catches_wrong_user_functions(fn, args, where):
    with pytest.raises(GradientMismatch, match=where) as info:
        check(fn, *args)
    assert "Reproduce with" in str(info.value)
    assert f"check({fn.__name__}" in str(info.value)


def test_check_catches_a_backward_that_is_not_differentiable():
    x = np.array([0.3, -1.2])
    assert check(SoftplusDetached, x, order=1).ok
    with pytest.raises(GradientMismatch, match="order 2"):
        check(SoftplusDetached, x, order=2)


def test_check_shrinks_a_failure_found_by_strategies():
    with pytest.raises(GradientMismatch) as info:
        check(ComplexSquareNoConj, strategies.arrays(dtype="complex128"), max_examples=30)
    text = str(info.value)
    assert "Minimal example" in text
    shown = text.split("check(ComplexSquareNoConj, ")[1].split(", oracle=")[0]
    assert eval(shown, {"np": np}).size == 1  # one complex value is the smallest failure


def test_check_refuses_the_torch_oracle_without_a_twin():
    with pytest.raises(ValueError, match="torch_fn"):
        check(Softplus, np.array([0.5]), oracle="torch")
    with pytest.raises(ValueError, match="oracle"):
        check(Softplus, np.array([0.5]), oracle="symbolic")


def test_check_on_another_device():
    # ComplexSquare's forward and backward use agrad alone, so it runs on any device
    z = np.array([0.5 + 1j, -1.5 + 0.25j])
    result = check(ComplexSquare, z, device="array_api_strict", order=2)
    assert result.ok
    assert result.device == "array_api_strict"


def test_compare_and_replay():
    comps = compare(agrad.tanh, [np.array([0.2, -0.4])], torch_fn=lambda t: t.tanh())
    assert [(c.order, c.what) for c in comps] == [
        (1, "input 0"),
        (2, "input 0"),
        (2, "cotangent 0"),
    ]
    assert all(c.ok for c in comps)
    assert all(c.ok for c in replay("log", [np.array([0.5, 2.0])], order=1))
    with pytest.raises(ValueError, match="torch_fn"):
        compare(agrad.tanh, [np.ones(1)], oracle="torch")


def test_searches_are_reproducible_from_their_seed():
    spec = get_spec("atan2")
    a = run(spec, "numpy", "float32", max_examples=6, seed=11)
    b = run(spec, "numpy", "float32", max_examples=6, seed=11)
    assert (a.examples, a.worst_abs, a.worst_rel) == (b.examples, b.worst_abs, b.worst_rel)


# -- the suite, the CLI and its reports --------------------------------------------------------
def test_suite_rows_have_statuses_from_the_known_failures():
    rows = run_suite(
        select(["setitem-int-array", "log"]),
        ["array_api_strict"],
        dtypes=["float64"],
        max_examples=2,
    )
    status = {r.spec.id: r.status for r in rows}
    assert status == {"log": "ok", "setitem-int-array": "xfail"}
    assert "standard" in next(r.xfail for r in rows if r.status == "xfail")


def test_a_known_failure_that_passes_is_a_failure(monkeypatch):
    monkeypatch.setattr(xfails_module, "load", lambda device: {"sin": "pretend"})
    (row,) = run_suite([get_spec("sin")], ["numpy"], dtypes=["float64"], max_examples=2)
    assert row.status == "XPASS"
    assert row.failed


def test_cli_table_reports_and_exit_code(tmp_path):
    out_json, out_html = tmp_path / "r.json", tmp_path / "r.html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "agrad.conformance",
            "--device",
            "numpy,array_api_strict",
            "--functions",
            "sin,matmul,setitem-int-array",
            "--max-examples",
            "3",
            "--seed",
            "7",
            "--dtypes",
            "float64,complex128",
            "--report",
            str(out_json),
            "--report",
            str(out_html),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "seed 7 (rerun with --seed 7;" in out
    assert re.search(r"^sin\s+numpy\s+6\s", out, re.MULTILINE), out
    assert re.search(r"^matmul\s+array_api_strict\s+6\s.*ok$", out, re.MULTILINE), out
    assert re.search(r"^setitem-int-array\s+array_api_strict\s.*xfail$", out, re.MULTILINE)
    assert "5 passed, 0 failed, 1 known failures" in out
    assert "[#" not in result.stderr  # no progress bar when stderr is not a terminal
    doc = json.loads(out_json.read_text())
    assert doc["seed"] == 7
    assert doc["summary"]["failed"] == 0
    row = next(r for r in doc["rows"] if r["spec"] == "sin" and r["device"] == "numpy")
    assert row["status"] == "ok"
    assert {r["dtype"] for r in row["results"]} == {"float64", "complex128"}
    assert all(r["order"] == 2 and r["oracle"] == "torch" for r in row["results"])
    page = out_html.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('class="cell"') == 6  # 3 specs x 2 devices
    assert 'class="legend"' in page
    assert "[" not in page.split('<table class="meta">')[1].split("</table>")[0]  # no reprs


def test_cli_fails_on_a_wrong_rule_and_prints_the_minimal_example(capsys):
    wrong = Rule("tanh", lambda g, out, x, *, xp: g * (1 + out * out), save="out")
    with _Swapped(wrong):
        code = main(
            [
                "--device",
                "numpy",
                "--functions",
                "tanh",
                "--dtypes",
                "float64",
                "--max-examples",
                "10",
                "--seed",
                "1",
            ]
        )
    out = capsys.readouterr().out
    assert code == 1
    assert re.search(r"^tanh\s+numpy\s.*FAIL \(float64 mismatch\)$", out, re.MULTILINE), out
    assert "0 passed, 1 failed" in out
    assert "replay('tanh', inputs" in out


@pytest.mark.parametrize(
    "args",
    [
        ["--device", "no_such_backend"],
        ["--functions", "no_such_function"],
        ["--dtypes", "float16"],
        ["--report", "out.txt"],
    ],
)
def test_cli_refuses_bad_arguments(args, capsys):
    assert main(args) == 2
    assert "error:" in capsys.readouterr().err


def test_cli_lists_specs(capsys):
    assert main(["--list", "--category", "sorting"]) == 0
    assert capsys.readouterr().out.split()[:2] == ["sorting", "sort:"]


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_draws_on_a_terminal_and_clears_before_lines():
    term, out = _Terminal(), io.StringIO()
    bar = Progress({"numpy": 4, "dask": 4}, cost={"numpy": 0.01, "dask": 0.1}, stream=term)
    bar.advance("numpy", "sin float64")
    assert "[##" in term.getvalue()
    assert "1/8" in term.getvalue()
    assert "numpy 25% | dask -" in term.getvalue()  # progress per device
    assert "ETA " in term.getvalue()
    bar.print("a table line", out=out)
    assert term.getvalue().endswith("\r")  # erased before the line was printed
    assert out.getvalue() == "a table line\n"


def test_progress_eta_scales_the_priors_by_the_time_measured():
    bar = Progress(
        {"numpy": 10, "dask": 10}, cost={"numpy": 1.0, "dask": 10.0}, stream=io.StringIO()
    )
    bar.counts["numpy"], bar.seconds["numpy"], bar.done = 5, 10.0, 5  # twice the prior
    # numpy at its own rate (2 s a step), dask at its prior scaled by 2
    assert bar.eta() == pytest.approx(5 * 2.0 + 10 * 10.0 * 2)


def test_progress_writes_plain_lines_when_not_a_terminal():
    log = io.StringIO()
    bar = Progress({"numpy": 4}, stream=log)
    for _ in range(4):
        bar.advance("numpy", "sin float64")
    lines = log.getvalue().splitlines()
    assert len(lines) == 4  # one per quarter
    assert lines[-1].startswith("progress: numpy 4/4 done in")
    assert "\r" not in log.getvalue()


def test_table_and_heatmap_show_every_row():
    rows = run_suite(select(["exp", "log"]), ["numpy"], dtypes=["float64"], max_examples=2)
    text = table(rows)
    assert text.splitlines()[0].split() == [
        "function",
        "device",
        "examples",
        "worst",
        "abs",
        "worst",
        "rel",
        "status",
    ]
    assert len(text.splitlines()) == 2 + len(rows)
    grid = heatmap_html(rows)
    assert grid.count('class="cell"') == len(rows)
    assert "log on numpy: ok" in grid


# -- the pytest plugin --------------------------------------------------------------------------
def test_plugin_is_declared_as_a_pytest_entry_point():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    plugins = config["project"]["entry-points"]["pytest11"]
    assert plugins == {"agrad": "agrad.conformance.pytest_plugin"}


def test_plugin_import_is_cheap():
    code = (
        "import sys, agrad.conformance.pytest_plugin; "
        "print(sorted(m for m in ('torch', 'hypothesis') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


_USER_TEST = """\
import agrad
from agrad.conformance import strategies


class Cube(agrad.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return FACTOR * x * x * g


def test_cube(agrad_check):
    agrad_check(Cube, strategies.arrays(), order=2)
"""


def _run_user_test(tmp_path, factor):
    """pytest on a user's test file that checks a rule with the ``agrad_check`` fixture."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    path = tmp_path / "test_user.py"
    path.write_text(_USER_TEST.replace("FACTOR", str(factor)))
    # -p no:agrad: where the entry point is installed, load the plugin once
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:agrad",
            "-p",
            "agrad.conformance.pytest_plugin",
            "--agrad-max-examples",
            "5",
            str(path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(("factor", "passes"), [(3, True), (2, False)])
def test_plugin_fixture_checks_a_rule_in_one_line(tmp_path, factor, passes):
    result = _run_user_test(tmp_path, factor)
    if passes:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "1 passed" in result.stdout
    else:
        assert result.returncode == 1, result.stdout + result.stderr
        assert "GradientMismatch" in result.stdout
        assert "Minimal example" in result.stdout


# -- docstrings ----------------------------------------------------------------------------------
def _kit_modules():
    names = [
        info.name
        for info in pkgutil.walk_packages(agrad.conformance.__path__, "agrad.conformance.")
        if not info.name.endswith(("__main__", "pytest_plugin"))
    ]
    return sorted(names)


@pytest.mark.parametrize("name", _kit_modules())
def test_kit_docstring_examples_run(name, run_docstring_examples):
    failed = run_docstring_examples(importlib.import_module(name))
    assert failed == 0, f"{failed} docstring example(s) failed in {name}"


def test_public_names_have_examples():
    missing = [
        name
        for name in agrad.conformance.__all__
        if callable(obj := getattr(agrad.conformance, name))
        and not isinstance(obj, type(agrad.conformance))
        and ">>>" not in (obj.__doc__ or "")
    ]
    assert not missing, missing


def test_tolerances_are_sane():
    for spec in SPECS:
        for dtype in spec.dtypes:
            rtol, atol = spec.tolerance(dtype, "torch")
            assert 0 < rtol < 0.05, (spec.id, dtype)
            assert 0 < atol < 0.01, (spec.id, dtype)
    assert POSITIVE.low > 0


# -- snippets run as printed; pytest output; --module ------------------------------------------
_USER_MODULE = """\
import numpy as np

import agrad


class SoftplusWrong(agrad.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0.0, x.array)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g / (1 + agrad.exp(-x))


def torch_softplus(x):
    return x.exp().log1p()
"""


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    (tmp_path / "kit_user_mod.py").write_text(_USER_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return importlib.import_module("kit_user_mod")


@pytest.mark.parametrize("twin", ["none", "lambda", "function"])
def test_check_snippets_run_as_printed(user_module, twin):
    kw = {}
    if twin == "lambda":
        kw = dict(
            torch_fn=lambda x: x.exp().log1p(),
        )
    elif twin == "function":
        kw = {"torch_fn": user_module.torch_softplus}
    with pytest.raises(GradientMismatch) as info:
        check(user_module.SoftplusWrong, strategies.arrays(domain=REAL), max_examples=10, **kw)
    snippet = str(info.value).split("reproduce with:\n\n")[1]
    compile(snippet, "<snippet>", "exec")  # valid Python
    if twin != "none":
        assert "torch_fn=" in snippet
        assert "oracle='finite-difference'" not in snippet
    with pytest.raises(GradientMismatch, match="order 1, input 0"):
        exec(snippet, {})  # runs as printed, and fails the same way


def test_a_failures_values_are_shrunk_to_round_numbers(user_module):
    with pytest.raises(GradientMismatch) as info:
        check(user_module.SoftplusWrong, strategies.arrays(domain=REAL), max_examples=10)
    shown = str(info.value).split("check(SoftplusWrong, ")[1].split(", oracle=")[0]
    x = eval(shown, {"np": np})
    assert x.size == 1
    assert float(x) == round(float(x))  # a whole number, not a random float


def test_a_spec_failures_values_are_shrunk_to_round_numbers():
    wrong = Rule("sin", lambda g, out, x, *, xp: -g * xp.cos(x), save="inputs")
    with _Swapped(wrong):
        result = run(get_spec("sin"), "numpy", "float64", max_examples=20, seed=3)
    inputs = eval(result.failure.snippet.split("inputs = ")[1].split("\nreplay")[0], {"np": np})
    assert all(np.array_equal(a, np.round(a)) for a in inputs), result.failure.snippet


def test_a_backward_on_raw_arrays_is_named_at_order_two():
    with pytest.raises(GradientMismatch, match="your backward is not differentiable"):
        check(SoftplusDetached, np.array([0.3, -1.2]), order=2)
    with pytest.raises(GradientMismatch) as info:  # a wrong one that is differentiable: no hint
        check(SoftplusWrongSign, np.array([0.3, -1.2]), order=2)
    assert "not differentiable" not in str(info.value)


def test_pytest_hides_the_kits_frames(tmp_path):
    result = _run_user_test(tmp_path, 2)
    out = result.stdout
    assert result.returncode == 1, out
    assert "GradientMismatch" in out
    assert "Minimal example" in out
    assert "def check(" not in out  # the kit's source is not shown
    failure = out.split("_ test_cube _")[1].split("short test summary")[0]
    assert len(failure.splitlines()) < 40, failure


_RULES_MODULE = """\
from agrad._registry import TABLE
from agrad.extend import Rule, register

register(Rule("tanh", lambda g, out, x, *, xp: g * (1 - out * out)), replace=True)
"""


def test_cli_checks_the_rules_a_module_registers(tmp_path, monkeypatch, capsys):
    (tmp_path / "kit_user_rules.py").write_text(_RULES_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    original = TABLE["tanh"]
    try:
        code = main(["--module", "kit_user_rules", "--device", "numpy", "--dtypes", "float64"])
    finally:
        register(original, replace=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert re.search(r"^tanh\s+numpy\s.*ok$", out, re.MULTILINE), out
    assert "1 passed, 0 failed" in out
    (tmp_path / "kit_user_rules2.py").write_text(_RULES_MODULE.replace("1 - out", "1 + out"))
    try:
        code = main(["--module", "kit_user_rules2", "--device", "numpy", "--dtypes", "float64"])
    finally:
        register(original, replace=True)
    assert code == 1
    assert "FAIL" in capsys.readouterr().out
    assert main(["--module", "agrad.conformance.xfails"]) == 2
    assert "registered no rule" in capsys.readouterr().err


def test_html_report_puts_failures_first_linked_to_rows_and_snippets(tmp_path):
    wrong = Rule("tanh", lambda g, out, x, *, xp: g * (1 + out * out), save="out")
    with _Swapped(wrong):
        rows = run_suite(select(["tanh", "exp"]), ["numpy"], dtypes=["float64"], max_examples=3)
    path = tmp_path / "r.html"
    write_html(path, rows, {"devices": ["numpy"], "max_examples": {"numpy": 3}, "seed": 0})
    page = path.read_text()
    assert page.index('id="failures"') < page.index('class="heatmap"') < page.index("Results")
    top = page.split('id="failures"')[1].split("</ol>")[0]
    links = re.findall(r'href="#([^"]+)"', top)
    assert links, top
    for target in links:  # every link of the list lands on a row or a snippet
        assert f'id="{target}"' in page, target
    assert any(t.startswith("fail-") for t in links)
    snippet_div = page.split(f'id="{links[-1]}"')[1].split("</div>")[0]
    assert "replay(&#x27;tanh&#x27;" in snippet_div
    assert re.search(r'<tr id="row-exp--numpy">', page)
    # a passing row is green, the failing one red
    exp_cell = re.search(r'background:(#[0-9a-f]{6})" title="exp on numpy', page).group(1)
    red, green = int(exp_cell[1:3], 16), int(exp_cell[3:5], 16)
    assert green > red, exp_cell
    assert 'background:#c62828" title="tanh on numpy' in page
    assert "devices</th><td>numpy</td>" in page
    assert "examples per function and dtype</th><td>numpy 3</td>" in page


@pytest.mark.parametrize("kind", ["normal", "invertible", "spd", "negative_det"])
def test_failing_matrices_are_rounded_only_inside_their_domain(kind: str) -> None:
    from agrad.conformance import Matrices
    from agrad.conformance.checks import rounded

    domain = Matrices(kind)
    rng = np.random.default_rng(3)
    kept = 0
    for _ in range(20):
        x = domain.sample(rng, (3, 3), False)
        for digits in (0, 1, 2):
            r = rounded(x, digits, domain)
            if r is None:
                continue
            kept += 1
            assert np.array_equal(r, np.round(r, digits))
            s = np.linalg.svd(r, compute_uv=False)
            assert s.min() >= 0.1
            assert (-np.diff(s) >= 0.1).all()
            if kind == "spd":
                assert np.array_equal(r, r.T)
                assert np.linalg.eigvalsh(r).min() >= 0.1
            if kind == "negative_det":
                assert np.linalg.det(r) < 0
    assert kept > 0
