import pytest
import torch

import qhyper as qh


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny tensors: one thread avoids oversubscription on a shared CPU (restored afterwards)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def make_hypernet():
    def make(n, layers=2, shots=None, seed=0, backend="torch"):
        return qh.Hypernetwork(qh.circuits.get("brick", n_qubits=n, layers=layers), backend=backend,
                               shots=shots, seed=seed)

    return make
