"""The misuse catalogue: mistakes real users make, each met by an error that names the problem
and hints at the fix.

Every case is one ``Misuse(id, call, error, builtin, pattern)`` line in ``CASES``: calling
``call()`` must raise ``error`` (an :class:`~agrad.errors.AgradError` subclass) that is also a
``builtin`` (so code written against PyTorch that catches ``RuntimeError`` or ``TypeError``
keeps working), with a message that matches ``pattern`` (a regular expression: the problem,
and the way out). Never a bare ``AttributeError``/``KeyError``/``IndexError``/
``ZeroDivisionError`` from inside agrad, never silence. To add a case, append one line.

Cases that agrad does not yet meet this way are listed with ``known=`` (the reason): they run
as strict xfails, so a fix shows up as an unexpected pass.
"""

from __future__ import annotations

import copy
import importlib.util
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import agrad
from agrad import errors as E


@dataclass(frozen=True)
class Misuse:
    id: str
    call: Callable[[], Any]
    error: type[E.AgradError]
    builtin: type[Exception]
    pattern: str
    known: str | None = None  # why agrad does not meet it yet (a strict xfail)
    skip: str | None = None  # why the case cannot run here


# -- small helpers the cases share --------------------------------------------------------
def leaf(values: Any = (1.0, 2.0)) -> agrad.Tensor:
    return agrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def const(values: Any = (1.0, 2.0)) -> agrad.Tensor:
    return agrad.tensor(np.asarray(values, dtype=np.float64))


def loss(x: agrad.Tensor | None = None) -> agrad.Tensor:
    x = leaf() if x is None else x
    return agrad.sum(x * x)


def backward_twice() -> None:
    y = loss()
    y.backward()
    y.backward()


def grad_twice() -> None:
    x = leaf()
    y = loss(x)
    agrad.grad(y, x)
    agrad.grad(y, x)


def hook_returning(value: Callable[[], Any], on_leaf: bool = True) -> Callable[[], None]:
    def run() -> None:
        x = leaf()
        target = x if on_leaf else x * 2
        target.register_hook(lambda g: value())
        agrad.sum(target * target).backward()

    return run


def set_grad(value: Callable[[agrad.Tensor], Any]) -> Callable[[], None]:
    def run() -> None:
        x = leaf()
        x.grad = value(x)

    return run


def set_attr(obj: Callable[[], Any], name: str, value: Any) -> Callable[[], None]:
    return lambda: setattr(obj(), name, value)


def graph_break(convert: Callable[[Any], Any]) -> Callable[[], None]:
    def run() -> None:
        with agrad.set_graph_break("error"):
            convert(leaf()[0] * 2)

    return run


def inplace_on_saved_then_backward() -> None:
    x = leaf()
    e = agrad.exp(x)
    v = e.to_device("torch:cpu")  # one buffer on two devices: the write reaches what exp saved
    v *= 2
    agrad.sum(e).backward()


