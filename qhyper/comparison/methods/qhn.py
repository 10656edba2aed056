"""The quantum-hypernetwork methods ``mle``, ``elbo`` and ``mmd`` on a task's BinaryMLP."""
from __future__ import annotations

from ...circuits.brick import DEFAULT_LAYERS
from ..._progress import inner
from ..options import check_keys, keywords
from ..registry import MethodUnavailable

__all__ = ["BRICK_LAYERS", "CIRCUIT_OPTIONS", "MMD_SHOTS", "MMD_DIRECTIONS", "qhn"]

#: Depth of the default brick circuit: the brick family's own default (the original QHN code's depth).
BRICK_LAYERS = DEFAULT_LAYERS
#: Method options that build the circuit (``qh.Hypernetwork.for_model``); the rest go to the trainer.
CIRCUIT_OPTIONS = ("ansatz", "layers", "backend", "shots")
#: Shots per step of ``mmd`` when the options name none.
MMD_SHOTS = 128
#: SPSA directions averaged per step of ``mmd`` (option ``directions``). On digits01_4x4 (3 seeds,
#: 200 steps, 256 shots) 2 directions gave MAP test accuracy 0.877 and predictive 0.926 against
#: 0.815 and 0.889 with 1, at 1.4× the wall time; 4 directions and 300 steps (3× the time)
#: gave no more (0.883) — see the closing note of the MMD study.
MMD_DIRECTIONS = 2


def qhn(objective: str):
    """A runner training a brick :class:`~qhyper.Hypernetwork` with :class:`~qhyper.trainers.QHN`
    on ``objective`` (``"mle"``, ``"elbo"`` or ``"mmd"``; ``mmd`` defaults to SPSA gradients).

    Options: :data:`CIRCUIT_OPTIONS` build the circuit; ``beta`` and ``symmetrise`` (elbo,
    see :class:`~qhyper.objectives.ELBO`) and ``lam`` (mmd,
    default the training-set size) the objective; ``directions`` (mmd, default
    :data:`MMD_DIRECTIONS`) the SPSA directions averaged per step when the gradient is SPSA;
    everything else goes to the trainer.
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
            obj = ELBO(beta=opts.pop("beta", 1.0), symmetrise=opts.pop("symmetrise", "auto"))
        else:
            obj = MMDSurrogateELBO(lam=opts.pop("lam", float(ev.num_data)))
            circuit.setdefault("shots", MMD_SHOTS)
            _spsa_default(opts, opts.pop("directions", None))
        try:
            hn = Hypernetwork.for_model(ev.model, ansatz=circuit.pop("ansatz", "brick"),
                                        layers=circuit.pop("layers", BRICK_LAYERS), seed=seed, **circuit)
        except MemoryError as err:
            raise MethodUnavailable(str(err)) from err
        opts.setdefault("progress", inner())  # the fit's steps under qh.compare's bar, when it shows one
        return QHN(objective=obj, seed=seed, **opts).fit(hn, ev)

    def preflight(options):
        """Known keys only; the objective, the trainer and the hypernetwork (its circuit
        family, shots and backend, on two qubits) built once."""
        from ... import circuits
        from ...hypernet import Hypernetwork
        from ...objectives import ELBO, MLE, MMDSurrogateELBO
        from ...trainers import QHN, optimizers

        own = {"elbo": ("beta", "symmetrise"), "mmd": ("lam", "directions")}.get(objective, ())
        check_keys(objective, options, (*CIRCUIT_OPTIONS, *own, *keywords(QHN, drop=("objective", "seed"))))
        opts = {k: v for k, v in options.items() if k not in (*CIRCUIT_OPTIONS, *own)}
        obj = {"mle": lambda: MLE(), "elbo": lambda: ELBO(beta=options.get("beta", 1.0), symmetrise=options.get("symmetrise", "auto")),
               "mmd": lambda: MMDSurrogateELBO(lam=options.get("lam", 1.0))}[objective]()
        if objective == "mmd":
            _spsa_default(opts, options.get("directions"))
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


def _spsa_default(opts: dict, directions=None) -> None:
    """``mmd``'s gradient, in place: SPSA unless ``opts`` names another; with SPSA and no
    ``spsa=`` object, ``SPSA(directions=directions)`` (default :data:`MMD_DIRECTIONS`)."""
    from ...gradients import SPSA

    opts.setdefault("gradient", "spsa")
    if opts["gradient"] == "spsa" and "spsa" not in opts:
        opts["spsa"] = SPSA(directions=MMD_DIRECTIONS if directions is None else directions)
    elif directions is not None:
        raise ValueError(f"mmd option directions={directions!r} sets the SPSA directions per step: it needs "
                         f"gradient='spsa' and no spsa= object (got gradient={opts['gradient']!r}"
                         f"{' and an spsa= object' if 'spsa' in opts else ''}); drop one of them")
