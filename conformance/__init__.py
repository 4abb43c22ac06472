"""agrad's gradient conformance kit, installed as ``agrad.conformance``.

It compares agrad's gradients with an oracle: ``torch.autograd`` (first and second order,
float64 on the CPU) or central finite differences. This first part holds the oracles;
the property-based strategies, per-function specs and the command line come next.
"""

from __future__ import annotations

from agrad.conformance.oracle import finite_difference_grad, torch_grads

__all__ = ["finite_difference_grad", "torch_grads"]
