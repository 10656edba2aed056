r"""``backend="qiskit"``: the ansatz as a Qiskit circuit on Qiskit Aer.

The circuit is built once with a ``ParameterVector`` and transpiled once (its gates are
native to Aer, so this is only a basis check); every call binds all its rows at once.

* exact mode (``method="statevector"``) — ``save_probabilities`` on ``AerSimulator`` with
  all rows bound in one run. Aer's indices are little-endian (qubit 0 least significant);
  they are converted once, here, with :func:`qhyper.bitstrings.reverse_bit_order`.
  Gradients: the exact two-term parameter-shift rule, as a vector–Jacobian product,
  :math:`\bar\theta_k = \tfrac12\sum_b g(b)\,[q_{\theta+\frac\pi2 e_k}(b) - q_{\theta-\frac\pi2 e_k}(b)]`,
  with all :math:`2P` shifted circuits of all rows in one Aer run.
* shot mode — ``qiskit_aer.primitives.SamplerV2`` with one PUB per call: the transpiled
  circuit and the parameter array [B, P]. A new sampler with that call's seed is made per
  call (Aer repeats the same samples for a fixed seed). ``method="matrix_product_state"``
  samples circuits far beyond statevector memory (65 qubits for shallow circuits); it
  cannot give probabilities.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from ..bitstrings import reverse_bit_order
from .base import Backend, check_statevector_fits

__all__ = ["QiskitBackend"]

METHODS = ("statevector", "matrix_product_state")
BASIS = ["rx", "ry", "rz", "cx", "cz"]


class QiskitBackend(Backend):
    """Options: ``method`` — ``"statevector"`` (default) or ``"matrix_product_state"``;
    further keyword options are passed to Aer as ``backend_options`` (e.g.
    ``matrix_product_state_max_bond_dimension=64``)."""

    name = "qiskit"
    #: at most this many probabilities per Aer run (rows are split into chunks beyond it)
    chunk_amplitudes = 2**24

    def __init__(self, ansatz, shots=None, method: str = "statevector", **aer_options):
        super().__init__(ansatz, shots)
        if method not in METHODS:
            raise ValueError(f"unknown Aer method {method!r}; use one of {METHODS}")
        from qiskit.transpiler import generate_preset_pass_manager
        from qiskit_aer import AerSimulator

        unknown = [k for k in aer_options if not hasattr(AerSimulator().options, k)]
        if unknown:
            raise ValueError(f"unknown Aer option(s) {unknown}; see AerSimulator().options for valid names")
        self.method = method
        self.exact_capable = method == "statevector"
        if shots is None and not self.exact_capable:
            raise ValueError(
                "method='matrix_product_state' only samples: it cannot return probabilities. "
                "Pass shots=<int> for shot mode, or use method='statevector' for exact mode."
            )
        if method == "statevector":
            check_statevector_fits(self.n, 16, "Aer statevector simulation",
                                   "Use method='matrix_product_state' with shots=..., or fewer qubits.")
        self.aer_options = {"method": method, **aer_options}
        pm = generate_preset_pass_manager(optimization_level=0, basis_gates=BASIS)
        measured = pm.run(ansatz.to_qiskit(measure=True))
        self._measured = measured
        self._measured_order = [p.index for p in measured.parameters]
        if self.exact_capable and shots is None:
            qc = pm.run(ansatz.to_qiskit())
            qc.save_probabilities()
            self._sim = AerSimulator(**self.aer_options)
            self._probs_circuit = qc
            self._probs_params = list(self._probs_circuit.parameters)

    # ------------------------------------------------------------------ exact
    def _run_probs(self, rows: np.ndarray) -> np.ndarray:
        """Exact probabilities [R, 2^n] (big-endian) of parameter rows [R, P]: one Aer run per
        chunk of rows holding at most ``chunk_amplitudes`` probabilities (one run for small n)."""
        step = max(1, self.chunk_amplitudes // 2**self.n)
        out = []
        for start in range(0, rows.shape[0], step):
            chunk = rows[start:start + step]
            binds = [{p: chunk[:, p.index].tolist() for p in self._probs_params}]
            result = self._sim.run(self._probs_circuit, parameter_binds=binds).result()
            little = np.stack([np.asarray(result.data(i)["probabilities"]) for i in range(chunk.shape[0])])
            out.append(reverse_bit_order(torch.from_numpy(little), self.n).numpy())
        return np.concatenate(out)

    def probs(self, thetas: torch.Tensor) -> torch.Tensor:
        return _AerProbs.apply(thetas, self)

    # ------------------------------------------------------------------ shots
    def sample(self, thetas: torch.Tensor, shots: int, seed: int) -> torch.Tensor:
        from qiskit_aer.primitives import SamplerV2

        sampler = SamplerV2(seed=int(seed), options={"backend_options": dict(self.aer_options)})
        values = thetas.detach().cpu().numpy()[:, self._measured_order]
        meas = sampler.run([(self._measured, values)], shots=int(shots)).result()[0].data.meas
        bits = meas.to_bool_array(order="little")  # [B, shots, n], column j = qubit j
        return torch.from_numpy(np.ascontiguousarray(bits)).to(torch.float64)

    def describe(self) -> str:
        return f"Qiskit Aer {self.method}"


class _AerProbs(torch.autograd.Function):
    """Aer probabilities with an exact parameter-shift vector–Jacobian product."""

    @staticmethod
    def forward(ctx, thetas, backend):
        ctx.backend = backend
        ctx.save_for_backward(thetas)
        return torch.from_numpy(backend._run_probs(thetas.detach().cpu().numpy()))

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, g):
        (thetas,) = ctx.saved_tensors
        backend = ctx.backend
        B, P = thetas.shape
        shift = backend.ansatz.shift_rule[1]
        eye = np.eye(P) * shift
        base = thetas.detach().cpu().numpy()
        rows = np.concatenate([base[:, None, :] + eye, base[:, None, :] - eye], axis=1).reshape(-1, P)
        q = torch.from_numpy(backend._run_probs(rows)).reshape(B, 2, P, -1)
        jac = (q[:, 0] - q[:, 1]) / (2 * math.sin(shift))  # [B, P, 2^n], exact for e^{-iθP/2}
        return torch.einsum("bpk,bk->bp", jac, g.to(jac.dtype)), None

