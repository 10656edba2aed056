r"""Readout-error mitigation for *scoring* the samples of a hypernetwork on a (fake) device.

``ReadoutMitigator(hypernet)`` calibrates the readout errors of the physical qubits the
hypernetwork's circuit is measured on (``mthree``, the matrix-free measurement mitigation of
Nation et al. 2021; ``pip install "qhyper[mitigation]"``) and turns raw samples into
mitigated *quasi-probabilities* over the distinct bitstrings:

.. code-block:: python

    mit = qh.hypernet.ReadoutMitigator(hn, shots=4000)      # calibration circuits run once
    bits, quasi = mit.quasi_probs(hn.sample(20000))         # [K, n], [K] (sums to 1; may be < 0)
    expected_loss = float(quasi @ ev.nll(bits))

**Where mitigated numbers are used, and where not.** Only for scoring: expected losses,
the probability of the optimum and similar summaries *after* sampling. They are never used
in training — parameter-shift and SPSA gradients, the MMD terms and the QHN trainer's own
``final_shots`` metrics all use the raw samples — because quasi-probabilities can be
negative and their estimator is biased, so the unbiasedness arguments of the shot
estimators would no longer hold.

Bit *j* of the result is still weight *j*: the calibration uses the physical qubit that
virtual qubit *j* is measured on in the transpiled circuit.
"""
from __future__ import annotations

import torch

from .._checks import check_count, check_instance
from ..bitstrings import unique_rows
from .distribution import check_bits

__all__ = ["ReadoutMitigator"]


class ReadoutMitigator:
    """mthree readout mitigation for a Qiskit hypernetwork that runs on a device backend.

    Args:
        hypernet: a :class:`~qhyper.Hypernetwork` whose backend is an ``AerSimulator`` or a
            sampler built on a (fake or real) device.
        shots: calibration shots per calibration circuit.
    """

    def __init__(self, hypernet, shots: int = 4000):
        try:
            import mthree
        except ImportError:
            raise ImportError("readout mitigation needs the mthree package: pip install 'qhyper[mitigation]'") from None
        from .hypernetwork import Hypernetwork

        check_instance(hypernet, "hypernet", Hypernetwork, fix="pass the qh.Hypernetwork whose samples you score")
        backend = hypernet.backend
        device = backend._device() if hasattr(backend, "_device") else None
        if device is None:
            raise ValueError("readout mitigation needs a device to calibrate: a Qiskit hypernetwork whose backend is "
                             "an AerSimulator.from_backend(...) or a sampler built on a (fake) device")
        shots = check_count(shots, "calibration shots", minimum=100)
        layout = backend._measured.layout
        n = hypernet.num_qubits
        self.qubits = list(layout.final_index_layout()[:n]) if layout is not None else list(range(n))
        self.num_qubits = n
        self._mit = mthree.M3Mitigation(device)
        self._mit.cals_from_system(self.qubits, shots=int(shots))

    def quasi_probs(self, bits) -> tuple[torch.Tensor, torch.Tensor]:
        """Mitigated quasi-probabilities of the distinct rows of raw samples ``bits`` [S, n] (0/1):
        ``(unique bits [K, n] float64, quasi [K] float64)``; rows the mitigation moved mass to
        but that were never sampled are included."""
        b = check_bits(bits, self.num_qubits)
        if b.shape[0] == 0:
            raise ValueError("bits holds no samples; pass the raw samples [S, n] of the hypernetwork, S ≥ 1")
        uniq, _, counts = unique_rows(b)
        # mthree keys: bit strings over self.qubits, the first listed qubit rightmost
        keys = ["".join(str(int(v)) for v in row.flip(0).tolist()) for row in uniq]
        quasi = self._mit.apply_correction(dict(zip(keys, counts.tolist())), self.qubits)
        items = sorted(quasi.items())
        out = torch.tensor([[float(c) for c in reversed(k)] for k, _ in items], dtype=torch.float64)
        return out, torch.tensor([float(p) for _, p in items], dtype=torch.float64)
