"""Grad modes: thread-local switches for recording the graph."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from agrad.errors import AgradTypeError, AgradValueError

__all__ = [
    "complex_convention",
    "enable_grad",
    "get_complex_convention",
    "inference_mode",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
    "set_graph_break",
]

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    """The grad modes of one thread. Each new thread starts from the class attributes."""

    inference: bool = False
    # complex gradients in JAX's / HIPS autograd's convention (the conjugate of torch's);
    # read once per backward or grad call, at its entry. During a JAX-convention sweep it is
    # off (rules, hooks and backward passes run inside it are in torch's) and `sweep_conj`
    # is on, for the `.grad` that `retain_grad()` fills.
    conj: bool = False
    sweep_conj: bool = False
    _enabled: bool = True
    _anomaly: bool = False

    @property
    def enabled(self) -> bool:
        return self._enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        if value != self._enabled:
            self._enabled = value
            _mark(value and not self._anomaly)

    @property
    def anomaly(self) -> bool:
        return self._anomaly

    @anomaly.setter
    def anomaly(self, value: bool) -> None:
        if value != self._anomaly:
            self._anomaly = value
            _mark(self._enabled and not value)


STATE = _State()

# The threads that have recording off or anomaly detection on, by `threading.get_ident()`.
# While it is empty, every thread records without anomaly checks: the hot paths test
# `not UNUSUAL or STATE.enabled` and read the thread-local modes (three times the cost of
# the set's truth value) only when some thread is unusual. Only a thread itself adds or
# discards its own identity, so its own test can never race. (A thread that ends inside
# `no_grad` stays in the set: the hot paths are then only slower, never wrong.)
UNUSUAL: set[int] = set()
_get_ident = threading.get_ident


def _mark(usual: bool) -> None:
    if usual:
        UNUSUAL.discard(_get_ident())
    else:
        UNUSUAL.add(_get_ident())


def is_grad_enabled() -> bool:
    """Whether operations on this thread are being recorded for backward.

    Examples
    --------
    >>> import agrad
    >>> agrad.is_grad_enabled()
    True
    >>> with agrad.no_grad():
    ...     agrad.is_grad_enabled()
    False
    """
    return STATE.enabled


class _Mode:
    """A context manager that is also a decorator; subclasses set ``_target``.

    Like PyTorch's, the argument-free modes decorate with or without parentheses:
    ``@agrad.no_grad`` and ``@agrad.no_grad()`` are the same.
    """

    _target: bool
    _saved: list[tuple[bool, bool]]

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and not kwargs and callable(args[0]) and cls._bare_decorator:
            return cls()(args[0])
        if cls._takes_no_arguments and (args or kwargs):
            msg = (
                f"`agrad.{cls.__name__}` takes no arguments: write `with agrad.{cls.__name__}():` "
                f"or decorate with `@agrad.{cls.__name__}`."
            )
            raise AgradTypeError(msg)
        return super().__new__(cls)

    _takes_no_arguments = False

    _bare_decorator = True

    def __init__(self) -> None:
        self._saved = []

    def _enter_state(self) -> None:
        STATE.enabled = self._target

    def __enter__(self) -> None:
        self._saved.append((STATE.enabled, STATE.inference))
        self._enter_state()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        STATE.enabled, STATE.inference = self._saved.pop()

    def _fresh(self) -> _Mode:
        return type(self)()

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]  # functools.wraps keeps the signature


class no_grad(_Mode):
    """Stop recording the graph: results do not require grad.

    Use it for evaluation and for optimiser steps that update leaves in place. Works as a
    context manager and as a decorator.

    Examples
    --------
    >>> import agrad
    >>> w = agrad.tensor([1.0, 2.0], requires_grad=True)
    >>> with agrad.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """

    _target = False
    _takes_no_arguments = True


class enable_grad(_Mode):
    """Record the graph again inside a ``no_grad`` block (not inside ``inference_mode``).

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor(1.0, requires_grad=True)
    >>> with agrad.no_grad(), agrad.enable_grad():
    ...     (x * 2).requires_grad
    True
    """

    _target = True
    _takes_no_arguments = True

    def _enter_state(self) -> None:
        STATE.enabled = not STATE.inference


class set_grad_enabled(_Mode):
    """Turn recording on or off; takes effect at once and also works as a context manager.

    Examples
    --------
    >>> import agrad
    >>> with agrad.set_grad_enabled(False):
    ...     agrad.is_grad_enabled()
    False
    >>> agrad.is_grad_enabled()
    True
    """

    _bare_decorator = False

    def __init__(self, mode: bool) -> None:
        super().__init__()
        if type(mode) is not bool and type(mode).__name__ != "bool_":
            msg = (
                f"`set_grad_enabled` takes True or False, got {mode!r} "
                f"({type(mode).__name__}), as in PyTorch."
            )
            raise AgradTypeError(msg)
        self._target = bool(mode)
        # like torch: `set_grad_enabled(False)` outside a `with` switches at once
        self._prev = (STATE.enabled, STATE.inference)
        STATE.enabled = self._target

    def __enter__(self) -> None:
        self._saved.append(self._prev)

    def _fresh(self) -> _Mode:
        return set_grad_enabled(self._target)

    def __call__(self, fn: F) -> F:
        # used as a decorator, the constructor's immediate switch must not leak
        STATE.enabled, STATE.inference = self._prev
        return super().__call__(fn)


class inference_mode(_Mode):
    """Like ``no_grad``, and ``enable_grad`` inside it cannot switch recording back on.

    Examples
    --------
    >>> import agrad
    >>> x = agrad.tensor(1.0, requires_grad=True)
    >>> with agrad.inference_mode():
    ...     (x * 2).requires_grad
    False
    """

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self._mode = bool(mode)

    def _enter_state(self) -> None:
        if self._mode:
            STATE.enabled = False
            STATE.inference = True

    def _fresh(self) -> _Mode:
        return inference_mode(self._mode)


# What a tensor that requires grad does when it becomes a Python number while recording
# (`float(t)`; NumPy's `buf[i] = t`): "warn", "error" or "ignore". Process-wide, as the
# warnings filters are: a worker thread behaves as the thread that set it.
GRAPH_BREAK = ["warn"]
_GRAPH_BREAK_MODES = ("warn", "error", "ignore")


class set_graph_break:
    """Choose what happens when a tensor that requires grad becomes a Python number.

    ``float(t)``, ``int(t)`` and ``complex(t)`` on a tensor that requires grad, while
    gradients are recorded, give a constant: no gradient flows back through it. NumPy does
    this silently when it writes a tensor into one of its own arrays (``buf[i] = t`` with
    ``buf = np.zeros(n)``). agrad warns by default, with a :class:`GraphBreakWarning`
    pointing at the line that did it. ``t.item()`` and ``t.detach()`` drop the graph
    without a word, as does anything under ``no_grad()``.

    Takes effect at once, for the whole process; used as a context manager, the previous
    mode comes back at the end of the block.

    Parameters
    ----------
    mode
        ``"warn"`` (the default): a :class:`~agrad.errors.GraphBreakWarning`.
        ``"error"``: a :class:`~agrad.errors.GraphBreakError` (a ``RuntimeError``; NumPy's
        ``buf[i] = t`` reports it as the cause of its own ``ValueError``).
        ``"ignore"``: nothing, as NumPy would.

    Raises
    ------
    AgradValueError
        ``mode`` is not one of the three.

    Examples
    --------
    >>> import numpy as np
    >>> import agrad
    >>> x = agrad.tensor([1.0, 2.0], requires_grad=True)
    >>> buf = np.zeros(2)
    >>> with agrad.set_graph_break("error"):
    ...     try:
    ...         buf[0] = x[0] * x[1]
    ...     except ValueError as e:  # NumPy's, raised from agrad's error
    ...         print(type(e.__cause__).__name__)
    GraphBreakError
    >>> buf = agrad.numpy.zeros(2)  # a tensor: the write is recorded
    >>> buf[0] = x[0] * x[1]
    >>> agrad.sum(buf).backward()
    >>> x.grad.tolist()
    [2.0, 1.0]
    """

    def __init__(self, mode: str) -> None:
        if mode not in _GRAPH_BREAK_MODES:
            msg = f"`agrad.set_graph_break` takes one of {_GRAPH_BREAK_MODES!r}, got {mode!r}."
            raise AgradValueError(msg)
        self._previous = GRAPH_BREAK[0]
        GRAPH_BREAK[0] = mode

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        GRAPH_BREAK[0] = self._previous


# -- the complex convention ------------------------------------------------------------
CONVENTIONS = ("torch", "jax")


def _check_convention(name: Any, who: str) -> bool:
    """Whether ``name`` is JAX's convention; an error unless it is one of the two."""
    if name == "jax" and isinstance(name, str):
        return True
    if name == "torch" and isinstance(name, str):
        return False
    msg = (
        f"`{who}` takes the complex convention `'torch'` (the default: torch.autograd's) or "
        f"`'jax'` (JAX's and HIPS autograd's, the conjugate), got {name!r}."
    )
    raise AgradValueError(msg)


