"""Plain NumPy programs, differentiated without rewriting them.

The programs in ``tests/numpy_programs/`` are ordinary NumPy code of different kinds: losses
(softmax regression, a perceptron), linear algebra (a Gaussian process likelihood),
simulations stepped in Python loops (a pendulum, the heat equation, a portfolio), indexing
(a spring network scattering forces with ``np.add.at``) and statistics (a robust regression
objective). Each is differentiated

- through NumPy's protocols: the file as written, called with tensors (door 2);
- through ``agrad.numpy``: the same file with ``import numpy as np`` changed to
  ``import agrad.numpy as np`` and nothing else (door 3);

and the gradients are compared with central finite differences of the file as written, run
by NumPy on NumPy arrays, and for two programs also with torch.autograd on a transcription.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import agrad
import agrad.numpy as anp

PROGRAMS = Path(__file__).resolve().parent / "numpy_programs"
IMPORT = "import numpy as np\n"


def load(name: str, *, door3: bool = False) -> types.ModuleType:
    """The program module, as written, or with its NumPy import changed to agrad.numpy."""
    path = PROGRAMS / f"{name}.py"
    source = path.read_text(encoding="utf-8")
    assert source.count(IMPORT) == 1
    if door3:
        source = source.replace(IMPORT, "import agrad.numpy as np\n")
    module = types.ModuleType(f"numpy_program_{name}{'_door3' if door3 else ''}")
    module.__file__ = str(path)
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


@dataclasses.dataclass(frozen=True)
class Program:
    name: str
    function: str
    params: tuple[np.ndarray, ...]  # differentiated
    data: tuple[Any, ...]  # constants
    door2: bool = True


RNG = np.random.default_rng(2024)


def _spring_network() -> Program:
    positions = RNG.normal(size=(6, 2))
    edges = np.array([[0, 1], [1, 2], [2, 0], [2, 3], [3, 4], [4, 5], [5, 3], [0, 4], [1, 5]])
    return Program("spring_network", "loss", (positions,), (edges, 0.8))


def _pendulum() -> Program:
    observed = 0.6 * np.cos(2.8 * np.arange(150) * 0.02) * np.exp(-0.1 * np.arange(150) * 0.02)
    params = (np.array(0.5), np.array(9.0), np.array(0.3))
    return Program("pendulum", "loss", params, (observed,), door2=False)


PROGRAM_CASES = [
    Program(
        "softmax_regression",
        "loss",
        (RNG.normal(size=(4, 3)) * 0.5, RNG.normal(size=3) * 0.1),
        (RNG.normal(size=(20, 4)), RNG.integers(0, 3, size=20)),
    ),
    Program(
        "gaussian_process",
        "negative_log_likelihood",
        (np.array(-0.2), np.array(0.3), np.array(-1.0)),
        (RNG.uniform(-2, 2, size=(12, 2)), RNG.normal(size=12)),
    ),
    _pendulum(),
    Program(
        "heat_equation",
        "loss",
        (np.sin(np.linspace(0, np.pi, 16)) + 0.1 * RNG.normal(size=16), np.array(0.8)),
        (0.5 * np.sin(np.linspace(0, np.pi, 16)),),
    ),
    _spring_network(),
    Program(
        "robust_statistics",
        "loss",
        (RNG.normal(size=3),),
        (RNG.normal(size=(30, 3)), RNG.standard_t(3, size=30)),
    ),
    Program(
        "mlp",
        "loss",
        (RNG.normal(size=(3, 5)) * 0.5, RNG.normal(size=5) * 0.1, RNG.normal(size=5) * 0.5),
        (RNG.normal(size=(16, 3)), RNG.uniform(0, 2, size=16)),
    ),
    Program(
        "reaction_diffusion",
        "loss",
        (0.5 + 0.3 * np.sin(np.linspace(0, 3, 12)), np.array(1.5), np.array(0.3)),
        (np.full(12, 0.4),),
    ),
    Program(
        "portfolio",
        "loss",
        (RNG.normal(size=4) * 0.3,),
        (RNG.normal(0.001, 0.02, size=(60, 4)),),
    ),
]
IDS = [p.name for p in PROGRAM_CASES]


def finite_differences(
    fn: Callable[..., Any], params: tuple[np.ndarray, ...], data: tuple[Any, ...]
) -> list[np.ndarray]:
    grads = []
    for k, p in enumerate(params):
        g = np.zeros_like(p, dtype=np.float64)
        for j in np.ndindex(p.shape):
            h = 1e-6 * max(1.0, abs(float(p[j])))
            values = []
            for sign in (1.0, -1.0):
                moved = np.array(p, dtype=np.float64, copy=True)
                moved[j] += sign * h
                trial = (*params[:k], moved, *params[k + 1 :])
                values.append(float(fn(*trial, *data)))
            g[j] = (values[0] - values[1]) / (2 * h)
        grads.append(g)
    return grads


def _check(program: Program, tensors: list[agrad.Tensor], value: Any) -> None:
    assert isinstance(value, agrad.Tensor)
    reference = getattr(load(program.name), program.function)
    expected = reference(*program.params, *program.data)
    assert value.item() == pytest.approx(float(expected), rel=1e-10, abs=1e-12)
    grads = agrad.grad(value, tensors)
    oracle = finite_differences(reference, program.params, program.data)
    for g, o in zip(grads, oracle, strict=True):
        np.testing.assert_allclose(g.array, o, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("program", [p for p in PROGRAM_CASES if p.door2], ids=lambda p: p.name)
def test_program_as_written_with_tensors(program):
    fn = getattr(load(program.name), program.function)
    tensors = [agrad.tensor(p, requires_grad=True) for p in program.params]
    _check(program, tensors, fn(*tensors, *program.data))


@pytest.mark.parametrize("program", PROGRAM_CASES, ids=IDS)
def test_program_with_the_import_changed(program):
    fn = getattr(load(program.name, door3=True), program.function)
    tensors = [anp.array(p).requires_grad_() for p in program.params]
    _check(program, tensors, fn(*tensors, *program.data))


def test_door2_refuses_the_program_that_builds_its_own_arrays():
    # pendulum.py builds its state with np.array([...]) and fills an np.zeros array: NumPy
    # would keep only the values, so handing it tensors raises instead of losing the graph
    program = _pendulum()
    fn = load("pendulum").loss
    tensors = [agrad.tensor(p, requires_grad=True) for p in program.params]
    with pytest.raises(TypeError, match="requires grad"):
        fn(*tensors, *program.data)


# -- torch.autograd on transcriptions of two programs ------------------------------------------
def test_softmax_regression_against_torch():
    program = PROGRAM_CASES[0]
    W, b = (anp.array(p).requires_grad_() for p in program.params)
    X, labels = program.data
    load("softmax_regression", door3=True).loss(W, b, X, labels).backward()
    tW, tb = (torch.tensor(p, requires_grad=True) for p in program.params)
    logits = torch.tensor(X) @ tW + tb
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(labels)) + 0.05 * (tW**2).sum()
    loss.backward()
    np.testing.assert_allclose(W.grad.array, tW.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(b.grad.array, tb.grad.numpy(), rtol=1e-10)


def test_gaussian_process_against_torch():
    program = PROGRAM_CASES[1]
    X, y = program.data
    params = [agrad.tensor(p, requires_grad=True) for p in program.params]
    load("gaussian_process").negative_log_likelihood(*params, X, y).backward()
    ell, sf, sn = (torch.tensor(p, requires_grad=True) for p in program.params)
    tX, ty = torch.tensor(X), torch.tensor(y)
    sq = ((tX[:, None, :] - tX[None, :, :]) ** 2).sum(-1)
    K = torch.exp(2 * sf) * torch.exp(-0.5 * sq / torch.exp(2 * ell)) + torch.exp(
        2 * sn
    ) * torch.eye(12, dtype=torch.float64)
    dist = torch.distributions.MultivariateNormal(torch.zeros(12, dtype=torch.float64), K)
    (-dist.log_prob(ty)).backward()
    for mine, theirs in zip(params, (ell, sf, sn), strict=True):
        assert mine.grad.item() == pytest.approx(theirs.grad.item(), rel=1e-8)


# -- a solver that updates slices in place after the array was saved (issue 27) ---------------
def _reaction_diffusion_torch(u0: Any, rate: Any, inflow: Any, target: Any) -> Any:
    """reaction_diffusion.py transcribed out of place: torch refuses the in-place original."""
    u = u0
    for _ in range(40):
        flux = -0.5 * (u[1:] - u[:-1]) / 0.1
        reaction = rate * u * (1.0 - u)
        inner = u[1:-1] + 0.002 * (-(flux[1:] - flux[:-1]) / 0.1 + reaction[1:-1])
        u = torch.cat([inflow.reshape(1), inner, inner[-1:]])
    return ((u - target) ** 2).sum() + 0.1 * (u0**2).mean()


@pytest.mark.parametrize("device", ["numpy", "torch:cpu", "array_api_strict", "jax:cpu", "dask"])
def test_reaction_diffusion_against_torch_on_every_device(device):
    # the file as written, with tensors: in-place slice updates on mutable backends,
    # functional updates on JAX and Dask, one gradient
    pytest.importorskip(device.split(":")[0])
    if device == "jax:cpu":
        import jax

        jax.config.update("jax_enable_x64", True)
    program = next(p for p in PROGRAM_CASES if p.name == "reaction_diffusion")
    tensors = [agrad.tensor(p, requires_grad=True, device=device) for p in program.params]
    target = agrad.asarray(program.data[0], device=device)
    load("reaction_diffusion").loss(*tensors, target).backward()
    theirs = [torch.tensor(p, requires_grad=True) for p in program.params]
    _reaction_diffusion_torch(*theirs, torch.tensor(program.data[0])).backward()
    for mine, t in zip(tensors, theirs, strict=True):
        got = np.asarray(mine.grad.to_device("numpy").array)
        np.testing.assert_allclose(got, t.grad.numpy(), rtol=1e-10, atol=1e-13)
