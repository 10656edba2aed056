"""qh.plot helpers, headless: a figure is drawn, titled and labelled; bad input refused."""
import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402

import qhyper as qh  # noqa: E402


@pytest.fixture(scope="module")
def trained():
    data = qh.datasets.load("gaussian_mixture", n_train=300, n_test=200, seed=0)
    model = qh.BinaryMLP([2, 3, 1])
    ev = qh.Evaluator.from_dataset(model, data)
    hn = qh.Hypernetwork.for_model(model, layers=2, seed=0)
    res = qh.trainers.QHN(steps=8, seed=0, progress=False).fit(hn, ev)
    return data, ev, hn, res


def _labelled(ax):
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    ax.figure.canvas.draw()  # renders without error


def test_history(trained):
    data, ev, hn, res = trained
    ax = qh.plot.history(res, optimum=float(ev.loss_table().min()))
    _labelled(ax)
    assert len(ax.lines[0].get_xdata()) == len(res.history["expected_loss"])  # every point drawn
    assert "evaluation" in ax.get_xlabel()  # exact mode trains with L-BFGS by default
    with pytest.raises(ValueError, match="has no history 'nope'"):
        qh.plot.history(res, key="nope")


def test_distribution_against_the_posterior(trained):
    data, ev, hn, res = trained
    post = qh.ExactPosterior(ev)
    ax = qh.plot.distribution(hn, evaluator=ev, posterior=post, top=8)
    _labelled(ax)
    assert len(ax.get_xticklabels()) == 8 and len(ax.get_xticklabels()[0].get_text()) == ev.num_bits
    assert len(ax.patches) == 16  # q and the posterior side by side


def test_decision_boundary_of_one_network_and_of_samples(trained):
    data, ev, hn, res = trained
    _labelled(qh.plot.decision_boundary(ev, res.bits, data, resolution=40))
    ax = qh.plot.decision_boundary(ev, hn.sample(50, seed=0), data, resolution=40)
    assert "average prediction of 50 networks" in ax.get_title()
    wide = qh.Evaluator(qh.BinaryMLP([3, 1]), torch.zeros(4, 3), torch.tensor([0, 1, 0, 1]))
    with pytest.raises(ValueError, match="2 inputs"):
        qh.plot.decision_boundary(wide, torch.zeros(4))


def test_comparison_figure():
    table = qh.compare(["ste"], task="bars_stripes_sign", seeds=1, quick=True, progress=False)
    fig = qh.plot.comparison(table)
    assert fig.axes and all(a.get_title() or a.get_ylabel() for a in fig.axes)
    with pytest.raises(TypeError, match="qh.compare table"):
        qh.plot.comparison([1, 2])
