"""The 1-d heat equation, explicit finite differences stepped in a Python loop, with the
ends held at zero; the loss compares the final profile with a target.

A plain NumPy program: tests/test_numpy_programs.py differentiates it (in the initial
profile and the diffusivity) as written, and with its import changed to
``import agrad.numpy as np``.
"""

import numpy as np


def final_profile(u0, diffusivity, steps=60, dx=0.1, dt=0.002):
    u = u0
    ratio = diffusivity * dt / dx**2
    for _ in range(steps):
        laplacian = np.roll(u, 1) - 2 * u + np.roll(u, -1)
        u = u + ratio * laplacian
        u[0] = 0.0
        u[-1] = 0.0
    return u


def loss(u0, diffusivity, target):
    u = final_profile(u0, diffusivity)
    smoothness = np.sum(np.diff(u0) ** 2)
    return np.sum((u - target) ** 2) + 0.01 * smoothness
