"""Saving a hypernetwork in one call and loading it anywhere: ``hn.save(path)``, ``qh.load(path)``.

The file (``torch.save`` of plain data) holds the circuit as its gate records — name, wires,
parameter indices, coefficients, offsets — with its qubit count and parameter shape, θ, the
shots, the backend's name and plain options, the sampler seed state and the package
version. It contains no pickled objects, so ``torch.load(path, weights_only=True)`` reads
it, and it does not depend on how the circuit was built (a catalogue family, a Qiskit
circuit, a PennyLane template): loading rebuilds the same gate list.

Objects are not saved — a Qiskit sampler or Aer simulator given as ``backend=``, a PennyLane
device, a noise model — since they belong to the machine that runs them; pass them to
:func:`load` again (``qh.load(path, backend=my_sampler, noise=...)``). A hypernetwork built
on one is saved with the torch backend named instead, and :func:`load` says so.
"""
from __future__ import annotations

import os
import warnings

import torch

from .._checks import InputTypeError

__all__ = ["save", "load", "FORMAT"]

FORMAT = "qhyper.Hypernetwork/1"
_PLAIN = (str, int, float, bool, type(None))


def _gate_record(g) -> list:
    return [g.name, list(g.wires), list(g.param) if isinstance(g.param, tuple) else g.param,
            list(g.coeff) if isinstance(g.coeff, tuple) else float(g.coeff), float(g.offset)]


def save(hn, path) -> None:
    """Write ``hn`` to ``path`` (see the module docstring for what is kept)."""
    from .. import __version__

    a = hn.ansatz
    options = {k: v for k, v in getattr(hn, "backend_options", {}).items() if isinstance(v, _PLAIN)}
    dropped = sorted(set(getattr(hn, "backend_options", {})) - set(options))
    backend = hn.backend_name if hn.backend_name in ("torch", "pennylane", "qiskit") and not dropped else None
    state = {
        "format": FORMAT, "qhyper_version": __version__,
        "ansatz": {"name": getattr(a, "name", "ansatz"), "num_qubits": a.num_qubits, "shape": list(a.shape()),
                   "gates": [_gate_record(g) for g in a.gates]},
        "theta": hn.theta.detach().clone(), "shots": hn.shots,
        "backend": backend, "backend_options": options if backend is not None else {},
        "saved_objects": ([f"backend={hn.backend_name}"] if backend is None else [])
        + [f"{k}=" for k in dropped] + (["noise="] if hn.noise is not None else []),
        "rng_state": hn._rng.bit_generator.state,
    }
    path = os.fspath(path)
    tmp = f"{path}.tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def load(path, **overrides):
    """The :class:`~qhyper.Hypernetwork` saved at ``path``; ``overrides`` go to its constructor
    (``backend=``, ``shots=``, ``noise=``, backend options) in place of the saved ones."""
    from ..circuits import Ansatz, Gate
    from .hypernetwork import Hypernetwork

    try:
        state = torch.load(os.fspath(path), weights_only=True)
    except OSError:  # no such file, a folder: as open() says it
        raise
    except Exception as err:  # not a torch file, or one with pickled objects
        raise ValueError(f"{path!s} is not a file written by Hypernetwork.save ({type(err).__name__}: {err})") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(f"{path!s} is not a file written by Hypernetwork.save (format {FORMAT})")
    spec = state["ansatz"]
    gates = [Gate(name, tuple(wires), tuple(param) if isinstance(param, list) else param,
                  tuple(coeff) if isinstance(coeff, list) else coeff, offset)
             for name, wires, param, coeff, offset in spec["gates"]]
    ansatz = Ansatz(spec["num_qubits"], gates, tuple(spec["shape"]))
    ansatz.name = spec["name"]
    missing = [s for s in state["saved_objects"] if s.split("=")[0] not in overrides]
    if missing:
        warnings.warn(f"{path!s} was saved from a hypernetwork with {', '.join(missing)} objects, which are not "
                      "saved; pass them to qh.load(...) again (the torch backend is used meanwhile)", stacklevel=2)
    kwargs = {"backend": state["backend"] or "torch", "shots": state["shots"], **state["backend_options"]}
    kwargs.update(overrides)
    if "init" in kwargs:
        raise InputTypeError("load restores the saved θ; set hn.theta after loading to change it")
    hn = Hypernetwork(ansatz, init=state["theta"], **kwargs)
    hn._rng.bit_generator.state = state["rng_state"]
    return hn
