"""The benchmark suite (benchmarks/) still runs, and its systems still compute the same thing.

Every workload runs once at a tiny size on each system this machine has, and the systems'
gradients are compared, so a benchmark cannot rot into timing a wrong program. The runner
and W5's memory measurement run once at tiny sizes too.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))  # the benchmarks are scripts, not a package

import fusion_probe  # noqa: E402 - importable only once benchmarks/ is on the path
import harness as hn  # noqa: E402 - as above
import instructions  # noqa: E402 - as above
import memory  # noqa: E402 - as above
import run  # noqa: E402 - as above
import workloads as wl  # noqa: E402 - as above


def _runnable(names: tuple[str, ...]) -> list[str]:
    return [n for n in names if hn.unavailable(hn.system(n)) is None]


@pytest.mark.parametrize("workload", wl.WORKLOADS, ids=lambda w: w.label)
def test_systems_agree_on_each_workload(workload: hn.Workload) -> None:
    names = _runnable(workload.systems)
    assert workload.reference in names
    results = {}
    for name in names:
        case = workload.build(name, smoke=True)
        results[name] = case.run()
        case.sync()
    hn.check(workload, results)


@pytest.mark.gpu
@pytest.mark.parametrize("workload", wl.GPU_WORKLOADS, ids=lambda w: w.label)
def test_gpu_systems_agree(workload: hn.Workload) -> None:
    names = _runnable(workload.systems)
    if len(names) < 2:
        pytest.skip(f"needs two GPU systems, has {names}")
    hn.check(workload, {name: workload.build(name, smoke=True).run() for name in names})


def test_check_catches_a_wrong_gradient() -> None:
    workload = next(w for w in wl.WORKLOADS if w.key == "W3")
    right = workload.build("numpy (by hand)", smoke=True).run()
    wrong = [right[0] * (1 + 1e-6)]
    with pytest.raises(AssertionError, match="disagrees"):
        hn.check(workload, {"numpy (by hand)": right, "agrad(numpy)": wrong})


def test_check_compares_subnormal_gradients_to_the_smallest_normal_number() -> None:
    import numpy as np

    workload = next(w for w in wl.WORKLOADS if w.key == "W1")
    tiny = np.finfo(np.float64).tiny
    want = [np.array([3.7e-322, 1.0])]
    hn.check(workload, {"torch.autograd": want, "agrad(numpy)": [np.array([3.66e-322, 1.0])]})
    with pytest.raises(AssertionError, match="disagrees"):  # a normal-sized difference
        hn.check(workload, {"torch.autograd": want, "agrad(numpy)": [np.array([3 * tiny, 1.0])]})


def test_system_names() -> None:
    assert hn.system("agrad(torch:cpu)") == hn.System("agrad(torch:cpu)", "agrad", "torch:cpu")
    assert hn.system("torch.autograd").device == "cpu"
    assert hn.system("torch.autograd(cuda)").device == "cuda"
    assert hn.system("cupy (by hand)").kind == "by_hand"
    assert hn.system("numpy (bare tape)") == hn.System("numpy (bare tape)", "bare_tape", "numpy")
    with pytest.raises(ValueError, match="unknown system"):
        hn.system("jax.grad")
    assert hn.unavailable(hn.system("agrad(no_such_device)")) is not None


def test_runner_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    rows = run.main(["--smoke", "--repeats", "2", "--workloads", "W1,W3,W4"])
    out = capsys.readouterr().out
    assert "| workload | system | median |" in out
    labels = {r.workload for r in rows}
    assert labels == {"W1 (1 el.)", "W1 (16 el.)", "W3", "W4"}
    for r in rows:
        if r.system == "agrad(numpy)":
            assert r.target is not None
            assert r.ratio is not None
            assert len(r.samples) == 2
    refs = [r for r in rows if r.note == "reference"]
    assert all(r.ratio == pytest.approx(1.0) for r in refs)


def test_gpu_flag_skips_cleanly_without_a_gpu(capsys: pytest.CaptureFixture[str]) -> None:
    if run._gpu_missing() is None:
        pytest.skip("this machine has a GPU")
    assert run.main(["--gpu", "--smoke"]) == []
    assert "GPU workloads skipped: no CUDA GPU" in capsys.readouterr().out


@pytest.mark.skipif(memory.supported() is not None, reason="W5 needs Linux's /proc")
def test_memory_in_fresh_processes(capsys: pytest.CaptureFixture[str]) -> None:
    rows = run.main(["--smoke", "--workloads", "W5", "--systems", "agrad(numpy),numpy (by hand)"])
    assert [r.system for r in rows] == ["agrad(numpy)", "numpy (by hand)"]
    assert all(r.median is not None and r.median >= 0 for r in rows)
    result = memory.measure("agrad(numpy)", smoke=True)
    assert result["step"] >= 0
    assert result["setup"] >= 0


def test_table_marks_missed_targets() -> None:
    row = run.Row("W2", "agrad(numpy)", "ms/step", 2.0, 0.1, 1.9, 2.0, 1.15, [2.0])
    assert row.met is False
    assert "**no**" in run.table([row])


def test_a_target_needs_the_fastest_samples_within_it_too() -> None:
    # W3's samples fall into a fast and a slow group: a median ratio within the target
    # while the fastest samples are 1.3 apart is not a met target
    lucky = run.Row("W3", "agrad(numpy)", "ms", 700.0, 0.5, 490.0, 0.99, 1.05, [700.0], "", 1.30)
    assert lucky.met is False
    fair = run.Row("W3", "agrad(numpy)", "ms", 400.0, 0.1, 390.0, 1.02, 1.05, [400.0], "", 1.03)
    assert fair.met is True
    assert "| 1.02 | 1.03 | <= 1.05 | yes |" in run.table([fair])


def test_min_ratio_is_the_fastest_sample_over_the_references_fastest() -> None:
    workload = next(w for w in wl.WORKLOADS if w.key == "W3")
    samples = {name: [3.0, 1.0, 2.0] for name in workload.systems}
    samples[workload.reference] = [4.0, 2.0, 8.0]
    rows = run._rows(workload, list(workload.systems), samples, {}, 1.0)
    by_name = {r.system: r for r in rows}
    other = next(n for n in workload.systems if n != workload.reference)
    assert by_name[other].best_ratio == pytest.approx(0.5)
    assert by_name[other].ratio == pytest.approx(0.5)  # medians 2.0 / 4.0
    assert by_name[workload.reference].best_ratio == pytest.approx(1.0)


def test_instruction_counter_reads_callgrind_and_runs_its_workload() -> None:
    # the valgrind runs themselves take half a minute each: by hand only
    stderr = "==41== Events    : Ir\n==41== Collected : 1803389126\n==41==\n"
    assert instructions.collected(stderr) == 1803389126
    with pytest.raises(RuntimeError, match="no instruction total"):
        instructions.collected("valgrind: command not found")
    instructions.main(["W4", "--run", "1"])  # what callgrind is given to run
    with pytest.raises(SystemExit, match="unknown workload"):
        instructions.main(["W9", "--run", "1"])


def _toy_workload(
    names: list[str], builders: dict[str, Any], sizes: dict[str, int], *, inner: int
) -> hn.Workload:
    """A workload of the given systems' builders, for testing the runner itself."""
    return hn.Workload(
        key="T",
        title="toy",
        unit="ms",
        scale=1e3,
        reference="numpy (by hand)",
        targets={},
        systems=tuple(names),
        builders=builders,
        sizes=sizes,
        smoke_sizes=sizes,
        inner=inner,
    )


