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
from .._lazy import lazy_members
from .base import Unit
from .binary import BinaryUnit
from .crossbar import CrossbarUnit
from .network import PIBNetwork, network
from .optical import OpticalUnit

# the units and the network are models; what scores and trains them sits in higher layers
# and loads on first use, so importing a unit never loads a trainer
_MEMBERS = {"score": "scoring", "LocalObjective": "local", "UnitLearner": "local",
            "train_end_to_end": "endtoend", "plot_information_plane": "plots"}
__all__ = ["Unit", "BinaryUnit", "CrossbarUnit", "OpticalUnit", "PIBNetwork", "network", *_MEMBERS]
__getattr__, __dir__ = lazy_members(__name__, _MEMBERS, __all__)
