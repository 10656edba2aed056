r"""``backend="qiskit"``, an ``AerSimulator`` or any Qiskit ``BaseSamplerV2``.

The ansatz becomes a Qiskit circuit with one ``Parameter`` per gate angle
(:meth:`~qhyper.circuits.Ansatz.qiskit_angles`), transpiled **once** per hypernetwork; every
call binds all its rows at once.

**What runs it.**

* ``"qiskit"`` — Qiskit Aer (``method="statevector"`` default, ``"density_matrix"``, or
  ``"matrix_product_state"`` for sampling only); further keyword options go to Aer.
* an ``AerSimulator`` instance, e.g. ``AerSimulator.from_backend(FakeManilaV2())`` — its
  noise model, coupling map and basis gates apply.
* a ``BaseSamplerV2`` — Aer's ``SamplerV2``, ``qiskit.primitives.StatevectorSampler``,
  ``qiskit_ibm_runtime.SamplerV2(mode=backend)`` (fake or real) — shot mode only.

**Transpiling.** ``pass_manager=`` is used as given. Otherwise, when the execution target
has a backend (an ``AerSimulator`` instance, a sampler built on a backend), the default is
``generate_preset_pass_manager(optimization_level=1, backend=...)``, so circuits are ISA
circuits of that device; with an Aer ``NoiseModel`` the circuit is translated to the
model's basis gates so that every gate error it lists applies. Measurements are added
**before** transpiling (``measure_all``, register ``meas``), so classical bit *j* is always
virtual qubit *j* — bit *j* is weight *j* whatever layout the transpiler picks. Exact mode
saves the probabilities of the final physical positions of qubits 0 … n−1. Controlled
rotations (CRX, CRY, CRZ, CP) are run as Qiskit's decomposition of them into one-qubit
rotations and CX: Aer 0.18 simulates circuits holding them wrongly when angles are bound at
run time, as every sampler call does (measured: errors up to 0.46 in a probability on random
4-qubit circuits, none after decomposing). qhyper's noise spec then follows the decomposed
gates.

**Exact mode.** ``save_probabilities`` on Aer (density matrix when there is noise); indices
are little-endian and converted here. Gradients: the exact parameter-shift recipe of each
gate angle (:mod:`qhyper.circuits.gates`; still exact under angle-independent noise) as a
vector–Jacobian product, all shifted circuits of all rows in one Aer run.

**Shot mode.** One PUB per call (the transpiled circuit and all rows). A fresh seed per call
reaches Aer's and the reference samplers (and runtime samplers in local mode), because a
fixed-seed sampler repeats its samples; a sampler of unknown kind is called as given.
"""
from __future__ import annotations

import copy

import numpy as np
import torch

from .._checks import InputTypeError
from ..bitstrings import reverse_bit_order
from .base import Backend, check_density_matrix_fits, check_statevector_fits

__all__ = ["QiskitBackend"]

METHODS = ("statevector", "density_matrix", "matrix_product_state")
REGISTER = "meas"