@pytest.mark.parametrize("n", range(1, 8))
def test_balanced_orders_give_each_system_each_predecessor_equally_often(n: int) -> None:
    from collections import Counter
    from itertools import pairwise

    rows = run.balanced_orders(n)
    assert len(rows) == (n if n % 2 == 0 else 2 * n)
    assert all(sorted(row) == list(range(n)) for row in rows)
    follows = Counter((a, b) for row in rows for a, b in pairwise(row))
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    assert sorted(follows) == sorted(pairs)
    assert len(set(follows.values())) <= 1  # each ordered pair as often as any other


def test_time_workload_samples_every_system_in_balanced_orders() -> None:
    seen: list[str] = []

    def builder(name: str) -> Any:
        def build(sys_: hn.System, *, n: int) -> hn.Case:
            return hn.Case(lambda: (seen.append(name), [n])[1], lambda: None)

        return build

    names = ["agrad(numpy)", "torch.autograd", "numpy (by hand)"]
    builders = {"agrad": builder("a"), "torch": builder("t"), "by_hand": builder("h")}
    workload = _toy_workload(names, builders, {"n": 1}, inner=1)
    samples = run.time_workload(workload, names, 6)
    assert [len(samples[n]) for n in names] == [6, 6, 6]
    timed = seen[len(names) :]  # after the check's one call each
    rounds = [timed[k : k + 3] for k in range(0, 18, 3)]
    expected = [["ath"[i] for i in row] for row in run.balanced_orders(3)]
    assert rounds == expected
    # unlike a rotation's, the hand-written system's predecessor is not always the same
    before_h = {r[r.index("h") - 1] for r in rounds if r.index("h") > 0}
    assert before_h == {"a", "t"}


