"""Adapters: each built-in method as a runner ``runner(task, seed, options) -> TrainResult``.

Every adapter builds its trainer from the trainers' public constructors and raises
:class:`~qhyper.comparison.MethodUnavailable` when it cannot run. The adapters are
registered (as data) by :mod:`qhyper.comparison.catalogue`.

* :mod:`.classical` — ``ste``, ``qubo``, ``exact`` on a task's :class:`~qhyper.BinaryMLP`.
* :mod:`.qhn` — ``mle``, ``elbo``, ``mmd``: a quantum hypernetwork on the same model.
* :mod:`.localib` — ``localib``, ``hsic``, ``e2e``: a :mod:`qhyper.pib` network for the task's data.
* :mod:`.pibinn` — unrolled ISTA networks and PIBiNN on an inverse problem;
  :mod:`.sign_search` — its ``qhn`` method.
"""

__all__ = ["SMALL_TENSOR_THREADS"]

#: torch threads for the methods whose tensors are tiny (STE, the local-IB units, the unrolled
#: networks) in a comparison, unless an option says otherwise (``--set ste.threads=2``): on busy
#: cores intra-op threads cost far more than they save (``benchmarks/baselines.py`` measures it).
#: The trainers themselves default to ``threads=None``, the caller's setting; it is restored after.
SMALL_TENSOR_THREADS = 1
