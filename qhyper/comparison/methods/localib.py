"""The local-training methods ``localib``, ``hsic`` and ``e2e`` on a :mod:`qhyper.pib` network.

Each run loads the task's data set with the run's seed, builds a fresh ``kind`` network
(default binary units of widths :data:`LOCAL_HIDDEN`) and trains it unit by unit with
:class:`~qhyper.trainers.LocalIB` or :class:`~qhyper.trainers.HSICBottleneck`, or end to end
with :func:`qhyper.pib.train_end_to_end`.
"""
from __future__ import annotations

from ... import data as datasets
from ..options import check_keys, keywords
from . import SMALL_TENSOR_THREADS

__all__ = ["LOCAL_HIDDEN", "local"]

#: Unit widths of the default network (three binary units of 64).
LOCAL_HIDDEN = (64, 64, 64)
_TRAINERS = {"localib": "LocalIB", "hsic": "HSICBottleneck", "e2e": None}


def local(which: str):
    """A runner for ``which`` in ``"localib"``, ``"hsic"``, ``"e2e"``.

    Options: ``kind`` (``"binary"``, ``"crossbar"``, ``"optical"``), ``hidden`` (unit widths)
    and ``unit_options`` build the network (:func:`qhyper.pib.network`); the rest go to the
    trainer, with ``progress`` off unless given.
    """
    if which not in _TRAINERS:
        raise ValueError(f"local(which): which must be one of {tuple(_TRAINERS)}; got {which!r}")

    def run(task, seed, options):
        from ... import trainers
        from ...pib import network, train_end_to_end

        opts = dict(options)
        kind, hidden = opts.pop("kind", "binary"), opts.pop("hidden", LOCAL_HIDDEN)
        unit_options = opts.pop("unit_options", None) or {}
        opts.setdefault("progress", False)
        opts.setdefault("threads", SMALL_TENSOR_THREADS)
        data = datasets.load(task.dataset, seed=seed, **task.dataset_options)
        net = network(kind, [data.n_features, *hidden], data.n_classes, seed=seed, **unit_options)
        if which == "e2e":
            return train_end_to_end(net, data, seed=seed, **opts)
        return getattr(trainers, _TRAINERS[which])(seed=seed, **opts).fit(net, data)

    def preflight(options):
        """Known keys only; the trainer built once (``train_end_to_end`` checks its own at the start)."""
        from ... import trainers
        from ...pib import train_end_to_end

        net_keys = ("kind", "hidden", "unit_options")
        target = train_end_to_end if which == "e2e" else getattr(trainers, _TRAINERS[which])
        drop = ("net", "dataset", "seed") if which == "e2e" else ("seed",)
        accepted = keywords(target, drop=drop)
        if which == "hsic":  # HSICBottleneck takes LocalIB's options through **options
            accepted += keywords(trainers.LocalIB, drop=("seed",))
        check_keys(which, options, (*net_keys, *accepted))
        if which != "e2e":
            target(**{k: v for k, v in options.items() if k not in net_keys})

    run.preflight, run.budgeted = preflight, True
    return run
