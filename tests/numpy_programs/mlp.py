"""A two-layer perceptron regression: tanh hidden layer written with ``np.einsum``,
softplus output via ``np.logaddexp``, a squared error and a norm penalty.

A plain NumPy program: tests/test_numpy_programs.py differentiates it (in its weights) as
written, and with its import changed to ``import agrad.numpy as np``.
"""

import numpy as np


def loss(W1, b1, w2, X, y):
    hidden = np.tanh(np.einsum("ni,ih->nh", X, W1) + b1)
    prediction = np.logaddexp(0.0, hidden.dot(w2))
    error = np.mean((prediction - y) ** 2)
    return error + 1e-2 * np.linalg.norm(W1) ** 2 + 1e-2 * np.sum(np.abs(w2))
