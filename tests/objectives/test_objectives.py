import math

import pytest
import torch

import qhyper as qh
from qhyper.bitstrings import all_bits
from qhyper.objectives import ELBO, MLE, MMD, GaussianMixtureKernel, MMDSurrogateELBO, LossSource, mmd2_exact


@pytest.fixture(scope="module")
def ev():
    data = qh.datasets.load("xor").subsample(40, seed=0)
    return qh.Evaluator.from_dataset(qh.BinaryMLP([2, 2, 1]), data, logit_scale=0.5)  # 9 bits


def random_q(n, seed, peaked=3.0):
    g = torch.Generator().manual_seed(seed)
    return torch.softmax(peaked * torch.randn(2**n, generator=g, dtype=torch.float64), 0)


def test_mle_is_the_expected_loss(ev):
    q = random_q(ev.num_bits, 0)
    task = LossSource(ev)
    assert float(MLE().exact_loss(q, task)) == pytest.approx(float(q @ ev.loss_table()), rel=1e-14)
    bits = all_bits(ev.num_bits)[:7]
    assert torch.allclose(MLE().shot_form(task).f(bits), ev.nll(bits))


@pytest.mark.parametrize("beta", [1.0, 0.4, 2.5])
@pytest.mark.parametrize("prior", ["uniform", "bernoulli"])
def test_elbo_gap_is_kl_to_the_exact_posterior(ev, beta, prior):
    n = ev.num_bits
    prior = prior if prior == "uniform" else torch.linspace(0.2, 0.8, n, dtype=torch.float64)
    post = qh.ExactPosterior(ev, prior=prior, beta=beta)
    obj, task = ELBO(beta=beta, prior=prior, symmetrise=False), LossSource(ev)
    for seed in range(3):
        q = random_q(n, seed)
        elbo = obj.value(float(obj.exact_loss(q, task)))
        gap = post.log_evidence - elbo
        assert gap == pytest.approx(beta * post.kl_from(q), abs=1e-8)
        assert gap >= -1e-10
    best = obj.value(float(obj.exact_loss(post.probs, task)))
    assert best == pytest.approx(post.log_evidence, abs=1e-8)


def test_uniform_prior_kl_is_n_log2_minus_entropy(ev):
    n = ev.num_bits
    q = random_q(n, 5)
    H = float(-(q * q.log()).sum())
    assert float(ELBO().kl(q, n)) == pytest.approx(n * math.log(2) - H, rel=1e-12)


def test_elbo_on_a_cost_table_uses_data_size():
    g = torch.Generator().manual_seed(3)
    table = torch.rand(16, generator=g, dtype=torch.float64)
    q = random_q(4, 1)
    obj = ELBO(data_size=30)
    expected = 30 * float(q @ table) + float(ELBO().kl(q, 4))
    assert float(obj.exact_loss(q, LossSource(table))) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="data_size"):
        ELBO().check(LossSource(table))


def test_elbo_has_no_shot_form(ev):
    with pytest.raises(ValueError, match="MMDSurrogateELBO"):
        ELBO().shot_form(LossSource(ev))


def test_objective_gradients_match_finite_differences(ev):
    """d objective(q(θ)) / dθ for a smooth family q(θ) = softmax(Aθ): autograd vs central FD."""
    n, task = ev.num_bits, LossSource(ev)
    g = torch.Generator().manual_seed(7)
    A = torch.randn(2**n, 5, generator=g, dtype=torch.float64)
    theta = torch.randn(5, generator=g, dtype=torch.float64, requires_grad=True)
    for obj in [MLE(), ELBO(beta=0.7), ELBO(prior=torch.full((n,), 0.3, dtype=torch.float64)),
                MMDSurrogateELBO(lam=20.0)]:
        def f(t):
            return obj.exact_loss(torch.softmax(A @ t, 0), task)

        (grad,) = torch.autograd.grad(f(theta), theta)
        eps = 1e-6
        fd = torch.stack([(f(theta.detach() + eps * e) - f(theta.detach() - eps * e)) / (2 * eps)
                          for e in torch.eye(5, dtype=torch.float64)])
        assert torch.allclose(grad, fd, rtol=1e-6, atol=1e-7), type(obj).__name__


def test_surrogate_elbo_exact_form_matches_shot_form_in_expectation():
    """The unbiased shot estimate averaged over many independent draws → the exact form."""
    n = 4
    g = torch.Generator().manual_seed(11)
    table = torch.rand(2**n, generator=g, dtype=torch.float64)
    q = random_q(n, 2, peaked=1.5)
    prior = torch.tensor([0.2, 0.5, 0.7, 0.9], dtype=torch.float64)
    obj, task = MMDSurrogateELBO(lam=3.0, prior=prior, data_size=5), LossSource(table)
    form = obj.shot_form(task)
    m, R = 100, 200
    est = torch.empty(R, dtype=torch.float64)
    for r in range(R):
        x = all_bits(n)[torch.multinomial(q, m, replacement=True, generator=g)]
        est[r] = form.estimate(x, form.reference(m, g))
    exact = float(obj.exact_loss(q, task))
    se = float(est.std()) / math.sqrt(R)
    assert abs(float(est.mean()) - exact) < 5 * se


