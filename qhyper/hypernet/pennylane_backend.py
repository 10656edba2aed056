r"""``backend="pennylane"``: the ansatz as a ``qml`` QNode.

* exact mode — ``qml.probs(wires=range(n))`` (wire 0 is the most significant bit, the
  package's order) on ``device="default.qubit"`` with ``diff_method="backprop"`` and parameter
  broadcasting over the rows of ``thetas``; on ``"lightning.qubit"`` with the parameter-shift
  rule, row by row (lightning's adjoint method does not accept ``qml.probs``, and PennyLane's
  parameter shift does not differentiate broadcast tapes);
* shot mode — ``qml.sample(wires=range(n))`` with the shots set on the QNode through
  ``qml.set_shots`` (never on the device) and all rows broadcast in one call; the device is
  created per call with that call's seed, so every call draws fresh, reproducible shots.
"""
from __future__ import annotations

import torch

from .base import Backend, check_statevector_fits

__all__ = ["PennyLaneBackend"]

DEVICES = ("default.qubit", "lightning.qubit")


class PennyLaneBackend(Backend):
    """Options: ``device`` — ``"default.qubit"`` (default) or ``"lightning.qubit"``."""

    name = "pennylane"

    def __init__(self, ansatz, shots=None, device: str = "default.qubit"):
        super().__init__(ansatz, shots)
        if device not in DEVICES:
            raise ValueError(f"unknown PennyLane device {device!r}; use one of {DEVICES}")
        self.device_name = device
        check_statevector_fits(self.n, 16, f"PennyLane {device}", "Use fewer qubits, or "
                               "backend='qiskit', shots=..., method='matrix_product_state'.")
        import pennylane as qml

        self._qml = qml
        if shots is None:
            dev = qml.device(device, wires=self.n)
            diff = "backprop" if device == "default.qubit" else "parameter-shift"
            self._probs_qnode = qml.QNode(self._probs_fn, dev, interface="torch", diff_method=diff)

    def _probs_fn(self, theta):
        self.ansatz.apply(theta)
        return self._qml.probs(wires=range(self.n))

    def _sample_fn(self, theta):
        self.ansatz.apply(theta)
        return self._qml.sample(wires=range(self.n))

    def probs(self, thetas: torch.Tensor) -> torch.Tensor:
        if self.device_name == "default.qubit":
            return self._probs_qnode(thetas).reshape(thetas.shape[0], 2**self.n)
        return torch.stack([self._probs_qnode(t) for t in thetas])

    def sample(self, thetas: torch.Tensor, shots: int, seed: int) -> torch.Tensor:
        qml = self._qml
        dev = qml.device(self.device_name, wires=self.n, seed=int(seed))
        qnode = qml.set_shots(qml.QNode(self._sample_fn, dev, interface="torch"), shots=shots)
        with torch.no_grad():
            bits = qnode(thetas.detach())
        return torch.as_tensor(bits).to(torch.float64).reshape(thetas.shape[0], shots, self.n)

    def describe(self) -> str:
        return f"PennyLane {self.device_name}"
