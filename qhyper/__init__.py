"""qhyper — binary neural networks trained with quantum hypernetworks.

A parameterised circuit is a *hypernetwork*: each measured bitstring is the set of ±1
weights of a binary neural network. See the README for the quickstart.
"""
from . import circuits
from . import bitstrings
from . import data as datasets
from .bnn import BinaryMLP
from .data import Dataset
from .evaluate import Evaluator
from .posterior import ExactPosterior
from . import trainers

__version__ = "0.1.0"

__all__ = ["BinaryMLP", "Dataset", "Evaluator", "ExactPosterior", "circuits", "datasets", "__version__"]
