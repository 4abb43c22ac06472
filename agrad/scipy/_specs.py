"""The conformance kit's specs of ``agrad.scipy``'s rules, against ``torch.special`` and
``torch.distributions`` (or finite differences where torch has no twin or no gradient).

``python -m agrad.conformance --module agrad.scipy.special`` (or ``agrad.scipy.stats``)
checks them on every device, to second order; the modules hand this list out as ``SPECS``
only when asked, so importing them never loads hypothesis.
"""

from __future__ import annotations

from typing import Any

from agrad.conformance import POSITIVE, REAL, UNIT, Interval, Spec, strategies
from agrad.scipy import special as sp
from agrad.scipy import stats as st

__all__ = ["SPECIAL_SPECS", "STATS_SPECS"]

FLOATS = ("float32", "float64")
OPEN_UNIT = Interval(0.05, 0.95)  # logit, ndtri: inside (0, 1)
TOL = {"float32": (2e-3, 2e-4)}  # special functions in single precision


def _one(name: str, fn: Any, twin: Any, domain: Any = REAL, **kw: Any) -> Spec:
    return Spec(
        name,
        call=lambda xp, x: fn(x),
        torch=twin,
        inputs=(domain,),
        dtypes=FLOATS,
        tol=TOL,
        label=f"scipy.special.{name}",
        **kw,
    )


def _axis_kwargs(shapes: Any) -> Any:
    from hypothesis import strategies as hs

    ndim = len(shapes[0])
    return hs.fixed_dictionaries({"axis": hs.sampled_from([None, *range(-ndim, ndim)])})


SPECIAL_SPECS: list[Spec] = [
    _one("gammaln", sp.gammaln, lambda t, x: t.special.gammaln(x), POSITIVE),
    _one("digamma", sp.digamma, lambda t, x: t.special.digamma(x), POSITIVE),
    _one("psi", sp.psi, lambda t, x: t.special.psi(x), POSITIVE),
    _one("rgamma", sp.rgamma, lambda t, x: t.exp(-t.special.gammaln(x)), POSITIVE),
    _one("erf", sp.erf, lambda t, x: t.special.erf(x)),
    _one("erfc", sp.erfc, lambda t, x: t.special.erfc(x)),
    _one("erfinv", sp.erfinv, lambda t, x: t.special.erfinv(x), UNIT),
    _one("erfcinv", sp.erfcinv, lambda t, x: t.special.erfinv(1 - x), OPEN_UNIT),
    _one("expit", sp.expit, lambda t, x: t.special.expit(x)),
    _one("logit", sp.logit, lambda t, x: t.special.logit(x), OPEN_UNIT),
    _one("ndtr", sp.ndtr, lambda t, x: t.special.ndtr(x)),
    _one("log_ndtr", sp.log_ndtr, lambda t, x: t.special.log_ndtr(x)),
    _one("ndtri", sp.ndtri, lambda t, x: t.special.ndtri(x), OPEN_UNIT),
    _one("entr", sp.entr, lambda t, x: t.special.entr(x), POSITIVE),
    _one("i0", sp.i0, lambda t, x: t.special.i0(x)),
    _one("i0e", sp.i0e, lambda t, x: t.special.i0e(x)),
    _one("i1", sp.i1, lambda t, x: t.special.i1(x)),
    _one("i1e", sp.i1e, lambda t, x: t.special.i1e(x)),
    _one("j0", sp.j0, None),  # torch's bessel_j0 has no gradient: finite differences
    _one("j1", sp.j1, None),
    _one("y0", sp.y0, None, POSITIVE),
    _one("y1", sp.y1, None, POSITIVE),
    _one(
        "polygamma(1)",
        lambda x: sp.polygamma(1, x),
        lambda t, x: t.special.polygamma(1, x),
        POSITIVE,
    ),
    _one(
        "multigammaln(d=2)",
        lambda x: sp.multigammaln(x + 1.0, 2),
        lambda t, x: t.special.multigammaln(x + 1.0, 2),
        POSITIVE,
    ),
    Spec(
        "xlogy",
        call=lambda xp, x, y: sp.xlogy(x, y),
        torch=lambda t, x, y: t.special.xlogy(x, y),
        inputs=(REAL, POSITIVE),
        dtypes=FLOATS,
        tol=TOL,
        label="scipy.special.xlogy",
    ),
    Spec(
        "xlog1py",
        call=lambda xp, x, y: sp.xlog1py(x, y),
        torch=lambda t, x, y: t.special.xlog1py(x, y),
        inputs=(REAL, POSITIVE),
        dtypes=FLOATS,
        tol=TOL,
        label="scipy.special.xlog1py",
    ),
    Spec(
        "betaln",
        call=lambda xp, a, b: sp.betaln(a, b),
        torch=lambda t, a, b: t.lgamma(a) + t.lgamma(b) - t.lgamma(a + b),
        inputs=(POSITIVE, POSITIVE),
        dtypes=FLOATS,
        tol=TOL,
        label="scipy.special.betaln",
    ),
    *(
        Spec(
            name,
            call=lambda xp, x, fn=fn, **kw: fn(x, **kw),
            torch=twin,
            inputs=(REAL,),
            shapes=strategies.shapes(min_dims=1, empty=False).map(lambda s: (s,)),
            kwargs=_axis_kwargs,
            dtypes=FLOATS,
            tol=TOL,
            label=f"scipy.special.{name}",
        )
        for name, fn, twin in [
            ("logsumexp", sp.logsumexp, lambda t, x, axis: t.logsumexp(x, _dims(x, axis))),
            ("softmax", sp.softmax, lambda t, x, axis: _torch_softmax(t, x, axis, log=False)),
            (
                "log_softmax",
                sp.log_softmax,
                lambda t, x, axis: _torch_softmax(t, x, axis, log=True),
            ),
        ]
    ),
]