class QiskitBackend(Backend):
    """Qiskit execution of an ansatz; see the module docstring for ``target`` and options.

    Args:
        target: ``"qiskit"``, an ``AerSimulator`` or a ``BaseSamplerV2``.
        method: Aer method for ``"qiskit"`` (default ``"statevector"``, or
            ``"density_matrix"`` when there is noise).
        pass_manager: a Qiskit pass manager (``.run(circuit)``) used instead of the default.
        noise: ``qh.noise.depolarizing(...)`` or a ``qiskit_aer`` ``NoiseModel``.
        **aer_options: further ``AerSimulator`` options (``"qiskit"`` only).
    """

    name = "qiskit"
    #: at most this many probabilities per Aer run (rows are split into chunks beyond it)
    chunk_amplitudes = 2**24

    def __init__(self, ansatz, shots=None, target="qiskit", method: str | None = None, pass_manager=None,
                 noise=None, noise_kind=None, **aer_options):
        super().__init__(ansatz, shots)
        from qiskit.primitives import BaseSamplerV2
        from qiskit_aer import AerSimulator

        self.sampler = target if isinstance(target, BaseSamplerV2) else None
        self.simulator = target if isinstance(target, AerSimulator) else None
        if (self.sampler is not None or self.simulator is not None) and (aer_options or method):
            raise ValueError(f"Aer options {sorted(aer_options) + (['method'] if method else [])} apply to "
                             "backend='qiskit' only; configure your simulator or sampler object itself")
        if pass_manager is not None and not hasattr(pass_manager, "run"):
            raise InputTypeError(f"pass_manager must be a Qiskit pass manager (with .run(circuit)); got "
                            f"{type(pass_manager).__name__}")
        if self.sampler is not None:
            self._init_sampler(noise_kind)
        else:
            self._init_aer(method, noise, noise_kind, aer_options)
        self._transpile(pass_manager, noise, noise_kind)

    # ------------------------------------------------------------------ set-up
    def _init_sampler(self, noise_kind):
        if self.shots is None:
            raise ValueError(
                f"{type(self.sampler).__name__} is a sampler: it gives shots, never probabilities, so it cannot "
                "run exact mode. Pass shots=<int> for shot mode, or backend='qiskit' / an AerSimulator for exact "
                "probabilities.")
        if noise_kind is not None:
            raise ValueError("a sampler object carries its own noise (e.g. Aer's SamplerV2.from_backend(fake) or "
                             "SamplerV2(options={'backend_options': {'noise_model': nm}})); pass noise=None")
        self.method, self.exact_capable, self.noise_model = "sampler", False, None

    def _init_aer(self, method, noise, noise_kind, aer_options):
        from qiskit_aer import AerSimulator

        if noise_kind == "pennylane":
            raise ValueError("a PennyLane NoiseModel needs a PennyLane backend; on Qiskit pass a qiskit_aer "
                             "NoiseModel or qh.noise.depolarizing(...)")
        unknown = [k for k in aer_options if not hasattr(AerSimulator().options, k)]
        if unknown:
            raise ValueError(f"unknown Aer option(s) {unknown}; see AerSimulator().options for valid names")
        if "noise_model" in aer_options:
            raise ValueError("pass noise through Hypernetwork(..., noise=...), not as an Aer option")
        if self.simulator is not None and noise is not None:
            raise ValueError("an AerSimulator object carries its own noise: build it with AerSimulator(noise_model=...) "
                             "or AerSimulator.from_backend(device), and pass noise=None")
        noisy = noise is not None or (self.simulator is not None and self.simulator.options.noise_model is not None)
        if method is None:
            method = "density_matrix" if noisy and self.shots is None else "statevector"
        if method not in METHODS:
            raise ValueError(f"unknown Aer method {method!r}; use one of {METHODS}")
        if noisy and self.shots is None and method != "density_matrix":
            raise ValueError(f"exact probabilities under noise need method='density_matrix'; got method={method!r}")
        self.method = method
        self.exact_capable = method != "matrix_product_state"
        if self.shots is None and not self.exact_capable:
            raise ValueError("method='matrix_product_state' only samples: it cannot return probabilities. "
                             "Pass shots=<int> for shot mode, or method='statevector' for exact mode.")
        if method == "statevector":
            check_statevector_fits(self.num_qubits, 16, "Aer statevector simulation",
                                   "Use method='matrix_product_state' with shots=..., or fewer qubits.")
        elif method == "density_matrix" and self.shots is None:
            check_density_matrix_fits(self.num_qubits, "Exact noisy simulation (Aer density matrix)",
                                      "Use shot mode (shots=...) for noisy circuits of this size, or fewer qubits.")
        if noise_kind == "qhyper":
            self.noise_model = noise.aer_noise_model(g.name for g in self.ansatz.gates)
        else:
            self.noise_model = noise
        options = {"method": method, **aer_options}
        if self.noise_model is not None:
            options["noise_model"] = self.noise_model
        if self.simulator is not None:
            self.run_options = {"method": method} if self.shots is None else {}
            self._sim = self.simulator
        else:
            self.run_options = {}
            self._sim = AerSimulator(**options)
            if aer_options:
                self._probe_options(aer_options)

    def _probe_options(self, aer_options):
        """Aer checks option values only when it runs: run a one-qubit circuit now, so a bad
        value fails at construction, not at the first training step."""
        from qiskit import QuantumCircuit

        qc = QuantumCircuit(1)
        qc.measure_all()
        try:
            self._sim.run(qc, shots=1).result()
        except Exception as err:
            raise ValueError(f"Aer rejects the option(s) {aer_options}: {type(err).__name__}: {err}") from None

    def _transpile(self, pass_manager, noise, noise_kind):
        from qiskit.transpiler import generate_preset_pass_manager

        device = self._device()
        size = getattr(device, "num_qubits", None)
        if isinstance(size, int) and size < self.num_qubits and getattr(device, "coupling_map", None) is not None:
            raise ValueError(f"the ansatz has {self.num_qubits} qubits but the device {getattr(device, 'name', device)!r} "
                             f"has {size}: use a model with at most {size} bits, or a larger (fake) backend")
        if pass_manager is None:
            if device is not None:
                pass_manager = generate_preset_pass_manager(optimization_level=1, backend=device)
            elif noise_kind == "aer":  # translate to the model's basis so that every error applies
                pass_manager = generate_preset_pass_manager(optimization_level=1, basis_gates=noise.basis_gates)
        run = pass_manager.run if pass_manager is not None else (lambda qc: qc)
        plain, self._angle_params = self.ansatz.qiskit_angles()
        controlled = ["crx", "cry", "crz", "cp"]
        if set(controlled) & set(plain.count_ops()):
            # Aer 0.18 simulates circuits with these gates wrongly when their angles are bound
            # through parameter_binds (its SamplerV2 does that too): run Qiskit's decomposition.
            plain = plain.decompose(gates_to_decompose=controlled)
        measured = plain.copy()
        measured.measure_all()
        self._measured = run(measured)
        if REGISTER not in {c.name for c in self._measured.cregs}:
            raise ValueError(f"the pass manager removed the classical register {REGISTER!r} that holds the "
                             "measured bits; use a pass manager that keeps measurements")
        self._measured_order = self._order(self._measured)
        if self.shots is None:
            qc = run(plain)
            qubits = qc.layout.final_index_layout() if qc.layout is not None else list(range(self.num_qubits))
            qc.save_probabilities(qubits=qubits[: self.num_qubits])
            self._probs_circuit = qc
            self._probs_params = list(qc.parameters)
            self._probs_order = self._order(qc)

    def _device(self):
        """The backend circuits must be ISA for (None for plain Aer)."""
        if self.simulator is not None:
            return self.simulator
        if self.sampler is not None:
            backend = getattr(self.sampler, "backend", None)
            backend = backend() if callable(backend) else backend
            if backend is None:
                backend = getattr(self.sampler, "_backend", None)
            if backend is not None and hasattr(backend, "target"):
                return backend
        return None

    def _order(self, qc) -> list[int]:
        """Angle index of each parameter of a transpiled circuit (in ``qc.parameters`` order)."""
        index = {p: i for i, p in enumerate(self._angle_params)}
        try:
            return [index[p] for p in qc.parameters]
        except KeyError as err:
            raise ValueError(f"the transpiled circuit has a parameter qhyper did not create: {err}") from None

    # ------------------------------------------------------------------ exact
    def _run_probs(self, rows: np.ndarray) -> np.ndarray:
        """Exact probabilities [R, 2^n] (big-endian) of angle rows [R, G]: one Aer run per
        chunk of rows holding at most ``chunk_amplitudes`` probabilities (one run for small n)."""
        step = max(1, self.chunk_amplitudes // 2**self.num_qubits)
        out = []
        for start in range(0, rows.shape[0], step):
            chunk = rows[start:start + step]
            binds = [{p: chunk[:, k].tolist() for p, k in zip(self._probs_params, self._probs_order)}]
            if not self._probs_params:
                binds = None
            result = self._sim.run([self._probs_circuit] * (1 if binds else chunk.shape[0]),
                                   parameter_binds=binds, **self.run_options).result()
            little = np.stack([np.asarray(result.data(i)["probabilities"]) for i in range(chunk.shape[0])])
            out.append(reverse_bit_order(torch.from_numpy(little), self.num_qubits).numpy())
        return np.concatenate(out)

    def probs(self, angles: torch.Tensor) -> torch.Tensor:
        return _AerProbs.apply(angles, self)

    # ------------------------------------------------------------------ shots
    def _sampler(self, seed: int):
        from qiskit_aer.primitives import SamplerV2

        if self.sampler is None:
            return SamplerV2.from_backend(self._sim, seed=int(seed))
        return reseeded(self.sampler, int(seed))

    def sample(self, angles: torch.Tensor, shots: int, seed: int) -> torch.Tensor:
        values = angles.detach().cpu().numpy()[:, self._measured_order]
        pub = (self._measured, values) if self._measured_order else (self._measured, None)
        result = self._sampler(seed).run([pub], shots=int(shots)).result()[0]
        data = result.data
        meas = getattr(data, REGISTER, None)
        if meas is None:
            raise ValueError(f"the sampler's result has no classical register {REGISTER!r} (it has "
                             f"{sorted(data.keys()) if hasattr(data, 'keys') else data}); qhyper measures every "
                             "qubit into 'meas' with measure_all()")
        bits = meas.to_bool_array(order="little")  # [B, shots, n], column j = virtual qubit j
        bits = np.ascontiguousarray(bits).reshape(angles.shape[0], int(shots), -1)
        if bits.shape[-1] != self.num_qubits:
            raise ValueError(f"the sampler returned {bits.shape[-1]} bits per shot in {REGISTER!r}; expected {self.num_qubits}")
        return torch.from_numpy(bits).to(torch.float64)

    def describe(self) -> str:
        if self.sampler is not None:
            return f"Qiskit sampler {type(self.sampler).__name__}"
        noisy = ", noisy" if self.noise_model is not None or self._sim.options.noise_model is not None else ""
        where = self.simulator.name if self.simulator is not None else "Qiskit Aer"
        return f"{where} {self.method}{noisy}"


def reseeded(sampler, seed: int):
    """A copy of ``sampler`` that draws with ``seed`` (Aer, reference and local runtime
    samplers); other samplers are returned as they are."""
    if hasattr(sampler, "_seed"):  # qiskit_aer SamplerV2, qiskit StatevectorSampler
        fresh = copy.copy(sampler)
        fresh._seed = seed
        return fresh
    options = getattr(sampler, "options", None)
    local = type(getattr(sampler, "_service", None)).__name__ == "QiskitRuntimeLocalService"
    if local and hasattr(getattr(options, "simulator", None), "seed_simulator"):  # runtime samplers, local mode
        fresh = copy.copy(sampler)
        options = copy.deepcopy(options)
        options.simulator.seed_simulator = seed
        setattr(fresh, "_options" if "_options" in vars(sampler) else "options", options)
        return fresh
    return sampler


class _AerProbs(torch.autograd.Function):
    """Aer probabilities with an exact parameter-shift vector–Jacobian product in angle space."""

    @staticmethod
    def forward(ctx, angles, backend):
        ctx.backend = backend
        ctx.save_for_backward(angles)
        return torch.from_numpy(backend._run_probs(angles.detach().cpu().numpy()))

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, g):
        (angles,) = ctx.saved_tensors
        backend = ctx.backend
        ansatz = backend.ansatz
        B, G = angles.shape
        base = angles.detach().cpu().numpy()
        rows, weights, owner = [], [], []
        for slot in ansatz.live_angles:
            for c, s in ansatz.recipes[slot]:
                shifted = base.copy()
                shifted[:, slot] += s
                rows.append(shifted)
                weights.append(c)
                owner.append(slot)
        grad = torch.zeros(B, G, dtype=torch.float64)
        if not rows:
            return grad, None
        q = torch.from_numpy(backend._run_probs(np.concatenate(rows))).reshape(len(rows), B, -1)
        contrib = torch.einsum("rbk,bk->rb", q, g.to(q.dtype)) * torch.tensor(weights, dtype=q.dtype)[:, None]
        grad.index_add_(1, torch.tensor(owner), contrib.T)
        return grad, None