def iadd(target: Callable[[], agrad.Tensor], value: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        t = target()
        t += value()

    return run


def setitem(
    target: Callable[[], agrad.Tensor], key: Any, value: Callable[[], Any]
) -> Callable[[], None]:
    def run() -> None:
        target()[key] = value()

    return run


# -- agrad.Function subclasses that go wrong in one way each -------------------------------
def function(forward: Callable[..., Any], backward: Callable[..., Any]) -> type[agrad.Function]:
    return type(
        "MyFn",
        (agrad.Function,),
        {"forward": staticmethod(forward), "backward": staticmethod(backward)},
    )


def twice_fwd(ctx: Any, x: Any) -> Any:
    return x * 2


def function_backward(backward: Callable[..., Any]) -> Callable[[], None]:
    return lambda: agrad.sum(function(twice_fwd, backward).apply(leaf())).backward()


def function_without_backward() -> None:
    class NoBackward(agrad.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x * 2

    agrad.sum(NoBackward.apply(leaf())).backward()


def _doubling_that_saves_its_input() -> Any:
    def fwd(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x * 2

    def bwd(ctx: Any, g: Any) -> Any:
        ctx.saved_tensors  # noqa: B018 - reading them is what checks them
        return g * 2

    return function(fwd, bwd)


def function_saved_modified() -> None:
    h = leaf() * 1
    y = _doubling_that_saves_its_input().apply(h)
    with agrad.no_grad():
        h += 1
    agrad.sum(y).backward()


def function_backward_twice() -> None:
    y = agrad.sum(_doubling_that_saves_its_input().apply(leaf()))
    y.backward()
    y.backward()


def save_non_tensor(ctx: Any, x: Any) -> Any:
    ctx.save_for_backward(3.0)
    return x


# -- the catalogue --------------------------------------------------------------------------
F = agrad.func
CASES = [
    # backward and agrad.grad
    Misuse("backward-twice", backward_twice, E.FreedGraphError, RuntimeError, r"retain_graph=True"),
    Misuse("grad-twice", grad_twice, E.FreedGraphError, RuntimeError, r"retain_graph=True"),
    Misuse(
        "function-backward-twice",
        function_backward_twice,
        E.FreedGraphError,
        RuntimeError,
        r"retain_graph=True",
    ),
    Misuse(
        "backward-non-scalar",
        lambda: (leaf() * 2).backward(),
        E.NonScalarOutputError,
        RuntimeError,
        r"gradient=.*agrad\.sum",
    ),
    Misuse(
        "grad-non-scalar",
        lambda: agrad.grad(leaf() * 2, leaf()),
        E.NonScalarOutputError,
        RuntimeError,
        r"grad_outputs=",
    ),
    Misuse(
        "backward-no-grad-output",
        lambda: agrad.sum(const()).backward(),
        E.GraphError,
        RuntimeError,
        r"does not require grad.*requires_grad=True",
    ),
    Misuse(
        "backward-under-no-grad",
        lambda: agrad.no_grad()(loss)().backward(),
        E.GraphError,
        RuntimeError,
        r"no_grad",
    ),
    Misuse(
        "backward-of-nondiff-result",
        lambda: agrad.sum(agrad.argmax(leaf())).backward(),
        E.GraphError,
        RuntimeError,
        r"does not require grad",
    ),
    Misuse(
        "grad-unused-input",
        lambda: agrad.grad(loss(), leaf()),
        E.UnusedInputError,
        RuntimeError,
        r"allow_unused=True",
    ),
    Misuse(
        "grad-input-no-grad",
        lambda: agrad.grad(loss(), const()),
        E.GraphError,
        RuntimeError,
        r"requires_grad=True",
    ),
    Misuse(
        "grad-input-array",
        lambda: agrad.grad(loss(), np.ones(2)),
        E.AgradTypeError,
        TypeError,
        r"not an agrad Tensor",
    ),
    Misuse(
        "grad-inputs-empty",
        lambda: agrad.grad(loss(), []),
        E.AgradValueError,
        ValueError,
        r"`inputs`.*empty",
    ),
    Misuse(
        "backward-inputs-empty",
        lambda: loss().backward(inputs=[]),
        E.AgradValueError,
        ValueError,
        r"`inputs`.*empty",
    ),
    Misuse(
        "backward-inputs-no-grad",
        lambda: loss().backward(inputs=[const()]),
        E.GraphError,
        RuntimeError,
        r"does not require grad",
    ),
    Misuse(
        "grad-no-outputs",
        lambda: agrad.grad([], leaf()),
        E.AgradValueError,
        ValueError,
        r"no outputs",
    ),
    Misuse(
        "grad-output-not-tensor",
        lambda: agrad.grad([loss(), 3.0], leaf()),
        E.AgradTypeError,
        TypeError,
        r"output 1 is a float",
    ),
    Misuse(
        "backward-of-array",
        lambda: agrad.backward(np.ones(())),
        E.AgradTypeError,
        TypeError,
        r"differentiates agrad Tensors",
    ),
    Misuse(
        "complex-implicit-seed",
        lambda: agrad.sum(leaf() * 1j).backward(),
        E.NotDifferentiableError,
        RuntimeError,
        r"complex output.*gradient",
    ),
    Misuse(
        "gradient-wrong-shape",
        lambda: (leaf() * 2).backward(gradient=agrad.ones(3)),
        E.GradShapeError,
        RuntimeError,
        r"shape \(3,\).*\(2,\)",
    ),
    Misuse(
        "gradient-complex-for-real",
        lambda: (leaf() * 2).backward(gradient=agrad.ones(2, dtype=agrad.complex128)),
        E.GradShapeError,
        RuntimeError,
        r"complex.*real part",
    ),
    Misuse(
        "gradient-str",
        lambda: loss().backward(gradient="ones"),
        E.AgradTypeError,
        TypeError,
        r"is a str",
    ),
    Misuse(
        "gradient-bool",
        lambda: loss().backward(gradient=True),
        E.AgradTypeError,
        TypeError,
        r"is a bool",
    ),
    Misuse(
        "gradient-list-of-numbers",
        lambda: (leaf() * 2).backward(gradient=[1.0, 1.0]),
        E.AgradValueError,
        ValueError,
        r"one per output.*agrad\.asarray",
    ),
    Misuse(
        "grad-outputs-too-many",
        lambda: agrad.grad(loss(), leaf(), [agrad.asarray(1.0)] * 2),
        E.AgradValueError,
        ValueError,
        r"2 gradients",
    ),
    Misuse(
        "gradient-other-device",
        lambda: (leaf() * 2).backward(gradient=agrad.ones(2, device="array_api_strict")),
        E.DeviceMismatchError,
        ValueError,
        r"to_device",
    ),
    Misuse(
        "retain-graph-str",
        lambda: loss().backward(retain_graph="yes"),
        E.AgradTypeError,
        TypeError,
        r"retain_graph.*True or False",
    ),
    Misuse(
        "create-graph-str",
        lambda: loss().backward(create_graph="no"),
        E.AgradTypeError,
        TypeError,
        r"create_graph.*True or False",
    ),
    Misuse(
        "allow-unused-str",
        lambda: agrad.grad(loss(), leaf(), allow_unused="yes"),
        E.AgradTypeError,
        TypeError,
        r"allow_unused.*True or False",
    ),
    Misuse(
        "backward-int-output",
        lambda: agrad.sum(agrad.astype(leaf(), agrad.int64)).backward(),
        E.GraphError,
        RuntimeError,
        r"does not require grad",
    ),
    Misuse(
        "grad-bool-output",
        lambda: agrad.grad(agrad.any(leaf() > 1), leaf()),
        E.GraphError,
        RuntimeError,
        r"does not require grad",
    ),
    Misuse(
        "no-grad-argument",
        lambda: agrad.no_grad(False),
        E.AgradTypeError,
        TypeError,
        r"no arguments.*with agrad\.no_grad\(\)",
    ),
    # Tensor attributes
    Misuse(
        "requires-grad-int",
        lambda: agrad.tensor([1, 2], requires_grad=True),
        E.NotDifferentiableError,
        RuntimeError,
        r"astype",
    ),
    Misuse(
        "requires-grad-non-leaf",
        set_attr(lambda: leaf() * 2, "requires_grad", False),
        E.GraphError,
        RuntimeError,
        r"leaf.*detach",
    ),
    Misuse(
        "requires-grad-str",
        set_attr(const, "requires_grad", "yes"),
        E.AgradTypeError,
        TypeError,
        r"True or False",
    ),
    Misuse(
        "requires-grad-method-str",
        lambda: const().requires_grad_("yes"),
        E.AgradTypeError,
        TypeError,
        r"True or False",
    ),
    Misuse(
        "set-grad-int",
        set_grad(lambda x: 3),
        E.AgradTypeError,
        TypeError,
        r"Tensor or None.*agrad\.asarray",
    ),
    Misuse(
        "set-grad-array",
        set_grad(lambda x: np.ones(2)),
        E.AgradTypeError,
        TypeError,
        r"agrad\.asarray",
    ),
    Misuse("set-grad-itself", set_grad(lambda x: x), E.GraphError, RuntimeError, r"own `\.grad`"),
    Misuse(
        "set-grad-shape",
        set_grad(lambda x: agrad.ones(3)),
        E.GradShapeError,
        RuntimeError,
        r"shape \(3,\)",
    ),
    Misuse(
        "set-grad-complex",
        set_grad(lambda x: agrad.ones(2, dtype=agrad.complex128)),
        E.GradShapeError,
        RuntimeError,
        r"dtype.*astype",
    ),
    Misuse(
        "set-grad-float32",
        set_grad(lambda x: agrad.ones(2, dtype=agrad.float32)),
        E.GradShapeError,
        RuntimeError,
        r"dtype.*astype",
    ),
    Misuse(
        "set-grad-device",
        set_grad(lambda x: agrad.ones(2, device="array_api_strict")),
        E.GradShapeError,
        RuntimeError,
        r"to_device",
    ),
    Misuse(
        "retain-grad-no-grad",
        lambda: const().retain_grad(),
        E.GraphError,
        RuntimeError,
        r"requires_grad=True",
    ),
    Misuse(
        "item-of-many", lambda: leaf().item(), E.AgradValueError, ValueError, r"one element.*tolist"
    ),
    Misuse("T-of-3d", lambda: agrad.ones((2, 2, 2)).T, E.AgradValueError, ValueError, r"\.mT"),
    Misuse("len-of-0d", lambda: len(agrad.asarray(1.0)), E.AgradTypeError, TypeError, r"0-d.*item"),
    Misuse(
        "iter-of-0d", lambda: list(agrad.asarray(1.0)), E.AgradTypeError, TypeError, r"0-d.*item"
    ),
    Misuse(
        "api-version",
        lambda: const().__array_namespace__(api_version="2020.10"),
        E.AgradValueError,
        ValueError,
        r"2025\.12",
    ),
    Misuse(
        "deepcopy-non-leaf",
        lambda: copy.deepcopy(leaf() * 2),
        E.GraphError,
        RuntimeError,
        r"detach",
    ),
    Misuse(
        "pickle-non-leaf", lambda: pickle.dumps(leaf() * 2), E.GraphError, RuntimeError, r"detach"
    ),
    Misuse(
        "detach-in-place-view",
        lambda: (leaf() * 2)[:1].detach_(),
        E.GraphError,
        RuntimeError,
        r"detach\(\)",
    ),
    # hooks
    Misuse(
        "hook-no-grad",
        lambda: const().register_hook(lambda g: g),
        E.GraphError,
        RuntimeError,
        r"requires_grad=True",
    ),
    Misuse(
        "hook-not-callable",
        lambda: leaf().register_hook(3),
        E.AgradTypeError,
        TypeError,
        r"function of the gradient",
    ),
    Misuse(
        "hook-shape",
        hook_returning(lambda: agrad.ones(3)),
        E.HookError,
        RuntimeError,
        r"hook `.*shape",
    ),
    Misuse(
        "hook-str",
        hook_returning(lambda: "g"),
        E.AgradTypeError,
        TypeError,
        r"hook `.*returns None",
    ),
    Misuse(
        "hook-number", hook_returning(lambda: 1.0), E.AgradTypeError, TypeError, r"hook `.*float"
    ),
    Misuse(
        "hook-int-dtype",
        hook_returning(lambda: agrad.ones(2, dtype=agrad.int64)),
        E.HookError,
        RuntimeError,
        r"hook `.*dtype",
    ),
    Misuse(
        "hook-complex",
        hook_returning(lambda: agrad.ones(2, dtype=agrad.complex128)),
        E.HookError,
        RuntimeError,
        r"hook `.*dtype",
    ),
    Misuse(
        "hook-device",
        hook_returning(lambda: agrad.ones(2, device="array_api_strict")),
        E.HookError,
        RuntimeError,
        r"hook `.*same device",
    ),
    Misuse(
        "non-leaf-hook-shape",
        hook_returning(lambda: agrad.ones(3), False),
        E.HookError,
        RuntimeError,
        r"hook `.*shape",
    ),
    Misuse(
        "non-leaf-hook-str",
        hook_returning(lambda: "g", False),
        E.AgradTypeError,
        TypeError,
        r"hook `",
    ),
    Misuse(
        "non-leaf-hook-int-dtype",
        hook_returning(lambda: agrad.ones(2, dtype=agrad.int64), False),
        E.HookError,
        RuntimeError,
        r"hook `.*dtype",
    ),
    # leaving the graph
    Misuse(
        "float-recording", graph_break(float), E.GraphBreakError, RuntimeError, r"item\(\).*detach"
    ),
    Misuse("int-recording", graph_break(int), E.GraphBreakError, RuntimeError, r"item\(\)"),
    Misuse("complex-recording", graph_break(complex), E.GraphBreakError, RuntimeError, r"item\(\)"),
    Misuse(
        "graph-break-mode",
        lambda: agrad.set_graph_break("loud"),
        E.AgradValueError,
        ValueError,
        r"warn.*error.*ignore",
    ),
    Misuse(
        "set-grad-enabled-str",
        lambda: agrad.set_grad_enabled("yes"),
        E.AgradTypeError,
        TypeError,
        r"True or False",
    ),
    # in place
    Misuse("iadd-leaf", iadd(leaf, lambda: 1.0), E.InplaceLeafError, RuntimeError, r"no_grad"),
    Misuse(
        "setitem-leaf", setitem(leaf, 0, lambda: 0.0), E.InplaceLeafError, RuntimeError, r"no_grad"
    ),
    Misuse(
        "iadd-view-of-leaf",
        iadd(lambda: leaf()[:1], lambda: 1.0),
        E.InplaceLeafError,
        RuntimeError,
        r"leaf",
    ),
    Misuse(
        "inplace-saved-then-backward",
        inplace_on_saved_then_backward,
        E.InplaceModifiedError,
        RuntimeError,
        r"`exp`.*out-of-place",
    ),
    Misuse(
        "int-iadd-grad-float",
        iadd(lambda: agrad.asarray([1, 2]), lambda: leaf() * 1),
        E.AgradTypeError,
        TypeError,
        r"int64",
    ),
    Misuse(
        "int-setitem-grad-float",
        setitem(lambda: agrad.asarray([1, 2]), 0, lambda: leaf()[0] * 3),
        E.AgradTypeError,
        TypeError,
        r"int64",
    ),
    # agrad.Function
    Misuse(
        "function-instance-call",
        lambda: function(twice_fwd, lambda ctx, g: g)()(leaf()),
        E.AgradTypeError,
        TypeError,
        r"MyFn\.apply",
    ),
    Misuse(
        "function-forward-none",
        lambda: function(lambda ctx, x: None, lambda ctx, g: g).apply(leaf()),
        E.AgradTypeError,
        TypeError,
        r"MyFn\.forward.*return",
    ),
    Misuse(
        "function-forward-str",
        lambda: function(lambda ctx, x: "y", lambda ctx, g: g).apply(leaf()),
        E.AgradTypeError,
        TypeError,
        r"MyFn\.forward.*str",
    ),
    Misuse(
        "function-backward-str",
        function_backward(lambda ctx, g: "g"),
        E.FunctionBackwardError,
        RuntimeError,
        r"MyFn\.backward.*str",
    ),
    Misuse(
        "function-backward-count",
        function_backward(lambda ctx, g: (g, g)),
        E.FunctionBackwardError,
        RuntimeError,
        r"MyFn\.backward.*2 gradients",
    ),
    Misuse(
        "function-backward-shape",
        function_backward(lambda ctx, g: agrad.ones(3)),
        E.FunctionBackwardError,
        RuntimeError,
        r"MyFn\.backward.*shape \(3,\)",
    ),
    Misuse(
        "function-backward-complex",
        function_backward(lambda ctx, g: g * 1j),
        E.FunctionBackwardError,
        RuntimeError,
        r"MyFn\.backward.*real",
    ),
    Misuse(
        "function-backward-device",
        function_backward(lambda ctx, g: agrad.ones(2, device="array_api_strict")),
        E.DeviceMismatchError,
        ValueError,
        r"MyFn\.backward",
    ),
    Misuse(
        "function-no-backward",
        function_without_backward,
        E.NoRuleError,
        NotImplementedError,
        r"must implement `backward",
    ),
    Misuse(
        "function-save-non-tensor",
        lambda: function(save_non_tensor, lambda ctx, g: g).apply(leaf()),
        E.AgradTypeError,
        TypeError,
        r"attributes of `ctx`",
    ),
    Misuse(
        "function-saved-modified",
        function_saved_modified,
        E.InplaceModifiedError,
        RuntimeError,
        r"modified in place",
    ),
    # agrad.func transforms
    Misuse(
        "func-argnums-str",
        lambda: F.grad(lambda x: x * x, argnums="0")(1.0),
        E.AgradTypeError,
        TypeError,
        r"argnums",
    ),
    Misuse(
        "func-argnums-range",
        lambda: F.grad(lambda x: x * x, argnums=1)(1.0),
        E.AgradValueError,
        ValueError,
        r"argument 1.*1 positional",
    ),
    Misuse(
        "func-argnums-twice",
        lambda: F.grad(lambda x, y: x * y, argnums=(0, 0))(1.0, 2.0),
        E.AgradValueError,
        ValueError,
        r"twice",
    ),
    Misuse(
        "func-grad-non-scalar",
        lambda: F.grad(lambda x: x * 2)(np.ones(2)),
        E.NonScalarOutputError,
        RuntimeError,
        r"vjp|jacobian",
    ),
    Misuse(
        "func-grad-tuple-output",
        lambda: F.grad(lambda x: (x * x, x))(1.0),
        E.NonScalarOutputError,
        RuntimeError,
        r"has_aux=True",
    ),
    Misuse(
        "func-grad-complex-output",
        lambda: F.grad(lambda x: x * x)(np.asarray(1j)),
        E.NotDifferentiableError,
        RuntimeError,
        r"vjp",
    ),
    Misuse(
        "func-grad-int-input",
        lambda: F.grad(lambda x: agrad.sum(x))(np.arange(3)),
        E.NotDifferentiableError,
        RuntimeError,
        r"astype",
    ),
    Misuse(
        "func-has-aux-not-pair",
        lambda: F.grad(lambda x: x * x, has_aux=True)(1.0),
        E.AgradTypeError,
        TypeError,
        r"\(output, aux\)",
    ),
    Misuse(
        "func-vjp-cotangent-shape",
        lambda: F.vjp(lambda x: x * 2, np.ones(2))[1](np.ones(3)),
        E.GradShapeError,
        RuntimeError,
        r"shape",
    ),
    Misuse(
        "func-jvp-primals-not-tuple",
        lambda: F.jvp(lambda x: x, np.ones(2), np.ones(2)),
        E.AgradTypeError,
        TypeError,
        r"tuple of arguments",
    ),
    Misuse(
        "func-jvp-tangent-count",
        lambda: F.jvp(lambda x: x, (np.ones(2),), (np.ones(2), np.ones(2))),
        E.AgradTypeError,
        TypeError,
        r"one entry per primal",
    ),
    Misuse(
        "func-hessian-non-scalar",
        lambda: F.hessian(lambda x: x * 2)(np.ones(2)),
        E.NonScalarOutputError,
        RuntimeError,
        r"scalar",
    ),
    Misuse(
        "func-not-callable",
        lambda: F.grad(3)(1.0),
        E.AgradTypeError,
        TypeError,
        r"transforms a function",
    ),
    Misuse(
        "func-str-argument",
        lambda: F.grad(lambda x: x)("1.0"),
        E.AgradTypeError,
        TypeError,
        r"a str; transforms take arrays",
    ),
    # devices
    Misuse(
        "mix-devices-add",
        lambda: leaf() + agrad.ones(2, device="array_api_strict"),
        E.DeviceMismatchError,
        ValueError,
        r"to_device",
    ),
    Misuse(
        "mix-devices-matmul",
        lambda: leaf() @ agrad.ones(2, device="array_api_strict"),
        E.DeviceMismatchError,
        ValueError,
        r"to_device",
    ),
    Misuse(
        "mix-devices-setitem",
        # (a 0-d constant may join another device; data may not)
        setitem(lambda: const(), slice(None), lambda: agrad.ones(2, device="array_api_strict")),
        E.DeviceMismatchError,
        ValueError,
        r"to_device",
    ),
    Misuse(
        "backend-not-installed",
        lambda: agrad.ones(2, device="cupy"),
        E.BackendNotInstalledError,
        ImportError,
        r"pip install",
        skip=None if importlib.util.find_spec("cupy") is None else "CuPy is installed",
    ),
    Misuse(
        "no-cuda",
        lambda: agrad.ones(2, device="torch:cuda:7"),
        E.DeviceUnavailableError,
        RuntimeError,
        r"cuda",
    ),
    # the rule table
    Misuse(
        "register-unknown-rule",
        lambda: agrad.extend.register(
            agrad.extend.Rule("not_a_function", lambda g, out, x, *, xp: g)
        ),
        E.RegistryError,
        ValueError,
        r"not a function of the standard",
    ),
    Misuse(
        "anomaly-nan",
        lambda: agrad.detect_anomaly()(
            lambda: agrad.sum(agrad.sqrt(leaf([0.0, 1.0]))).backward()
        )(),
        E.AnomalyError,
        RuntimeError,
        r"SqrtBackward",
    ),
    # wrong arguments to namespace functions: the library's refusal, as a BackendError
    Misuse(
        "matmul-shapes",
        lambda: leaf() @ agrad.ones((3, 2)),
        E.AgradValueError,
        ValueError,
        r"matmul",
    ),
    Misuse(
        "add-broadcast",
        lambda: leaf() + agrad.ones(3),
        E.AgradValueError,
        ValueError,
        r"broadcast",
    ),
    Misuse(
        "reshape-size",
        lambda: agrad.reshape(leaf(), (3,)),
        E.AgradValueError,
        ValueError,
        r"reshape",
    ),
    Misuse(
        "sum-axis-range",
        lambda: agrad.sum(leaf(), axis=3),
        E.AgradValueError,
        ValueError,
        r"axis",
    ),
    Misuse(
        "index-out-of-range",
        lambda: leaf()[5],
        E.AgradIndexError,
        IndexError,
        r"index",
    ),
    Misuse(
        "inv-non-square",
        lambda: agrad.linalg.inv(agrad.ones((2, 3))),
        E.AgradValueError,
        ValueError,
        r"square",
    ),
    Misuse(
        "concat-shapes",
        lambda: agrad.concat([leaf(), agrad.ones((2, 2))]),
        E.AgradValueError,
        ValueError,
        r"concat",
    ),
    Misuse("tensor-none", lambda: agrad.tensor(None), E.AgradTypeError, TypeError, r"None"),
    Misuse("asarray-str", lambda: agrad.asarray("a duck"), E.AgradTypeError, TypeError, r"str"),
    Misuse(
        "zeros-negative",
        lambda: agrad.zeros(-1),
        E.AgradValueError,
        ValueError,
        r"negative",
    ),
    Misuse(
        "asarray-grad-array",
        lambda: np.asarray(leaf()),
        E.AgradTypeError,
        TypeError,
        r"detach",
    ),
]


def _params() -> list[Any]:
    params = []
    for case in CASES:
        marks = [pytest.mark.xfail(reason=case.known, strict=True)] if case.known else []
        if case.skip:
            marks.append(pytest.mark.skip(reason=case.skip))
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


@pytest.mark.parametrize("case", _params())
def test_misuse_raises_a_clear_agrad_error(case: Misuse) -> None:
    assert issubclass(case.error, E.AgradError)
    assert issubclass(case.error, case.builtin)
    with pytest.raises(Exception) as info:  # noqa: PT011 - the checks below are narrower
        case.call()
    error = info.value
    internal = (AttributeError, KeyError, IndexError, ZeroDivisionError, UnboundLocalError)
    assert not (isinstance(error, internal) and not isinstance(error, E.AgradError)), (
        f"an internal {type(error).__name__} escaped: {error}"
    )
    assert isinstance(error, E.AgradError), f"{type(error).__name__}, not an AgradError: {error}"
    assert isinstance(error, case.builtin), f"{type(error).__name__} is no {case.builtin.__name__}"
    assert isinstance(error, case.error), f"{type(error).__name__}, not {case.error.__name__}"
    assert re.search(case.pattern, str(error), re.DOTALL), f"{case.pattern!r} not in: {error}"


def test_the_catalogue_is_large_and_its_ids_distinct() -> None:
    ids = [case.id for case in CASES]
    assert len(set(ids)) == len(ids)
    assert sum(case.known is None for case in CASES) >= 90


def test_a_library_refusal_is_an_agrad_error_and_still_the_library_s_own_class() -> None:
    with pytest.raises(np.linalg.LinAlgError) as info:
        agrad.linalg.inv(agrad.ones((2, 3)))
    assert isinstance(info.value, E.BackendError)
    assert "agrad.linalg.inv" in str(info.value)
    assert "(2, 3)" in str(info.value)
    with pytest.raises(np.exceptions.AxisError, match=r"agrad\.sum"):
        agrad.sum(agrad.ones(2), axis=3)


def test_checkpoint_and_tensor_refuse_arguments_of_the_wrong_kind() -> None:
    with pytest.raises(E.AgradTypeError, match="function to run first"):
        agrad.checkpoint(3, agrad.ones(2))
    with pytest.raises(E.AgradTypeError, match="True or False"):
        agrad.tensor([1.0], requires_grad="no")
