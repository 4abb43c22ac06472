"""``agrad.autograd.scipy.stats``: HIPS autograd's ``autograd.scipy.stats``, one submodule
per distribution (``norm``, ``t``, ``gamma``, ``beta``, ``chi2``, ``poisson``,
``multivariate_normal``, ``dirichlet``) whose functions (``pdf``, ``logpdf``, ``cdf`` ...)
are SciPy's on plain values and ``agrad.scipy.stats``'s on traced ones."""

from __future__ import annotations

from agrad.autograd._dispatch import dispatcher
from agrad.autograd.scipy.stats import (
    beta,
    chi2,
    dirichlet,
    gamma,
    multivariate_normal,
    norm,
    poisson,
    t,
)

__getattr__, __dir__ = dispatcher(
    "agrad.autograd.scipy.stats",
    "agrad.scipy.stats",
    "scipy.stats",
    {
        "beta": beta,
        "chi2": chi2,
        "dirichlet": dirichlet,
        "gamma": gamma,
        "multivariate_normal": multivariate_normal,
        "norm": norm,
        "poisson": poisson,
        "t": t,
    },
)