def _dims(x: Any, axis: Any) -> tuple[int, ...]:
    return tuple(range(x.ndim)) if axis is None else (axis,)


def _torch_softmax(t: Any, x: Any, axis: Any, *, log: bool) -> Any:
    shifted = x - t.logsumexp(x, _dims(x, axis), keepdim=True)
    return shifted if log else t.exp(shifted)


def _dist(label: str, call: Any, twin: Any, inputs: tuple[Any, ...]) -> Spec:
    return Spec(
        label.split(".")[0],
        call=call,
        torch=twin,
        inputs=inputs,
        # torch.distributions cannot reshape size-0 parameters: no empty shapes
        shapes=strategies.broadcastable(len(inputs), empty=False),
        dtypes=FLOATS,
        tol=TOL,
        label=f"scipy.stats.{label}",
    )


STATS_SPECS: list[Spec] = [
    _dist(
        "norm.logpdf",
        lambda xp, x, loc, scale: st.norm.logpdf(x, loc, scale),
        lambda t, x, loc, scale: t.distributions.Normal(loc, scale).log_prob(x),
        (REAL, REAL, POSITIVE),
    ),
    _dist(
        "norm.cdf",
        lambda xp, x, loc, scale: st.norm.cdf(x, loc, scale),
        lambda t, x, loc, scale: t.distributions.Normal(loc, scale).cdf(x),
        (REAL, REAL, POSITIVE),
    ),
    _dist(
        "t.logpdf",
        lambda xp, x, df, loc, scale: st.t.logpdf(x, df, loc, scale),
        lambda t, x, df, loc, scale: t.distributions.StudentT(df, loc, scale).log_prob(x),
        (REAL, POSITIVE, REAL, POSITIVE),
    ),
    _dist(
        "gamma.logpdf",
        lambda xp, x, a, scale: st.gamma.logpdf(x, a, scale=scale),
        lambda t, x, a, scale: t.distributions.Gamma(a, 1 / scale).log_prob(x),
        (POSITIVE, POSITIVE, POSITIVE),
    ),
    _dist(
        "beta.logpdf",
        lambda xp, x, a, b: st.beta.logpdf(x, a, b),
        lambda t, x, a, b: t.distributions.Beta(a, b).log_prob(x),
        (OPEN_UNIT, POSITIVE, POSITIVE),
    ),
    _dist(
        "chi2.logpdf",
        lambda xp, x, df: st.chi2.logpdf(x, df),
        lambda t, x, df: t.distributions.Chi2(df).log_prob(x),
        (POSITIVE, POSITIVE),
    ),
    _dist(
        "expon.logpdf",
        lambda xp, x, scale: st.expon.logpdf(x, scale=scale),
        lambda t, x, scale: t.distributions.Exponential(1 / scale).log_prob(x),
        (POSITIVE, POSITIVE),
    ),
    _dist(
        "laplace.logpdf",
        lambda xp, x, loc, scale: st.laplace.logpdf(x, loc, scale),
        lambda t, x, loc, scale: t.distributions.Laplace(loc, scale).log_prob(x),
        (REAL, REAL, POSITIVE),
    ),
    _dist(
        "poisson.logpmf",
        lambda xp, mu: st.poisson.logpmf(3.0, mu),
        lambda t, mu: t.distributions.Poisson(mu).log_prob(t.full_like(mu, 3.0)),
        (POSITIVE,),
    ),
]
