"""The local-training methods ``localib``, ``hsic`` and ``e2e`` on a :mod:`qhyper.pib` network.

Each run loads the task's data set with the run's seed, builds a fresh ``kind`` network
(default binary units of widths :data:`LOCAL_HIDDEN`) and trains it unit by unit with
:class:`~qhyper.trainers.LocalIB` or :class:`~qhyper.trainers.HSICBottleneck`, or end to end
with :func:`qhyper.pib.train_end_to_end`.
"""
from __future__ import annotations

from ..._progress import inner
from ... import data as datasets
from ..._budget import check_max_time
from ..._checks import InputTypeError, check_bool, check_count, check_instance, check_real
from ..._threads import check_threads
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
        opts.setdefault("progress", inner())
        opts.setdefault("threads", SMALL_TENSOR_THREADS)
        data = datasets.load(task.dataset, seed=seed, **task.dataset_options)
        net = network(kind, [data.n_features, *hidden], data.n_classes, seed=seed, **unit_options)
        if which == "e2e":
            return train_end_to_end(net, data, seed=seed, **opts)
        return getattr(trainers, _TRAINERS[which])(seed=seed, **opts).fit(net, data)

    def preflight(options):
        """Known keys only; the network's options on a network of one-unit layers and the
        trainer built once (``train_end_to_end``'s options checked as it checks them)."""
        from ... import trainers
        from ...pib import network, train_end_to_end
        from ...pib.training import check_hyper

        net_keys = ("kind", "hidden", "unit_options")
        target = train_end_to_end if which == "e2e" else getattr(trainers, _TRAINERS[which])
        drop = ("net", "dataset", "seed") if which == "e2e" else ("seed",)
        accepted = keywords(target, drop=drop)
        if which == "hsic":  # HSICBottleneck takes LocalIB's options through **options
            accepted += keywords(trainers.LocalIB, drop=("seed",))
        check_keys(which, options, (*net_keys, *accepted))
        hidden = options.get("hidden", LOCAL_HIDDEN)
        if isinstance(hidden, (str, bytes)) or not isinstance(hidden, (list, tuple)):
            raise InputTypeError(f"hidden must be a list of unit widths, e.g. (64, 64); got {hidden!r:.60}")
        hidden = [check_count(h, "every entry of hidden", fix="the width of one unit") for h in hidden]
        unit_options = check_instance(options.get("unit_options") or {}, "unit_options", dict)
        network(options.get("kind", "binary"), [2] + [1] * len(hidden), 2, seed=0, **unit_options)
        rest = {k: v for k, v in options.items() if k not in net_keys}
        if which != "e2e":
            target(**rest)
            return
        check_hyper(rest.get("batch_size", 128), rest.get("epochs", 30), rest.get("lr", 0.05))
        check_real(rest.get("readout_lr"), "readout_lr", 0, low_open=True, allow_none=True, fix="None uses lr")
        check_bool(rest.get("progress", False), "progress")
        check_threads(rest.get("threads"))
        check_max_time(rest.get("max_time"))

    run.preflight, run.budgeted = preflight, True
    return run
