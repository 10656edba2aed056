import math
from types import SimpleNamespace

import pennylane as qml
import pytest
import torch

from qhyper.bitstrings import index_to_bits


class _Ansatz:
    """RY on every wire, then a CNOT chain, repeated ``layers`` times."""

    shift_rule = ("two-term", math.pi / 2)

    def __init__(self, n, layers):
        self.n_qubits, self.layers, self.num_params = n, layers, n * layers

    def init_params(self, generator=None):
        g = torch.Generator().manual_seed(int(generator or 0))
        return torch.rand(self.num_params, generator=g, dtype=torch.float64) * 2 * math.pi

    def apply(self, theta):
        n = self.n_qubits
        for l in range(self.layers):
            for j in range(n):
                qml.RY(theta[..., l * n + j], wires=j)
            if l < self.layers - 1:
                for j in range(n - 1):
                    qml.CNOT([j, j + 1])


class StandInHypernetwork(torch.nn.Module):
    """The agreed Hypernetwork interface on a default.qubit backprop QNode."""

    def __init__(self, n, layers=2, shots=None, seed=0):
        super().__init__()
        self.num_qubits, self.shots = n, shots
        self.ansatz = _Ansatz(n, layers)
        self.theta = torch.nn.Parameter(self.ansatz.init_params(seed))

        @qml.qnode(qml.device("default.qubit", wires=n), interface="torch", diff_method="backprop")
        def probs(theta):
            self.ansatz.apply(theta)
            return qml.probs(wires=range(n))

        self._probs = probs

    def distribution(self):
        if self.shots is not None:
            raise RuntimeError("shot mode: probabilities are not available")
        return SimpleNamespace(probs=lambda: self._probs(self.theta))

    def sample_at(self, thetas, shots, seed=None):
        with torch.no_grad():
            p = self._probs(torch.as_tensor(thetas, dtype=torch.float64)).reshape(-1, 2**self.num_qubits)
        g = torch.Generator().manual_seed(int(seed or 0) % 2**63)
        return index_to_bits(torch.multinomial(p, shots, replacement=True, generator=g), self.num_qubits)


@pytest.fixture
def make_hypernet():
    return StandInHypernetwork
