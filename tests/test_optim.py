"""agrad.optim against torch.optim, step by step; HIPS-style functional optimizers against
hand-written loops of their documented formulas.

Both sides start from the same parameters, compute the same small model's loss with their own
autograd, step their own optimizer, and must agree to 1e-12 (float64) after every step.
"""

from __future__ import annotations

import importlib.util
import math
from typing import Any

import numpy as np
import pytest

import agrad
import agrad.optim
from agrad.errors import AgradError, AgradTypeError, AgradValueError

torch = pytest.importorskip("torch")

if importlib.util.find_spec("jax") is not None:
    import jax

    jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(0)
INIT = {
    "w": RNG.standard_normal((3, 4)),
    "b": RNG.standard_normal(3),
    "z": RNG.standard_normal(3) + 1j * RNG.standard_normal(3),
}
X = RNG.standard_normal((5, 4))
U = RNG.standard_normal(3) + 1j * RNG.standard_normal(3)
STEPS = 8


def _agrad_loss(p: dict[str, Any], dev: str) -> Any:
    x = agrad.asarray(X, device=dev)
    u = agrad.asarray(U, device=dev)
    h = agrad.tanh(x @ p["w"].mT + p["b"])
    return agrad.sum(h * h) + 0.1 * agrad.sum(p["w"] ** 3) + agrad.sum(agrad.abs(p["z"] ** 2 - u))


def _torch_loss(p: dict[str, Any]) -> Any:
    x, u = torch.from_numpy(X), torch.from_numpy(U)
    h = torch.tanh(x @ p["w"].mT + p["b"])
    return torch.sum(h * h) + 0.1 * torch.sum(p["w"] ** 3) + torch.sum(torch.abs(p["z"] ** 2 - u))


def _pair(dev: str, names: tuple[str, ...] = ("w", "b", "z")) -> tuple[dict, dict]:
    mine = {k: agrad.asarray(INIT[k].copy(), device=dev).requires_grad_() for k in names}
    theirs = {k: torch.tensor(INIT[k], requires_grad=True) for k in names}
    for k in set(INIT) - set(names):  # constants on both sides
        mine[k] = agrad.asarray(INIT[k].copy(), device=dev)
        theirs[k] = torch.tensor(INIT[k])
    return mine, theirs


def _host(t: Any) -> np.ndarray:
    if isinstance(t, agrad.Tensor):
        return np.asarray(t.to_device("numpy").array)
    return t.detach().numpy()


def _close(a: Any, b: Any, what: str) -> None:
    np.testing.assert_allclose(_host(a), _host(b), rtol=1e-12, atol=1e-12, err_msg=what)


def _run_both(
    name: str,
    kwargs: dict[str, Any],
    dev: str,
    groups: list[dict[str, Any]] | None = None,
    names: tuple[str, ...] = ("w", "b", "z"),
) -> None:
    mine, theirs = _pair(dev, names)
    if groups is None:
        opt = getattr(agrad.optim, name)([mine[k] for k in names], **kwargs)
        ref = getattr(torch.optim, name)([theirs[k] for k in names], **kwargs)
    else:
        opt = getattr(agrad.optim, name)(
            [{**g, "params": [mine[k] for k in g["params"]]} for g in groups], **kwargs
        )
        ref = getattr(torch.optim, name)(
            [{**g, "params": [theirs[k] for k in g["params"]]} for g in groups], **kwargs
        )
    objects = {k: mine[k] for k in names}
    for step in range(STEPS):
        opt.zero_grad()
        ref.zero_grad()
        _agrad_loss(mine, dev).backward()
        _torch_loss(theirs).backward()
        opt.step()
        ref.step()
        for k in names:
            assert mine[k] is objects[k], "the parameter must stay the same Tensor"
            _close(mine[k], theirs[k], f"{name}({kwargs}) {k} after step {step + 1}")


