"""Input checks and mini-batching shared by the PIB trainers."""
from __future__ import annotations

from contextlib import contextmanager

import torch

from .._checks import as_features, as_labels

__all__ = ["training_tensors", "minibatches", "check_hyper", "torch_threads"]


def check_hyper(batch_size: int, epochs: int, lr: float) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 2:
        raise ValueError(f"batch_size must be an integer >= 2 (the estimators need a batch of "
                         f"Gram matrices); got {batch_size!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"epochs must be an integer >= 0; got {epochs!r}")
    if not lr > 0:
        raise ValueError(f"lr must be > 0; got {lr!r}")


def training_tensors(net, dataset) -> tuple[torch.Tensor, torch.Tensor]:
    """The training split as float64 inputs [N, d] and long labels [N], checked against ``net``."""
    X = as_features(dataset.X_train, net.in_features, "X_train")
    y = as_labels(dataset.y_train, net.n_classes, X.shape[0])
    as_features(dataset.X_test, net.in_features, "X_test")
    return X, y


def minibatches(n: int, batch_size: int, gen: torch.Generator):
    """Shuffled index batches of one epoch; a last batch of fewer than 2 points is dropped."""
    perm = torch.randperm(n, generator=gen)
    for s in range(0, n, batch_size):
        idx = perm[s : s + batch_size]
        if len(idx) >= 2:
            yield idx


@contextmanager
def torch_threads(n: int | None):
    """Run a block with ``n`` torch threads (restored after); ``None`` leaves torch alone.

    Local losses work on batch Gram matrices of a few hundred rows: on a shared 2-core
    machine one thread was measured about 10× faster than two for such sizes.
    """
    if n is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(before)
