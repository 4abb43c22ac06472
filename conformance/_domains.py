"""The input domains the kit draws values from (below specs and strategies, which both use
them)."""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = [
    "ABOVE_ONE",
    "AWAY",
    "POSITIVE",
    "REAL",
    "SMALL",
    "UNIT",
    "Away",
    "Domain",
    "Interval",
    "Matrices",
    "Shape",
]

Shape = tuple[int, ...]


# -- input domains ------------------------------------------------------------------------
class Domain:
    """Where the values of one input are drawn (float64; complex draws add an imaginary part).

    Subclass it for a domain of your own: ``sample`` draws values, ``spread`` draws values
    pairwise apart (for functions with kinks at ties).

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.conformance import Domain
    >>> class Halves(Domain):
    ...     def sample(self, rng, shape, cplx):
    ...         return rng.integers(1, 4, shape) / 2
    >>> Halves().sample(np.random.default_rng(0), (3,), False).tolist()
    [1.5, 1.0, 1.0]
    """

    def sample(self, rng: np.random.Generator, shape: Shape, cplx: bool) -> np.ndarray:
        """Values of ``shape``, complex when ``cplx``."""
        raise NotImplementedError

    def spread(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` real values in the domain, pairwise far apart (no ties, no near-ties)."""
        raise NotImplementedError

    def _imag(self, rng: np.random.Generator, shape: Shape) -> np.ndarray:
        # the real part keeps its domain, so POSITIVE stays off log's and sqrt's branch cut
        return rng.uniform(-1.0, 1.0, shape)


@dataclasses.dataclass(frozen=True)
class Interval(Domain):
    """Values in ``[low, high]``.

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.conformance import Interval
    >>> x = Interval(0.2, 3.0).sample(np.random.default_rng(0), (4,), False)
    >>> bool(((0.2 <= x) & (x <= 3.0)).all())
    True
    """

    low: float
    high: float

    def sample(self, rng: np.random.Generator, shape: Shape, cplx: bool) -> np.ndarray:
        x = rng.uniform(self.low, self.high, shape)
        return x + 1j * self._imag(rng, shape) if cplx else x

    def spread(self, rng: np.random.Generator, n: int) -> np.ndarray:
        grid = np.linspace(self.low, self.high, n + 2)[1:-1]
        step = (self.high - self.low) / (n + 1)
        return rng.permutation(grid) + rng.uniform(-step / 8, step / 8, n)

    def __str__(self) -> str:
        return f"[{self.low:g}, {self.high:g}]"


@dataclasses.dataclass(frozen=True)
class Away(Domain):
    """Magnitudes in ``[low, high]`` with a random sign: away from zero (kinks, poles).

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.conformance import Away
    >>> x = Away(0.5, 2.0).sample(np.random.default_rng(0), (6,), False)
    >>> bool((np.abs(x) >= 0.5).all())
    True
    """

    low: float
    high: float

    def sample(self, rng: np.random.Generator, shape: Shape, cplx: bool) -> np.ndarray:
        x = rng.uniform(self.low, self.high, shape) * rng.choice([-1.0, 1.0], shape)
        return x + 1j * self._imag(rng, shape) if cplx else x

    def spread(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return Interval(self.low, self.high).spread(rng, n) * rng.choice([-1.0, 1.0], n)

    def __str__(self) -> str:
        return f"±[{self.low:g}, {self.high:g}]"


def _normal(rng: np.random.Generator, shape: Shape, cplx: bool) -> np.ndarray:
    x = rng.standard_normal(shape)
    return x + 1j * rng.standard_normal(shape) if cplx else x


@dataclasses.dataclass(frozen=True)
class Matrices(Domain):
    """Stacks of matrices that keep a linear-algebra function differentiable.

    ``kind`` is ``"normal"`` (standard normal entries: full rank, distinct eigen- and singular
    values), ``"invertible"`` (normal, each diagonal entry moved ``n`` further from zero along
    its own sign: well conditioned, even 1 x 1), ``"spd"`` (Hermitian positive definite with
    distinct eigenvalues) or ``"negative_det"`` (invertible with its first row negated).

    Examples
    --------
    >>> import numpy as np
    >>> from agrad.conformance import Matrices
    >>> a = Matrices("spd").sample(np.random.default_rng(0), (3, 3), False)
    >>> bool((np.linalg.eigvalsh(a) > 0).all())
    True
    """

    kind: str = "normal"

    def sample(self, rng: np.random.Generator, shape: Shape, cplx: bool) -> np.ndarray:
        x = _normal(rng, shape, cplx)
        if self.kind == "normal" or len(shape) < 2:
            return x
        n = shape[-1]
        if self.kind == "spd":
            eye = np.broadcast_to(np.eye(shape[-2], n), shape)
            return x @ np.conj(np.swapaxes(x, -1, -2)) / max(n, 1) + eye
        # n more on each diagonal entry, along its own sign: |x_ii| >= n, even for 1 x 1
        k = np.arange(min(shape[-2:]))
        d = x[..., k, k]
        x[..., k, k] = d + n * np.where(d == 0, 1, d / np.where(d == 0, 1, np.abs(d)))
        if self.kind == "negative_det":
            x = np.concatenate([-x[..., :1, :], x[..., 1:, :]], axis=-2)
        return x

    def spread(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return Interval(-2.0, 2.0).spread(rng, n)

    def __str__(self) -> str:
        return f"{self.kind} matrices"


REAL = Interval(-2.0, 2.0)
AWAY = Away(0.5, 2.0)  # divisors, kinks of abs and remainder
POSITIVE = Interval(0.5, 2.0)  # log, sqrt, bases of real powers
UNIT = Away(0.05, 0.9)  # inside (-1, 1): acos, asin, atanh
ABOVE_ONE = Interval(1.2, 3.0)  # acosh
SMALL = Interval(-1.2, 1.2)  # tan, away from its poles