CASES = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.02, "momentum": 0.8, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "maximize": True}),
    ("Adam", {"lr": 0.1, "betas": (0.5, 0.8), "eps": 1e-3, "weight_decay": 0.2, "amsgrad": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}),
    ("AdamW", {"lr": 0.05, "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.05, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.05, "centered": True}),
    ("RMSprop", {"lr": 0.05, "centered": True, "momentum": 0.5}),
    ("RMSprop", {"lr": 0.05, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.05, "maximize": True, "alpha": 0.9, "eps": 1e-4}),
]


def _id(case: tuple[str, dict[str, Any]]) -> str:
    name, kw = case
    return name + "".join(f"-{k}={v}" for k, v in kw.items())


@pytest.mark.parametrize("dev", ["numpy", "torch:cpu"])
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_matches_torch_step_by_step(case: tuple[str, dict[str, Any]], dev: str) -> None:
    name, kwargs = case
    _run_both(name, kwargs, dev)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop"])
def test_param_groups_with_their_own_options(name: str) -> None:
    extra = {"SGD": {"momentum": 0.5}, "RMSprop": {"centered": True}}.get(name, {})
    groups = [{"params": ["w"], "lr": 0.01}, {"params": ["b", "z"], "lr": 0.1, **extra}]
    _run_both(name, {"lr": 0.03}, "numpy", groups=groups)


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="needs jax")
@pytest.mark.parametrize(
    "case",
    [("Adam", {"lr": 0.05, "amsgrad": True}), ("SGD", {"lr": 0.05, "momentum": 0.9})],
    ids=_id,
)
def test_matches_torch_on_jax(case: tuple[str, dict[str, Any]]) -> None:
    # JAX arrays are immutable: the update replaces the tensor's array, the Tensor stays
    name, kwargs = case
    _run_both(name, kwargs, "jax:cpu")


@pytest.mark.parametrize("dev", ["array_api_strict", "dask"])
def test_runs_on_strict_and_dask(dev: str) -> None:
    if dev == "dask":
        pytest.importorskip("dask")
    _run_both("Adam", {"lr": 0.05}, dev, names=("w", "b"))


