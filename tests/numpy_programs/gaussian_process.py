"""The negative log marginal likelihood of a Gaussian process with a squared-exponential
kernel, as a function of its log hyperparameters (Cholesky factor and triangular solves).

A plain NumPy program: tests/test_numpy_programs.py differentiates it as written, and with
its import changed to ``import agrad.numpy as np``.
"""

import numpy as np


def negative_log_likelihood(log_length, log_signal, log_noise, X, y):
    n = X.shape[0]
    diff = X[:, None, :] - X[None, :, :]
    sq_dist = np.sum(diff**2, axis=-1)
    K = np.exp(2 * log_signal) * np.exp(-0.5 * sq_dist / np.exp(2 * log_length))
    K = K + np.exp(2 * log_noise) * np.eye(n)
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return 0.5 * np.dot(y, alpha) + np.sum(np.log(np.diag(L))) + 0.5 * n * np.log(2 * np.pi)
