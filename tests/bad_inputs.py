"""The assertion every bad-input test makes: refused with the right type, the message naming
the parameter, before any work (within a second, however large the task)."""
import time

import pytest

#: seconds a refusal may take: checks only, no training, enumeration or circuit execution
WITHIN = 1.0


def refused(call, error, name: str):
    """``call()`` raises ``error`` whose message matches ``name``, in under :data:`WITHIN` s."""
    start = time.perf_counter()
    with pytest.raises(error, match=name):
        call()
    assert time.perf_counter() - start < WITHIN, "refused only after work"


def two_feature_task(n_train: int = 20000, n_test: int = 2000, seed: int = 0):
    """A 2-feature binary task (label: sign of the first feature) large enough that training
    on it takes seconds: a refusal in under a second came before the work."""
    import numpy as np

    import qhyper as qh

    rng = np.random.default_rng(seed)
    X, Xt = rng.standard_normal((n_train, 2)), rng.standard_normal((n_test, 2))
    return qh.datasets.Dataset(X, (X[:, 0] > 0).astype(int), Xt, (Xt[:, 0] > 0).astype(int), "large")
