"""qhyper — binary neural networks trained with quantum hypernetworks.

A parameterised circuit is a *hypernetwork*: each measured bitstring is the set of ±1
weights of a binary neural network. See the README for the quickstart.

Heavy parts (circuits, simulators, trainers) load on first use, so ``import qhyper`` is quick.
"""
import os as _os
from importlib import import_module

# The wheel installs the top-level `circuits/` folder as `qhyper.circuits`. Run from a source
# checkout (its root on sys.path, e.g. subprocesses started there), find it beside `qhyper/`.
_root = _os.path.dirname(__path__[0])
if not _os.path.isdir(_os.path.join(__path__[0], "circuits")) and _os.path.isfile(
        _os.path.join(_root, "circuits", "__init__.py")):
    __path__.append(_root)
del _root

from . import bitstrings, circuits  # noqa: E402
from . import data as datasets  # noqa: E402
from ._checks import InputTypeError
from .bnn import BinaryMLP
from .data import Dataset
from .evaluate import Evaluator
from .posterior import ExactPosterior

__version__ = "0.1.0"

# name -> (module, attribute or None for the module itself)
_LAZY = {
    "trainers": ("qhyper.trainers", None),
    "objectives": ("qhyper.objectives", None),
    "gradients": ("qhyper.gradients", None),
    "noise": ("qhyper.noise", None),
    "hypernet": ("qhyper.hypernet", None),
    "Hypernetwork": ("qhyper.hypernet", "Hypernetwork"),
    "load": ("qhyper.hypernet.persist", "load"),  # qh.load(path): a saved Hypernetwork
    "information": ("qhyper.information", None),
    "symmetry": ("qhyper.symmetry", None),  # hidden-unit permutations, symmetrise(probs, model)
    "pibinn": ("qhyper.pibinn", None),
    "pib": ("qhyper.pib", None),
    "comparison": ("qhyper.comparison", None),  # tasks, methods, Comparison: qh.comparison.tasks()
    "compare": ("qhyper.comparison.run", "compare"),
    "plot": ("qhyper.plot", None),  # qh.plot.history(result), .distribution(hn), .decision_boundary(ev, bits)  # the function: qh.compare([...], task=...)
}

__all__ = ["BinaryMLP", "Dataset", "Evaluator", "ExactPosterior", "InputTypeError", "bitstrings", "circuits",
           "datasets", "__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = import_module(module)
        value = value if attr is None else getattr(value, attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'qhyper' has no attribute {name!r}")
