"""Scores of a trained :class:`~qhyper.pib.PIBNetwork`: binary networks through the shared
Evaluator (as every trainer's networks are), others from their readout logits."""
from __future__ import annotations

from .._checks import DTYPE
from ..evaluate import Evaluator
from ..likelihood import mean_nll
from ..results import network_metrics
from .network import PIBNetwork, check_dataset, check_network, split_tensors

__all__ = ["score"]


def score(net: PIBNetwork, dataset) -> dict[str, float]:
    """Train/test accuracy and mean NLL; binary networks through the shared Evaluator."""
    check_network(net)
    check_dataset(dataset)
    splits = {split: split_tensors(net, dataset, split) for split in ("train", "test")}
    if net.is_binary:
        model, bits = net.to_binary_mlp()
        ev = Evaluator.from_dataset(model, dataset, logit_scale=net.logit_scale)
        return network_metrics(ev, bits)
    out = {}
    for split, (X, yt) in splits.items():
        z = net.logits(X)
        pred = (z[:, 0] >= 0).long() if z.shape[1] == 1 else z.argmax(1)
        out[f"{split}_accuracy"] = float((pred == yt).to(DTYPE).mean())
        out[f"{split}_nll"] = float(mean_nll(z, yt, net.logit_scale))
    return out
