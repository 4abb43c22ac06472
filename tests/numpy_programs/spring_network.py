"""The elastic energy of a network of springs, and the net force on every node, by
gathering node positions along edges and scattering edge forces back (``np.add.at``), with
a boolean mask for the overstretched springs.

A plain NumPy program: tests/test_numpy_programs.py differentiates it (in the node
positions) as written, and with its import changed to ``import agrad.numpy as np``.
"""

import numpy as np


def loss(positions, edges, rest_length, stiffness=2.0):
    i, j = edges[:, 0], edges[:, 1]
    delta = positions[i] - positions[j]
    length = np.sqrt(np.sum(delta**2, axis=1))
    stretch = length - rest_length
    energy = 0.5 * stiffness * np.sum(stretch**2)
    overstretched = stretch > 0.1
    energy = energy + np.sum(stretch[overstretched] ** 3)
    pull = (stiffness * stretch / length)[:, None] * delta
    force = np.zeros_like(positions)
    np.add.at(force, i, -pull)
    np.add.at(force, j, pull)
    return energy + 0.05 * np.sum(force**2) + np.max(np.abs(force))
