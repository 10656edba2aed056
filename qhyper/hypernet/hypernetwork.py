r"""``Hypernetwork``: a parameterised circuit whose measured bitstrings are BNN weights.

.. code-block:: python

    ansatz = qh.circuits.get("brick", n_qubits=model.num_bits, layers=2)
    hn = qh.Hypernetwork(ansatz)                        # exact mode, torch engine
    q = hn.distribution().probs()                       # [2^n], differentiable w.r.t. hn.theta
    hn_hw = qh.Hypernetwork(ansatz, backend="qiskit", shots=1024, seed=0)
    bits = hn_hw.sample_at(thetas, shots=256)           # [B, 256, n], one Aer call

**Backends** (``backend=``): ``"torch"`` (default; qhyper's own engines — the fastest
exact objective + gradient step measured, see :mod:`qhyper.hypernet.torch_backend` and
``benchmarks/exact_step.py``),
``"pennylane"`` (``device="default.qubit"`` backprop, ``"lightning.qubit"``,
``"default.mixed"``) and ``"qiskit"`` (Aer, ``method="statevector"``, ``"density_matrix"`` or,
for sampling only, ``"matrix_product_state"``). All give the same probability vector for the
same θ, in the package's big-endian index order.

The user's own execution objects plug in the same way:

.. code-block:: python

    from qiskit_ibm_runtime import SamplerV2
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2
    hn = qh.Hypernetwork(ansatz, backend=SamplerV2(mode=FakeManilaV2()), shots=1024)   # ISA, noisy
    hn = qh.Hypernetwork(ansatz, backend=AerSimulator.from_backend(FakeManilaV2()))    # exact, noisy
    hn = qh.Hypernetwork(ansatz, backend=qml.device("default.mixed", wires=n), noise=qh.noise.depolarizing(1))

Any Qiskit ``BaseSamplerV2`` works in shot mode (``pass_manager=`` optional, see
:mod:`qhyper.hypernet.qiskit_backend`), any PennyLane device that can return ``qml.probs``
(exact) or ``qml.sample`` (shots), with ``diff_method=`` passed through; noise through
``noise=`` (:mod:`qhyper.noise`). ``ansatz`` may also be a Qiskit ``QuantumCircuit``.

Beyond statevector memory (≈ 30 qubits) only sampling is possible: use
``backend="qiskit", shots=..., method="matrix_product_state"``; for shallow circuits it
samples 65 qubits in tens of milliseconds per parameter setting (``benchmarks/shots_step.py``).

**Modes.** ``shots=None``: exact — probabilities, log-probabilities and entropy are
available and differentiable. ``shots=int``: hardware-like — only samples exist;
asking for probabilities raises :class:`~qhyper.hypernet.ShotModeError`.

**Seeds.** ``seed`` (an int ≥ 0, a ``numpy.random.Generator`` or None) seeds a master generator. It
draws the initial θ and a fresh sampler seed for every sampling call without an explicit
``seed``, so successive calls give independent shots while the whole run is reproducible.
"""
from __future__ import annotations

import sys

import torch
from torch import nn

from .. import circuits
from .._checks import available_memory, check_count, check_seed, gib, InputTypeError, numpy_generator
from ..circuits.base import Ansatz
from ..circuits.checks import as_real_tensor
from ..circuits.brick import DEFAULT_LAYERS
from .distribution import BornDistribution, ShotModeError, sampler_seed
from .base import Backend

__all__ = ["Hypernetwork", "BACKENDS"]

BACKENDS = ("torch", "pennylane", "qiskit")


def _resolve_backend(backend):
    """(kind, object) for a backend name, a Qiskit sampler or simulator, or a PennyLane device."""
    if isinstance(backend, str):
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; use one of {BACKENDS}, a Qiskit SamplerV2 or "
                             "AerSimulator object, or a qml.device(...) object")
        return backend, None
    # an object of a library that was never imported cannot be one of its samplers or devices
    if "qiskit" in sys.modules:
        from qiskit.primitives import BaseSamplerV2
        from qiskit_aer import AerSimulator

        if isinstance(backend, (BaseSamplerV2, AerSimulator)):
            return "qiskit", backend
    if "pennylane" in sys.modules and (type(backend).__module__.split(".")[0] != "qiskit_ibm_runtime"
                                       or not hasattr(backend, "target")):
        import pennylane as qml

        if isinstance(backend, (qml.devices.Device, qml.devices.LegacyDevice)):
            return "pennylane", backend
    hint = (" (a hardware or fake backend: wrap it as qiskit_ibm_runtime.SamplerV2(mode=backend) or "
            "AerSimulator.from_backend(backend))") if hasattr(backend, "target") else ""
    raise InputTypeError(f"backend must be one of {BACKENDS}, a Qiskit BaseSamplerV2 (Aer, StatevectorSampler, "
                    f"qiskit_ibm_runtime.SamplerV2), an AerSimulator, or a PennyLane device; got "
                    f"{type(backend).__name__}{hint}")


