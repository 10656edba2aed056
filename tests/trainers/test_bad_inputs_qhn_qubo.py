"""Bad inputs to the quantum trainer, its objectives and kernels, the oracle and the QUBO
trainer: each refused with a fitting type, the parameter named, before any work.

Every case here was accepted, failed late (a bad ``test=`` split surfaced after training),
or failed with a raw message (``could not convert string to float``, an AttributeError,
a torch dtype error) before these checks. The "large task" cases build a 20-qubit
hypernetwork and a 20-bit evaluator outside the timed part: a refusal must not start the
2^20-entry loss table, the statevector or the annealer.
"""
import dimod
import pytest
import torch

import qhyper as qh
from qhyper.objectives import ELBO, MMD, GaussianMixtureKernel, IMQKernel, MMDSurrogateELBO, PolynomialKernel
from qhyper.trainers import QHN, QUBO, Exhaustive
from bad_inputs import refused


@pytest.fixture(scope="module")
def large():
    """A 20-bit model on real data, its hypernetwork and a 2^20 cost table (built once, untimed)."""
    data = qh.datasets.load("digits01_4x4", seed=0)
    ev = qh.Evaluator(qh.BinaryMLP([16, 1], bias=False, activation="sign"), data.X_train, data.y_train)
    model = qh.BinaryMLP([19, 1])  # 20 bits
    hn = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=model.num_bits, layers=2), seed=0)
    shots = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=4, layers=1), shots=1, seed=0)
    table = torch.rand(2**20, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    return {"ev": ev, "hn": hn, "shots1": shots, "table": table, "data": data}


CASES = [
    # --- QHN: constructor
    (lambda L: QHN(progress="no"), TypeError, "progress"),
    (lambda L: QHN(warm_start="yes"), TypeError, "warm_start"),
    # --- QHN.fit: objects and data
    (lambda L: QHN().fit("hn", L["table"]), TypeError, "hypernet"),
    (lambda L: QHN().fit(L["hn"], L["table"].to(torch.complex128)), TypeError, "real losses"),
    (lambda L: QHN().fit(L["hn"], torch.full((2**20,), 1e300, dtype=torch.float64)), ValueError, "cost table"),
    (lambda L: QHN().fit(qh.Hypernetwork(qh.circuits.get("brick", n_qubits=16, layers=2), seed=0), L["ev"],
                         test=(L["data"].X_test[:, :15], L["data"].y_test)), ValueError, "X_test"),
    (lambda L: QHN().fit(L["hn"], L["table"], test=(L["data"].X_test, L["data"].y_test)), ValueError, "test="),
    (lambda L: QHN().fit(qh.Hypernetwork(qh.circuits.get("brick", n_qubits=16, layers=2), seed=0), L["ev"],
                         test="test split"), TypeError, "test must be a pair"),
    (lambda L: QHN(MMDSurrogateELBO(lam=1.0, data_size=3)).fit(L["shots1"], torch.rand(16, dtype=torch.float64)),
     ValueError, "shots"),
    (lambda L: QHN(MMD([[0, 1, 0, 1]]), gradient="parameter-shift").fit(L["shots1"]), ValueError, "shots"),
    (lambda L: QHN(MMD([[0, 1, 0, 1]]), shots_per_step=1, gradient="spsa").fit(
        qh.Hypernetwork(qh.circuits.get("brick", n_qubits=4, layers=1), shots=64, seed=0)), ValueError,
     "shots_per_step"),
    # --- objectives
    (lambda L: ELBO(beta="a"), TypeError, "beta"),
    (lambda L: ELBO(data_size=2.5), TypeError, "data_size"),
    (lambda L: ELBO(prior=["a", "b"]), TypeError, "prior"),
    (lambda L: MMDSurrogateELBO(lam="1"), TypeError, "lam"),
    (lambda L: MMDSurrogateELBO(lam=True), TypeError, "lam"),
    (lambda L: MMD("0101"), TypeError, "target"),
    # --- kernels
    (lambda L: GaussianMixtureKernel(bandwidths="1"), TypeError, "bandwidths"),
    (lambda L: GaussianMixtureKernel(bandwidths=[1.0, "2"]), TypeError, "bandwidths"),
    (lambda L: IMQKernel(scale="1"), TypeError, "scale"),
    (lambda L: IMQKernel(power=float("nan")), ValueError, "power"),
    (lambda L: PolynomialKernel(degree=2.0), TypeError, "degree"),
    (lambda L: PolynomialKernel(offset=[]), ValueError, "offset"),
    # --- the exact oracle
    (lambda L: Exhaustive().fit("ev"), TypeError, "evaluator"),
    (lambda L: Exhaustive(prior="flat"), ValueError, "prior"),
    (lambda L: Exhaustive(prior=[0.5, 1.5]), ValueError, "prior"),
    # --- QUBO
    (lambda L: QUBO(polish="yes"), TypeError, "polish"),
    (lambda L: QUBO(progress=1), TypeError, "progress"),
    (lambda L: QUBO().solve("bqm", 0), TypeError, "bqm"),
    (lambda L: QUBO().solve(dimod.BinaryQuadraticModel({0: 1.0}, {}, 0.0, "BINARY"), -1), ValueError, "seed"),
    (lambda L: QUBO().solve(dimod.BinaryQuadraticModel({0: 1.0}, {}, 0.0, "BINARY"), 1.5), TypeError, "seed"),
]


@pytest.mark.parametrize("call, error, name", CASES, ids=[f"{i}-{c[2]}" for i, c in enumerate(CASES)])
def test_refused_before_work_naming_the_parameter(call, error, name, large):
    refused(lambda: call(large), error, name)


def test_the_good_spellings_still_work():
    assert ELBO(beta=2).beta == 2.0 and MMDSurrogateELBO(lam=3).lam == 3.0
    assert GaussianMixtureKernel(bandwidths=2).bandwidths == (2.0,)
    assert PolynomialKernel(degree=3).degree == 3 and IMQKernel(scale=2, power=1).scale == 2.0
    assert MMD(torch.tensor([[0, 1], [1, 1]])).target.shape == (2, 2)
    assert QUBO(polish=False, progress=False).polish is False
    hn = qh.Hypernetwork(qh.circuits.get("brick", n_qubits=4, layers=1), shots=2, seed=0)
    res = QHN(MMD([[0, 1, 0, 1]]), steps=1, final_shots=2, progress=False).fit(hn)  # 2 shots: the least
    assert res.state["samples"].shape == (2, 4)
