"""Input checks and mini-batching shared by the PIB trainers."""
from __future__ import annotations

import torch

from .._checks import check_count, check_real
from .network import check_dataset, check_network, split_tensors

__all__ = ["training_tensors", "minibatches", "check_hyper", "check_network", "check_dataset"]


def check_hyper(batch_size: int, epochs: int, lr: float) -> None:
    check_count(batch_size, "batch_size", minimum=2, fix="the estimators need a batch of Gram matrices")
    check_count(epochs, "epochs", minimum=0)
    check_real(lr, "lr", 0, low_open=True)


def training_tensors(net, dataset) -> tuple[torch.Tensor, torch.Tensor]:
    """The training split as float64 inputs [N, d] and long labels [N], checked against ``net``
    (the test split is checked too, so a bad one fails before training, not after)."""
    X, y = split_tensors(net, dataset, "train", minimum=2)  # a mini-batch needs two points
    split_tensors(net, dataset, "test")
    return X, y


def minibatches(n: int, batch_size: int, gen: torch.Generator):
    """Shuffled index batches of one epoch; a last batch of fewer than 2 points is dropped."""
    perm = torch.randperm(n, generator=gen)
    for s in range(0, n, batch_size):
        idx = perm[s : s + batch_size]
        if len(idx) >= 2:
            yield idx
