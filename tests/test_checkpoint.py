"""``agrad.checkpoint`` against torch's non-reentrant checkpoint (the oracle)."""

from __future__ import annotations

import numpy as np
import pytest

import agrad
from agrad import errors

torch = pytest.importorskip("torch")
from torch.utils.checkpoint import checkpoint as torch_checkpoint  # noqa: E402

RNG = np.random.default_rng(7)


def _pair(shape=(3,)):
    a = RNG.normal(size=shape)
    return agrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _check(ours, theirs):
    assert theirs is not None
    assert ours is not None
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_closed_over_leaf_and_non_leaf_get_their_gradients():
    (x, tx), (w, tw), (v, tv) = _pair(), _pair(), _pair()
    h, th = v * 2.0, tv * 2.0  # a non-leaf the function closes over

    y = agrad.checkpoint(lambda t: agrad.sum(agrad.sin(t) * w * h), x)
    ty = torch_checkpoint(lambda t: torch.sum(torch.sin(t) * tw * th), tx, use_reentrant=False)
    y.backward()
    ty.backward()
    for ours, theirs in [(x, tx), (w, tw), (v, tv)]:
        _check(ours.grad, theirs.grad)


def test_tensors_inside_lists_and_dicts_and_keywords():
    (a, ta), (b, tb), (c, tc) = _pair(), _pair(), _pair()

    def f(pair, *, scale):
        return agrad.sum(agrad.exp(pair[0]) * pair[1] + scale["s"] ** 2)

    def tf(pair, *, scale):
        return torch.sum(torch.exp(pair[0]) * pair[1] + scale["s"] ** 2)

    agrad.checkpoint(f, [a, b], scale={"s": c}).backward()
    torch_checkpoint(tf, [ta, tb], scale={"s": tc}, use_reentrant=False).backward()
    for ours, theirs in [(a, ta), (b, tb), (c, tc)]:
        _check(ours.grad, theirs.grad)


def test_several_outputs_in_a_dict_and_an_output_that_is_an_input():
    (x, tx), (w, tw) = _pair(), _pair()

    out = agrad.checkpoint(lambda t: {"y": agrad.tanh(t * w), "same": t, "n": 3}, x)
    tout = torch_checkpoint(
        lambda t: {"y": torch.tanh(t * tw), "same": t, "n": 3}, tx, use_reentrant=False
    )
    assert out["n"] == 3
    agrad.sum(out["y"] * out["same"]).backward()
    torch.sum(tout["y"] * tout["same"]).backward()
    _check(x.grad, tx.grad)
    _check(w.grad, tw.grad)


def test_second_order_through_closed_over_tensors():
    (x, tx), (w, tw) = _pair(), _pair()
    y = agrad.checkpoint(lambda t: agrad.sum(t**3 * w), x)
    ty = torch_checkpoint(lambda t: torch.sum(t**3 * tw), tx, use_reentrant=False)
    (gx,) = agrad.grad(y, [x], create_graph=True)
    (tgx,) = torch.autograd.grad(ty, [tx], create_graph=True)
    agrad.sum(gx * gx).backward()
    torch.sum(tgx * tgx).backward()
    _check(x.grad, tx.grad)
    _check(w.grad, tw.grad)


def test_nested_checkpoints_and_a_chain_of_blocks():
    (x, tx), (w, tw) = _pair((4,)), _pair((4,))

    def block(t):
        return agrad.checkpoint(lambda u: agrad.sin(u) * w, t) + t

    def tblock(t):
        return torch_checkpoint(lambda u: torch.sin(u) * tw, t, use_reentrant=False) + t

    y, ty = x, tx
    for _ in range(4):
        y = agrad.checkpoint(block, y)
        ty = torch_checkpoint(tblock, ty, use_reentrant=False)
    agrad.sum(y * y).backward()
    torch.sum(ty * ty).backward()
    _check(x.grad, tx.grad)
    _check(w.grad, tw.grad)


def test_random_draws_are_replayed_in_backward():
    # dropout: the recomputation must draw the same mask, or the gradient is silently wrong
    x = agrad.tensor(RNG.normal(size=(50,)), requires_grad=True)

    def dropout(t):
        keep = agrad.astype(agrad.random.uniform(t.shape) > 0.5, t.dtype)
        return agrad.sum(agrad.sin(t) * keep)

    agrad.random.seed(3)
    agrad.checkpoint(dropout, x).backward()
    ckpt = x.grad.array.copy()
    x.grad = None
    agrad.random.seed(3)
    dropout(x).backward()
    np.testing.assert_array_equal(ckpt, x.grad.array)
    assert 0 < np.count_nonzero(ckpt) < 50


def test_modifying_an_input_before_backward_raises():
    x, _ = _pair()
    h = x * 1.0
    y = agrad.checkpoint(lambda t: agrad.sum(agrad.exp(t)), h)
    with agrad.no_grad():
        h += 1.0
    with pytest.raises(errors.InplaceModifiedError, match="checkpoint"):
        y.backward()


def test_a_function_that_reads_other_tensors_when_recomputed_raises():
    (x, _), (w, _) = _pair(), _pair()
    calls = []

    def f(t):
        calls.append(1)
        return agrad.sum(t * w) if len(calls) == 1 else agrad.sum(t * t)

    y = agrad.checkpoint(f, x)
    with pytest.raises(errors.FunctionBackwardError, match="deterministic"):
        y.backward()


def test_no_graph_when_nothing_requires_grad_and_under_no_grad():
    x = agrad.asarray([1.0, 2.0, 3.0])
    assert agrad.checkpoint(agrad.sin, x).grad_fn is None
    w, _ = _pair()
    with agrad.no_grad():
        assert agrad.checkpoint(lambda t: t * w, x).grad_fn is None


def test_modifying_a_closed_over_non_leaf_before_backward_raises():
    (x, _), (v, _) = _pair(), _pair()
    h = v * 2.0
    y = agrad.checkpoint(lambda t: agrad.sum(t * h), x)  # multiply saves h
    with agrad.no_grad():
        h += 1.0
    with pytest.raises(errors.InplaceModifiedError, match="checkpoint"):
        y.backward()


def test_checkpoint_keeps_fewer_arrays_alive():
    x, _ = _pair((16,))

    def block(t):
        for _ in range(6):
            t = agrad.tanh(agrad.sin(t) * agrad.exp(t))
        return t

    def saved(root):
        seen, stack, n = set(), [root.grad_fn], 0
        while stack:
            node = stack.pop()
            if not isinstance(node, agrad.Node) or id(node) in seen:
                continue
            seen.add(id(node))
            n += sum(isinstance(a, np.ndarray) for a in node.saved if isinstance(node.saved, tuple))
            stack.extend(node.edges)
        return n

    assert saved(agrad.sum(agrad.checkpoint(block, x))) < saved(agrad.sum(block(x))) // 4