def _make_backend(backend, ansatz, shots, noise, options):
    from .. import noise as noise_mod

    kind, obj = _resolve_backend(backend)
    noise_kind = noise_mod.kind(noise)
    if kind == "torch":
        from .torch_backend import TorchBackend as cls
        if noise_kind is not None:
            raise ValueError("the torch engine simulates pure states and takes no noise; use backend='qiskit' "
                             "(Aer) or backend='pennylane' (default.mixed) with noise=...")
        extra = {}
    elif kind == "pennylane":
        from .pennylane_backend import PennyLaneBackend as cls
        if obj is not None:
            if "device" in options:
                raise ValueError("pass the PennyLane device either as backend=... or as device=..., not both")
            options = {**options, "device": obj}
        extra = {"noise": noise, "noise_kind": noise_kind}
    else:
        from .qiskit_backend import QiskitBackend as cls
        extra = {"target": obj if obj is not None else "qiskit", "noise": noise, "noise_kind": noise_kind}
    try:
        return cls(ansatz, shots, **options, **extra)
    except TypeError as err:
        if "unexpected keyword" in str(err):
            name = kind if obj is None else type(obj).__name__
            raise ValueError(f"backend {name!r} does not take option(s) {sorted(options)}: {err}") from None
        raise


class Hypernetwork(nn.Module):
    r"""Circuit ``ansatz`` with trainable angles ``theta`` (``nn.Parameter``, float64 [P]).

    Args:
        ansatz: an :class:`~qhyper.circuits.Ansatz` (``qh.circuits.get(name, n_qubits=..., layers=...)``,
            ``qh.circuits.from_pennylane(...)``) or a parameterised Qiskit ``QuantumCircuit``
            (converted with :func:`qhyper.circuits.from_qiskit`).
        backend: ``"torch"`` | ``"pennylane"`` | ``"qiskit"``, or an object: a Qiskit
            ``BaseSamplerV2`` (Aer's ``SamplerV2``, ``StatevectorSampler``,
            ``qiskit_ibm_runtime.SamplerV2(mode=backend)``; shot mode), an ``AerSimulator``
            (e.g. ``AerSimulator.from_backend(fake_backend)``), or a PennyLane device.
        shots: None (exact mode) or a positive int (shot mode: the default shots of :meth:`sample`).
        seed: an int ≥ 0, a ``numpy.random.Generator`` or None (fresh entropy) — the master generator.
        init: initial θ [P]; default ``ansatz.init_params`` drawn from the master generator.
        noise: ``qh.noise.depolarizing(scale)``, a ``qiskit_aer`` ``NoiseModel`` (Qiskit) or a
            ``pennylane`` ``NoiseModel`` (PennyLane); exact mode then simulates density
            matrices (see :mod:`qhyper.noise`).
        **backend_options: ``device=``, ``diff_method=`` (PennyLane); ``method=``,
            ``pass_manager=`` and Aer options (Qiskit); ``method=`` (``"auto"``,
            ``"statevector"``, ``"split"``) and ``block=`` (torch).
    """

    def __init__(self, ansatz: Ansatz, backend="torch", shots: int | None = None, seed=None,
                 init=None, noise=None, **backend_options):
        super().__init__()
        if isinstance(ansatz, str):
            raise InputTypeError(
                f"Hypernetwork takes an ansatz object, not the name {ansatz!r}: build it with "
                f"qh.circuits.get({ansatz!r}, n_qubits=..., layers=...) or use Hypernetwork.for_model(model)"
            )
        if type(ansatz).__name__ == "QuantumCircuit":
            ansatz = circuits.from_qiskit(ansatz)
        if not isinstance(ansatz, Ansatz):
            hint = (" (a PennyLane quantum function: convert it with qh.circuits.from_pennylane(qfunc, "
                    "n_qubits, shape))") if callable(ansatz) else ""
            raise InputTypeError(f"ansatz must be a qhyper.circuits Ansatz or a Qiskit QuantumCircuit; got "
                            f"{type(ansatz).__name__}{hint}")
        if shots is not None:
            shots = _check_shots(shots)
            _check_samples_fit(1, shots, ansatz.num_qubits)
        self.ansatz = ansatz
        self.shots = shots
        self.backend_name = backend if isinstance(backend, str) else type(backend).__name__
        self.noise = noise
        self._rng = numpy_generator(check_seed(seed))
        self.backend_options = dict(backend_options)
        self.backend = _make_backend(backend, ansatz, shots, noise, backend_options)
        theta = ansatz.init_params(self._rng) if init is None else ansatz.check_theta(init, name="init")
        self.theta = nn.Parameter(theta.detach().clone().to(torch.float64))

    # ------------------------------------------------------------------ saving
    def save(self, path) -> None:
        """Write the circuit, θ, shots, backend settings and sampler state to ``path``;
        ``qh.load(path)`` rebuilds it (:mod:`qhyper.hypernet.persist`: plain data only, readable
        with ``torch.load(path, weights_only=True)``)."""
        from .persist import save

        save(self, path)

    # ------------------------------------------------------------------ construction
    @classmethod
    def for_model(cls, model, ansatz="brick", layers: int | None = None, **kwargs) -> "Hypernetwork":
        """A hypernetwork with one qubit per bit of ``model`` (a BNN or an Evaluator).

        ``ansatz`` is a family name (built with ``layers``; ``None``, the default, means the
        brick family's depth 4 for every family that has a depth, and none for ``product``,
        which also takes the default 4 as "no depth") or an Ansatz whose qubit count must
        equal ``model.num_bits`` (an object has its depth: ``layers`` other than the default
        is refused). Other keyword arguments go to the constructor.
        """
        n = _num_bits(model)
        default = layers is None or (type(layers) is int and layers == DEFAULT_LAYERS)
        if isinstance(ansatz, str):
            if not default or circuits.has_depth(ansatz):
                ansatz = circuits.get(ansatz, n_qubits=n, layers=DEFAULT_LAYERS if layers is None else layers)
            else:
                ansatz = circuits.get(ansatz, n_qubits=n)
        elif not default:
            raise ValueError(f"layers={layers!r} applies to an ansatz family name; the ansatz object "
                             f"{type(ansatz).__name__} already has its depth — build it with the layers you want, "
                             "or pass the family's name")
        _check_match(n, getattr(ansatz, "num_qubits", n), "the model")  # before building a backend
        return cls(ansatz, **kwargs)

    def check_num_bits(self, n: int, what: str = "the model") -> None:
        """Raise if ``n`` (bits of a model or length of a cost table's bitstrings) ≠ qubits."""
        _check_match(check_count(n, "n", minimum=0, fix=f"the number of bits of {what}"), self.num_qubits, what)

    # ------------------------------------------------------------------ properties
    @property
    def num_qubits(self) -> int:
        return self.ansatz.num_qubits

    @property
    def num_params(self) -> int:
        return self.ansatz.num_params

    @property
    def exact(self) -> bool:
        """True in exact mode (``shots is None``)."""
        return self.shots is None

    def next_seed(self) -> int:
        """A fresh sampler seed from the master generator."""
        return sampler_seed(self._rng)

    # ------------------------------------------------------------------ exact mode
    def distribution(self) -> BornDistribution:
        """The Born distribution at the current θ (probabilities differentiable in exact mode)."""
        return BornDistribution(self, self.theta)

    def forward(self) -> torch.Tensor:
        """Exact probability vector [2^n] at the current θ (same as ``distribution().probs()``)."""
        return self.distribution().probs()

    def probs_at(self, thetas) -> torch.Tensor:
        """Exact probabilities [B, 2^n] at parameter rows ``thetas`` [B, P] (differentiable)."""
        if self.shots is not None:
            raise ShotModeError(
                f"probabilities are not available in shot mode (shots={self.shots}): shot mode models hardware, "
                "where only samples exist. Use sample_at(...), or shots=None for exact mode."
            )
        return self.backend.probs(self.ansatz.angles(self._rows(thetas)))

    # ------------------------------------------------------------------ sampling
    def sample(self, k: int | None = None, seed=None) -> torch.Tensor:
        """``k`` bitstrings at the current θ, float64 [k, n] (``k`` defaults to ``shots``)."""
        if k is None:
            if self.shots is None:
                raise ValueError("sample() needs k in exact mode (no default shot count)")
            k = self.shots
        return self.sample_at(self.theta.detach()[None], k, seed=seed)[0]

    def sample_at(self, thetas, shots: int, seed=None) -> torch.Tensor:
        """Bits float64 [B, shots, n] at parameter rows ``thetas`` [B, P], in one backend call.

        Exact mode samples from the statevector; shot mode runs the backend's sampler (Aer
        SamplerV2 with one PUB, or one broadcast ``qml.sample`` QNode call). ``seed`` (an int
        ≥ 0, or a numpy or torch ``Generator`` that gives one draw) fixes this call's shots;
        None draws a fresh seed from the master generator.
        """
        return self.sample_angles(self.ansatz.angles(self._rows(thetas).detach()), shots, seed)

    def sample_angles(self, angles, shots: int, seed=None) -> torch.Tensor:
        """Like :meth:`sample_at`, at rows of gate angles ``angles`` [B, ansatz.num_angles]
        (see :meth:`qhyper.circuits.Ansatz.angles`): what a parameter-shift estimator needs to
        shift one gate of a shared parameter at a time."""
        rows = self._rows(angles, width=self.ansatz.num_angles, what="angles").detach()
        shots = _check_shots(shots)
        _check_samples_fit(rows.shape[0], shots, self.num_qubits)
        seed = self.next_seed() if seed is None else sampler_seed(seed)
        if self.shots is None:
            return self.backend.sample_exact(rows, shots, seed)
        return self.backend.sample(rows, shots, seed)

    def sample_counts_angles(self, angles, shots: int, seed=None) -> tuple[torch.Tensor, torch.Tensor]:
        """Like :meth:`sample_angles`, as counts: ``(rows [U, n] float64, counts int64 [B, U])``
        — the distinct networks drawn and how many of each circuit's ``shots`` gave each. For
        estimators that need only histograms; on a statevector backend no row per shot is
        ever built (see :meth:`~qhyper.hypernet.base.Backend.sample_counts_exact`)."""
        rows = self._rows(angles, width=self.ansatz.num_angles, what="angles").detach()
        shots = _check_shots(shots)
        if self.shots is not None and type(self.backend).sample is not Backend.sample:
            _check_samples_fit(rows.shape[0], shots, self.num_qubits)  # a sampler's shots come as rows first
        seed = self.next_seed() if seed is None else sampler_seed(seed)
        if self.shots is None:
            return self.backend.sample_counts_exact(rows, shots, seed)
        return self.backend.sample_counts(rows, shots, seed)

    # ------------------------------------------------------------------ helpers
    def _rows(self, thetas, width: int | None = None, what: str = "thetas") -> torch.Tensor:
        width = self.num_params if width is None else width
        t = as_real_tensor(thetas, what)
        if t.ndim == 1:
            t = t[None]
        if t.ndim != 2 or t.shape[1] != width or t.shape[0] == 0:
            raise ValueError(f"{what} must have shape [B, {width}] with B ≥ 1 (one row of circuit {what} per "
                             f"setting); got {tuple(t.shape)}")
        if not torch.isfinite(t.detach()).all():
            raise ValueError("circuit parameters contain NaN or inf; lower the learning rate or check the objective")
        return t

    def extra_repr(self) -> str:
        mode = "exact" if self.shots is None else f"shots={self.shots}"
        return f"{self.ansatz!r}, backend={self.backend.describe()}, {mode}"


