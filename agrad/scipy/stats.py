"""SciPy's probability distributions, differentiable: ``from agrad.scipy import stats``.

Each distribution is an object with SciPy's name and methods (``stats.norm.logpdf(x, loc,
scale)``, ``stats.poisson.logpmf(k, mu)``...), taking SciPy's parameters by the same names.
The methods are plain functions of ``(x, *params)``, composed of agrad's and
:mod:`agrad.scipy.special`'s differentiable functions, so gradients flow to ``x`` and to
every continuous parameter (all but the shape parameters of ``cdf``s built on ``gammainc``
and ``betainc``, which raise :class:`~agrad.errors.NoRuleError` when differentiated).
``rvs`` draws with SciPy from constant parameters and returns NumPy arrays, as SciPy does.

Examples
--------
>>> import agrad
>>> from agrad.scipy import stats
>>> mu = agrad.tensor(0.5, requires_grad=True)
>>> stats.norm.logpdf(agrad.asarray([0.0, 1.0]), mu, 1.0).sum().backward()
>>> mu.grad.item()
0.0
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from typing import Any

import agrad
from agrad._arraylike import as_tensors
from agrad._ops import apply
from agrad._tensor import Tensor
from agrad.errors import AgradAttributeError, NoRuleError
from agrad.scipy import special as _sp
from agrad.scipy.special import _constant, _float, _fn, _forward

__all__ = [
    "DistributionMethodError",
    "beta",
    "chi2",
    "dirichlet",
    "expon",
    "gamma",
    "laplace",
    "logistic",
    "multivariate_normal",
    "norm",
    "poisson",
    "t",
    "uniform",
]

ArrayLike = Any
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_LOG_2PI = math.log(2.0 * math.pi)


class DistributionMethodError(AgradAttributeError):
    """A distribution was asked for a method it does not have (``poisson.pdf``)."""


def _floats(name: str, *args: ArrayLike) -> list[Tensor]:
    return [_float(t, name) for t in as_tensors(list(args))]


def _scipy_stats() -> Any:
    # imported on first use: SciPy is slow to import
    return importlib.import_module("scipy.stats")


def _host(p: Any) -> Any:
    return p.detach().to_device("numpy").array if isinstance(p, Tensor) else p


class _Distribution:
    """A SciPy distribution's differentiable methods, each a plain function."""

    def __init__(self, name: str, params: str, **methods: Callable[..., Any]) -> None:
        self._name = name
        self._params = params
        self._methods = methods
        for key, fn in methods.items():
            setattr(self, key, fn)

    def rvs(self, *args: Any, **kwargs: Any) -> Any:
        """Random draws from SciPy's ``rvs`` with constant parameters (a NumPy array)."""
        dist = getattr(_scipy_stats(), self._name)
        host = {k: _host(v) for k, v in kwargs.items()}
        return dist.rvs(*(_host(a) for a in args), **host)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        offered = ", ".join(sorted([*self._methods, "rvs"]))
        msg = (
            f"`agrad.scipy.stats.{self._name}` has no method {name!r}; it offers {offered}. "
            f"For other methods call SciPy's `scipy.stats.{self._name}.{name}` on constant "
            "NumPy arrays (`t.detach().array`), without gradients."
        )
        raise DistributionMethodError(msg)

    def __repr__(self) -> str:
        return f"<agrad.scipy.stats.{self._name}({self._params})>"


def _standard(x: Tensor, loc: Tensor, scale: Tensor) -> Tensor:
    return (x - loc) / scale


def _outside(cond: Tensor, value: Tensor, fill: float) -> Tensor:
    # `fill` where `cond`; the gradient of `value` there is zero, as the function is flat
    return agrad.where(cond, agrad.asarray(fill, dtype=value.dtype, device=value.device), value)


# -- norm --------------------------------------------------------------------------------
def _norm_logpdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, loc, scale = _floats("norm.logpdf", x, loc, scale)
    z = _standard(x, loc, scale)
    return -0.5 * z * z - agrad.log(scale) - _LOG_SQRT_2PI