def test_float32_parameters_stay_float32() -> None:
    w = agrad.tensor(INIT["w"], dtype=agrad.float32, requires_grad=True)
    tw = torch.tensor(INIT["w"], dtype=torch.float32, requires_grad=True)
    opt, ref = agrad.optim.Adam([w], lr=0.1), torch.optim.Adam([tw], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        ref.zero_grad()
        agrad.sum(agrad.sin(w)).backward()
        torch.sum(torch.sin(tw)).backward()
        opt.step()
        ref.step()
    assert w.dtype == agrad.float32
    np.testing.assert_allclose(_host(w), _host(tw), rtol=1e-5, atol=1e-6)


def test_step_is_in_place_bumps_the_version_and_skips_missing_grads() -> None:
    w = agrad.tensor([1.0, 2.0], requires_grad=True)
    frozen = agrad.tensor([5.0], requires_grad=True)
    view = w[:1]
    opt = agrad.optim.SGD([w, frozen], lr=0.5)
    agrad.sum(w * w).backward()
    version = w._vc[0]
    opt.step()
    assert w._vc[0] > version
    assert w.tolist() == [0.0, 0.0]
    assert view.tolist() == [0.0]  # the update reached the view: it is in place
    assert frozen.tolist() == [5.0]
    assert frozen not in opt.state
    assert w.grad_fn is None
    assert w.is_leaf


def test_closure_runs_with_recording_on_and_its_loss_is_returned() -> None:
    w = agrad.tensor([3.0], requires_grad=True)
    opt = agrad.optim.SGD([w], lr=0.25)

    def closure() -> Any:
        opt.zero_grad()
        loss = agrad.sum(w * w)
        loss.backward()
        return loss

    with agrad.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0
    assert w.tolist() == [1.5]


def test_zero_grad_keeps_zeros_when_asked() -> None:
    w = agrad.tensor([1.0, 2.0], requires_grad=True)
    opt = agrad.optim.SGD([w])
    agrad.sum(w * w).backward()
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad
    assert grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_state_dict_round_trip_continues_identically(name: str) -> None:
    kwargs = {
        "SGD": {"lr": 0.05, "momentum": 0.9},
        "Adam": {"lr": 0.05, "amsgrad": True},
        "RMSprop": {"lr": 0.05, "centered": True, "momentum": 0.5},
    }[name]
    mine, theirs = _pair("numpy")
    opt = getattr(agrad.optim, name)(list(mine.values()), **kwargs)
    ref = getattr(torch.optim, name)(list(theirs.values()), **kwargs)

    def both_steps(opt: Any) -> None:
        for _ in range(3):
            opt.zero_grad()
            ref.zero_grad()
            _agrad_loss(mine, "numpy").backward()
            _torch_loss(theirs).backward()
            opt.step()
            ref.step()

    both_steps(opt)
    saved = opt.state_dict()
    assert saved["param_groups"][0]["params"] == [0, 1, 2]
    assert sorted(saved["state"]) == [0, 1, 2]
    # a new optimizer over the same tensors takes over where the first stopped
    twin = getattr(agrad.optim, name)(list(mine.values()), lr=1.0)
    twin.load_state_dict(saved)
    assert twin.param_groups[0]["lr"] == kwargs["lr"]
    both_steps(twin)
    for k in mine:
        _close(mine[k], theirs[k], f"{name} {k} after reloading")
    # the loaded state is a copy: the first optimizer's buffers did not move on
    key = next(iter(opt.state[mine["w"]].keys() - {"step"}))
    assert not np.array_equal(_host(opt.state[mine["w"]][key]), _host(twin.state[mine["w"]][key]))


def test_loads_torch_optim_state_dict() -> None:
    mine, theirs = _pair("numpy")
    ref = torch.optim.Adam(list(theirs.values()), lr=0.05)
    for _ in range(3):
        ref.zero_grad()
        _torch_loss(theirs).backward()
        ref.step()
    with torch.no_grad():
        for k in mine:
            mine[k] = agrad.asarray(theirs[k].numpy().copy()).requires_grad_()
    opt = agrad.optim.Adam(list(mine.values()))
    opt.load_state_dict(ref.state_dict())
    assert opt.state[mine["w"]]["step"] == 3
    for _ in range(3):
        opt.zero_grad()
        ref.zero_grad()
        _agrad_loss(mine, "numpy").backward()
        _torch_loss(theirs).backward()
        opt.step()
        ref.step()
    for k in mine:
        _close(mine[k], theirs[k], f"Adam {k} after loading torch's state dict")


def test_add_param_group_and_repr() -> None:
    w, b = agrad.zeros(2).requires_grad_(), agrad.zeros(1).requires_grad_()
    opt = agrad.optim.Adam([w], lr=0.1)
    opt.add_param_group({"params": b, "betas": (0.5, 0.6)})
    assert opt.param_groups[1]["params"][0] is b
    assert opt.param_groups[1]["lr"] == 0.1
    assert opt.param_groups[1]["betas"] == (0.5, 0.6)
    text = repr(opt)
    assert text.startswith("Adam (")
    assert "Parameter Group 1" in text
    assert "betas: (0.5, 0.6)" in text


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda p: agrad.optim.SGD(p, lr=-0.1), AgradValueError, "invalid lr -0.1"),
        (lambda p: agrad.optim.SGD(p, momentum=-1), AgradValueError, "invalid momentum"),
        (lambda p: agrad.optim.SGD(p, weight_decay=-1), AgradValueError, "invalid weight_decay"),
        (lambda p: agrad.optim.SGD(p, nesterov=True), AgradValueError, "Nesterov momentum"),
        (
            lambda p: agrad.optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True),
            AgradValueError,
            "zero dampening",
        ),
        (lambda p: agrad.optim.Adam(p, lr=-1e-3), AgradValueError, "invalid lr"),
        (lambda p: agrad.optim.Adam(p, eps=-1.0), AgradValueError, "invalid eps"),
        (lambda p: agrad.optim.Adam(p, betas=(1.0, 0.9)), AgradValueError, "index 0"),
        (lambda p: agrad.optim.Adam(p, betas=(0.9, -0.1)), AgradValueError, "index 1"),
        (lambda p: agrad.optim.Adam(p, betas=0.9), AgradTypeError, "pair of floats"),
        (lambda p: agrad.optim.AdamW(p, weight_decay=-1), AgradValueError, "AdamW"),
        (lambda p: agrad.optim.RMSprop(p, alpha=-0.5), AgradValueError, "invalid alpha"),
        (lambda p: agrad.optim.RMSprop(p, momentum=-0.5), AgradValueError, "invalid momentum"),
        (lambda p: agrad.optim.SGD(p, lr="fast"), AgradTypeError, "needs a number for `lr`"),
        (lambda p: agrad.optim.SGD(p[0]), AgradTypeError, "single Tensor"),
        (lambda p: agrad.optim.SGD([]), AgradValueError, "empty parameter list"),
        (lambda p: agrad.optim.SGD(set(p)), AgradTypeError, "ordered collection"),
        (lambda p: agrad.optim.SGD([np.ones(2)]), AgradTypeError, "numpy.ndarray"),
        (lambda p: agrad.optim.SGD([p[0] * 2]), AgradValueError, "non-leaf"),
        (lambda p: agrad.optim.SGD([p[0], p[0]]), AgradValueError, "twice"),
        (
            lambda p: agrad.optim.SGD([{"params": p}, {"params": p}]),
            AgradValueError,
            "more than one parameter group",
        ),
        (
            lambda p: agrad.optim.SGD([{"params": p, "lr": -1.0}]),
            AgradValueError,
            "invalid lr",
        ),
    ],
)
def test_refusals_match_torchs(make: Any, error: type[Exception], match: str) -> None:
    params = [agrad.ones(2).requires_grad_()]
    with pytest.raises(error, match=match) as info:
        make(params)
    assert isinstance(info.value, AgradError)


