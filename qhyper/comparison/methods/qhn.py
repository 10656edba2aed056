"""The quantum-hypernetwork methods ``mle``, ``elbo`` and ``mmd`` on a task's BinaryMLP."""
from __future__ import annotations

from ...circuits.brick import DEFAULT_LAYERS
from ..options import check_keys, keywords
from ..registry import MethodUnavailable

__all__ = ["BRICK_LAYERS", "CIRCUIT_OPTIONS", "MMD_SHOTS", "qhn"]

#: Depth of the default brick circuit: the brick family's own default (the original QHN code's depth).
BRICK_LAYERS = DEFAULT_LAYERS
#: Method options that build the circuit (``qh.Hypernetwork.for_model``); the rest go to the trainer.
CIRCUIT_OPTIONS = ("ansatz", "layers", "backend", "shots")
#: Shots per step of ``mmd`` when the options name none.
MMD_SHOTS = 128


def qhn(objective: str):
    """A runner training a brick :class:`~qhyper.Hypernetwork` with :class:`~qhyper.trainers.QHN`
    on ``objective`` (``"mle"``, ``"elbo"`` or ``"mmd"``; ``mmd`` defaults to SPSA gradients).

    Options: :data:`CIRCUIT_OPTIONS` build the circuit; ``beta`` (elbo) and ``lam`` (mmd,
    default the training-set size) the objective; everything else goes to the trainer.
    """
    if objective not in ("mle", "elbo", "mmd"):
        raise ValueError(f"qhn(objective): objective must be 'mle', 'elbo' or 'mmd'; got {objective!r}")

    def run(task, seed, options):
        try:
            from ...hypernet import Hypernetwork
            from ...objectives import ELBO, MLE, MMDSurrogateELBO
            from ...trainers import QHN
        except ImportError as err:
            raise MethodUnavailable(f"the quantum hypernetwork is not available here: {err}") from err
        opts = dict(options)
        ev = task.evaluator()
        circuit = {k: opts.pop(k) for k in CIRCUIT_OPTIONS if k in opts}
        if objective == "mle":
            obj = MLE()
        elif objective == "elbo":
            obj = ELBO(beta=opts.pop("beta", 1.0))
        else:
            obj = MMDSurrogateELBO(lam=opts.pop("lam", float(ev.num_data)))
            circuit.setdefault("shots", MMD_SHOTS)
            opts.setdefault("gradient", "spsa")
        try:
            hn = Hypernetwork.for_model(ev.model, ansatz=circuit.pop("ansatz", "brick"),
                                        layers=circuit.pop("layers", BRICK_LAYERS), seed=seed, **circuit)
        except MemoryError as err:
            raise MethodUnavailable(str(err)) from err
        return QHN(objective=obj, seed=seed, progress=False, **opts).fit(hn, ev)

    def preflight(options):
        """Known keys only; the objective, the trainer and the hypernetwork (its circuit
        family, shots and backend, on two qubits) built once."""
        from ... import circuits
        from ...hypernet import Hypernetwork
        from ...objectives import ELBO, MLE, MMDSurrogateELBO
        from ...trainers import QHN, optimizers

        own = {"elbo": ("beta",), "mmd": ("lam",)}.get(objective, ())
        check_keys(objective, options, (*CIRCUIT_OPTIONS, *own, *keywords(QHN, drop=("objective", "seed"))))
        opts = {k: v for k, v in options.items() if k not in (*CIRCUIT_OPTIONS, *own)}
        obj = {"mle": lambda: MLE(), "elbo": lambda: ELBO(beta=options.get("beta", 1.0)),
               "mmd": lambda: MMDSurrogateELBO(lam=options.get("lam", 1.0))}[objective]()
        if objective == "mmd":
            opts.setdefault("gradient", "spsa")
        QHN(objective=obj, **opts)
        family = options.get("ansatz", "brick")
        if isinstance(family, str):  # the circuit family, shots and backend on two qubits
            depth = options.get("layers", BRICK_LAYERS if circuits.has_depth(family) else None)
            family = circuits.get(family, n_qubits=2, **({} if depth is None else {"layers": depth}))
        shots = options.get("shots", MMD_SHOTS if objective == "mmd" else None)
        Hypernetwork(family, shots=shots, **({"backend": options["backend"]} if "backend" in options else {}))
        if shots is not None and objective == "elbo":
            raise ValueError(f"shots={shots}: the exact ELBO has no shot form; drop shots (exact mode), or use 'mmd'")
        if shots is not None and optimizers.is_lbfgs(opts.get("optimizer", "auto")):
            raise ValueError(f"shots={shots} with optimizer='lbfgs': L-BFGS needs exact gradients; drop shots "
                             f"(exact mode) or use optimizer='adam'")
        per_step = options.get("shots_per_step") or shots
        if objective == "mmd" and per_step is not None and per_step < 2:
            raise ValueError(f"shots = {per_step}: the MMD surrogate estimates its kernel term from pairs of distinct "
                             f"samples, which needs at least 2 shots per circuit; use shots ≥ 2 (tens to thousands)")

    run.preflight, run.budgeted = preflight, True
    return run
