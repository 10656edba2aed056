r"""``backend="pennylane"`` or any PennyLane device object: the ansatz as a ``qml`` QNode.

* exact mode — ``qml.probs(wires=range(n))`` (wire 0 is the most significant bit, the
  package's order). Defaults: ``"default.qubit"`` with ``diff_method="backprop"`` and
  parameter broadcasting over the rows; ``"default.mixed"`` (backprop) when there is noise;
  ``"lightning.qubit"`` with the parameter-shift rule, row by row (lightning's adjoint
  method does not accept ``qml.probs``, and PennyLane's parameter shift does not
  differentiate broadcast tapes). ``diff_method=`` overrides the choice.
* shot mode — ``qml.sample(wires=range(n))`` with the shots set on the QNode through
  ``qml.set_shots`` (never on the device) and all rows broadcast in one call. A device
  *name* is instantiated per call with that call's seed (fresh, reproducible shots); a
  device *object* is used as given and draws from its own random stream (seed it with
  ``qml.device(..., seed=...)``).
* noise — ``qh.noise.depolarizing(...)`` inserts its channels after every gate; a
  ``pennylane.NoiseModel`` is applied with ``qml.add_noise``. Both need a mixed-state device
  (``default.mixed``, chosen automatically for a device name).

A device object is probed once when the hypernetwork is built (one circuit at θ = 0), so a
device that cannot return what the mode needs fails at once with a clear message.
"""
from __future__ import annotations

from typing import get_args

import torch

from .._checks import check_choice, InputTypeError
from .base import Backend, check_density_matrix_fits, check_statevector_fits

__all__ = ["PennyLaneBackend"]

DEVICES = ("default.qubit", "lightning.qubit", "default.mixed")
_BROADCAST = ("default.qubit", "default.mixed")


