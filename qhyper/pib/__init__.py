"""Local physical information-bottleneck training (after Wang et al., arXiv 2602.09569).

Each unit of a deep network — a binary layer, a simulated memristor crossbar, a simulated
optical element — is trained alone on :math:`I(X;T_l) - \\beta I(T_l;Y)` estimated from its
measured outputs (:mod:`qhyper.information`); no error travels back through the physics.
Only the paper's abstract was available: the loss, estimator, units and update rules here
are a reconstruction, each choice a documented option.

``qh.pib.network(kind, sizes, n_classes)`` builds a network; ``qh.trainers.LocalIB`` and
``qh.trainers.HSICBottleneck`` train it unit by unit; :func:`train_end_to_end` is the
backprop/straight-through reference on the same network.
"""
from .base import Unit
from .binary import BinaryUnit
from .crossbar import CrossbarUnit
from .endtoend import train_end_to_end
from .local import LocalObjective, UnitLearner
from .network import PIBNetwork, network
from .score import score
from .optical import OpticalUnit
from .plots import plot_information_plane

__all__ = ["Unit", "BinaryUnit", "CrossbarUnit", "OpticalUnit", "PIBNetwork", "network", "score",
           "LocalObjective", "UnitLearner", "train_end_to_end", "plot_information_plane"]
