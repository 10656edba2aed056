"""Bad inputs to the Evaluator, loss tables, likelihoods, ExactPosterior, bitstrings,
information and noise: refused at once, with the parameter named.

On the old code each case below was accepted silently (complex inputs with only a warning,
``logit_scale=inf``, ``chunk_bytes="1"``, ``kl_from`` of NaN, an index out of range wrapped
round), failed late (a test split of the wrong width, an empty data set), gave an all-NaN
loss table, or failed with a raw library message (AttributeError, ZeroDivisionError,
torch's own ``can't convert np.ndarray``)."""
import functools
import math

import numpy as np
import pytest
import torch

import qhyper as qh
from qhyper import bitstrings, information, noise
from qhyper.posterior import log_prior_table
from qhyper.results import network_metrics
from bad_inputs import refused


@functools.cache
def _small():
    data = qh.datasets.load("xor", n_train=20, n_test=10)
    return data, qh.BinaryMLP([2, 1]), qh.Evaluator(qh.BinaryMLP([2, 1]), data.X_train, data.y_train)


def _data():
    return _small()[0]


def _model():
    return _small()[1]


def _ev():
    return _small()[2]


@functools.cache
def _post():
    return qh.ExactPosterior(_ev())


@functools.cache
def _large():
    """200 000 points × 16 features: a bad option refused in < 1 s came before any scoring."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200_000, 16))
    return qh.BinaryMLP([16, 1]), X, (X[:, 0] > 0).astype(int)


def _big_evaluator(**kwargs):
    model, X, y = _large()
    return qh.Evaluator(model, X, y, **kwargs)


def _x(n=10, d=3):
    return torch.randn(n, d, dtype=torch.float64, generator=torch.Generator().manual_seed(0))


ONE = torch.ones(1, 3, dtype=torch.float64)
Q = np.full(8, 1 / 8)


CASES = [
    # Evaluator: the data
    ("X complex", lambda: qh.Evaluator(_model(), _data().X_train + 1j, _data().y_train), TypeError, "X is complex"),
    ("X strings", lambda: qh.Evaluator(_model(), [["a", "b"]], [0]), TypeError, "X must be an array"),
    ("X empty", lambda: qh.Evaluator(_model(), np.zeros((0, 2)), []), ValueError, "X has no rows"),
    ("y complex", lambda: qh.Evaluator(_model(), _data().X_train, _data().y_train + 0j), TypeError, "y is complex"),
    # Evaluator: options
    ("logit_scale inf", lambda: _big_evaluator(logit_scale=math.inf), ValueError, "logit_scale"),
    ("logit_scale str", lambda: _big_evaluator(logit_scale="1"), TypeError, "logit_scale"),
    ("logit_scale None", lambda: _big_evaluator(logit_scale=None), TypeError, "logit_scale"),
    ("logit_scale bool", lambda: _big_evaluator(logit_scale=True), TypeError, "logit_scale"),
    ("chunk_bytes 0", lambda: _big_evaluator(chunk_bytes=0), ValueError, "chunk_bytes"),
    ("chunk_bytes str", lambda: _big_evaluator(chunk_bytes="1"), TypeError, "chunk_bytes"),
    ("chunk_bytes float", lambda: _big_evaluator(chunk_bytes=2.5), TypeError, "chunk_bytes"),
    ("noise_std on a classifier", lambda: _big_evaluator(noise_std=0.5), ValueError, "noise_std"),
    # Evaluator: the test split, checked at construction under its own names
    ("X_test width", lambda: _big_evaluator(test=(np.ones((5, 3)), np.zeros(5, int))), ValueError, "X_test has 3"),
    ("y_test labels", lambda: _big_evaluator(test=(np.ones((5, 16)), np.full(5, 7))), ValueError, "y_test"),
    ("y_test length", lambda: _big_evaluator(test=(np.ones((5, 16)), np.zeros(4, int))), ValueError, "y_test"),
    ("test one part", lambda: _big_evaluator(test=(np.ones((5, 16)),)), TypeError, "test must be a pair"),
    ("test a Dataset", lambda: qh.Evaluator(_model(), _data().X_train, _data().y_train, test=_data()),
     TypeError, "test must be a pair"),
    ("from_dataset str", lambda: qh.Evaluator.from_dataset(_model(), "xor"), TypeError, "dataset must be"),
    # Evaluator: methods
    ("bits str", lambda: _ev().nll("101"), TypeError, "bits must be an array"),
    ("bits complex", lambda: _ev().log_likelihood(ONE + 0j), TypeError, "bits is complex"),
    ("bits empty", lambda: _ev().accuracy(torch.ones(0, 3)), ValueError, "bits holds no networks"),
    ("weights NaN", lambda: _ev().predictive(ONE.repeat(2, 1), weights=[math.nan, 1]), ValueError, "weights"),
    ("weights inf", lambda: _ev().predictive(ONE.repeat(2, 1), weights=[math.inf, 1]), ValueError, "weights"),
    ("weights str", lambda: _ev().predictive(ONE.repeat(2, 1), weights="ab"), TypeError, "weights"),
    ("predictive X complex", lambda: _ev().predictive(ONE, X=_data().X_test + 1j), TypeError, "X is complex"),
    ("prefix int", lambda: _ev().predictive_metrics(ONE, prefix=5), TypeError, "prefix"),
    ("network_metrics str", lambda: network_metrics("ev", ONE[0]), TypeError, "evaluator must be"),
    # overflowing logits: a clear error, not a NaN loss table
    ("inputs overflow", lambda: qh.Evaluator(_model(), _data().X_train * 1e308, _data().y_train).loss_table(),
     ValueError, "overflow.*logit_scale"),
    ("logit_scale overflow", lambda: qh.Evaluator(_model(), _data().X_train, _data().y_train,
                                                  logit_scale=1e308).loss_table(), ValueError, "overflow.*logit_scale"),
    ("sampled overflow", lambda: qh.Evaluator(qh.BinaryMLP([2, 2, 1], activation="identity"),
                                              _data().X_train * 1e308, _data().y_train).nll(torch.ones(1, 9)),
     ValueError, "overflow"),
    # ExactPosterior
    ("posterior of a table", lambda: qh.ExactPosterior(_ev().loss_table()), TypeError, "evaluator must be"),
    ("posterior of a str", lambda: qh.ExactPosterior("ev"), TypeError, "evaluator must be"),
    ("beta underflow", lambda: qh.ExactPosterior(_ev(), beta=1e-320), ValueError, "beta"),
    ("prior None", lambda: qh.ExactPosterior(_ev(), prior=None), TypeError, "prior"),
    ("prior strings", lambda: qh.ExactPosterior(_ev(), prior=["a"] * 3), TypeError, "prior"),
    ("prior complex", lambda: qh.ExactPosterior(_ev(), prior=[0.5 + 0j] * 3), TypeError, "prior"),
    ("kl_from NaN", lambda: _post().kl_from(np.r_[np.nan, Q[1:]]), ValueError, "q contains 1 NaN"),
    ("kl_from all NaN", lambda: _post().kl_from(np.full(8, np.nan)), ValueError, "q contains 8 NaN"),
    ("kl_from complex", lambda: _post().kl_from(Q + 0j), TypeError, "q is complex"),
    ("kl_from str", lambda: _post().kl_from("abc"), TypeError, "q must be an array"),
    ("log_prior_table n", lambda: log_prior_table(2.5), TypeError, "n must be an integer"),
    # bitstrings
    ("index too large", lambda: bitstrings.index_to_bits(9, 3), ValueError, "index must lie in 0 … 2\\^3"),
    ("index negative", lambda: bitstrings.index_to_bits(-1, 3), ValueError, "index must lie"),
    ("index float", lambda: bitstrings.index_to_bits(2.7, 3), TypeError, "index must hold integers"),
    ("index str", lambda: bitstrings.index_to_bits("3", 3), TypeError, "index must be an array"),
    ("n float", lambda: bitstrings.index_to_bits(3, 2.5), TypeError, "n must be an integer"),
    ("n too wide", lambda: bitstrings.index_to_bits(3, 64), ValueError, "n must be an integer in 0 … 62"),
    ("bits 0.5", lambda: bitstrings.bits_to_index([0.5, 1]), ValueError, "bits must be an array .* of 0s and 1s"),
    ("bits 2", lambda: bitstrings.bits_to_index([2, 1]), ValueError, "bits must be an array .* of 0s and 1s"),
    ("bits 70 wide", lambda: bitstrings.bits_to_index([1] * 70), ValueError, "number of bits"),
    ("all_bits n=40", lambda: bitstrings.all_bits(40), MemoryError, "all_bits\\(40\\)"),
    ("all_bits stop", lambda: bitstrings.all_bits(3, 0, 100), ValueError, "stop"),
    ("all_bits start", lambda: bitstrings.all_bits(3, 5, 2), ValueError, "start"),
    ("reverse length", lambda: bitstrings.reverse_bit_order(torch.ones(6), 3), ValueError, "vec must have 2\\^n"),
    ("top_mass NaN", lambda: bitstrings.top_mass(torch.full((8,), math.nan)), ValueError, "probs must be finite"),
    ("top_mass length", lambda: bitstrings.top_mass(torch.ones(6) / 6), ValueError, "probs must be a real vector"),
    ("top_mass mass 0", lambda: bitstrings.top_mass(torch.ones(8) / 8, 0), ValueError, "mass"),
    ("top_mass limit 0", lambda: bitstrings.top_mass(torch.ones(8) / 8, 0.5, 0), ValueError, "limit"),
    # information
    ("entropy complex", lambda: information.entropy(_x() + 1j), TypeError, "X is complex"),
    ("entropy overflow", lambda: information.entropy(_x() * 1e200), ValueError, "X is too large"),
    ("width inf*median", lambda: information.entropy(_x(), width="inf*median"), ValueError, "width rule"),
    ("kernel int", lambda: information.entropy(_x(), kernel=5), TypeError, "kernel must be one of"),
    ("method int", lambda: information.entropy(_x(), method=5), TypeError, "method must be one of"),
    ("mutual information complex", lambda: information.mutual_information(_x(), _x() + 1j), TypeError, "Y is complex"),
    ("renyi not square", lambda: information.renyi_entropy(torch.ones(2, 3)), ValueError, "A must be a real square"),
    ("gram sizes", lambda: information.mutual_information_gram(torch.eye(2) / 2, torch.eye(3) / 3), ValueError, "B is 3×3"),
    ("hsic_gram eps 0", lambda: information.hsic_gram(torch.eye(2), torch.eye(2), eps=0), ValueError, "eps"),
    ("gram trace 0", lambda: information.gram(torch.zeros(3, 2), kernel="linear"), ValueError, "kernel='gaussian'"),
    # noise
    ("depolarizing str", lambda: noise.depolarizing("1"), TypeError, "scale"),
    ("Depolarizing negative", lambda: noise.Depolarizing(-1, 5), ValueError, "one_qubit"),
    ("Depolarizing str", lambda: noise.Depolarizing("a", "b"), TypeError, "one_qubit"),
    ("gate_names str", lambda: noise.depolarizing().aer_noise_model("rx"), TypeError, "gate_names"),
    ("gate_names unknown", lambda: noise.depolarizing().aer_noise_model(["foo"]), ValueError, "gate names"),
    ("three wires", lambda: noise.depolarizing().pennylane_channel([0, 1, 2]), ValueError, "wires"),
]


@pytest.fixture(scope="module", autouse=True)
def warm():
    """Build the shared objects and import the simulators outside the timed part."""
    _small(), _post(), _large()
    pytest.importorskip("qiskit_aer.noise")
    pytest.importorskip("pennylane")
    import qhyper.circuits.gates  # noqa: F401


@pytest.mark.parametrize("label, call, error, match", CASES, ids=[c[0] for c in CASES])
def test_refused_at_once_naming_the_parameter(label, call, error, match):
    refused(call, error, match)


def test_the_good_spellings_still_work():
    data, model, ev = _small()
    assert qh.Evaluator(model, data.X_train.tolist(), data.y_train.tolist(), logit_scale=np.float64(2.0),
                        chunk_bytes=2**20, test=(data.X_test, data.y_test)).test().num_data == 10
    assert qh.Evaluator.from_dataset(model, data).has_test
    assert ev.predictive(ONE.repeat(2, 1), weights=[1, 3]).shape == (20, 2)
    post = qh.ExactPosterior(ev, prior=[0.5, 0.4, 0.3])
    assert post.kl_from(list(post.probs)) == pytest.approx(0.0, abs=1e-12)
    assert bitstrings.index_to_bits(np.int64(5), 3).tolist() == [1.0, 0.0, 1.0]
    assert int(bitstrings.bits_to_index(torch.tensor([True, False, True]))) == 5
    assert bitstrings.all_bits(3, 2, 4).shape == (2, 3)
    assert bitstrings.top_mass(np.full(8, 1 / 8), 2.0)[0].shape == (8, 3)
    assert float(information.entropy(_x(), width="0.5*median")) > 0
    assert noise.depolarizing(np.float64(2.0)).one_qubit == pytest.approx(0.002)


def test_a_nan_probability_gives_a_nan_entropy():
    """It was dropped like a zero: the entropy of [NaN, 1] came out 0.0."""
    assert math.isnan(float(bitstrings.shannon_entropy(torch.tensor([math.nan, 1.0]))))
    assert float(bitstrings.shannon_entropy(torch.tensor([0.0, 1.0]))) == 0.0


def test_the_log_evidence_keeps_its_digits_at_large_beta():
    """β log Σ p(b) p(D|b)^{1/β} → E_p[log p(D|b)] as β → ∞; it was computed as 0.0 at β = 1e100."""
    ev = _ev()
    mean = float(ev.log_likelihood_table().mean())
    for beta in (1e6, 1e100, 1e308):
        assert qh.ExactPosterior(ev, beta=beta).log_evidence == pytest.approx(mean, rel=1e-5)
