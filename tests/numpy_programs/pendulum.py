"""A damped pendulum integrated with classic Runge-Kutta in a Python loop; the loss is the
squared distance of its angle from observations.

Idiomatic NumPy: the state is built with ``np.array([...])`` and the trajectory is
preallocated with ``np.zeros`` and filled in place. tests/test_numpy_programs.py
differentiates it with its import changed to ``import agrad.numpy as np``; passing tensors
to the program as written is refused (NumPy would drop the graph when it builds arrays).
"""

import numpy as np


def derivative(state, gravity, damping):
    angle, speed = state
    return np.array([speed, -gravity * np.sin(angle) - damping * speed])


def simulate(angle0, gravity, damping, steps=150, dt=0.02):
    state = np.array([angle0, 0.0])
    trajectory = np.zeros((steps, 2))
    for i in range(steps):
        k1 = derivative(state, gravity, damping)
        k2 = derivative(state + 0.5 * dt * k1, gravity, damping)
        k3 = derivative(state + 0.5 * dt * k2, gravity, damping)
        k4 = derivative(state + dt * k3, gravity, damping)
        state = state + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        trajectory[i] = state
    return trajectory


def loss(angle0, gravity, damping, observed):
    angles = simulate(angle0, gravity, damping)[:, 0]
    return np.mean((angles - observed) ** 2)
