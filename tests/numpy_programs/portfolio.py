"""A portfolio simulation: softmax weights, compounded wealth, the running peak and the
maximum drawdown, and the mean log return.

A plain NumPy program: tests/test_numpy_programs.py differentiates it (in the weight
scores) as written, and with its import changed to ``import agrad.numpy as np``.
"""

import numpy as np


def loss(scores, returns, risk_aversion=3.0):
    weights = np.exp(scores) / np.sum(np.exp(scores))
    portfolio = returns @ weights
    wealth = np.cumprod(1.0 + portfolio)
    peak = np.maximum.accumulate(wealth)
    drawdown = np.max(1.0 - wealth / peak)
    log_growth = np.mean(np.diff(np.log(np.concatenate([[1.0], wealth]))))
    return -log_growth + risk_aversion * drawdown + 0.01 * np.var(weights)
