import pytest

import qhyper as qh




@pytest.fixture
def make_hypernet():
    def make(n, layers=2, shots=None, seed=0, backend="torch"):
        return qh.Hypernetwork(qh.circuits.get("brick", n_qubits=n, layers=layers), backend=backend,
                               shots=shots, seed=seed)

    return make
