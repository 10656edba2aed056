"""PIBiNN's training levers: the residual coupled form (bits layout, decode, batched forward),
threshold groups, progressive quantisation, distillation and sign initialisation."""
import copy

import pytest
import torch

from qhyper.pibinn import UnrolledISTA, bits_per_weight, init_from, load_problem, train
from qhyper.pibinn.training import _loss
from pibinn_batched import assert_batched_matches_single

TINY = dict(n=8, m=4, blocks=2, k=1, n_train=64, n_test=32)
A = torch.tensor([[1.0, -2.0, 0.0, 0.0], [0.0, 0.0, 3.0, 0.5]])  # supp(Aᵀ) 4 entries, M2 8 entries


@pytest.fixture(scope="module")
def tiny():
    return load_problem("block_cs", seed=0, **TINY)


def _random_bits(net, S=4, seed=0):
    return torch.randint(0, 2, (S, net.num_bits), generator=torch.Generator().manual_seed(seed)).double()


def test_residual_cp_bits_layout_and_decode(tiny):
    net = UnrolledISTA(tiny, layers=3, weights="binary", form="cp", residual=True)
    net.quantize_()
    nnz1, nnz2 = int(net.M1.sum()), int(net.M2.sum())
    assert net.num_bits == 3 * nnz1 + 2 * nnz2  # W1 ×3, Δ ×2 (layer 0 has no W2)
    bits = _random_bits(net, 1)[0]
    W1, W2 = (w.detach() for w in net.set_bits(bits).weights())
    D1, D2 = net.decode(bits)
    assert torch.equal(net.bits(), bits) and torch.allclose(D1[0], W1) and torch.allclose(D2[0], W2)
    eye = torch.eye(tiny.n, dtype=torch.float64)
    lam = float(net.lam.detach())
    assert torch.allclose((D2[0] - eye).abs()[:, net.M2.bool()], torch.full_like(D2[0][:, net.M2.bool()], lam))
    assert torch.all(D2[0][:, ~net.M2.bool()] == 0)  # off the support W2 = I − nothing: zero off-diagonal
    # Δ of layer 1 starts after W1 of layers 0 and 1
    r, c = torch.nonzero(net.M2)[0]
    flip = bits.clone()
    flip[2 * nnz1] = 1 - flip[2 * nnz1]
    E1, E2 = net.decode(flip)
    assert torch.equal(E1, D1) and E2[0, 0, r, c] - eye[r, c] == -(D2[0, 0, r, c] - eye[r, c])


