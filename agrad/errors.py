"""The exceptions agrad raises.

Every exception derives from :class:`AgradError` and from the built-in exception that fits,
so ``except RuntimeError`` keeps working for code written against PyTorch.
"""

from __future__ import annotations

__all__ = [
    "AgradAttributeError",
    "AgradError",
    "AgradIndexError",
    "AgradTypeError",
    "AgradValueError",
    "AnomalyError",
    "BackendError",
    "BackendNotInstalledError",
    "DeviceMismatchError",
    "DeviceUnavailableError",
    "FreedGraphError",
    "FunctionBackwardError",
    "GradShapeError",
    "GraphBreakError",
    "GraphBreakWarning",
    "GraphError",
    "HookError",
    "InplaceLeafError",
    "InplaceModifiedError",
    "NoBufferError",
    "NoRuleError",
    "NonScalarOutputError",
    "NotDifferentiableError",
    "NotOnDeviceError",
    "RegistryError",
    "UnusedInputError",
]


class AgradError(Exception):
    """Base class of every error agrad raises."""


class AgradTypeError(AgradError, TypeError):
    """An argument of the wrong type: a string where a tensor or a bool belongs, say."""


class AgradValueError(AgradError, ValueError):
    """An argument of the right type with a value that cannot work (an empty list of inputs,
    an unknown mode)."""


class GraphError(AgradError, RuntimeError):
    """An autograd request that the graph cannot satisfy: ``requires_grad`` changed on a
    non-leaf, a hook on a tensor that does not require grad, a non-leaf deep-copied."""


class HookError(AgradError, RuntimeError):
    """A tensor hook returned a gradient of another shape, dtype category or device, or
    something that is not a gradient at all."""


class GraphBreakError(AgradError, RuntimeError):
    """A tensor that requires grad was turned into a Python number while recording, under
    ``agrad.set_graph_break("error")``. (A ``RuntimeError``: NumPy passes those on from
    ``buf[i] = t``, where it would turn a ``TypeError`` into an unrelated ``ValueError``.)"""


class GraphBreakWarning(UserWarning):
    """A tensor that requires grad was turned into a Python number while recording
    (``float(t)``, or NumPy writing ``t`` into one of its own arrays): the result is a
    constant and gradients will not flow through it. ``agrad.set_graph_break`` makes this
    an error or silences it."""


class NoRuleError(AgradError, NotImplementedError):
    """A function was differentiated that has no derivative rule."""


class RegistryError(AgradError, ValueError):
    """The rule table is inconsistent (duplicate, unknown name, wrong arity)."""


class NonScalarOutputError(AgradError, RuntimeError):
    """A scalar was needed: ``backward()`` without a ``gradient``, or ``agrad.func.grad``."""


class FreedGraphError(AgradError, RuntimeError):
    """Backward went through a graph whose saved arrays were already freed."""


class UnusedInputError(AgradError, RuntimeError):
    """``agrad.grad`` was asked for a tensor that the outputs do not depend on."""


class NotDifferentiableError(AgradError, RuntimeError):
    """``requires_grad`` was asked of a tensor whose dtype cannot carry gradients."""


class GradShapeError(AgradError, RuntimeError):
    """A supplied gradient does not match its output or tensor: shape, dtype or device."""


class InplaceModifiedError(AgradError, RuntimeError):
    """A tensor saved for backward was modified in place before backward ran."""


class InplaceLeafError(AgradError, RuntimeError):
    """An in-place operation targeted a leaf (or a view of one) that requires grad."""


class FunctionBackwardError(AgradError, RuntimeError):
    """An ``agrad.Function.backward`` returned the wrong number or shapes of gradients."""


class DeviceMismatchError(AgradError, ValueError):
    """An operation mixed tensors that live on different devices."""


class BackendNotInstalledError(AgradError, ImportError):
    """A device was requested whose array library is not installed."""


class DeviceUnavailableError(AgradError, RuntimeError):
    """A device was requested that this machine does not have (a CUDA device, no GPU)."""


class AnomalyError(AgradError, RuntimeError):
    """Under ``detect_anomaly()``, a backward step produced NaN or inf."""


class AgradIndexError(AgradError, IndexError):
    """An index out of range for the axis it indexes."""


class AgradAttributeError(AgradError, AttributeError):
    """A name a module or object of agrad does not offer (a NumPy or SciPy name without a
    differentiable version, a method a distribution lacks): the message names it and the
    way out; ``hasattr`` reads it as absent."""


class BackendError(AgradError):
    """The array library refused a call (shapes that do not broadcast, an axis or index out
    of range, a singular or non-square matrix). The error is also an instance of the
    library's own exception class, so ``except ValueError`` or ``except
    numpy.linalg.LinAlgError`` keep working; the message names the agrad function and the
    shapes and dtypes it received, then the library's own words."""


class NotOnDeviceError(AgradError, NotImplementedError):
    """The array library of a device lacks a function (Dask has no ``linalg.det``, say):
    move the tensor to a device that has it (``t.to_device("numpy")``, differentiably)."""


class NoBufferError(AgradError, BufferError):
    """A tensor whose library keeps no memory to export (Dask's lazy arrays have no DLPack
    capsule): the standard's ``BufferError``, so ``from_dlpack`` callers fall back; read the
    values with ``numpy.asarray(t)`` or move the tensor (``t.to_device("numpy")``)."""


_FROM_LIBRARY: dict[type[BaseException], type[BackendError]] = {}


def from_library(exc: Exception, msg: str) -> BackendError:
    """``exc`` (raised by an array library) as a :class:`BackendError` with message ``msg``."""
    cls = type(exc)
    wrapped = _FROM_LIBRARY.get(cls)
    if wrapped is None:
        base: type[AgradError] = AgradError
        if issubclass(cls, ValueError):
            base = AgradValueError
        elif issubclass(cls, TypeError):
            base = AgradTypeError
        elif issubclass(cls, IndexError):
            base = AgradIndexError
        namespace = {"__module__": __name__, "__init__": _init_message, "__str__": _str_message}
        try:
            wrapped = type(f"Backend{cls.__name__}", (BackendError, base, cls), namespace)
        except TypeError:  # a layout Python cannot combine: keep the built-in base alone
            builtin = next(b for b in cls.__mro__ if b.__module__ == "builtins")
            wrapped = type(f"Backend{cls.__name__}", (BackendError, base, builtin), namespace)
        _FROM_LIBRARY[cls] = wrapped
    return wrapped(msg)


def _init_message(self: BaseException, msg: str) -> None:
    # the library's own __init__ may want other arguments (NumPy's AxisError takes an axis)
    BaseException.__init__(self, msg)


def _str_message(self: BaseException) -> str:
    return str(self.args[0])