def _norm_pdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return agrad.exp(_norm_logpdf(x, loc, scale))


def _norm_z(name: str, x: ArrayLike, loc: ArrayLike, scale: ArrayLike) -> Tensor:
    x, loc, scale = _floats(name, x, loc, scale)
    return _standard(x, loc, scale)


def _norm_cdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return _sp.ndtr(_norm_z("norm.cdf", x, loc, scale))


def _norm_logcdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return _sp.log_ndtr(_norm_z("norm.logcdf", x, loc, scale))


def _norm_sf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return _sp.ndtr(-_norm_z("norm.sf", x, loc, scale))


def _norm_logsf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return _sp.log_ndtr(-_norm_z("norm.logsf", x, loc, scale))


def _norm_ppf(q: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    q, loc, scale = _floats("norm.ppf", q, loc, scale)
    return loc + scale * _sp.ndtri(q)  # type: ignore[no-any-return]


norm = _Distribution(
    "norm",
    "loc=0, scale=1",
    pdf=_norm_pdf,
    logpdf=_norm_logpdf,
    cdf=_norm_cdf,
    logcdf=_norm_logcdf,
    sf=_norm_sf,
    logsf=_norm_logsf,
    ppf=_norm_ppf,
)
norm.__doc__ = """The normal distribution: ``pdf, logpdf, cdf, logcdf, sf, logsf, ppf(x, loc=0,
scale=1)``, differentiable in ``x``, ``loc`` and ``scale``.

Examples
--------
>>> from agrad.scipy import stats
>>> round(stats.norm.cdf(1.0).item(), 6)
0.841345
"""


# -- t -----------------------------------------------------------------------------------
def _t_logpdf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, df, loc, scale = _floats("t.logpdf", x, df, loc, scale)
    z = _standard(x, loc, scale)
    half = 0.5 * (df + 1.0)
    return (  # type: ignore[no-any-return]
        _sp.gammaln(half)
        - _sp.gammaln(0.5 * df)
        - 0.5 * agrad.log(df * math.pi)
        - agrad.log(scale)
        - half * agrad.log1p(z * z / df)
    )


def _t_pdf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return agrad.exp(_t_logpdf(x, df, loc, scale))


def _t_std_cdf_forward(xp: Any, z: Any, df: Any) -> Any:
    # F(z) = 1 - I_{df / (df + z^2)}(df / 2, 1 / 2) / 2 for z > 0, mirrored below 0
    tail = 0.5 * _forward("betainc", xp)(0.5 * df, 0.5 * xp.ones_like(z), df / (df + z * z))
    return xp.where(z > 0, 1.0 - tail, tail)


def _t_std_cdf_vjp_z(g: Any, out: Any, z: Any, df: Any, *, xp: Any) -> Any:
    # the density of the standard t distribution
    gammaln = _fn("gammaln", xp)
    half = 0.5 * (df + 1.0)
    log_pdf = (
        gammaln(half) - gammaln(0.5 * df) - 0.5 * xp.log(df * math.pi) - half * xp.log1p(z * z / df)
    )
    return g * xp.exp(log_pdf)


_T_CDF = agrad.extend.Rule(
    "scipy.stats.t.cdf", _t_std_cdf_vjp_z, _constant("scipy.stats.t.cdf", "df")
)


def _t_cdf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, df, loc, scale = _floats("t.cdf", x, df, loc, scale)
    return apply(_T_CDF, (_standard(x, loc, scale), df), None, _t_std_cdf_forward)  # type: ignore[no-any-return]


def _t_logcdf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return agrad.log(_t_cdf(x, df, loc, scale))


def _t_sf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, df, loc, scale = _floats("t.sf", x, df, loc, scale)
    return _t_cdf(-x, df, -loc, scale)


t = _Distribution(
    "t", "df, loc=0, scale=1", pdf=_t_pdf, logpdf=_t_logpdf, cdf=_t_cdf, logcdf=_t_logcdf, sf=_t_sf
)
t.__doc__ = """Student's t distribution: ``pdf, logpdf(x, df, loc=0, scale=1)`` differentiable in
all four; ``cdf, logcdf, sf`` in ``x``, ``loc`` and ``scale`` (not ``df``).

Examples
--------
>>> from agrad.scipy import stats
>>> stats.t.cdf(0.0, 3.0).item()
0.5
"""


# -- gamma, chi2, expon ----------------------------------------------------------------
def _gamma_logpdf(
    x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0
) -> Tensor:
    x, a, loc, scale = _floats("gamma.logpdf", x, a, loc, scale)
    y = _standard(x, loc, scale)
    inside = y > 0
    safe = agrad.where(inside, y, agrad.ones_like(y))
    value = _sp.xlogy(a - 1.0, safe) - safe - _sp.gammaln(a) - agrad.log(scale)
    return _outside(~inside, value, -math.inf)


def _gamma_pdf(x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return agrad.exp(_gamma_logpdf(x, a, loc, scale))


def _gamma_y(name: str, x: ArrayLike, loc: ArrayLike, scale: ArrayLike) -> Tensor:
    x, loc, scale = _floats(name, x, loc, scale)
    return agrad.clip(_standard(x, loc, scale), min=0.0)


def _gamma_cdf(x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return _sp.gammainc(a, _gamma_y("gamma.cdf", x, loc, scale))


def _gamma_sf(x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return _sp.gammaincc(a, _gamma_y("gamma.sf", x, loc, scale))


def _gamma_logcdf(
    x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0
) -> Tensor:
    return agrad.log(_gamma_cdf(x, a, loc, scale))


def _gamma_logsf(
    x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0
) -> Tensor:
    return agrad.log(_gamma_sf(x, a, loc, scale))


gamma = _Distribution(
    "gamma",
    "a, loc=0, scale=1",
    pdf=_gamma_pdf,
    logpdf=_gamma_logpdf,
    cdf=_gamma_cdf,
    logcdf=_gamma_logcdf,
    sf=_gamma_sf,
    logsf=_gamma_logsf,
)
gamma.__doc__ = """The gamma distribution: ``pdf, logpdf(x, a, loc=0, scale=1)`` differentiable in
all four; ``cdf, logcdf, sf, logsf`` in ``x``, ``loc`` and ``scale`` (not ``a``).

Examples
--------
>>> from agrad.scipy import stats
>>> round(stats.gamma.cdf(2.0, 1.0).item(), 6)  # exponential: 1 - exp(-2)
0.864665
"""


def _half(df: ArrayLike) -> Tensor:
    (d,) = _floats("chi2", df)
    return 0.5 * d


def _chi2_logpdf(
    x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0
) -> Tensor:
    (s,) = _floats("chi2.logpdf", scale)
    return _gamma_logpdf(x, _half(df), loc, 2.0 * s)


def _chi2_pdf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return agrad.exp(_chi2_logpdf(x, df, loc, scale))


def _chi2_cdf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    (s,) = _floats("chi2.cdf", scale)
    return _gamma_cdf(x, _half(df), loc, 2.0 * s)


def _chi2_sf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    (s,) = _floats("chi2.sf", scale)
    return _gamma_sf(x, _half(df), loc, 2.0 * s)


chi2 = _Distribution(
    "chi2", "df, loc=0, scale=1", pdf=_chi2_pdf, logpdf=_chi2_logpdf, cdf=_chi2_cdf, sf=_chi2_sf
)
chi2.__doc__ = """The chi-squared distribution (a gamma of shape ``df / 2``, scale 2): ``pdf,
logpdf(x, df, loc=0, scale=1)`` differentiable in all; ``cdf, sf`` not in ``df``.

Examples
--------
>>> from agrad.scipy import stats
>>> round(stats.chi2.cdf(2.0, 2.0).item(), 6)  # 1 - exp(-1)
0.632121
"""


def _expon_logpdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, loc, scale = _floats("expon.logpdf", x, loc, scale)
    y = _standard(x, loc, scale)
    return _outside(y < 0, -y - agrad.log(scale), -math.inf)


def _expon_pdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return agrad.exp(_expon_logpdf(x, loc, scale))


def _expon_cdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, loc, scale = _floats("expon.cdf", x, loc, scale)
    y = agrad.clip(_standard(x, loc, scale), min=0.0)
    return -agrad.expm1(-y)


def _expon_logsf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, loc, scale = _floats("expon.logsf", x, loc, scale)
    return -agrad.clip(_standard(x, loc, scale), min=0.0)


def _expon_sf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return agrad.exp(_expon_logsf(x, loc, scale))


def _expon_logcdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return agrad.log(_expon_cdf(x, loc, scale))


expon = _Distribution(
    "expon",
    "loc=0, scale=1",
    pdf=_expon_pdf,
    logpdf=_expon_logpdf,
    cdf=_expon_cdf,
    logcdf=_expon_logcdf,
    sf=_expon_sf,
    logsf=_expon_logsf,
)
expon.__doc__ = """The exponential distribution: ``pdf, logpdf, cdf, logcdf, sf, logsf(x, loc=0,
scale=1)``.

Examples
--------
>>> from agrad.scipy import stats
>>> stats.expon.logpdf(1.0).item()
-1.0
"""


# -- beta, dirichlet -------------------------------------------------------------------
def _beta_logpdf(
    x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0
) -> Tensor:
    x, a, b, loc, scale = _floats("beta.logpdf", x, a, b, loc, scale)
    y = _standard(x, loc, scale)
    inside = (y > 0) & (y < 1)
    safe = agrad.where(inside, y, 0.5 * agrad.ones_like(y))
    value = (
        _sp.xlogy(a - 1.0, safe) + _sp.xlog1py(b - 1.0, -safe) - _sp.betaln(a, b) - agrad.log(scale)
    )
    return _outside(~inside, value, -math.inf)


def _beta_pdf(
    x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0
) -> Tensor:
    return agrad.exp(_beta_logpdf(x, a, b, loc, scale))


def _beta_cdf(
    x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0
) -> Tensor:
    x, loc, scale = _floats("beta.cdf", x, loc, scale)
    y = agrad.clip(_standard(x, loc, scale), min=0.0, max=1.0)
    return _sp.betainc(a, b, y)


def _beta_sf(
    x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0
) -> Tensor:
    return 1.0 - _beta_cdf(x, a, b, loc, scale)


beta = _Distribution(
    "beta", "a, b, loc=0, scale=1", pdf=_beta_pdf, logpdf=_beta_logpdf, cdf=_beta_cdf, sf=_beta_sf
)
beta.__doc__ = """The beta distribution: ``pdf, logpdf(x, a, b, loc=0, scale=1)`` differentiable in
all; ``cdf, sf`` in ``x``, ``loc`` and ``scale`` (not ``a``, ``b``).

Examples
--------
>>> from agrad.scipy import stats
>>> stats.beta.cdf(0.25, 1.0, 1.0).item()
0.25
"""


def _dirichlet_logpdf(x: ArrayLike, alpha: ArrayLike) -> Tensor:
    x, alpha = _floats("dirichlet.logpdf", x, alpha)
    # SciPy's layout: components along the first axis of x
    a = agrad.reshape(alpha, (alpha.shape[0],) + (1,) * (x.ndim - 1))
    log_b = agrad.sum(_sp.gammaln(alpha)) - _sp.gammaln(agrad.sum(alpha))
    return agrad.sum(_sp.xlogy(a - 1.0, x), axis=0) - log_b


def _dirichlet_pdf(x: ArrayLike, alpha: ArrayLike) -> Tensor:
    return agrad.exp(_dirichlet_logpdf(x, alpha))


dirichlet = _Distribution("dirichlet", "alpha", pdf=_dirichlet_pdf, logpdf=_dirichlet_logpdf)
dirichlet.__doc__ = """The Dirichlet distribution: ``pdf, logpdf(x, alpha)``, differentiable in
both; as in SciPy, the components lie along the first axis of ``x``.

Examples
--------
>>> from agrad.scipy import stats
>>> round(stats.dirichlet.pdf([0.5, 0.5], [1.0, 1.0]).item(), 6)  # uniform on the simplex
1.0
"""


# -- poisson -----------------------------------------------------------------------------
def _poisson_logpmf(k: ArrayLike, mu: ArrayLike, loc: ArrayLike = 0) -> Tensor:
    k, mu, loc = _floats("poisson.logpmf", k, mu, loc)
    k = k - loc
    counts = (k == agrad.floor(k)) & (k >= 0)
    safe = agrad.where(counts, k, agrad.zeros_like(k))
    value = _sp.xlogy(safe, mu) - mu - _sp.gammaln(safe + 1.0)
    return _outside(~counts, value, -math.inf)


def _poisson_pmf(k: ArrayLike, mu: ArrayLike, loc: ArrayLike = 0) -> Tensor:
    return agrad.exp(_poisson_logpmf(k, mu, loc))


def _poisson_cdf(k: ArrayLike, mu: ArrayLike, loc: ArrayLike = 0) -> Tensor:
    k, mu, loc = _floats("poisson.cdf", k, mu, loc)
    k = agrad.floor(k - loc).detach()
    # P(K <= k) = Q(k + 1, mu), differentiable in mu
    below = k < 0
    value = _sp.gammaincc(agrad.where(below, agrad.zeros_like(k), k) + 1.0, mu)
    return _outside(below, value, 0.0)


def _poisson_sf(k: ArrayLike, mu: ArrayLike, loc: ArrayLike = 0) -> Tensor:
    return 1.0 - _poisson_cdf(k, mu, loc)


poisson = _Distribution(
    "poisson",
    "mu, loc=0",
    pmf=_poisson_pmf,
    logpmf=_poisson_logpmf,
    cdf=_poisson_cdf,
    sf=_poisson_sf,
)
poisson.__doc__ = """The Poisson distribution: ``pmf, logpmf, cdf, sf(k, mu, loc=0)``,
differentiable in ``mu`` (``k`` counts; non-integer ``k`` has probability 0).

Examples
--------
>>> from agrad.scipy import stats
>>> round(stats.poisson.pmf(0.0, 2.0).item(), 6)  # exp(-2)
0.135335
"""


# -- laplace, logistic, uniform -------------------------------------------------------
def _laplace_logpdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, loc, scale = _floats("laplace.logpdf", x, loc, scale)
    return -agrad.abs(_standard(x, loc, scale)) - agrad.log(2.0 * scale)


def _laplace_pdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return agrad.exp(_laplace_logpdf(x, loc, scale))


def _laplace_cdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, loc, scale = _floats("laplace.cdf", x, loc, scale)
    y = _standard(x, loc, scale)
    half = 0.5 * agrad.exp(-agrad.abs(y))
    return agrad.where(y < 0, half, 1.0 - half)


def _laplace_sf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, loc, scale = _floats("laplace.sf", x, loc, scale)
    return _laplace_cdf(-x, -loc, scale)


laplace = _Distribution(
    "laplace",
    "loc=0, scale=1",
    pdf=_laplace_pdf,
    logpdf=_laplace_logpdf,
    cdf=_laplace_cdf,
    sf=_laplace_sf,
)
laplace.__doc__ = """The Laplace distribution: ``pdf, logpdf, cdf, sf(x, loc=0, scale=1)``.

Examples
--------
>>> from agrad.scipy import stats
>>> stats.laplace.cdf(0.0).item()
0.5
"""


def _softplus(y: Tensor) -> Tensor:
    # log(1 + exp(y)), without overflow
    return agrad.clip(y, min=0.0) + agrad.log1p(agrad.exp(-agrad.abs(y)))


def _logistic_logpdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, loc, scale = _floats("logistic.logpdf", x, loc, scale)
    y = agrad.abs(_standard(x, loc, scale))
    return -y - 2.0 * agrad.log1p(agrad.exp(-y)) - agrad.log(scale)


def _logistic_pdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return agrad.exp(_logistic_logpdf(x, loc, scale))


def _logistic_cdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, loc, scale = _floats("logistic.cdf", x, loc, scale)
    return _sp.expit(_standard(x, loc, scale))


def _logistic_logcdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, loc, scale = _floats("logistic.logcdf", x, loc, scale)
    return -_softplus(-_standard(x, loc, scale))


def _logistic_sf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, loc, scale = _floats("logistic.sf", x, loc, scale)
    return _sp.expit(-_standard(x, loc, scale))


def _logistic_logsf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, loc, scale = _floats("logistic.logsf", x, loc, scale)
    return -_softplus(_standard(x, loc, scale))


logistic = _Distribution(
    "logistic",
    "loc=0, scale=1",
    pdf=_logistic_pdf,
    logpdf=_logistic_logpdf,
    cdf=_logistic_cdf,
    logcdf=_logistic_logcdf,
    sf=_logistic_sf,
    logsf=_logistic_logsf,
)
logistic.__doc__ = """The logistic distribution: ``pdf, logpdf, cdf, logcdf, sf, logsf(x, loc=0,
scale=1)``.

Examples
--------
>>> from agrad.scipy import stats
>>> stats.logistic.cdf(0.0).item()
0.5
"""


def _uniform_logpdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, loc, scale = _floats("uniform.logpdf", x, loc, scale)
    y = _standard(x, loc, scale)
    value = -agrad.log(scale) + 0.0 * y
    return _outside((y < 0) | (y > 1), value, -math.inf)


def _uniform_pdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return agrad.exp(_uniform_logpdf(x, loc, scale))


def _uniform_cdf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    x, loc, scale = _floats("uniform.cdf", x, loc, scale)
    return agrad.clip(_standard(x, loc, scale), min=0.0, max=1.0)


def _uniform_sf(x: ArrayLike, loc: ArrayLike = 0.0, scale: ArrayLike = 1.0) -> Tensor:
    return 1.0 - _uniform_cdf(x, loc, scale)


uniform = _Distribution(
    "uniform",
    "loc=0, scale=1",
    pdf=_uniform_pdf,
    logpdf=_uniform_logpdf,
    cdf=_uniform_cdf,
    sf=_uniform_sf,
)
uniform.__doc__ = """The uniform distribution on ``[loc, loc + scale]``: ``pdf, logpdf, cdf,
sf(x, loc=0, scale=1)``.

Examples
--------
>>> from agrad.scipy import stats
>>> stats.uniform.cdf(0.25).item()
0.25
"""


# -- multivariate_normal -----------------------------------------------------------------
def _mvn_args(
    name: str, x: ArrayLike | None, mean: ArrayLike | None, cov: ArrayLike
) -> tuple[Tensor | None, Tensor, Tensor]:
    given = [p for p in (x, mean, cov) if p is not None]
    tensors = iter(_floats(name, *given))
    xt = next(tensors) if x is not None else None
    mt = next(tensors) if mean is not None else None
    ct = next(tensors)
    if mt is not None:
        d = mt.shape[-1] if mt.ndim else 1
    elif ct.ndim:
        d = ct.shape[-1]
    else:
        d = xt.shape[-1] if xt is not None and xt.ndim else 1
    if mt is None:
        mt = agrad.zeros(d, dtype=ct.dtype, device=ct.device)
    mt = agrad.reshape(mt, (d,))
    if ct.ndim == 0:
        ct = ct * agrad.eye(d, dtype=ct.dtype, device=ct.device)
    elif ct.ndim == 1:
        ct = ct * agrad.eye(d, dtype=ct.dtype, device=ct.device)  # a diagonal: its variances
    if xt is not None and d == 1 and (xt.ndim == 0 or xt.shape[-1] != 1):
        xt = agrad.reshape(xt, (*xt.shape, 1))  # scalars: one point each
    return xt, mt, ct


def _squeezed(out: Tensor) -> Tensor:
    # SciPy drops axes of length 1 from multivariate_normal's results
    return agrad.reshape(out, tuple(s for s in out.shape if s != 1))


def _mvn_logpdf(
    x: ArrayLike, mean: ArrayLike | None = None, cov: ArrayLike = 1, allow_singular: bool = False
) -> Tensor:
    xt, mt, ct = _mvn_args("multivariate_normal.logpdf", x, mean, cov)
    assert xt is not None
    d = mt.shape[0]
    diff = xt - mt
    if allow_singular:
        if ct.requires_grad and agrad.is_grad_enabled():
            msg = (
                "`agrad.scipy.stats.multivariate_normal.logpdf` with `allow_singular=True` has "
                "no gradient in `cov` (a pseudo-determinant is not differentiable where the "
                "rank changes). Pass `cov` as a constant (`cov.detach()`)."
            )
            raise NoRuleError(msg)
        w, v = agrad.linalg.eigh(ct)
        tol = float(agrad.max(agrad.abs(w)).item()) * d * float(agrad.finfo(w.dtype).eps) * 1e3
        keep = w > tol
        inv_w = agrad.where(keep, 1.0 / agrad.where(keep, w, agrad.ones_like(w)), 0.0)
        proj = agrad.matmul(diff, v)
        maha = agrad.sum(proj * proj * inv_w, axis=-1)
        log_det = agrad.sum(
            agrad.where(keep, agrad.log(agrad.where(keep, w, agrad.ones_like(w))), 0.0)
        )
        rank = float(agrad.sum(agrad.astype(keep, w.dtype)).item())
        return _squeezed(-0.5 * (rank * _LOG_2PI + log_det + maha))
    chol = agrad.linalg.cholesky(ct)
    log_det = 2.0 * agrad.sum(agrad.log(agrad.linalg.diagonal(chol)))
    flat = agrad.reshape(diff, (-1, d))
    solved = agrad.linalg.solve(ct, agrad.matrix_transpose(flat))
    maha = agrad.sum(flat * agrad.matrix_transpose(solved), axis=-1)
    out = -0.5 * (d * _LOG_2PI + log_det + agrad.reshape(maha, diff.shape[:-1]))
    return _squeezed(out)


def _mvn_pdf(
    x: ArrayLike, mean: ArrayLike | None = None, cov: ArrayLike = 1, allow_singular: bool = False
) -> Tensor:
    return agrad.exp(_mvn_logpdf(x, mean, cov, allow_singular))


def _mvn_entropy(mean: ArrayLike | None = None, cov: ArrayLike = 1) -> Tensor:
    _, mt, ct = _mvn_args("multivariate_normal.entropy", None, mean, cov)
    d = mt.shape[0]
    _, log_det = agrad.linalg.slogdet(ct)
    return 0.5 * (d * (1.0 + _LOG_2PI) + log_det)


multivariate_normal = _Distribution(
    "multivariate_normal",
    "mean=None, cov=1, allow_singular=False",
    pdf=_mvn_pdf,
    logpdf=_mvn_logpdf,
    entropy=_mvn_entropy,
)
multivariate_normal.__doc__ = """The multivariate normal distribution: ``pdf, logpdf(x,
mean=None, cov=1, allow_singular=False)`` differentiable in ``x``, ``mean`` and ``cov`` (not
``cov`` with ``allow_singular=True``); ``entropy(mean=None, cov=1)``. ``x`` holds one point per
row (its last axis has the dimension); results drop axes of length 1, as SciPy's.

Examples
--------
>>> from agrad.scipy import stats
>>> round(stats.multivariate_normal.logpdf([0.0, 0.0], cov=[[1.0, 0.0], [0.0, 1.0]]).item(), 6)
-1.837877
"""

# the distributions' docstrings are instance attributes, which doctest does not find alone
__test__ = {name: globals()[name].__doc__ for name in __all__ if name != "DistributionMethodError"}


def __getattr__(name: str) -> Any:
    if name == "SPECS":  # the kit's specs load hypothesis: on first use, to save start-up
        from agrad.scipy._specs import STATS_SPECS

        return STATS_SPECS
    msg = (
        f"`agrad.scipy.stats` has no {name!r}: it offers {', '.join(__all__)}. For a value "
        f"without a gradient, call SciPy's own on the values: `scipy.stats.{name}(t.array)`."
    )
    raise AgradAttributeError(msg)