@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("threshold", ["per_layer", "per_row"])
def test_residual_cp_batched_forward_equals_one_network_at_a_time(tiny, tied, threshold):
    net = UnrolledISTA(tiny, layers=3, weights="binary", form="cp", residual=True, tied=tied, threshold=threshold)
    net.quantize_()
    with torch.no_grad():
        net.theta.add_(torch.rand(net.theta.shape, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
                       * 0.05)
    bits = _random_bits(net, 5)
    assert_batched_matches_single(net, bits, tiny.Y_test)


def test_residual_cp_recurrence_by_hand(tiny):
    """x₂ = soft((I + Δ) x₁ + W1 (y − A x₁), θ₁) with x₁ = soft(W1 y, θ₀)."""
    net = UnrolledISTA(tiny, layers=2, form="cp", residual=True)
    with torch.no_grad():
        net.V2.copy_(0.1 * net.M2)
    W1, W2 = (w.detach() for w in net.weights())
    th, Y = net.thresholds().detach(), tiny.Y_test
    soft = lambda z, t: torch.sign(z) * torch.clamp(z.abs() - t, min=0)  # noqa: E731
    x1 = soft(Y @ W1[0].T, th[0])
    x2 = soft(x1 @ W2[0].T + (Y - x1 @ tiny.operator.T) @ W1[1].T, th[1])
    assert torch.allclose(net(Y).detach(), x2, atol=1e-12)
    assert torch.allclose(W2[0] - torch.eye(tiny.n, dtype=torch.float64), 0.1 * net.M2)


def test_threshold_groups_shape_use_and_storage():
    shared = UnrolledISTA(A, layers=3, threshold="shared", form="lista")
    per_row = UnrolledISTA(A, layers=3, threshold="per_row", form="lista", weights="binary")
    assert shared.theta.shape == (1,) and shared.thresholds().shape == (3,)
    assert per_row.theta.shape == (3, 4) and per_row.thresholds().shape == (3, 4)
    # real, shared: 32 bits per support entry (3·4 + 2·8 = 28) + one θ; positions 3·8 + 2·16 = 56
    assert bits_per_weight(shared) == pytest.approx((32 * 28 + 32) / 56)
    # binary, per row: 28 signs + λ + 3·4 thresholds
    assert bits_per_weight(per_row) == pytest.approx((28 + 32 * 13) / 56)
    with torch.no_grad():
        per_row.theta[1, 2] = 5.0  # row 2 of layer 1 is thresholded away, the others are not
    out = per_row(torch.ones(2, 2, dtype=torch.float64))
    ref = UnrolledISTA(A, layers=3, form="lista", weights="binary")(torch.ones(2, 2, dtype=torch.float64))
    assert not torch.allclose(out, ref)


def test_progressive_quantisation_blends_then_ends_exact(tiny):
    net = UnrolledISTA(tiny, layers=3, weights="binary", form="cp")
    net.quantize_()
    Q = net.weights()[0].detach()
    V = (net.V1 * net.M1).detach()
    net.mix.fill_(0.25)
    assert torch.allclose(net.weights()[0].detach(), 0.25 * Q + 0.75 * V)
    seen = []

    class Spy(UnrolledISTA):
        def forward(self, *args):
            if torch.is_grad_enabled():
                seen.append(float(self.mix))
            return super().forward(*args)

    spy = Spy(tiny, layers=3, weights="binary", form="cp")
    train(spy, tiny, steps=12, warm_fraction=0.5, ramp_steps=4, seed=0, batch_size=8, progress=False)
    assert seen[6:] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0] and seen[:6] == [1.0] * 6
    assert float(spy.mix) == 1.0
    W1 = spy.weights()[0].detach()
    assert W1[:, spy.M1.bool()].abs().unique().numel() == 1  # exactly one value: ±λ


def test_distillation_loss_adds_the_iterate_term(tiny):
    net = UnrolledISTA(tiny, layers=3, weights="binary", form="cp")
    teacher = UnrolledISTA(tiny, layers=3, form="lista")
    with torch.no_grad():
        teacher.V1.mul_(1.5)
    Y, X = tiny.Y_train[:16], tiny.X_train[:16]
    xs, ts = net.iterates(Y), teacher.iterates(Y)
    assert len(xs) == 3 and torch.allclose(xs[-1], net(Y))
    want = ((xs[-1] - X) ** 2).mean() + 0.7 * (((xs[0] - ts[0]) ** 2).mean() + ((xs[1] - ts[1]) ** 2).mean()) / 2
    assert torch.allclose(_loss(net, Y, X, teacher, 0.7), want)
    assert torch.allclose(_loss(net, Y, X, copy.deepcopy(net), 5.0), ((net(Y) - X) ** 2).mean())


@pytest.fixture(scope="module", params=["lista", "cp"])
def teacher(tiny, request):
    net = UnrolledISTA(tiny, layers=3, form=request.param)
    train(net, tiny, steps=15, seed=0, batch_size=16, progress=False)
    return net


@pytest.mark.parametrize("student", [dict(form="cp", residual=True), dict(form="lista", residual=True),
                                     dict(form="lista"), dict(form="cp", residual=True, threshold="per_row")])
def test_init_from_reproduces_the_teacher(tiny, student, teacher):
    """A full-precision student that can represent the teacher computes the same function."""
    net = init_from(UnrolledISTA(tiny, layers=3, **student), teacher)
    assert torch.allclose(net(tiny.Y_test).detach(), teacher(tiny.Y_test).detach(), atol=1e-10)
    binary = init_from(UnrolledISTA(tiny, layers=3, weights="binary", **student), teacher)
    assert torch.equal(torch.sign(binary.V1.detach()), torch.sign(teacher.weights()[0].detach() * binary.M1))
