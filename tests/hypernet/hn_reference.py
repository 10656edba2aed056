"""Shared references for the hypernetwork tests."""
import torch
from qiskit.quantum_info import Statevector

from qhyper.bitstrings import reverse_bit_order

FAMILIES = [("brick", {"layers": 3}), ("hardware_efficient", {"layers": 2}),
            ("hardware_efficient", {"layers": 2, "entangler": "cx"}), ("product", {})]

# every exact backend configuration
EXACT = [("torch", {}), ("torch", {"block": 2}), ("torch", {"method": "split"}),
         ("torch", {"method": "split", "block": 2}), ("pennylane", {}),
         ("pennylane", {"device": "lightning.qubit"}), ("qiskit", {})]


def dense_probs(ansatz, theta) -> torch.Tensor:
    """Reference probabilities from qiskit.quantum_info.Statevector, big-endian."""
    little = torch.from_numpy(Statevector(ansatz.to_qiskit(theta)).probabilities())
    return reverse_bit_order(little, ansatz.num_qubits)
