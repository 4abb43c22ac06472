"""agrad.scipy.stats: values equal SciPy's; gradients in x and every continuous parameter,
to second order, equal torch.distributions' (or finite differences)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as ss
import torch
from agrad.conformance import check

import agrad
from agrad.errors import NoRuleError
from agrad.scipy import stats as S

D = torch.distributions
RNG = np.random.default_rng(27)
X = RNG.normal(size=4)
LOC = RNG.normal(size=4)
SC = RNG.uniform(0.5, 1.5, 4)
POS = RNG.uniform(0.3, 2.3, 4)
A = RNG.uniform(1.1, 3.1, 4)
B = RNG.uniform(1.1, 3.1, 4)
U = RNG.uniform(0.1, 0.9, 4)
K = np.round(RNG.uniform(0, 5, 4))
W = U[:3] / U[:3].sum()
M = RNG.normal(size=3)
PTS = RNG.normal(size=(5, 3))
_F = RNG.normal(size=(3, 3))
COV = _F @ _F.T + np.eye(3)
SING = np.diag([1.0, 2.0, 0.0])
XS = np.array([0.3, -0.2, 0.0])
DEVICES = ["numpy", "torch:cpu"]

# (id, agrad call, SciPy call): both take the same arguments
VALUES = [
    ("norm.pdf", S.norm.pdf, ss.norm.pdf, (X, LOC, SC)),
    ("norm.logpdf", S.norm.logpdf, ss.norm.logpdf, (X, LOC, SC)),
    ("norm.cdf", S.norm.cdf, ss.norm.cdf, (X, LOC, SC)),
    ("norm.logcdf", S.norm.logcdf, ss.norm.logcdf, (X, LOC, SC)),
    ("norm.sf", S.norm.sf, ss.norm.sf, (X, LOC, SC)),
    ("norm.logsf", S.norm.logsf, ss.norm.logsf, (X, LOC, SC)),
    ("norm.ppf", S.norm.ppf, ss.norm.ppf, (U, LOC, SC)),
    ("t.pdf", S.t.pdf, ss.t.pdf, (X, A, LOC, SC)),
    ("t.logpdf", S.t.logpdf, ss.t.logpdf, (X, A, LOC, SC)),
    ("t.cdf", S.t.cdf, ss.t.cdf, (X, A, LOC, SC)),
    ("t.logcdf", S.t.logcdf, ss.t.logcdf, (X, A, LOC, SC)),
    ("t.sf", S.t.sf, ss.t.sf, (X, A, LOC, SC)),
    ("gamma.logpdf", S.gamma.logpdf, ss.gamma.logpdf, (POS, A, 0.1, SC)),
    ("gamma.pdf", S.gamma.pdf, ss.gamma.pdf, (POS, A)),
    ("gamma.cdf", S.gamma.cdf, ss.gamma.cdf, (POS, A)),
    ("gamma.logsf", S.gamma.logsf, ss.gamma.logsf, (POS, A)),
    ("gamma.outside", S.gamma.logpdf, ss.gamma.logpdf, (-POS, A)),
    ("chi2.logpdf", S.chi2.logpdf, ss.chi2.logpdf, (POS, A)),
    ("chi2.cdf", S.chi2.cdf, ss.chi2.cdf, (POS, A)),
    ("beta.logpdf", S.beta.logpdf, ss.beta.logpdf, (U, A, B)),
    ("beta.pdf", S.beta.pdf, ss.beta.pdf, (U, A, B)),
    ("beta.cdf", S.beta.cdf, ss.beta.cdf, (U, A, B)),
    ("poisson.logpmf", S.poisson.logpmf, ss.poisson.logpmf, (K, POS)),
    ("poisson.pmf", S.poisson.pmf, ss.poisson.pmf, (K, POS)),
    ("poisson.noninteger", S.poisson.logpmf, ss.poisson.logpmf, (K + 0.5, POS)),
    ("poisson.cdf", S.poisson.cdf, ss.poisson.cdf, (K + 0.3, POS)),
    ("expon.logpdf", S.expon.logpdf, ss.expon.logpdf, (X, LOC, SC)),
    ("expon.cdf", S.expon.cdf, ss.expon.cdf, (X, LOC, SC)),
    ("expon.logsf", S.expon.logsf, ss.expon.logsf, (X, LOC, SC)),
    ("laplace.logpdf", S.laplace.logpdf, ss.laplace.logpdf, (X, LOC, SC)),
    ("laplace.cdf", S.laplace.cdf, ss.laplace.cdf, (X, LOC, SC)),
    ("logistic.logpdf", S.logistic.logpdf, ss.logistic.logpdf, (X, LOC, SC)),
    ("logistic.logcdf", S.logistic.logcdf, ss.logistic.logcdf, (X, LOC, SC)),
    ("logistic.logsf", S.logistic.logsf, ss.logistic.logsf, (X, LOC, SC)),
    ("uniform.logpdf", S.uniform.logpdf, ss.uniform.logpdf, (X, LOC, SC)),
    ("uniform.cdf", S.uniform.cdf, ss.uniform.cdf, (X, LOC, SC)),
    ("dirichlet.logpdf", S.dirichlet.logpdf, ss.dirichlet.logpdf, (W, A[:3])),
    ("dirichlet.pdf", S.dirichlet.pdf, ss.dirichlet.pdf, (W, A[:3])),
    ("mvn.logpdf", S.multivariate_normal.logpdf, ss.multivariate_normal.logpdf, (PTS, M, COV)),
    ("mvn.pdf.one", S.multivariate_normal.pdf, ss.multivariate_normal.pdf, (PTS[0], M, COV)),
    ("mvn.diag", S.multivariate_normal.logpdf, ss.multivariate_normal.logpdf, (PTS, M, SC[:3])),
    ("mvn.entropy", S.multivariate_normal.entropy, ss.multivariate_normal.entropy, (M, COV)),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    ("ours", "theirs", "args"), [v[1:] for v in VALUES], ids=[v[0] for v in VALUES]
)
def test_values_equal_scipy(ours, theirs, args, device):
    out = ours(*(agrad.asarray(a, device=device) for a in args))
    np.testing.assert_allclose(out.to_device("numpy").array, theirs(*args), rtol=1e-10, atol=1e-12)


def test_multivariate_normal_allow_singular_equals_scipy():
    ours = S.multivariate_normal.logpdf(XS, np.zeros(3), SING, allow_singular=True)
    want = ss.multivariate_normal.logpdf(XS, np.zeros(3), SING, allow_singular=True)
    assert np.isclose(ours.item(), want)


def _sym(c):
    return 0.5 * (c + c.T)


def _t(v):
    return torch.as_tensor(v)


# (id, agrad function of the differentiated inputs, inputs, torch.distributions twin)
GRADIENTS = [
    ("norm.logpdf", S.norm.logpdf, (X, LOC, SC), lambda x, m, s: D.Normal(m, s).log_prob(x)),
    ("norm.pdf", S.norm.pdf, (X, LOC, SC), lambda x, m, s: D.Normal(m, s).log_prob(x).exp()),
    ("norm.cdf", S.norm.cdf, (X, LOC, SC), lambda x, m, s: D.Normal(m, s).cdf(x)),
    ("norm.sf", S.norm.sf, (X, LOC, SC), lambda x, m, s: 1 - D.Normal(m, s).cdf(x)),
    ("norm.logcdf", S.norm.logcdf, (X, LOC, SC), lambda x, m, s: D.Normal(m, s).cdf(x).log()),
    ("norm.ppf", S.norm.ppf, (U, LOC, SC), lambda q, m, s: D.Normal(m, s).icdf(q)),
    (
        "t.logpdf",
        S.t.logpdf,
        (X, A + 1, LOC, SC),
        lambda x, df, m, s: D.StudentT(df, m, s).log_prob(x),
    ),
    (
        "gamma.logpdf",
        lambda p, a, s: S.gamma.logpdf(p, a, 0.0, s),
        (POS, A, SC),
        lambda p, a, s: D.Gamma(a, 1 / s).log_prob(p),
    ),
    (
        "gamma.cdf",
        lambda p, s: S.gamma.cdf(p, 2.5, 0.0, s),
        (POS, SC),
        lambda p, s: D.Gamma(_t(2.5), 1 / s).cdf(p),
    ),
    ("chi2.logpdf", S.chi2.logpdf, (POS, A), lambda p, d: D.Chi2(d).log_prob(p)),
    ("beta.logpdf", S.beta.logpdf, (U, A, B), lambda v, a, b: D.Beta(a, b).log_prob(v)),
    (
        "poisson.logpmf",
        lambda mu: S.poisson.logpmf(K, mu),
        (POS,),
        lambda mu: D.Poisson(mu).log_prob(_t(K)),
    ),
    ("laplace.logpdf", S.laplace.logpdf, (X, LOC, SC), lambda x, m, s: D.Laplace(m, s).log_prob(x)),
    ("laplace.cdf", S.laplace.cdf, (X, LOC, SC), lambda x, m, s: D.Laplace(m, s).cdf(x)),
    (
        "expon.logpdf",
        lambda x, s: S.expon.logpdf(x, 0.0, s),
        (POS, SC),
        lambda x, s: D.Exponential(1 / s).log_prob(x),
    ),
    (
        "uniform.logpdf",
        lambda x, s: S.uniform.logpdf(x, -0.5, s),
        (U, SC + 1),
        lambda x, s: D.Uniform(-0.5, s - 0.5).log_prob(x),
    ),
    ("dirichlet.logpdf", S.dirichlet.logpdf, (W, A[:3]), lambda v, a: D.Dirichlet(a).log_prob(v)),
    (
        "mvn.logpdf",
        lambda x, m, c: S.multivariate_normal.logpdf(x, m, _sym(c)),
        (PTS, M, COV),
        lambda x, m, c: D.MultivariateNormal(m, _sym(c)).log_prob(x),
    ),
    (
        "mvn.entropy",
        lambda m, c: S.multivariate_normal.entropy(m, _sym(c)),
        (M, COV),
        lambda m, c: D.MultivariateNormal(m, _sym(c)).entropy(),
    ),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    ("fn", "args", "torch_fn"), [g[1:] for g in GRADIENTS], ids=[g[0] for g in GRADIENTS]
)
def test_gradients_match_torch_distributions(fn, args, torch_fn, device):
    assert check(fn, *args, torch_fn=torch_fn, order=2, device=device).ok


FINITE = [
    ("t.cdf", lambda x, m, s: S.t.cdf(x, 3.5, m, s), (X, LOC, SC)),
    ("t.logcdf", lambda x, m, s: S.t.logcdf(x, 3.5, m, s), (X, LOC, SC)),
    ("t.pdf.df", lambda df: S.t.pdf(X, df, LOC, SC), (A,)),
    ("logistic.logcdf", S.logistic.logcdf, (X, LOC, SC)),
    ("logistic.logsf", S.logistic.logsf, (X, LOC, SC)),
    ("norm.logsf", S.norm.logsf, (X, LOC, SC)),
    ("beta.cdf", lambda v: S.beta.cdf(v, 2.0, 3.0), (U,)),
    ("chi2.cdf", lambda p: S.chi2.cdf(p, 3.0), (POS,)),
    ("poisson.cdf", lambda mu: S.poisson.cdf(K, mu), (POS,)),
    ("dirichlet.pdf", S.dirichlet.pdf, (W, A[:3])),
    (
        "mvn.singular",
        lambda x, m: S.multivariate_normal.logpdf(x, m, SING, allow_singular=True),
        (XS, XS * 0 + 0.1),
    ),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("fn", "args"), [f[1:] for f in FINITE], ids=[f[0] for f in FINITE])
def test_gradients_match_finite_differences(fn, args, device):
    assert check(fn, *args, order=2, device=device).ok


def test_broadcasting_parameters():
    x, m, s = RNG.normal(size=(4, 3)), RNG.normal(size=(1, 3)), SC.reshape(4, 1)
    np.testing.assert_allclose(S.norm.logpdf(x, m, s).array, ss.norm.logpdf(x, m, s))
    check(S.norm.logcdf, x, m, s, torch_fn=lambda x, m, s: D.Normal(m, s).cdf(x).log(), order=2)


def test_shape_parameters_of_cdfs_refuse_a_gradient():
    a = agrad.tensor(A, requires_grad=True)
    with pytest.raises(NoRuleError, match="no gradient in `a`"):
        agrad.grad(agrad.sum(S.gamma.cdf(POS, a)), [a])
    df = agrad.tensor(A, requires_grad=True)
    with pytest.raises(NoRuleError, match="no gradient in `df`"):
        agrad.grad(agrad.sum(S.t.cdf(X, df)), [df])
    cov = agrad.tensor(SING, requires_grad=True)
    with pytest.raises(NoRuleError, match="allow_singular"):
        S.multivariate_normal.logpdf(XS, None, cov, allow_singular=True)


def test_missing_method_names_what_exists():
    with pytest.raises(AttributeError, match=r"no method 'pdf'; it offers cdf, logpmf, pmf"):
        S.poisson.pdf  # noqa: B018 - the attribute access is the test
    assert hasattr(S.norm, "logpdf")
    assert not hasattr(S.norm, "fit")


def test_rvs_passes_through_to_scipy():
    draws = S.norm.rvs(loc=agrad.asarray(3.0), scale=0.1, size=500, random_state=0)
    assert isinstance(draws, np.ndarray)
    np.testing.assert_allclose(draws, ss.norm.rvs(loc=3.0, scale=0.1, size=500, random_state=0))
    alpha = RNG.uniform(1.0, 2.0, 4)
    assert S.dirichlet.rvs(alpha, size=1, random_state=1).shape == (1, 4)