def get_complex_convention() -> str:
    """The convention gradients of complex arrays follow on this thread: ``"torch"`` or
    ``"jax"``.

    See :class:`complex_convention`.

    Examples
    --------
    >>> import agrad
    >>> agrad.get_complex_convention()
    'torch'
    >>> with agrad.complex_convention("jax"):
    ...     agrad.get_complex_convention()
    'jax'
    """
    return "jax" if STATE.conj else "torch"


class complex_convention:
    """Choose the convention that gradients of complex arrays follow, on this thread.

    For a real loss ``L`` of ``z = x + iy``, torch.autograd's gradient (``"torch"``, the
    default) is ``dL/dx + i dL/dy``; JAX's and HIPS autograd's (``"jax"``) is its conjugate,
    ``dL/dx - i dL/dy``. For a complex output with cotangent ``v`` the JAX convention's
    vector-Jacobian product is ``conj(torch_vjp(conj(v)))``: for a holomorphic ``f``, JAX
    gives ``v * f'(z)`` where torch gives ``v * conj(f'(z))``. Real arrays get the same
    gradients in both.

    The convention applies to ``Tensor.backward()`` and :func:`agrad.backward` (the
    ``gradient`` given is read in it, and the ``.grad`` of complex tensors is written in
    it), to :func:`agrad.grad` (``grad_outputs`` and the results) and to every
    :mod:`agrad.func` transform, which also take ``convention=`` for one call. Derivative
    rules, ``agrad.Function.backward`` and hooks (``register_hook``) always see torch's
    convention: agrad converts only where gradients enter and leave a backward pass.
    Forward-mode products (:func:`agrad.func.jvp`) are the same in both conventions.

    Takes effect at once, for the calling thread (a new thread starts with ``"torch"``);
    used as a context manager or decorator, the previous convention comes back at the end,
    also when an exception leaves the block.

    Parameters
    ----------
    name
        ``"torch"`` or ``"jax"``.

    Raises
    ------
    AgradValueError
        ``name`` is not one of the two.

    Examples
    --------
    >>> import agrad
    >>> z = agrad.tensor(1.0 + 2.0j, requires_grad=True)
    >>> (dz,) = agrad.grad(agrad.abs(z) ** 2, z)  # |z|^2 = x^2 + y^2
    >>> dz.item()
    (2+4j)
    >>> with agrad.complex_convention("jax"):
    ...     (dz,) = agrad.grad(agrad.abs(z) ** 2, z)
    >>> dz.item()
    (2-4j)
    """

    def __init__(self, name: str) -> None:
        conj = _check_convention(name, "agrad.complex_convention")
        self._conj = conj
        self._saved: list[bool] = []
        self._previous = STATE.conj
        self._entered = False
        STATE.conj = conj  # like `set_grad_enabled`, a plain call switches at once

    def __enter__(self) -> None:
        # the first `with` restores what came before the constructor's switch
        self._saved.append(STATE.conj if self._entered else self._previous)
        self._entered = True
        STATE.conj = self._conj

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        STATE.conj = self._saved.pop()

    def __call__(self, fn: F) -> F:
        # used as a decorator, the constructor's immediate switch must not leak
        STATE.conj = self._previous
        conj = self._conj

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            previous = STATE.conj
            STATE.conj = conj
            try:
                return fn(*args, **kwargs)
            finally:
                STATE.conj = previous

        return wrapper  # type: ignore[return-value]  # functools.wraps keeps the signature
