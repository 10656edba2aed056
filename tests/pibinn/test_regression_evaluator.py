import math

import numpy as np
import pytest
import torch

import qhyper as qh
from qhyper.bitstrings import all_bits
from qhyper.pibinn import PIBiNN, load_problem


@pytest.fixture(scope="module")
def setup():
    task = load_problem("block_cs", seed=1, n=4, m=2, blocks=2, k=1, n_train=30, n_test=20)
    net = PIBiNN(task, layers=3, tied=True)  # 4 sign bits
    net.quantize_()
    return task, net


def test_gaussian_log_likelihood_by_hand(setup):
    task, net = setup
    sigma = 0.3
    ev = qh.Evaluator(net, task.Y_train, task.X_train, noise_std=sigma)
    bits = all_bits(net.num_bits)
    ll = ev.log_likelihood(bits)
    out = net(bits, task.Y_train).numpy()
    X = task.X_train.numpy()
    d = X.shape[1]
    ref = (-((out - X) ** 2).sum((1, 2)) / (2 * sigma**2)
           - X.shape[0] * d / 2 * np.log(2 * np.pi * sigma**2))
    assert np.allclose(ll.numpy(), ref, rtol=1e-12)
    assert torch.allclose(ev.nll(bits), -ll / 30)
    assert torch.all(torch.isnan(ev.accuracy(bits)))


def test_loss_table_enumerates_every_network(setup):
    task, net = setup
    ev = qh.Evaluator(net, task.Y_train, task.X_train, noise_std=0.5, test=(task.Y_test, task.X_test))
    table = ev.loss_table()
    assert table.shape == (2**net.num_bits,)
    assert torch.allclose(table, ev.nll(all_bits(net.num_bits)), rtol=1e-12)
    # the test evaluator keeps σ
    t = ev.test()
    assert t.logit_scale == ev.logit_scale == pytest.approx(2.0)
    post = qh.ExactPosterior(ev)
    assert math.isclose(float(post.probs.sum()), 1.0, rel_tol=1e-12)


def test_regression_evaluator_refuses_bad_targets(setup):
    task, net = setup
    with pytest.raises(ValueError, match="shape \\[30, 4\\]"):
        qh.Evaluator(net, task.Y_train, task.X_train[:, :3])
    bad = task.X_train.clone()
    bad[0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        qh.Evaluator(net, task.Y_train, bad)
    with pytest.raises(ValueError, match="noise_std"):
        qh.Evaluator(net, task.Y_train, task.X_train, noise_std=-1.0)
    ev = qh.Evaluator(net, task.Y_train, task.X_train)
    with pytest.raises(ValueError, match="regression"):
        ev.predictive(all_bits(net.num_bits))


def test_classification_is_untouched():
    model = qh.BinaryMLP([2, 1])
    X = torch.tensor([[1.0, -1.0], [0.5, 2.0]])
    ev = qh.Evaluator(model, X, [0, 1], logit_scale=0.5)
    assert not ev.regression and ev.y.dtype == torch.long
    with pytest.raises(ValueError, match="labels"):
        qh.Evaluator(model, X, [0.0, 2.0])


def test_task_evaluator_uses_the_task_noise_level(setup):
    task, net = setup
    ev = qh.pibinn.evaluator(net, task)
    assert ev.logit_scale == pytest.approx(1 / task.noise_std)
    assert ev.test().num_data == task.Y_test.shape[0]


def test_qhn_trains_on_a_regression_evaluator(setup):
    task, net = setup
    ev = qh.pibinn.evaluator(net, task)
    hn = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=net.num_bits, layers=2), seed=0)
    res = qh.trainers.QHN(steps=60, seed=0, progress=False).fit(hn, ev)
    table = ev.loss_table()
    # the trained distribution's expected loss beats the uniform average over all 16 networks
    assert res.metrics["expected_loss"] < float(table.mean())
    assert res.metrics["train_nll"] == pytest.approx(float(ev.nll(res.bits)[0]))
    assert math.isnan(res.metrics["train_accuracy"])