class PennyLaneBackend(Backend):
    """Options: ``device`` — a device name (``"default.qubit"`` default, ``"lightning.qubit"``,
    ``"default.mixed"``) or a ``qml.device(...)`` object; ``diff_method`` for exact mode."""

    name = "pennylane"

    def __init__(self, ansatz, shots=None, device="default.qubit", diff_method: str | None = None,
                 noise=None, noise_kind=None):
        super().__init__(ansatz, shots)
        import pennylane as qml

        self._qml = qml
        if noise_kind == "aer":
            raise ValueError("a qiskit_aer NoiseModel needs the Qiskit backend; on PennyLane pass a pennylane "
                             "NoiseModel or qh.noise.depolarizing(...)")
        self.noise, self.noise_kind = noise, noise_kind
        if isinstance(device, str):
            if device not in DEVICES:
                raise ValueError(f"unknown PennyLane device {device!r}; use one of {DEVICES} or pass a "
                                 "qml.device(...) object")
            if noise_kind is not None and device == "default.qubit":
                device = "default.mixed"  # channels need a mixed-state simulator
            self.device_name, self.device = device, None
        elif isinstance(device, (qml.devices.Device, qml.devices.LegacyDevice)):
            self.device_name, self.device = device.name, device
            wires = getattr(device, "wires", None)
            if wires is not None and len(wires) and len(wires) < self.num_qubits:
                raise ValueError(f"the PennyLane device has {len(wires)} wires but the ansatz needs {self.num_qubits}; "
                                 f"create it with qml.device(..., wires={self.num_qubits})")
        else:
            raise InputTypeError(f"device must be a PennyLane device name or a qml.device(...) object; got "
                            f"{type(device).__name__}")
        if self.device_name == "default.mixed":
            check_density_matrix_fits(self.num_qubits, "PennyLane default.mixed", "Use fewer qubits or shot mode.")
        else:
            check_statevector_fits(self.num_qubits, 16, f"PennyLane {self.device_name}", "Use fewer qubits, or "
                                   "backend='qiskit', shots=..., method='matrix_product_state'.")
        _check_diff_method(qml, diff_method)
        if diff_method is None:
            diff_method = "backprop" if self.device_name in _BROADCAST else "parameter-shift"
        self.diff_method = diff_method
        self._broadcast = self.device_name in _BROADCAST and diff_method == "backprop"
        if shots is None:
            dev = self.device if self.device is not None else qml.device(self.device_name, wires=self.num_qubits)
            self._probs_qnode = self._noisy(qml.QNode(self._probs_fn, dev, interface="torch", diff_method=diff_method))
        if self.device is not None:
            self._probe()

    # ------------------------------------------------------------------ circuits
    def _gates(self, angles):
        after = (lambda g: self.noise.pennylane_channel(g.wires)) if self.noise_kind == "qhyper" else None
        self.ansatz.apply_angles(angles, after_gate=after)

    def _probs_fn(self, angles):
        self._gates(angles)
        return self._qml.probs(wires=range(self.num_qubits))

    def _sample_fn(self, angles):
        self._gates(angles)
        return self._qml.sample(wires=range(self.num_qubits))

    def _noisy(self, qnode):
        return self._qml.add_noise(qnode, self.noise) if self.noise_kind == "pennylane" else qnode

    def _probe(self):
        """Run one circuit on the user's device now, so that an unsuitable device fails before training."""
        zero = torch.zeros(1, self.ansatz.num_angles, dtype=torch.float64)
        what = "exact probabilities (qml.probs)" if self.shots is None else "samples (qml.sample)"
        try:
            with torch.no_grad():
                out = self.probs(zero) if self.shots is None else self.sample(zero, 2, 0)
        except Exception as err:  # the device's own message says what it lacks
            raise ValueError(f"the PennyLane device {self.device_name!r} cannot run this hypernetwork's "
                             f"{'exact' if self.shots is None else 'shot'} mode, which needs {what} of "
                             f"{self.num_qubits} wires with diff_method={self.diff_method!r}: "
                             f"{type(err).__name__}: {err}") from None
        want = (1, 2**self.num_qubits) if self.shots is None else (1, 2, self.num_qubits)
        if tuple(out.shape) != want:
            raise ValueError(f"the PennyLane device {self.device_name!r} returned shape {tuple(out.shape)} for "
                             f"{what}; expected {want}")

    # ------------------------------------------------------------------ modes
    def probs(self, angles: torch.Tensor) -> torch.Tensor:
        if self._broadcast:
            return self._probs_qnode(angles).reshape(angles.shape[0], 2**self.num_qubits)
        return torch.stack([self._probs_qnode(a) for a in angles])

    def sample(self, angles: torch.Tensor, shots: int, seed: int) -> torch.Tensor:
        qml = self._qml
        dev = self.device if self.device is not None else qml.device(self.device_name, wires=self.num_qubits, seed=int(seed))
        qnode = qml.set_shots(self._noisy(qml.QNode(self._sample_fn, dev, interface="torch")), shots=shots)
        with torch.no_grad():
            bits = torch.as_tensor(qnode(angles.detach()))  # PennyLane expands broadcasts a device lacks
        return bits.to(torch.float64).reshape(angles.shape[0], shots, self.num_qubits)

    def describe(self) -> str:
        noisy = ", noisy" if self.noise_kind else ""
        return f"PennyLane {self.device_name}{noisy}"


def _check_diff_method(qml, diff_method) -> None:
    """``diff_method``: None, one of PennyLane's method names, or a PennyLane transform."""
    transforms = tuple(getattr(qml.transforms.core, k) for k in ("Transform", "TransformDispatcher")
                       if hasattr(qml.transforms.core, k))
    if diff_method is None or isinstance(diff_method, transforms):
        return
    try:
        from pennylane.workflow.resolution import SupportedDiffMethods
    except ImportError:  # another PennyLane version: its QNode checks the name
        names = ["best", "device", "backprop", "adjoint", "parameter-shift", "finite-diff", "spsa"]
        if isinstance(diff_method, str):
            return
    else:
        names = [m for m in get_args(SupportedDiffMethods) if m is not None]
    check_choice(diff_method, "diff_method", names)