@pytest.mark.skipif(run.page_faults() is None, reason="this platform counts no page faults")
def test_runner_reports_page_faults_per_call() -> None:
    import numpy as np

    def fresh(sys_: hn.System, *, mb: int) -> hn.Case:
        # a fresh buffer per call, written once: its pages fault in on first touch
        return hn.Case(lambda: [np.ones(mb * 2**20 // 8)], lambda: None)

    def reuse(sys_: hn.System, *, mb: int) -> hn.Case:
        buffer = np.ones(mb * 2**20 // 8)

        def run_() -> list[Any]:
            buffer.fill(1.0)
            return [buffer]

        return hn.Case(run_, lambda: None)

    # 96 MB: above glibc's largest mmap threshold (32 MB) and the one the runner fixes
    # (64 MB, `run.steady_allocator`, which other tests' `run.main` applies to this process),
    # so a fresh mapping each time
    workload = _toy_workload(
        ["agrad(numpy)", "numpy (by hand)"], {"agrad": fresh, "by_hand": reuse}, {"mb": 96}, inner=2
    )
    names = list(workload.systems)
    faults: dict[str, list[float]] = {}
    samples = run.time_workload(workload, names, 3, faults=faults)
    assert [len(faults[n]) for n in names] == [3, 3]
    # 96 MB is 48 huge pages or 24576 small ones: a fault per 4 MB at the least
    assert min(faults["agrad(numpy)"]) >= 24
    assert max(faults["numpy (by hand)"]) < 24
    rows = run._rows(workload, names, samples, {}, workload.scale, faults)
    assert rows[0].faults is not None
    assert rows[0].faults >= 24
    assert run.table(rows).splitlines()[0].endswith("| met | faults |")


def test_a_system_a_workload_is_not_written_for_is_skipped_with_the_reason() -> None:
    rows = run.main(["--smoke", "--workloads", "W4", "--systems", "agrad(numpy),numpy (bare tape)"])
    by_system = {r.system: r for r in rows}
    assert by_system["numpy (bare tape)"].median is None
    assert by_system["numpy (bare tape)"].note == "W4 is not written for it"
    assert by_system["agrad(numpy)"].median is not None


_ALLOCATIONS = """
import resource, sys
sys.path.insert(0, {benchmarks!r})
import numpy as np
import run
print(run.steady_allocator() if {steady!r} else "left to itself")
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
np.ones(40 * 2**20 // 8)  # the first one may fault in either case
before = faults()
for _ in range(4):
    np.ones(40 * 2**20 // 8)  # 40 MB, written once, then freed
print(faults() - before)
"""


@pytest.mark.skipif(
    run.page_faults() is None or run.glibc() is None,
    reason="needs glibc's mallopt and page fault counts",
)
def test_steady_allocator_serves_large_buffers_from_the_heap() -> None:
    import subprocess

    def faults_of_four(*, steady: bool) -> tuple[str, int]:
        code = _ALLOCATIONS.format(benchmarks=str(BENCHMARKS), steady=steady)
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split("\n")
        return out[0], int(out[1])

    said, steady = faults_of_four(steady=True)
    assert "mmap threshold 64 MiB" in said
    _, default = faults_of_four(steady=False)
    # glibc's own threshold stops at 32 MB: each 40 MB buffer is a fresh mapping (10240
    # small pages or 20 huge ones); below the fixed 64 MB the heap serves it again
    assert default >= 4 * 10
    assert steady < 10


# ---------------------------------------------------------------------------------------
# agrad.compile's step, JAX eager and JAX's jit as systems (issue 24)

NEW_SYSTEMS = ("agrad(numpy, compiled)", "jax", "jax(jit)")
BY_COMPILER = [w for w in wl.WORKLOADS if w.key in {"W1", "W2", "W3", "W4"}]


def _jax_missing() -> str | None:
    return hn.unavailable(hn.system("jax"))


@pytest.fixture
def restore_jax_x64() -> Any:
    """The jax systems turn on JAX's 64-bit types for the process; put the flag back after."""
    try:
        import jax
    except ImportError:
        yield
        return
    previous = jax.config.jax_enable_x64
    yield
    jax.config.update("jax_enable_x64", previous)


def test_names_of_the_compiled_and_jax_systems() -> None:
    compiled = hn.system("agrad(numpy, compiled)")
    assert compiled == hn.System("agrad(numpy, compiled)", "agrad", "numpy", compiled=True)
    assert hn.system("agrad(torch:cpu,compiled)").device == "torch:cpu"
    assert not hn.system("agrad(numpy)").compiled
    assert hn.system("jax") == hn.System("jax", "jax", "cpu")
    assert hn.system("jax(jit)") == hn.System("jax(jit)", "jax", "cpu", compiled=True)
    for wrong in ("jax(eager)", "jax (jit)", "jax.jit"):
        with pytest.raises(ValueError, match="unknown system"):
            hn.system(wrong)
    assert hn.unavailable(hn.system("agrad(numpy, jit)")) is not None  # no such device
    # --systems: a comma inside a name's parentheses belongs to the name
    text = "agrad(numpy), agrad(numpy, compiled),jax(jit) ,numpy (by hand)"
    assert run.split_systems(text) == [
        "agrad(numpy)",
        "agrad(numpy, compiled)",
        "jax(jit)",
        "numpy (by hand)",
    ]


@pytest.mark.usefixtures("restore_jax_x64")
@pytest.mark.parametrize("name", NEW_SYSTEMS)
@pytest.mark.parametrize("workload", BY_COMPILER, ids=lambda w: w.label)
def test_compiled_and_jax_systems_agree_with_torch_and_by_hand(
    workload: hn.Workload, name: str
) -> None:
    if name.startswith("jax") and (reason := _jax_missing()):
        pytest.skip(reason)
    oracles = [n for n in ("torch.autograd", "numpy (by hand)") if n in _runnable((n,))]
    assert "numpy (by hand)" in oracles
    cases = {n: workload.build(n, smoke=True) for n in (*oracles, name)}
    case = cases[name]
    if name != "jax":  # a one-off set-up, reported apart from the timed calls
        assert case.setup_s is not None
        assert case.setup_s > 0
        assert ("agrad.compile" if name.startswith("agrad") else "jit") in case.setup_note
    # twice: W2's step updates its parameters, and the calls made during the set-up (jit's
    # warm-up, the captures) must have been undone so that every system is at the same step
    for _ in range(2):
        hn.check(workload, {n: c.run() for n, c in cases.items()})
    if name.startswith("jax"):  # float64 stays float64 (JAX's default is 32-bit)
        (first, *_) = case.run()
        assert str(first.dtype) == ("float32" if workload.key == "W2" else "float64")


def test_a_compiled_step_that_never_replays_is_refused_not_timed() -> None:
    import agrad

    x = agrad.tensor([1.0, 2.0], requires_grad=True)
    calls = [0]

    def step() -> list[Any]:  # reads Python state that changes: every capture differs
        calls[0] += 1
        x.grad = None
        agrad.sum(x * float(calls[0])).backward()
        return [x.grad]

    with pytest.raises(RuntimeError, match=r"agrad\.compile"):
        hn.compiled_case(hn.Case(step, lambda: None))
    assert calls[0] >= 2  # it was tried, and eager agrad was not timed under its name


def test_compile_on_a_device_reports_whether_it_replays() -> None:
    assert hn.unavailable(hn.system("agrad(numpy, compiled)")) is None
    reason = hn.unavailable(hn.system("agrad(torch:cpu, compiled)"))
    # agrad.compile may or may not replay on torch one day; when it does not, it says why
    assert reason is None or "agrad.compile" in reason or "ModuleNotFoundError" in reason


def test_jax_systems_are_skipped_when_jax_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jax", None)  # `import jax` raises ImportError
    assert hn.unavailable(hn.system("jax")) == "jax not installed"
    assert hn.unavailable(hn.system("jax(jit)")) == "jax not installed"
    rows = run.main(["--smoke", "--workloads", "W3", "--systems", "numpy (by hand),jax(jit),jax"])
    by_system = {r.system: r for r in rows}
    assert by_system["jax(jit)"].median is None
    assert by_system["jax(jit)"].note == "jax not installed"
    assert by_system["jax"].note == "jax not installed"
    assert by_system["numpy (by hand)"].median is not None


@pytest.mark.usefixtures("restore_jax_x64")
def test_smoke_run_includes_the_compiled_and_jax_systems(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = run.main(["--smoke", "--workloads", "W2,W4"])
    out = capsys.readouterr().out
    by_key = {(r.workload, r.system): r for r in rows}
    jax_reason = _jax_missing()
    for key in ("W2", "W4"):
        compiled = by_key[key, "agrad(numpy, compiled)"]
        assert compiled.median is not None
        assert compiled.setup_s is not None
        assert "agrad.compile" in compiled.setup_note
        jit, eager = by_key[key, "jax(jit)"], by_key[key, "jax"]
        if jax_reason:
            assert jit.median is None
            assert jit.note == jax_reason
            continue
        assert eager.median is not None
        assert eager.setup_s is None  # nothing to compile
        assert jit.median is not None
        assert jit.setup_s is not None
        assert jit.setup_calls is not None
        assert jit.setup_calls > 0
    assert "one-off set-up costs, not in the times above:" in out
    assert "W4, agrad(numpy, compiled): " in out


def test_default_runs_compare_compiled_and_jax_on_w1_to_w4_only() -> None:
    for workload in wl.WORKLOADS:
        chosen = set(NEW_SYSTEMS) & set(workload.systems)
        assert chosen == (set(NEW_SYSTEMS) if workload in BY_COMPILER else set())
        if workload in BY_COMPILER:
            assert "jax" in workload.builders
    w5 = next(w for w in wl.WORKLOADS if w.memory)
    assert "jax" not in w5.builders  # W5 measures this process's RSS: not JAX's


def test_fusion_probe_checks_and_times_what_is_installed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # numba and numexpr are no dependency: the probe times the baseline alone without them
    times = fusion_probe.measure(2000, 1)
    assert "numpy (by hand)" in times
    assert all(t[0] > 0 for t in times.values())
    assert fusion_probe.main(["--n", "2000", "--rounds", "1"]) == 0
    assert "x hand" in capsys.readouterr().out
