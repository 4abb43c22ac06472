"""``agrad.special``: SciPy's special functions as part of agrad's namespace.

SciPy (with ``SCIPY_ARRAY_API=1``) looks for an array namespace's own ``special`` module, so
``scipy.special.gammaln(t)`` on a tensor finds :func:`agrad.scipy.special.gammaln` here and
stays differentiable. The functions are those of :mod:`agrad.scipy.special`.

Examples
--------
>>> import agrad
>>> x = agrad.tensor([0.0, 2.0], requires_grad=True)
>>> agrad.sum(agrad.special.expit(x)).backward()
>>> round(x.grad.tolist()[0], 6)
0.25
"""

from __future__ import annotations

from agrad.scipy.special import (
    beta,
    betainc,
    betaln,
    digamma,
    entr,
    erf,
    erfc,
    erfcinv,
    erfinv,
    expit,
    gamma,
    gammainc,
    gammaincc,
    gammaln,
    gammasgn,
    i0,
    i0e,
    i1,
    i1e,
    iv,
    ive,
    j0,
    j1,
    jn,
    jv,
    log_ndtr,
    log_softmax,
    logit,
    logsumexp,
    multigammaln,
    ndtr,
    ndtri,
    polygamma,
    psi,
    rgamma,
    softmax,
    xlog1py,
    xlogy,
    y0,
    y1,
    yn,
    yv,
)

__all__ = [
    "beta",
    "betainc",
    "betaln",
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcinv",
    "erfinv",
    "expit",
    "gamma",
    "gammainc",
    "gammaincc",
    "gammaln",
    "gammasgn",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "iv",
    "ive",
    "j0",
    "j1",
    "jn",
    "jv",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "rgamma",
    "softmax",
    "xlog1py",
    "xlogy",
    "y0",
    "y1",
    "yn",
    "yv",
]