def _check_match(n: int, qubits: int, what: str) -> None:
    if n != qubits:
        raise ValueError(
            f"{what} has {n} bits but the hypernetwork has {qubits} qubits (one qubit per bit); "
            f"build it with qh.circuits.get(name, n_qubits={n}, ...) or Hypernetwork.for_model(model)"
        )


def _check_shots(shots) -> int:
    return check_count(shots, "shots", fix="a positive number of shots per circuit (None for exact mode)")


_BYTES_PER_SAMPLED_BIT = 16  # the float64 result and the simulator's own copy


def _check_samples_fit(rows: int, shots: int, n: int) -> None:
    """Refuse a sampling call whose bits [rows, shots, n] would not fit in memory, before drawing them."""
    need = rows * shots * n * _BYTES_PER_SAMPLED_BIT
    avail = available_memory()
    if need > 0.5 * avail:
        raise MemoryError(f"shots={shots} on {rows} circuit(s) of {n} qubits needs about {gib(need)} GiB of samples "
                          f"but about {avail / 2**30:.3g} GiB is available: draw fewer shots per call (several "
                          "calls, each with its own seed, give independent samples)")


def _num_bits(model) -> int:
    if isinstance(model, type):
        raise InputTypeError(f"for_model needs a model object, not the class {model.__name__}: build the model first "
                        "(e.g. qh.BinaryMLP([16, 1])) or pass an Evaluator")
    for obj in (model, getattr(model, "model", None)):
        if obj is not None and hasattr(obj, "num_bits"):
            return check_count(obj.num_bits, f"num_bits of {type(obj).__name__}",
                               fix="a model's num_bits is its number of weight bits, a positive integer")
    raise InputTypeError(f"for_model needs a model with num_bits (e.g. qh.BinaryMLP) or an Evaluator; got "
                    f"{type(model).__name__}")