def test_torch_refuses_the_same() -> None:
    # the refusals above mirror torch's (its builtin classes are the agrad errors' bases)
    p = [torch.ones(2, requires_grad=True)]
    for make in (
        lambda: torch.optim.SGD(p, lr=-0.1),
        lambda: torch.optim.SGD(p, nesterov=True),
        lambda: torch.optim.Adam(p, betas=(1.0, 0.9)),
        lambda: torch.optim.RMSprop(p, alpha=-0.5),
        lambda: torch.optim.SGD([p[0] * 2]),
    ):
        with pytest.raises(ValueError):  # noqa: PT011 - the message is torch's
            make()


def test_load_state_dict_refuses_another_layout() -> None:
    w, b = agrad.zeros(2).requires_grad_(), agrad.zeros(1).requires_grad_()
    saved = agrad.optim.SGD([w, b]).state_dict()
    with pytest.raises(AgradValueError, match="parameter group 0 has 2 parameters"):
        agrad.optim.SGD([w]).load_state_dict(saved)
    with pytest.raises(AgradValueError, match=r"has 1 parameter group\(s\), this optimizer 2"):
        agrad.optim.SGD([{"params": [w]}, {"params": [b]}]).load_state_dict(
            agrad.optim.SGD([w]).state_dict()
        )


def test_adam_converges_on_a_least_squares_fit() -> None:
    a = agrad.asarray(X)
    truth = agrad.asarray([1.0, -2.0, 0.5, 3.0])
    y = a @ truth
    w = agrad.zeros(4).requires_grad_()
    opt = agrad.optim.Adam([w], lr=0.1)
    for _ in range(500):
        opt.zero_grad()
        agrad.mean((a @ w - y) ** 2).backward()
        opt.step()
    assert math.dist(w.tolist(), truth.tolist()) < 1e-3


# -- HIPS autograd's functional optimizers ---------------------------------------------
def _hips_reference(name: str, grad: Any, x: np.ndarray, n: int, **kw: float) -> np.ndarray:
    """The update rules as HIPS autograd documents them, written out on one flat vector."""
    if name == "sgd":
        step, mass = kw.get("step_size", 0.1), kw.get("mass", 0.9)
        v = np.zeros_like(x)
        for i in range(n):
            v = mass * v - (1.0 - mass) * grad(x, i)
            x = x + step * v
    elif name == "rmsprop":
        step, gamma, eps = kw.get("step_size", 0.1), kw.get("gamma", 0.9), kw.get("eps", 1e-8)
        s = np.ones_like(x)
        for i in range(n):
            g = grad(x, i)
            s = s * gamma + g**2 * (1 - gamma)
            x = x - step * g / (np.sqrt(s) + eps)
    else:
        step, b1, b2 = kw.get("step_size", 0.001), kw.get("b1", 0.9), kw.get("b2", 0.999)
        eps = kw.get("eps", 1e-8)
        m, v = np.zeros_like(x), np.zeros_like(x)
        for i in range(n):
            g = grad(x, i)
            m = (1 - b1) * g + b1 * m
            v = (1 - b2) * (g**2) + b2 * v
            x = x - step * (m / (1 - b1 ** (i + 1))) / (np.sqrt(v / (1 - b2 ** (i + 1))) + eps)
    return x


