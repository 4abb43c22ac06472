"""Multinomial logistic regression: the mean cross-entropy of a softmax, plus an L2 penalty.

A plain NumPy program: tests/test_numpy_programs.py differentiates it as written, and with
its import changed to ``import agrad.numpy as np``.
"""

import numpy as np


def loss(W, b, X, labels, penalty=0.1):
    logits = X @ W + b
    # log-softmax, shifted by the row maximum for stability
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    picked = log_probs[np.arange(len(labels)), labels]
    return -np.mean(picked) + 0.5 * penalty * np.sum(W**2)
