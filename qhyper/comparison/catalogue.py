"""The built-in tasks and methods, as data, registered when :mod:`qhyper.comparison` loads.

Default budgets keep ``qhyper compare`` (6 methods × 3 seeds) under a minute on 2 cores (measured 49 s
wall, 44 s inside the command, on an idle 2-core machine).
MLE: L-BFGS with the trainer's entropy annealing at the original code's depth 4 finds the
global minimum of digits01_4x4 in ≥ 90% of restarts (``benchmarks/qhn_depth.py``).
"""
from __future__ import annotations

from .methods.classical import exact, qubo, ste
from .methods.localib import LOCAL_HIDDEN, local
from .methods.pibinn import DESCRIPTIONS as INVERSE_METHODS
from .methods.pibinn import inverse
from .methods.qhn import BRICK_LAYERS, qhn
from .registry import Task, register_method, register_task

__all__ = ["TASKS", "METHODS"]

# ---------------------------------------------------------------------- budgets
_QHN = {name: {**budget, "layers": BRICK_LAYERS} for name, budget in {
    "mle": {"optimizer": "lbfgs", "steps": 300},
    # the tempered ELBO needs 300: with 200, 2 of 3 gaussian_mixture seeds ended 3.5 nats from the posterior
    "elbo": {"optimizer": "lbfgs", "steps": 300},
    "mmd": {"steps": 200, "shots": 256}}.items()}
_QHN_STEP = {"steps": 5, "layers": 1}
_QHN_QUICK = {"mle": _QHN_STEP, "elbo": _QHN_STEP, "mmd": {**_QHN_STEP, "shots": 32}}
_QUBO = {"num_reads": 10, "num_sweeps": 1000}
_QUBO_QUICK = {"num_reads": 2, "num_sweeps": 100, "max_batches": 1, "refine_rounds": 1}
_STE_QUICK = {"epochs": 5, "restarts": 2}

_LOCAL_METHODS = ("localib", "hsic", "e2e")
_LOCAL_TEXT = (f"; a {len(LOCAL_HIDDEN)}-unit binary network ({'-'.join(map(str, LOCAL_HIDDEN))}) for "
              f"{'/'.join(_LOCAL_METHODS)}, the same BinaryMLP for ste")
_LOCAL = {"activation": "sign", "methods": (*_LOCAL_METHODS, "ste"),
          "quick": {"ste": {"epochs": 1, "restarts": 1},
                    **{m: {"epochs": 1, "hidden": (16, 16, 16)} for m in _LOCAL_METHODS}}}

_INVERSE_STEPS = 20
_INVERSE = {"layer_sizes": [], "kind": "inverse", "methods": tuple(INVERSE_METHODS),
            "quick": {**{m: {"steps": _INVERSE_STEPS} for m in INVERSE_METHODS if m not in ("ista", "qhn")},
                      "qhn": {"qhn_steps": 3, "steps": _INVERSE_STEPS}}}
_UNROLLED = "unrolled ISTA networks and PIBiNN (after Eamaz et al.)"

# ---------------------------------------------------------------------- tasks
#: The built-in tasks, in listing order.
TASKS = (
    Task("digits01_4x4", "digits01_4x4", [16, 1],
         description="digits 0 vs 1, 4x4 pixels; logistic regression with ±1 weights (17 bits)",
         options={**_QHN, "ste": {"epochs": 100}, "qubo": _QUBO},
         quick={**_QHN_QUICK, "ste": _STE_QUICK, "qubo": _QUBO_QUICK}),
    Task("gaussian_mixture", "gaussian_mixture", [2, 4, 1], activation=["relu", "sigmoid"],
         dataset_options={"n_train": 1000, "n_test": 1000},
         description="the 2-D task of the QHN paper; 4 hidden units, one qubit picks relu or sigmoid (18 bits)",
         options={**_QHN, "ste": {"epochs": 30, "batch_size": 100}},
         quick={**_QHN_QUICK, "ste": {"epochs": 2, "restarts": 2}}),
    Task("bars_stripes_sign", "bars_and_stripes", [4, 2, 1], activation="sign",
         dataset_options={"rows": 2, "cols": 2},
         description="noisy 2x2 bars vs stripes, ±1 pixels; 2 sign hidden units: a net the QUBO encodes exactly "
                     "(13 bits)",
         options={**_QHN, "ste": {"epochs": 100, "restarts": 16}, "qubo": _QUBO},
         quick={**_QHN_QUICK, "ste": _STE_QUICK, "qubo": _QUBO_QUICK}),
    Task("digits10_8x8", "digits10_8x8", [64, *LOCAL_HIDDEN, 10], options={"ste": {"epochs": 30}},
         description="all ten 8x8 digits" + _LOCAL_TEXT, **_LOCAL),
    Task("moons", "moons", [2, *LOCAL_HIDDEN, 2], options={"ste": {"epochs": 100}},
         description="two half-moons" + _LOCAL_TEXT, **_LOCAL),
    Task("deconv1d", "deconv1d", description=f"inverse problem: 1-D deconvolution of sparse spikes (banded Toeplitz "
                                             f"blur); {_UNROLLED}", **_INVERSE),
    Task("block_cs", "block_cs", description=f"inverse problem: block-diagonal Gaussian compressed sensing; {_UNROLLED}",
         **_INVERSE),
)

# ---------------------------------------------------------------------- methods
_C, _I = ("classification",), ("inverse",)
#: ``(name, runner, description, quantum, kinds)`` of every built-in method, in listing order.
METHODS = (
    ("mle", qhn("mle"), "quantum hypernetwork, expected loss (original QHN), exact statevector", True, _C),
    ("elbo", qhn("elbo"), "quantum hypernetwork, exact ELBO (Bayesian VI), exact statevector", True, _C),
    ("mmd", qhn("mmd"), "quantum hypernetwork, MMD-surrogate ELBO from shots (SPSA gradients)", True, _C),
    ("ste", ste, "latent real weights + straight-through sign, Adam", False, _C),
    ("qubo", qubo, "training problem as a QUBO, simulated annealing (dwave-samplers)", False, _C),
    ("exact", exact, "exhaustive oracle: MAP network and exact posterior over all 2^n networks", False, _C),
    ("localib", local("localib"), "local information bottleneck per unit, binary units (after Wang et al.)", False, _C),
    ("hsic", local("hsic"), "HSIC bottleneck per unit, binary units", False, _C),
    ("e2e", local("e2e"), "the same pib network trained end to end (straight-through sign)", False, _C),
    *((name, inverse(name), text, name == "qhn", _I) for name, text in INVERSE_METHODS.items()),
)

for _task in TASKS:
    register_task(_task)
for _name, _runner, _text, _quantum, _kinds in METHODS:
    register_method(_name, _runner, _text, _quantum, _kinds)
