"""A 1-d reaction-diffusion solver in finite-volume form, updated in place as solvers are
written: face fluxes, a logistic reaction term, ``u[1:-1] += dt * ...`` for the interior
and boundary cells set by assignment (an inflow value on the left, zero gradient on the
right). The reaction term reads ``u`` before each update, so every step writes into an
array the gradient still needs.

A plain NumPy program: tests/test_numpy_programs.py differentiates it (in the initial
profile, the rate and the inflow value) as written, and with its import changed to
``import agrad.numpy as np``.
"""

import numpy as np


def final_profile(u0, rate, inflow, steps=40, dx=0.1, dt=0.002, diffusivity=0.5):
    u = u0.copy()
    for _ in range(steps):
        flux = -diffusivity * (u[1:] - u[:-1]) / dx
        reaction = rate * u * (1.0 - u)
        u[1:-1] += dt * (-(flux[1:] - flux[:-1]) / dx + reaction[1:-1])
        u[0] = inflow
        u[-1] = u[-2]
    return u


def loss(u0, rate, inflow, target):
    u = final_profile(u0, rate, inflow)
    return np.sum((u - target) ** 2) + 0.1 * np.mean(u0**2)
