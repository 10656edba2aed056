"""Shared check: an UnrolledISTA run on a batch of bit samples equals the same networks run one at a time."""
import torch


def assert_batched_matches_single(net, bits, Y):
    """``net(bits, Y)`` [S, N, n] equals ``net.set_bits(bits[s]); net(Y)`` for every sample s (to 1e-12)."""
    out = net(bits, Y)
    assert out.shape == (bits.shape[0], Y.shape[0], out.shape[-1]) and not out.requires_grad
    for s in range(bits.shape[0]):
        net.set_bits(bits[s])
        assert torch.allclose(out[s], net(Y).detach(), atol=1e-12)
