"""Parameter-shift gradients of shot objectives against autograd of the same exact objective."""
import math
from dataclasses import replace

import pytest
import torch

import qhyper as qh
from qhyper.gradients import ParameterShift
from qhyper.objectives import MLE, MMD, IMQKernel, MMDSurrogateELBO, LossSource


def exact_grad(hn, objective, task):
    hn.theta.grad = None
    objective.exact_loss(hn.distribution().probs(), task).backward()
    return hn.theta.grad.clone()


def shot_grads(hn, objective, task, shots, repeats):
    form = objective.shot_form(task)
    out = []
    for r in range(repeats):
        est = ParameterShift()(hn, form, hn.theta.detach(), shots, seed=100 + r,
                               generator=torch.Generator().manual_seed(r))
        out.append(est.grad)
    return torch.stack(out), est


def test_mle_gradient_within_shot_noise_bound(make_hypernet):
    """Each component is r·(mean of m losses − mean of m losses) with losses in [lo, hi]:
    its standard error is at most r·sqrt(2)·(hi − lo)/(2·sqrt(m)); allow 5 of them."""
    torch.manual_seed(0)
    table = torch.rand(16, dtype=torch.float64)
    hn = make_hypernet(4, layers=2, seed=1)
    task = LossSource(table)
    want = exact_grad(hn, MLE(), task)
    m = 20000
    grads, est = shot_grads(hn, MLE(), task, m, repeats=1)
    bound = 0.5 * math.sqrt(2) * float(table.max() - table.min()) / (2 * math.sqrt(m))
    assert torch.all((grads[0] - want).abs() < 5 * bound)
    inert = list(hn.ansatz.inert_params)  # brick: the last RZ layer, never shifted
    assert len(inert) == 4 and torch.all(grads[0][inert] == 0) and torch.all(want[inert].abs() < 1e-12)
    assert est.circuits == 2 * (hn.ansatz.num_params - 4) + 1 and est.samples.shape == (m, 4)
    assert float(want.abs().max()) > 10 * bound  # the check is not vacuous


@pytest.mark.parametrize("objective", [
    MMDSurrogateELBO(lam=4.0, data_size=3),
    MMDSurrogateELBO(lam=4.0, kernel=IMQKernel(), prior=[0.2, 0.4, 0.6, 0.8], data_size=3),
    MMD(qh.datasets.bars_and_stripes_patterns(2, 2)),
], ids=["surrogate-uniform", "surrogate-bernoulli-imq", "mmd-target"])
def test_kernel_objective_gradients_are_unbiased(make_hypernet, objective):
    """Mean of R independent estimates vs the exact gradient, in units of its standard error."""
    torch.manual_seed(0)
    table = torch.rand(16, dtype=torch.float64)
    hn = make_hypernet(4, layers=2, seed=3)
    task = LossSource(table)
    want = exact_grad(hn, objective, task)
    R = 12
    grads, _ = shot_grads(hn, objective, task, shots=1000, repeats=R)
    inert = list(hn.ansatz.inert_params)
    assert torch.all(grads[:, inert] == 0) and torch.all(want[inert].abs() < 1e-12)
    live = [k for k in range(hn.ansatz.num_params) if k not in inert]
    grads, want = grads[:, live], want[live]
    se = grads.std(0) / math.sqrt(R)
    t = (grads.mean(0) - want) / se
    assert float(t.abs().max()) < 6.0
    rel = float((grads.mean(0) - want).norm() / want.norm())
    assert rel < 0.25


def test_shot_loss_estimate_is_unbiased(make_hypernet):
    torch.manual_seed(1)
    table = torch.rand(16, dtype=torch.float64)
    hn = make_hypernet(4, layers=2, seed=2)
    obj, task = MMDSurrogateELBO(lam=4.0, data_size=3), LossSource(table)
    exact = float(obj.exact_loss(hn.distribution().probs().detach(), task))
    est = torch.tensor([ParameterShift()(hn, obj.shot_form(task), hn.theta.detach(), 400, seed=s,
                                         generator=torch.Generator().manual_seed(s)).loss for s in range(30)])
    assert abs(float(est.mean()) - exact) < 5 * float(est.std()) / math.sqrt(30)


def _stratified(probs: torch.Tensor, m: int) -> torch.Tensor:
    """m bitstrings [m, n] whose empirical distribution is ``probs`` [2^n] to within 1/m per
    entry (inverse-CDF at the midpoints (i + ½)/m): an estimator fed these is deterministic."""
    n = probs.shape[-1].bit_length() - 1
    cdf = torch.cumsum(probs / probs.sum(), 0)
    idx = torch.searchsorted(cdf, (torch.arange(m, dtype=torch.float64) + 0.5) / m).clamp(max=2**n - 1)
    return qh.bitstrings.index_to_bits(idx, n)


@pytest.mark.parametrize("objective", [
    MMDSurrogateELBO(lam=4.0, kernel=IMQKernel(), prior=[0.2, 0.4, 0.6, 0.8], data_size=3),
    MMDSurrogateELBO(lam=4.0, data_size=3),
    MMD(qh.datasets.bars_and_stripes_patterns(2, 2)),
], ids=["surrogate-bernoulli-imq", "surrogate-uniform", "mmd-target"])
def test_kernel_objective_gradient_algebra_is_exact(make_hypernet, objective, monkeypatch):
    """Every term's coefficient, checked without shot noise: the circuits' samples (and the
    prior's) are replaced by stratified sets that reproduce their distributions to 1/m, so the
    parameter-shift gradient must equal autograd's to ~1e-3. A 10% error in the quadratic
    coefficient moves it by ~6%, a dropped cross term by ~70% (Bernoulli prior)."""
    torch.manual_seed(0)
    table = torch.rand(16, dtype=torch.float64)
    hn = make_hypernet(4, layers=2, seed=3)
    task = LossSource(table)
    want = exact_grad(hn, objective, task)
    m = 20000
    monkeypatch.setattr(hn, "sample_counts_angles", lambda angles, shots, seed=None: qh.bitstrings.histogram(
        torch.stack([_stratified(p, shots) for p in hn.backend.probs(angles.detach())])))
    form = objective.shot_form(task)
    if form.reference is not None and not form.reference_is_fixed:
        prior = objective.prior_vector(4)
        form = replace(form, reference=lambda r, generator: _stratified(prior, r))
    got = ParameterShift()(hn, form, hn.theta.detach(), m, seed=0, generator=torch.Generator().manual_seed(0)).grad
    assert float((got - want).norm() / want.norm()) < 0.01


def test_uniform_prior_terms_are_exact_constants_not_estimates():
    """Under the uniform prior the surrogate's cross and prior–prior terms are the constant
    −λ·E_U[k] (no prior samples drawn), and that constant is E_U[k] computed by brute force."""
    obj = MMDSurrogateELBO(lam=3.0, data_size=3)
    form = obj.shot_form(LossSource(torch.rand(32, dtype=torch.float64)))
    assert form.reference is None and form.cross == 0.0 and form.ref_quad == 0.0
    every = qh.bitstrings.index_to_bits(torch.arange(32), 5)
    for x in every[[0, 7, 31]]:
        assert obj.kernel(x[None], every).mean().item() == pytest.approx(obj.kernel.uniform_mean(5), rel=1e-12)
    assert form.constant == pytest.approx(-3.0 * obj.kernel.uniform_mean(5), rel=1e-12)