def _flat_grad(x: np.ndarray, i: int) -> np.ndarray:
    return x**3 - np.sin(i + np.arange(x.size))


HIPS_CASES = [
    ("sgd", {}),
    ("sgd", {"step_size": 0.05, "mass": 0.5}),
    ("rmsprop", {}),
    ("rmsprop", {"step_size": 0.02, "gamma": 0.5, "eps": 1e-4}),
    ("adam", {}),
    ("adam", {"step_size": 0.05, "b1": 0.5, "b2": 0.9, "eps": 1e-4}),
]


@pytest.mark.parametrize(("name", "kw"), HIPS_CASES)
def test_hips_optimizers_follow_their_formulas(name: str, kw: dict[str, float]) -> None:
    from agrad.autograd.misc import optimizers

    x0 = RNG.standard_normal(7)
    seen: list[tuple[np.ndarray, int, np.ndarray]] = []
    out = getattr(optimizers, name)(
        _flat_grad, x0, lambda x, i, g: seen.append((x, i, g)), num_iters=30, **kw
    )
    want = _hips_reference(name, _flat_grad, x0, 30, **kw)
    np.testing.assert_allclose(out, want, rtol=1e-13, atol=1e-15)
    assert [i for _, i, _ in seen] == list(range(30))
    x, i, g = seen[-1]
    np.testing.assert_array_equal(g, _flat_grad(x, i))
    assert not np.allclose(out, x0)


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adam"])
def test_hips_optimizers_on_a_nested_container(name: str) -> None:
    from agrad.autograd.misc import optimizers

    x0 = {"w": RNG.standard_normal((2, 3)), "rest": [RNG.standard_normal(2), (0.5,)]}

    def grad(p: dict[str, Any], i: int) -> dict[str, Any]:
        assert set(p) == {"w", "rest"}
        assert p["w"].shape == (2, 3)
        return {"w": p["w"] ** 3 - i, "rest": [2 * p["rest"][0], (p["rest"][1][0] - 1.0,)]}

    calls: list[int] = []
    out = getattr(optimizers, name)(
        grad, x0, lambda x, i, g: calls.append(len(g["rest"])), num_iters=20, step_size=0.05
    )
    assert calls == [2] * 20
    assert out["w"].shape == (2, 3)
    assert isinstance(out["rest"], list)
    assert isinstance(out["rest"][1], tuple)

    def flat(p: dict[str, Any]) -> np.ndarray:
        return np.concatenate([np.ravel(p["w"]), p["rest"][0], np.ravel(p["rest"][1][0])])

    def unflat(v: np.ndarray) -> dict[str, Any]:
        return {"w": v[:6].reshape(2, 3), "rest": [v[6:8], (v[8],)]}

    want = _hips_reference(
        name, lambda v, i: flat(grad(unflat(v), i)), flat(x0), 20, step_size=0.05
    )
    np.testing.assert_allclose(flat(out), want, rtol=1e-13, atol=1e-15)


def test_hips_adam_is_differentiable_in_its_step_size() -> None:
    # meta-optimisation, as HIPS autograd's docstring allows: d(final x)/d(step_size)
    from agrad.autograd import grad
    from agrad.autograd.misc.optimizers import adam

    x0 = RNG.standard_normal(3)

    def final(step: Any) -> Any:
        x = adam(lambda x, i: 2 * x - 1.0, x0, num_iters=5, step_size=step)
        return agrad.sum(x) if isinstance(x, agrad.Tensor) else np.sum(x)

    h = 1e-6
    fd = (final(0.05 + h) - final(0.05 - h)) / (2 * h)
    np.testing.assert_allclose(float(grad(final)(0.05)), fd, rtol=1e-6)


def test_hips_optimizers_take_tensors_on_any_device() -> None:
    from agrad.autograd.misc.optimizers import adam

    x0 = agrad.asarray(RNG.standard_normal(4), device="torch:cpu")
    out = adam(lambda x, i: 2 * x, x0, num_iters=10, step_size=0.1)
    assert isinstance(out, agrad.Tensor)
    assert out.device == x0.device
    want = _hips_reference("adam", lambda x, i: 2 * x, _host(x0), 10, step_size=0.1)
    np.testing.assert_allclose(_host(out), want, rtol=1e-13)
