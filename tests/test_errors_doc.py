"""docs/errors.md's promise: every exception agrad raises is an ``agrad.errors.AgradError``
that is also the fitting built-in exception.

Two checks: common mistakes, each made once, raise such an error (whatever layer meets them:
agrad's own checks, NumPy's protocols, the array library underneath); and no ``raise`` in
agrad's source throws a bare built-in exception at a user.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import agrad
import agrad.numpy as anp
from agrad import errors as E

ROOT = Path(__file__).resolve().parents[1]


def leaf() -> agrad.Tensor:
    return agrad.tensor([1.0, 2.0], requires_grad=True)


def ints() -> agrad.Tensor:
    return agrad.ones(2, dtype=agrad.int64)


class TwoArgs(agrad.Function):
    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        return x * y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g  # one gradient for two arguments


# (id, the mistake, the built-in it must also be)
MISTAKES: list[tuple[str, Callable[[], Any], type[Exception]]] = [
    # devices
    ("unknown-device", lambda: agrad.ones(2, device="nope"), ValueError),
    ("numpy-device-index", lambda: agrad.ones(2, device="numpy:3"), ValueError),
    ("torch-device-name", lambda: agrad.ones(2, device="torch:xyz"), ValueError),
    ("device-not-a-string", lambda: agrad.ones(2, device=3), TypeError),
    ("default-device-unknown", lambda: agrad.set_default_device("nope"), ValueError),
    ("to-device-unknown", lambda: leaf().to_device("nope"), ValueError),
    (
        "mixed-devices",
        lambda: agrad.ones(2) + agrad.asarray([1.0, 2.0], device="jax:cpu"),
        ValueError,
    ),
    # leaving the graph
    ("np-asarray-grad", lambda: np.asarray(leaf()), TypeError),
    ("np-array-of-grad-scalars", lambda: np.array([leaf()[0], leaf()[1]]), TypeError),
    ("item-non-scalar", lambda: leaf().item(), ValueError),
    ("float-non-scalar", lambda: float(agrad.ones(2)), TypeError),
    ("int-non-scalar", lambda: int(agrad.ones(2)), TypeError),
    ("bool-non-scalar", lambda: bool(agrad.ones(2)), ValueError),
    ("len-0d", lambda: len(agrad.tensor(1.0)), TypeError),
    ("iter-0d", lambda: list(agrad.tensor(1.0)), TypeError),
    # arguments
    ("dtype-string", lambda: agrad.zeros(2, dtype="float32"), TypeError),
    ("dtype-numpy", lambda: agrad.zeros(2, dtype=np.float32), TypeError),
    ("astype-string", lambda: agrad.astype(leaf(), "float32"), TypeError),
    ("tensor-object", lambda: agrad.tensor(object()), TypeError),
    ("tensor-ragged", lambda: agrad.tensor([[1.0], [1.0, 2.0]]), ValueError),
    ("requires-grad-int", lambda: agrad.tensor([1, 2], requires_grad=True), RuntimeError),
    ("grad-not-tensor", lambda: agrad.grad("a", leaf()), TypeError),
    ("grad-assign-shape", lambda: setattr(leaf(), "grad", agrad.ones(3)), RuntimeError),
    ("grad-assign-ndarray", lambda: setattr(leaf(), "grad", np.ones(2)), TypeError),
    ("no-grad-argument", lambda: agrad.no_grad(3), TypeError),
    ("checkpoint-not-callable", lambda: agrad.checkpoint(3, leaf()), TypeError),
    ("func-grad-non-scalar", lambda: agrad.func.grad(lambda x: x * 2)(np.ones(2)), RuntimeError),
    ("isdtype-string", lambda: agrad.isdtype("float32", "real floating"), TypeError),
    ("result-type-empty", lambda: agrad.result_type(), ValueError),
    ("random-int-dtype", lambda: agrad.random.normal((2,), dtype=agrad.int64), TypeError),
    # shapes and indices, refused by the library underneath
    ("add-shapes", lambda: agrad.ones(2) + agrad.ones(3), ValueError),
    ("matmul-shapes", lambda: agrad.ones((2, 3)) @ agrad.ones((2, 3)), ValueError),
    ("reshape-size", lambda: agrad.reshape(leaf(), (3,)), ValueError),
    ("sum-axis-range", lambda: agrad.sum(leaf(), axis=3), ValueError),
    ("index-range", lambda: leaf()[5], IndexError),
    ("index-float", lambda: leaf()[1.5], IndexError),
    ("setitem-shape", lambda: agrad.ones(2).__setitem__(0, agrad.ones(3)), ValueError),
    ("stack-nothing", lambda: agrad.stack([]), ValueError),
    ("inv-singular", lambda: agrad.linalg.inv(agrad.zeros((2, 2))), np.linalg.LinAlgError),
    ("broadcast-shapes", lambda: agrad.broadcast_shapes((2,), (3,)), ValueError),
    # backward
    ("backward-non-scalar", lambda: (leaf() * 2).backward(), RuntimeError),
    ("backward-no-graph", lambda: agrad.sum(agrad.ones(2)).backward(), RuntimeError),
    (
        "function-backward-arity",
        lambda: TwoArgs.apply(leaf(), leaf()).sum().backward(),
        RuntimeError,
    ),
    # NumPy on tensors
    ("np-unsupported-function", lambda: np.histogram(leaf()), TypeError),
    ("np-unsupported-ufunc", lambda: np.gcd(ints(), ints()), TypeError),
    ("np-out-ndarray", lambda: np.sin(leaf(), out=np.empty(2)), TypeError),
    ("np-where-two-arguments", lambda: np.where(leaf() > 0, leaf()), ValueError),
    ("anp-einsum-operands", lambda: anp.einsum("i,i->", leaf()), ValueError),
    ("anp-reduce-unary", lambda: anp.sin.reduce(leaf()), ValueError),
    ("anp-norm-axes", lambda: anp.linalg.norm(leaf(), axis=(0, 1, 2)), ValueError),
]

# mistakes that reach the user as a bare built-in still; the reason names where to fix it
KNOWN: dict[str, str] = {}


def _params() -> list[Any]:
    params = []
    for name, call, builtin in MISTAKES:
        marks = [pytest.mark.xfail(reason=KNOWN[name], strict=True)] if name in KNOWN else []
        params.append(pytest.param(call, builtin, id=name, marks=marks))
    return params


@pytest.mark.filterwarnings("ignore::agrad.errors.GraphBreakWarning")
@pytest.mark.parametrize(("call", "builtin"), _params())
def test_a_common_mistake_raises_an_agrad_error(call: Callable[[], Any], builtin: type) -> None:
    with pytest.raises(Exception) as info:  # noqa: PT011 - the checks below are narrower
        call()
    error = info.value
    assert isinstance(error, E.AgradError), f"{type(error).__name__}: {error}"
    assert isinstance(error, builtin), f"{type(error).__name__} is no {builtin.__name__}"
    assert type(error).__module__ == "agrad.errors", type(error)


# raise sites that still throw a bare built-in, in files being edited elsewhere as this is
# written; each is a user-facing refusal that should be an AgradTypeError/AgradValueError
BARE_RAISES_KNOWN: dict[str, int] = {}
BUILTINS = {
    "TypeError",
    "ValueError",
    "IndexError",
    "RuntimeError",
    "KeyError",
    "NotImplementedError",
}


def _bare_raises(path: Path) -> int:
    count = 0
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            count += isinstance(exc, ast.Name) and exc.id in BUILTINS
    return count


def test_agrad_raises_no_bare_builtin_exception() -> None:
    found = {}
    for path in sorted([*(ROOT / "agrad").rglob("*.py"), *(ROOT / "backends").rglob("*.py")]):
        n = _bare_raises(path)
        if n:
            found[path.relative_to(ROOT).as_posix()] = n
    unexpected = {k: v for k, v in found.items() if BARE_RAISES_KNOWN.get(k, 0) < v}
    assert not unexpected, f"bare built-in raises (use agrad.errors' classes): {unexpected}"


# -- NumPy's floating-point warnings (docs/errors.md) -----------------------------------------
def test_numpy_raising_instead_of_warning_names_the_agrad_call_and_passes_the_user_line():
    x = agrad.tensor([-1.0, 2.0], requires_grad=True)
    with np.errstate(all="raise"), pytest.raises(E.BackendError) as info:
        agrad.log(x)  # the user's line
    assert isinstance(info.value, FloatingPointError)
    assert "`agrad.log`" in str(info.value)
    assert "invalid value" in str(info.value)
    frames = [entry.frame.code.path for entry in info.traceback]
    assert Path(str(frames[0])).name == "test_errors_doc.py"


@pytest.mark.parametrize("mode", ["raise", "warn"])
def test_backward_is_quiet_about_floating_point_errors_as_torch_is(mode):
    import torch

    with np.errstate(all=mode):  # pytest turns any warning into an error
        x = agrad.tensor([0.0, 4.0], requires_grad=True)
        agrad.sum(agrad.sqrt(x)).backward()
    t = torch.tensor([0.0, 4.0], dtype=torch.float64, requires_grad=True)
    torch.sqrt(t).sum().backward()
    assert x.grad.tolist() == t.grad.tolist()  # [inf, 0.25]


def test_forward_floating_point_warnings_point_at_the_user_s_line(tmp_path: Any) -> None:
    import subprocess
    import sys

    script = tmp_path / "model.py"
    script.write_text(
        "import agrad\n"
        "import agrad.numpy as anp\n"
        "x = agrad.asarray([-1.0, 4.0])\n"
        "y = agrad.log(x)\n"
        "z = x / agrad.asarray([0.0, 1.0])\n"
        "w = anp.arccos(x)\n"
        "assert y.tolist()[1] > 1.38 and z.tolist()[1] == 4.0\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=120
    )
    err = done.stderr
    assert f"{script}:4: RuntimeWarning: invalid value encountered in log (in `agrad.log`)" in err
    assert f"{script}:5: RuntimeWarning: divide by zero encountered in divide" in err
    assert f"{script}:6: RuntimeWarning: invalid value encountered in arccos" in err
    assert "_ops.py" not in err
