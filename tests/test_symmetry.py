"""Hidden-unit permutation symmetries of BinaryMLP and the symmetrised distribution."""
import math

import pytest
import torch

import qhyper as qh
from qhyper.bitstrings import all_bits, bits_to_index
from qhyper.symmetry import hidden_permutations, symmetrise


def _task(sizes, activation="relu", n=60):
    data = qh.datasets.load("gaussian_mixture", n_train=n, n_test=20)
    model = qh.BinaryMLP(sizes, activation=activation)
    return model, qh.Evaluator.from_dataset(model, data)


@pytest.mark.parametrize("sizes,activation", [([2, 3, 1], "relu"), ([2, 2, 2, 1], "sigmoid"),
                                               ([2, 3, 1], ["relu", "sigmoid"])])
def test_every_permutation_leaves_the_likelihood_unchanged(sizes, activation):
    model, ev = _task(sizes, activation)
    perms = hidden_permutations(model)
    assert perms.shape == (math.prod(math.factorial(k) for k in sizes[1:-1]), model.num_bits)
    assert torch.equal(perms[0], torch.arange(model.num_bits))
    assert len({tuple(p.tolist()) for p in perms}) == perms.shape[0]  # distinct bit permutations
    table, bits = ev.loss_table(), all_bits(model.num_bits)
    for p in perms:
        torch.testing.assert_close(table[bits_to_index(bits[:, p])], table, rtol=0, atol=1e-12)


def test_a_model_without_hidden_layers_has_only_the_identity():
    model = qh.BinaryMLP([4, 1])
    assert hidden_permutations(model).shape == (1, model.num_bits)
    q = torch.rand(2**model.num_bits, dtype=torch.float64)
    assert torch.equal(symmetrise(q / q.sum(), model), q / q.sum())


def test_symmetrised_distribution_is_invariant_and_never_further_from_the_posterior():
    model, ev = _task([2, 3, 1])
    post = qh.ExactPosterior(ev)
    g = torch.Generator().manual_seed(0)
    q = torch.softmax(3 * torch.randn(2**model.num_bits, generator=g, dtype=torch.float64), 0)
    qs = symmetrise(q, model)
    assert float(qs.sum()) == pytest.approx(1.0, abs=1e-12)
    bits = all_bits(model.num_bits)
    for p in hidden_permutations(model):
        torch.testing.assert_close(qs[bits_to_index(bits[:, p])], qs, rtol=0, atol=1e-15)
    assert post.kl_from(qs) <= post.kl_from(q) + 1e-12
    # a point mass on the MAP network: symmetrising spreads it over its 3! copies
    point = torch.zeros_like(q)
    point[post.map_index] = 1.0
    assert post.kl_from(symmetrise(point, model)) < post.kl_from(point) - 1.0


@pytest.mark.parametrize("sizes", [[2, 4, 1], [2, 3, 2, 1]])
def test_the_staged_average_is_the_average_over_the_whole_group(sizes):
    """averaging_stages (coset transpositions: 2 + 3 + 4 copies for 4 units, 2 + 3 and 2 for 3 and 2) gives
    exactly the mean over all |G| permuted copies (24, and 3!·2! = 12)."""
    model, _ = _task(sizes)
    stages = qh.symmetry.averaging_stages(model)
    assert sum(st.shape[0] for st in stages) == sum(k * (k + 1) // 2 - 1 for k in sizes[1:-1])
    g = torch.Generator().manual_seed(1)
    q = torch.softmax(4 * torch.randn(2**model.num_bits, generator=g, dtype=torch.float64), 0)
    bits = all_bits(model.num_bits)
    brute = torch.stack([q[bits_to_index(bits[:, p])] for p in hidden_permutations(model)]).mean(0)
    torch.testing.assert_close(symmetrise(q, model), brute, rtol=0, atol=1e-15)


def test_bad_inputs_name_the_parameter():
    with pytest.raises(TypeError, match="BinaryMLP"):
        hidden_permutations("net")
    model = qh.BinaryMLP([2, 3, 1])
    with pytest.raises(ValueError, match="probs must be a probability vector of length 2\\^13"):
        symmetrise(torch.ones(8), model)
    with pytest.raises(ValueError, match="permutation group has 362880 elements"):
        hidden_permutations(qh.BinaryMLP([1, 9, 1]))
