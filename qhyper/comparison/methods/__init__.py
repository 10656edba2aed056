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
