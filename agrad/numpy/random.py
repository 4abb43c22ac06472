"""``agrad.numpy.random``: NumPy's random functions, drawing with :mod:`agrad.random`.

The draws are tensors on the default device. Parameters given as tensors make the draws
differentiable in them (``normal(loc, scale)`` is ``loc + scale * z``, ``uniform(low, high)``
is ``low + (high - low) * u``, ``exponential(scale)`` is ``scale * e``), as in the
reparameterisation trick. The numbers differ from NumPy's for the same seed.

Examples
--------
>>> import agrad.numpy as np
>>> np.random.seed(0)
>>> mu = np.array(1.0).requires_grad_()
>>> x = np.random.normal(mu, 2.0, size=1000)
>>> np.mean(x).backward()
>>> round(mu.grad.item(), 12)  # d mean(mu + 2 z) / d mu
1.0
"""

from __future__ import annotations

import os
from typing import Any

import numpy

from agrad import random as _random
from agrad._api import elementwise as _e
from agrad._api.creation import asarray as _asarray
from agrad._api.data_type import astype
from agrad._api.indexing import take
from agrad._api.manipulation import moveaxis, reshape
from agrad._api.searching import searchsorted
from agrad._api.statistical import cumulative_sum
from agrad._api.statistical import sum as _sum
from agrad._arraylike import as_tensor, default_float, refuse, shape_tuple, to_dtype
from agrad._device import get_default_device
from agrad._dtypes import float64, int64
from agrad._tensor import Tensor
from agrad.errors import AgradTypeError, AgradValueError
from agrad.numpy._names import lookup

__all__ = [
    "Generator",
    "RandomState",
    "choice",
    "default_rng",
    "exponential",
    "normal",
    "permutation",
    "rand",
    "randint",
    "randn",
    "random",
    "random_sample",
    "ranf",
    "sample",
    "seed",
    "shuffle",
    "standard_normal",
    "uniform",
]


def _size(size: Any, *params: Any) -> tuple[int, ...]:
    if size is not None:
        return shape_tuple(size)
    shapes = [p.shape if isinstance(p, Tensor) else numpy.shape(p) for p in params]
    return tuple(numpy.broadcast_shapes(*shapes)) if shapes else ()


def _param(value: Any) -> Any:
    """A distribution parameter: Python numbers stay, anything else becomes a tensor."""
    if isinstance(value, (int, float)):
        return float(value)
    return default_float(as_tensor(value))