def test_mmd_target_objective():
    target = qh.datasets.bars_and_stripes_patterns(2, 2)  # 6 patterns of 4 bits
    obj = MMD(target)
    p = obj.target_probs()
    assert float(p.sum()) == pytest.approx(1.0) and int((p > 0).sum()) == 6
    task = LossSource(None, num_bits=4)
    assert float(obj.exact_loss(p, task)) == pytest.approx(0.0, abs=1e-14)
    assert float(obj.exact_loss(random_q(4, 0), task)) > 0
    assert obj.in_target(torch.tensor([[1.0, 1, 0, 0], [1.0, 0, 0, 1]])).tolist() == [True, False]
    # the fixed-set shot form: its estimate, averaged over independent draws from q, is the
    # exact MMD² (U-statistic for q, exact means over the target set)
    form = obj.shot_form(task)
    assert form.reference_is_fixed and form.reference(10, None).shape == (6, 4)
    q = random_q(4, 5, peaked=1.0)
    g = torch.Generator().manual_seed(3)
    m, R = 50, 400
    est = torch.tensor([form.estimate(all_bits(4)[torch.multinomial(q, m, replacement=True, generator=g)],
                                      form.reference(m, g)) for _ in range(R)])
    exact = float(obj.exact_loss(q, task))
    se = float(est.std()) / math.sqrt(R)
    assert exact > 20 * se  # a vanishing MMD would make the comparison vacuous
    assert abs(float(est.mean()) - exact) < 4 * se


def test_bad_objective_arguments_are_rejected():
    with pytest.raises(ValueError, match="beta"):
        ELBO(beta=0)
    with pytest.raises(ValueError, match="prior"):
        ELBO(prior="gaussian")
    with pytest.raises(ValueError, match="strictly between"):
        ELBO(prior=[0.5, 1.0])
    with pytest.raises(ValueError, match="lam"):
        MMDSurrogateELBO(lam=-1)
    with pytest.raises(TypeError, match="kernel"):
        MMDSurrogateELBO(lam=1, kernel=lambda x, y: x)
    with pytest.raises(ValueError, match="data_size"):
        ELBO(data_size=0)
    with pytest.raises(ValueError, match="bits"):
        MMD([[0, 1, 2]])


def test_prior_of_the_wrong_size_is_rejected_at_check(ev):
    with pytest.raises(ValueError, match="one probability per bit"):
        ELBO(prior=[0.5] * 3).check(LossSource(ev))
    with pytest.raises(ValueError, match="one probability per bit"):
        MMDSurrogateELBO(lam=1.0, prior=[0.5] * 3).check(LossSource(ev))
    with pytest.raises(ValueError, match="qubits"):
        MMD([[0, 1]]).check(LossSource(None, num_bits=3))


@pytest.mark.parametrize("bad, match", [(torch.ones(6), "2\\^n"), (torch.ones(4, 4), "1-D"),
                                        (torch.tensor([0.1, math.nan, 0.2, 0.3]), "NaN")])
def test_bad_cost_tables_are_rejected(bad, match):
    with pytest.raises(ValueError, match=match):
        LossSource(bad)


def test_exact_mmd_of_identical_distributions_is_zero_and_positive_otherwise():
    k = GaussianMixtureKernel()
    q, p = random_q(5, 0), random_q(5, 1)
    assert float(mmd2_exact(q, q, k)) == pytest.approx(0.0, abs=1e-15)
    assert float(mmd2_exact(q, p, k)) > 1e-6


@pytest.mark.parametrize("objective", [MLE(), ELBO(beta=0.5, data_size=7), MMDSurrogateELBO(lam=5.0, data_size=7)],
                         ids=["mle", "elbo", "mmd-elbo"])
def test_gradients_through_a_circuit_match_finite_differences(objective):
    """Autograd through the hypernetwork's exact probabilities vs central differences in θ."""
    table = torch.rand(16, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    hn = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=4, layers=2), seed=3)
    task = LossSource(table)

    def f(theta):
        with torch.no_grad():
            hn.theta.copy_(theta)
        return objective.exact_loss(hn.distribution().probs(), task)

    theta0 = hn.theta.detach().clone()
    hn.theta.grad = None
    f(theta0).backward()
    grad = hn.theta.grad.clone()
    eps = 1e-6
    fd = torch.stack([(f(theta0 + eps * e) - f(theta0 - eps * e)).detach() / (2 * eps)
                      for e in torch.eye(theta0.numel(), dtype=torch.float64)])
    assert torch.allclose(grad, fd, rtol=1e-5, atol=1e-7)
