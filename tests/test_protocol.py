"""A model written only from the documented protocol (qhyper.protocol) trains with every
trainer that can train it, and gets a clear error from those that need more."""
import itertools

import pytest
import torch

import qhyper as qh
from qhyper.protocol import BitModel


class SignedPerceptron:
    """A user's model, from the docs alone: bits → ±1 weights, one logit (two classes)."""

    def __init__(self, width: int):
        self.num_bits = width
        self.in_features = width
        self.n_classes = 2

    def forward(self, bits, X):
        w = 2 * torch.as_tensor(bits, dtype=torch.float64) - 1  # [S, d]
        return (w @ torch.as_tensor(X, dtype=torch.float64).T).unsqueeze(-1)  # [S, N, 1]


@pytest.fixture
def evaluator():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(40, 5, generator=g, dtype=torch.float64)
    y = (X @ torch.tensor([1.0, -1, 1, 1, -1], dtype=torch.float64) > 0).long()
    return qh.Evaluator(SignedPerceptron(5), X, y, test=(X[:10], y[:10]))


def test_the_documented_members_are_the_protocol(evaluator):
    assert isinstance(evaluator.model, BitModel)
    assert not isinstance(object(), BitModel)


def test_its_loss_table_is_its_own_likelihood_network_by_network(evaluator):
    """No ``logit_groups``, no ``layer_sizes``: the generic enumerated path."""
    table = evaluator.loss_table()
    for index, bits in enumerate(itertools.product([0.0, 1.0], repeat=5)):
        logit = evaluator.model.forward(torch.tensor([bits]), evaluator.X)[0, :, 0]
        nll = torch.nn.functional.binary_cross_entropy_with_logits(logit, evaluator.y.double())
        assert float(table[index]) == pytest.approx(float(nll), rel=1e-12)


def test_qhn_exact_mle_and_elbo_and_the_oracle_train_it(evaluator):
    table = evaluator.loss_table()
    best = int(torch.argmin(table))
    hn = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=5, layers=2), seed=0)
    mle = qh.trainers.QHN(qh.objectives.MLE(), steps=100, seed=0, progress=False).fit(hn, evaluator)
    assert mle.metrics["expected_loss"] < float(table.mean())
    assert "test_accuracy" in mle.metrics and "predictive_train_accuracy" in mle.metrics
    elbo = qh.trainers.QHN(qh.objectives.ELBO(), steps=100, seed=0, progress=False).fit(hn, evaluator)
    evidence = qh.ExactPosterior(evaluator).log_evidence
    uniform = -float(table.mean()) * evaluator.num_data  # the ELBO of q = uniform (= the prior)
    assert uniform < elbo.metrics["objective"] <= evidence + 1e-9  # the bound, approached by training
    assert evidence - elbo.metrics["objective"] < 0.5 * (evidence - uniform)
    oracle = qh.trainers.Exhaustive().fit(evaluator)
    assert qh.bitstrings.bits_to_index(oracle.bits) == best


def test_trainers_that_need_more_name_what_is_missing(evaluator):
    with pytest.raises(TypeError, match=r"STE needs .*SignedPerceptron lacks .*decode.*propagate"):
        qh.trainers.STE(epochs=1).fit(evaluator)
    with pytest.raises((TypeError, ValueError), match="QUBO.*BinaryMLP"):
        qh.trainers.QUBO(num_reads=1).fit(evaluator)


def test_a_model_missing_a_required_member_is_refused_by_name():
    class NoForward:
        num_bits, in_features, n_classes = 3, 2, 2

    class NoOutputKind:
        num_bits, in_features = 3, 2

        def forward(self, bits, X):
            return torch.zeros(bits.shape[0], X.shape[0], 1)

    X, y = torch.zeros(4, 2), torch.zeros(4, dtype=torch.long)
    with pytest.raises(TypeError, match="NoForward lacks forward"):
        qh.Evaluator(NoForward(), X, y)
    with pytest.raises(TypeError, match="n_classes"):
        qh.Evaluator(NoOutputKind(), X, y)
    with pytest.raises(TypeError, match="str lacks num_bits"):
        qh.Evaluator("mlp", X, y)