class Generator:
    """NumPy's ``Generator`` (what ``default_rng`` returns), on an agrad device.

    Parameters
    ----------
    seed
        The seed; None draws one from the operating system.
    device
        Where the draws go (default: the default device).

    Examples
    --------
    >>> import agrad.numpy as np
    >>> rng = np.random.default_rng(0)
    >>> rng.normal(size=(2, 3)).shape
    (2, 3)
    """

    def __init__(self, seed: int | None = None, *, device: Any = None) -> None:
        self._generator: _random.Generator | None = _random.Generator(seed, device=device)

    def _source(self) -> _random.Generator:
        assert self._generator is not None
        return self._generator

    def random(self, size: Any = None, dtype: Any = float64, out: Any = None) -> Tensor:
        """Uniform draws on [0, 1)."""
        if out is not None:
            refuse("random", "out", out)
        return self._source().uniform(_size(size), dtype=to_dtype(dtype))

    def standard_normal(self, size: Any = None, dtype: Any = float64, out: Any = None) -> Tensor:
        """Standard normal draws."""
        if out is not None:
            refuse("standard_normal", "out", out)
        return self._source().normal(_size(size), dtype=to_dtype(dtype))

    def normal(self, loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Tensor:
        """Normal draws: ``loc + scale * z``, differentiable in ``loc`` and ``scale``."""
        loc, scale = _param(loc), _param(scale)
        z = self._source().normal(_size(size, loc, scale))
        drawn: Tensor = z * scale + loc
        return drawn

    def uniform(self, low: Any = 0.0, high: Any = 1.0, size: Any = None) -> Tensor:
        """Uniform draws on [``low``, ``high``), differentiable in both."""
        low, high = _param(low), _param(high)
        u = self._source().uniform(_size(size, low, high))
        drawn: Tensor = u * (high - low) + low
        return drawn

    def exponential(self, scale: Any = 1.0, size: Any = None) -> Tensor:
        """Exponential draws with mean ``scale``, differentiable in it."""
        scale = _param(scale)
        u = self._source().uniform(_size(size, scale))
        drawn: Tensor = -_e.log1p(-u) * scale
        return drawn

    def integers(
        self,
        low: int,
        high: int | None = None,
        size: Any = None,
        dtype: Any = int64,
        endpoint: bool = False,
    ) -> Tensor:
        """Integers from [``low``, ``high``) (``high`` included with ``endpoint=True``)."""
        if high is None:
            low, high = 0, low
        if endpoint:
            high += 1
        u = self._source().uniform(_size(size))
        drawn = _e.floor(u * (high - low)) + low
        return astype(drawn, to_dtype(dtype) or int64)

    def permutation(self, x: Any, axis: int = 0) -> Tensor:
        """A permutation of ``range(x)``, or ``x`` shuffled along ``axis`` (differentiable)."""
        if isinstance(x, (int, numpy.integer)):
            return self._source().permutation(int(x))
        t = as_tensor(x)
        moved = moveaxis(t, axis, 0) if axis else t
        order = self._source().permutation(moved.shape[0])
        if order.device is not moved.device:
            order = _asarray(order.tolist(), device=moved.device)
        shuffled = take(moved, order, axis=0)
        return moveaxis(shuffled, 0, axis) if axis else shuffled

    def shuffle(self, x: Any, axis: int = 0) -> None:
        """Shuffle the tensor ``x`` along ``axis`` in place (differentiably)."""
        if not isinstance(x, Tensor):
            msg = f"`shuffle` in agrad.numpy shuffles tensors; got a {type(x).__name__}."
            raise AgradTypeError(msg)
        # from a copy: the values are read from the tensor being overwritten
        x[...] = self.permutation(_asarray(x, copy=True), axis)

    def choice(
        self,
        a: Any,
        size: Any = None,
        replace: bool = True,
        p: Any = None,
        axis: int = 0,
        shuffle: bool = True,
    ) -> Tensor:
        """Samples of ``a`` (or of ``range(a)``), with or without replacement, with
        probabilities ``p`` (with replacement only); the values taken from a tensor ``a``
        carry its gradient."""
        population = None if isinstance(a, (int, numpy.integer)) else as_tensor(a)
        n = int(a) if population is None else population.shape[axis]
        shape = _size(size)
        count = 1
        for s in shape:
            count *= s
        if p is not None:
            if not replace:
                refuse("choice", "replace", replace)
            weights = default_float(as_tensor(p))
            edges = cumulative_sum(weights / _sum(weights))
            u = self._source().uniform((count,), dtype=edges.dtype)
            index = searchsorted(edges, u, side="right")
            index = _e.minimum(index, n - 1)
        elif replace:
            index = self.integers(0, n, size=(count,))
        else:
            if count > n:
                msg = "Cannot take a larger sample than the population without replacement."
                raise AgradValueError(msg)
            index = self._source().permutation(n)[:count]
        if population is None:
            return reshape(index, shape) if shape else reshape(index, ())
        picked = take(population, index, axis=axis)
        if not shape:
            return moveaxis(picked, axis, 0)[0]
        moved = moveaxis(picked, axis, 0)
        result = reshape(moved, (*shape, *moved.shape[1:]))
        return moveaxis(result, tuple(range(len(shape))), tuple(range(axis, axis + len(shape))))


def _numpy_values(value: Any) -> Any:
    return numpy.asarray(value.detach()) if isinstance(value, Tensor) else value


class RandomState:
    """``numpy.random.RandomState``: NumPy's legacy generator, drawing NumPy's numbers.

    Every method is NumPy's (``randn``, ``rand``, ``randint``, ``choice``, ``gamma``,
    ``multivariate_normal``, ...) and draws the same values NumPy draws for the same seed;
    array draws are tensors on the default device (constants), scalar draws stay Python
    numbers, as NumPy returns them. ``normal``, ``uniform`` and ``exponential`` are
    differentiable in tensor parameters (``loc + scale * z``...; the same values), and
    ``permutation``, ``shuffle`` and ``choice`` of a tensor move its elements in the graph.
    Other draws refuse parameters that require grad.

    Examples
    --------
    >>> import numpy
    >>> import agrad.numpy as np
    >>> x = np.random.RandomState(0).randn(3)
    >>> x.tolist() == numpy.random.RandomState(0).randn(3).tolist()
    True
    """

    def __init__(self, seed: Any = None) -> None:
        self._state = numpy.random.RandomState(seed)

    def __repr__(self) -> str:
        return f"agrad.numpy.random.RandomState({self._state!r})"

    def _tensor(self, value: Any) -> Any:
        if isinstance(value, numpy.ndarray):
            return _asarray(value, device=get_default_device())
        return value

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._state, name)
        if name.startswith("_") or not callable(method):
            return method

        def draw(*args: Any, **kwargs: Any) -> Any:
            if any(isinstance(a, Tensor) and a.requires_grad for a in (*args, *kwargs.values())):
                msg = (
                    f"`RandomState.{name}` is not differentiable in its parameters in "
                    "agrad.numpy; `normal`, `uniform` and `exponential` are. Pass "
                    "`t.detach()` to draw with the values."
                )
                raise AgradTypeError(msg)
            plain = [_numpy_values(a) for a in args]
            result = method(*plain, **{k: _numpy_values(v) for k, v in kwargs.items()})
            if isinstance(result, tuple):
                return tuple(self._tensor(r) for r in result)
            return self._tensor(result)

        draw.__name__ = name
        draw.__doc__ = f"``numpy.random.RandomState.{name}``, as tensors."
        return draw

    def _scaled(self, draws: Any, params: list[Any], size: Any) -> tuple[bool, Any]:
        """Whether some parameter is a tensor, and then the standard draws as a tensor."""
        if not any(isinstance(p, Tensor) for p in params):
            return False, None
        shape = _size(size, *params)
        return True, _asarray(draws(size=shape), device=get_default_device())

    def normal(self, loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Any:
        """``numpy.random.RandomState.normal``: ``loc + scale * z``, differentiable in
        tensor parameters."""
        scaled, z = self._scaled(self._state.standard_normal, [loc, scale], size)
        if not scaled:
            return self._tensor(self._state.normal(loc, scale, size))
        return loc + _param(scale) * z

    def uniform(self, low: Any = 0.0, high: Any = 1.0, size: Any = None) -> Any:
        """``numpy.random.RandomState.uniform``: ``low + (high - low) * u``,
        differentiable in tensor bounds."""
        scaled, u = self._scaled(self._state.random_sample, [low, high], size)
        if not scaled:
            return self._tensor(self._state.uniform(low, high, size))
        return low + (_param(high) - low) * u

    def exponential(self, scale: Any = 1.0, size: Any = None) -> Any:
        """``numpy.random.RandomState.exponential``: ``scale * e``, differentiable in a
        tensor ``scale``."""
        scaled, e = self._scaled(self._state.standard_exponential, [scale], size)
        if not scaled:
            return self._tensor(self._state.exponential(scale, size))
        return _param(scale) * e

    def permutation(self, x: Any) -> Any:
        """``numpy.random.RandomState.permutation``: of a tensor, its rows in NumPy's
        order, in the graph."""
        if not isinstance(x, Tensor):
            return self._tensor(self._state.permutation(x))
        order = self._state.permutation(x.shape[0])
        return take(x, _asarray(order, device=x.device), axis=0)

    def shuffle(self, x: Any) -> None:
        """``numpy.random.RandomState.shuffle``: a tensor's rows shuffled in place
        (differentiably), in NumPy's order."""
        if not isinstance(x, Tensor):
            self._state.shuffle(x)
            return
        order = self._state.permutation(x.shape[0])
        x[...] = take(_asarray(x, copy=True), _asarray(order, device=x.device), axis=0)

    def choice(self, a: Any, size: Any = None, replace: bool = True, p: Any = None) -> Any:
        """``numpy.random.RandomState.choice``: of a tensor, its elements in the graph."""
        if isinstance(p, Tensor) and p.requires_grad:
            msg = "`RandomState.choice` is not differentiable in `p`; pass `p.detach()`."
            raise AgradTypeError(msg)
        if not isinstance(a, Tensor):
            return self._tensor(
                self._state.choice(_numpy_values(a), size, replace, _numpy_values(p))
            )
        if a.ndim != 1:
            msg = f"`RandomState.choice` takes a 1-d population, got shape {a.shape!r}."
            raise AgradValueError(msg)
        index = self._state.choice(a.shape[0], size, replace, _numpy_values(p))
        picked = take(a, _asarray(numpy.reshape(index, -1), device=a.device), axis=0)
        return reshape(picked, numpy.shape(index))


class _DefaultGenerator(Generator):
    """The module-level functions' generator: agrad.random's default one, so that
    ``agrad.random.seed`` and ``agrad.numpy.random.seed`` are one seed."""

    def __init__(self) -> None:
        self._generator = None

    def _source(self) -> _random.Generator:
        return _random.default_generator(get_default_device())


_DEFAULT = _DefaultGenerator()


def default_rng(seed: int | None = None) -> Generator:
    """``numpy.random.default_rng``: a new :class:`Generator` on the default device.

    Examples
    --------
    >>> import agrad.numpy as np
    >>> a = np.random.default_rng(7).random(3)
    >>> b = np.random.default_rng(7).random(3)
    >>> bool(np.all(a == b))
    True
    """
    return Generator(seed)


def seed(seed: int | None = None) -> None:
    """``numpy.random.seed``: seeds the module-level functions (``agrad.random.seed``), and
    NumPy's global generator, which draws the distributions agrad.numpy.random hands to
    NumPy (``gamma``, ``multivariate_normal``, ...)."""
    value = int.from_bytes(os.urandom(4), "little") if seed is None else int(seed)
    _random.seed(value)
    numpy.random.seed(value)


def rand(*shape: int) -> Tensor:
    """``numpy.random.rand``: uniform draws on [0, 1) of the given shape."""
    return _DEFAULT.random(shape)


def randn(*shape: int) -> Tensor:
    """``numpy.random.randn``: standard normal draws of the given shape."""
    return _DEFAULT.standard_normal(shape)


def random(size: Any = None) -> Tensor:
    """``numpy.random.random``: uniform draws on [0, 1)."""
    return _DEFAULT.random(size)


def random_sample(size: Any = None) -> Tensor:
    """``numpy.random.random_sample``: uniform draws on [0, 1)."""
    return _DEFAULT.random(size)


def ranf(size: Any = None) -> Tensor:
    """``numpy.random.ranf``: uniform draws on [0, 1)."""
    return _DEFAULT.random(size)


def sample(size: Any = None) -> Tensor:
    """``numpy.random.sample``: uniform draws on [0, 1)."""
    return _DEFAULT.random(size)


def standard_normal(size: Any = None) -> Tensor:
    """``numpy.random.standard_normal``."""
    return _DEFAULT.standard_normal(size)


def normal(loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Tensor:
    """``numpy.random.normal``: differentiable in ``loc`` and ``scale``."""
    return _DEFAULT.normal(loc, scale, size)


def uniform(low: Any = 0.0, high: Any = 1.0, size: Any = None) -> Tensor:
    """``numpy.random.uniform``: differentiable in ``low`` and ``high``."""
    return _DEFAULT.uniform(low, high, size)


def exponential(scale: Any = 1.0, size: Any = None) -> Tensor:
    """``numpy.random.exponential``: differentiable in ``scale``."""
    return _DEFAULT.exponential(scale, size)


def randint(low: int, high: int | None = None, size: Any = None, dtype: Any = int) -> Tensor:
    """``numpy.random.randint``: integers from [``low``, ``high``)."""
    return _DEFAULT.integers(low, high, size, dtype)


def choice(a: Any, size: Any = None, replace: bool = True, p: Any = None) -> Tensor:
    """``numpy.random.choice``."""
    return _DEFAULT.choice(a, size, replace, p)


def permutation(x: Any) -> Tensor:
    """``numpy.random.permutation``: of ``range(x)``, or of a tensor's rows."""
    return _DEFAULT.permutation(x)


def shuffle(x: Any) -> None:
    """``numpy.random.shuffle``: a tensor's rows shuffled in place."""
    _DEFAULT.shuffle(x)


def __getattr__(name: str) -> Any:
    # NumPy's other random names: its classes, its global generator's distributions (as
    # constants), or a refusal naming the way out (agrad.numpy._names)
    return lookup(f"random.{name}")
