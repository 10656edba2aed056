"""PIBiNN: one-bit unrolled ISTA networks on physics-defined sparse supports.

After Eamaz, Yeganegi & Soltanalian, *Physics-Inspired Binary Neural Networks* (arXiv
2502.01908). Only that paper's abstract is public: this package is a reconstruction, and
each of its assumptions is a documented option (see :mod:`qhyper.pibinn.model`).

>>> problem = qh.pibinn.load_problem("deconv1d", seed=0)
>>> net = qh.pibinn.PIBiNN(problem.operator, layers=8)
>>> result = qh.pibinn.train(net, problem, steps=2000, seed=0)
>>> qh.pibinn.nmse_db(net, problem), qh.pibinn.bits_per_weight(net)

The sign bits of a binary network are what a quantum hypernetwork samples
(``net.num_bits``, ``net.decode(bits)``, batched ``net(bits [S, b], Y [N, m])``);
``qh.pibinn.evaluator(net, problem)`` scores them with the shared Evaluator (Gaussian
likelihood). The benchmark's methods by name (``run_method``) are in
:mod:`qhyper.comparison.methods.pibinn`.
"""
from .._lazy import lazy_members
from .accounting import StorageReport, bits_per_weight, storage_report
from .masks import dense_masks, physics_masks
from .model import ISTA, PIBiNN, UnrolledISTA
from .problems import InverseProblem, load_problem, names
from .transfer import init_from

# problems, masks and models are low layers; scoring and training load on first use, so
# importing a model never loads a trainer
_MEMBERS = {"evaluator": "metrics", "nmse_db": "metrics", "train": "training"}
__all__ = ["InverseProblem", "ISTA", "PIBiNN", "StorageReport", "UnrolledISTA", "bits_per_weight", "dense_masks",
           "init_from", "load_problem", "names", "physics_masks", "storage_report", *_MEMBERS]
__getattr__, __dir__ = lazy_members(__name__, _MEMBERS, __all__)
