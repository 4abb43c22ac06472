"""A robust regression objective: the Huber loss of standardised residuals (median and
scaled median absolute deviation), a quantile of the absolute residuals, and a penalty on
the correlation of the residuals with the features.

A plain NumPy program: tests/test_numpy_programs.py differentiates it (in the
coefficients) as written, and with its import changed to ``import agrad.numpy as np``.
"""

import numpy as np


def loss(w, X, y, delta=1.0):
    Z = (X - np.mean(X, axis=0)) / np.std(X, axis=0, ddof=1)
    residual = y - Z @ w
    centre = np.median(residual)
    scale = 1.4826 * np.median(np.abs(residual - centre))
    r = (residual - centre) / scale
    huber = np.where(np.abs(r) <= delta, 0.5 * r**2, delta * (np.abs(r) - 0.5 * delta))
    corr = np.corrcoef(np.vstack([residual, Z.T]))[0, 1:]
    spread = np.percentile(np.abs(residual), 90)
    return np.mean(huber) + np.sum(corr**2) + 0.1 * spread + 0.01 * np.trace(np.cov(Z.T))
