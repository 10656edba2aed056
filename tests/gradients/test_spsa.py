import math

import pytest
import torch

from qhyper.gradients import SPSA
from qhyper.objectives import MLE, LossSource


def test_spsa_is_unbiased_on_average(make_hypernet):
    """E[(L(θ+cΔ) − L(θ−cΔ))/(2c) Δ] = ∇L + O(c²): many directions in one call, loose check."""
    torch.manual_seed(0)
    table = torch.rand(16, dtype=torch.float64)
    hn = make_hypernet(4, layers=2, seed=1)
    task = LossSource(table)
    hn.theta.grad = None
    MLE().exact_loss(hn.distribution().probs(), task).backward()
    want = hn.theta.grad.clone()
    est = SPSA(c=0.05, directions=300)(hn, MLE().shot_form(task), hn.theta.detach(), 1000, seed=0,
                                       generator=torch.Generator().manual_seed(0))
    cos = float(est.grad @ want / (est.grad.norm() * want.norm()))
    assert cos > 0.9
    assert float(est.grad.norm() / want.norm()) == pytest.approx(1.0, abs=0.3)
    assert est.circuits == 600


def test_spsa_is_reproducible_with_a_seeded_generator(make_hypernet):
    table = torch.linspace(0, 1, 16, dtype=torch.float64)
    hn = make_hypernet(4, layers=1, shots=100, seed=0)
    form = MLE().shot_form(LossSource(table))
    a = SPSA()(hn, form, hn.theta.detach(), 100, seed=5, generator=torch.Generator().manual_seed(9), step=3)
    b = SPSA()(hn, form, hn.theta.detach(), 100, seed=5, generator=torch.Generator().manual_seed(9), step=3)
    assert torch.equal(a.grad, b.grad) and a.loss == b.loss


@pytest.mark.parametrize("kwargs, match", [({"c": 0}, "c must"), ({"c": math.nan}, "c must"),
                                           ({"directions": 0}, "directions"), ({"gamma": -1}, "gamma")])
def test_bad_spsa_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SPSA(**kwargs)
