r"""The shared sampled-weight evaluator: every trainer's networks are scored here.

Given bitstrings ``bits`` [S, n] (one network per row), the evaluator decodes the ±1
weights, runs one batched forward pass over the data and returns

* ``log_likelihood(bits)`` — :math:`\log p(D|w) = \sum_i \log p(y_i|x_i,w)`, a **sum**
  over the data (what the Bayesian ELBO needs);
* ``nll(bits)`` — the **mean** negative log-likelihood (what users call the loss);
* ``accuracy(bits)``, ``predict_proba(bits, X)``;
* ``loss_table()`` — the mean NLL of all :math:`2^n` networks (bit 0 most significant).

The likelihood has an explicit inverse temperature ``logit_scale`` *s*: binary models use
:math:`p(y{=}1|x,w) = \sigma(s z)`, multiclass models :math:`\operatorname{softmax}(s z)`.
Regression models (``model.output == "regression"``, real targets ``y`` [N, d]) use the
Gaussian :math:`\log p(y|x,w) = -\|y - f_w(x)\|^2/(2\sigma^2) - (d/2)\log 2\pi\sigma^2`
with :math:`\sigma` = ``noise_std`` (stored as ``logit_scale`` = 1/σ); their ``accuracy`` is NaN.
"""
from __future__ import annotations

import torch

from . import likelihood
from ._checks import DTYPE, InputTypeError, as_labels, as_targets, check_count, check_real
from .bnn import _bits, features
from ._checks import real_array
from .losstable import forward_width, log_likelihood_table
from .protocol import check_model

__all__ = ["Evaluator"]


class Evaluator:
    """Scores networks of ``model`` on a data set ``(X, y)``.

    Args:
        model: a :class:`~qhyper.BinaryMLP`, or any model that follows the
            :class:`~qhyper.protocol.BitModel` protocol (``num_bits``, ``in_features``, a
            batched ``forward(bits, X)`` and an output kind; see :mod:`qhyper.protocol`).
        X: inputs [N, d]; y: integer labels [N] in ``0 … n_classes−1``.
        logit_scale: inverse temperature *s* of the likelihood (default 1: the plain
            logistic/softmax likelihood of the raw ±1 sums, as in the original QHN code).
        test: optional ``(X_test, y_test)``, checked here like ``(X, y)``; :meth:`test`
            returns an evaluator on it.
        chunk_bytes: memory bound of one batched forward pass.
        noise_std: σ of the Gaussian likelihood of a regression model (default
            1/``logit_scale``); a classifier refuses it (its likelihood has no σ).

    Example:
        >>> data = qh.datasets.load("digits01_4x4")
        >>> ev = qh.Evaluator(qh.BinaryMLP([16, 1]), data.X_train, data.y_train)
        >>> ev.loss_table().shape
        torch.Size([131072])
    """

    def __init__(self, model, X, y, logit_scale: float = 1.0, test=None, chunk_bytes: int = 2**27,
                 noise_std: float | None = None):
        logit_scale = check_real(logit_scale, "logit_scale", 0, low_open=True,
                                 fix="it is the likelihood's inverse temperature; 1 is the plain likelihood")
        noise_std = check_real(noise_std, "noise_std", 0, low_open=True, allow_none=True,
                               fix="the σ of a regression model's Gaussian likelihood")
        self.chunk_bytes = check_count(chunk_bytes, "chunk_bytes", fix="the memory bound of one forward pass, in bytes")
        check_model(model, "Evaluator")
        self.model = model
        self.regression = getattr(model, "output", None) == "regression"
        if noise_std is not None and not self.regression:
            raise ValueError(f"noise_std={noise_std:g} is the σ of a regression model's likelihood; this model is a "
                             "classifier: leave noise_std unset (logit_scale sets its likelihood's temperature)")
        if self.regression and noise_std is not None:
            logit_scale = 1.0 / noise_std
        self.logit_scale = logit_scale
        self.X, self.y = self._split(X, y, "X", "y")
        if test is not None:
            if not (isinstance(test, (tuple, list)) and len(test) == 2):
                raise InputTypeError(f"test must be a pair (X_test, y_test) or None; got {type(test).__name__} "
                                     f"{test!r:.60} (for a Dataset use Evaluator.from_dataset(model, dataset))")
            test = self._split(*test, "X_test", "y_test")
        self._test = test
        self._table: torch.Tensor | None = None

    def _split(self, X, y, xs: str, ys: str) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs and labels (or regression targets) checked against the model, named ``xs``, ``ys``."""
        X = features(X, self.model.in_features, xs)
        if X.shape[0] == 0:
            raise ValueError(f"{xs} has no rows; an evaluator needs at least one data point")
        y = real_array(y, ys)
        try:
            if self.regression:
                return X, as_targets(y, self.model.out_features, X.shape[0])
            return X, as_labels(y, self.model.n_classes, X.shape[0])
        except ValueError as err:
            if ys == "y":
                raise
            raise type(err)(f"{ys}: {err}") from None

    @classmethod
    def from_dataset(cls, model, dataset, **kwargs) -> "Evaluator":
        """An evaluator on ``dataset``'s training split that knows its test split."""
        if not all(hasattr(dataset, a) for a in ("X_train", "y_train", "X_test", "y_test")):
            raise InputTypeError(f"dataset must be a data set with X_train, y_train, X_test and y_test (e.g. "
                                 f"qh.datasets.load('moons')); got {type(dataset).__name__} {dataset!r:.60}")
        return cls(model, dataset.X_train, dataset.y_train,
                   test=(dataset.X_test, dataset.y_test), **kwargs)

    @property
    def num_bits(self) -> int:
        return self.model.num_bits

    @property
    def num_data(self) -> int:
        return self.X.shape[0]

    @property
    def has_test(self) -> bool:
        """Whether this evaluator knows a test split (see :meth:`test`)."""
        return self._test is not None

    def test(self) -> "Evaluator":
        """An evaluator with the same model and likelihood on the test split."""
        if self._test is None:
            raise ValueError("this evaluator has no test split; build it with test=(X_test, y_test) "
                             "or Evaluator.from_dataset(model, dataset)")
        return Evaluator(self.model, *self._test, logit_scale=self.logit_scale, chunk_bytes=self.chunk_bytes)

    def with_data(self, X, y) -> "Evaluator":
        """The same model and likelihood on other data."""
        return Evaluator(self.model, X, y, logit_scale=self.logit_scale, chunk_bytes=self.chunk_bytes)

    # ------------------------------------------------------------------ sampled networks
    def _rows(self, bits) -> torch.Tensor:
        bits = _bits(bits, self.num_bits)
        if bits.shape[0] == 0:
            raise ValueError(f"bits holds no networks; pass at least one row [1, {self.num_bits}]")
        return bits

    def _chunks(self, bits):
        bits = self._rows(bits)
        width = forward_width(self.model)
        step = max(1, self.chunk_bytes // (8 * self.num_data * width * 3))
        for s in range(0, bits.shape[0], step):
            yield bits[s : s + step]

    def point_log_likelihood(self, bits) -> torch.Tensor:
        """log p(y_i | x_i, w_s) for every network and point: [S, N]."""
        return self._finite(torch.cat([
            likelihood.log_prob(self.model.forward(b, self.X), self.y, self.logit_scale)
            for b in self._chunks(bits)
        ]))

    def log_likelihood(self, bits) -> torch.Tensor:
        r""":math:`\log p(D|w_s) = \sum_i \log p(y_i|x_i,w_s)` for every row of ``bits``: [S]."""
        return self._finite(torch.cat([
            likelihood.log_prob(self.model.forward(b, self.X), self.y, self.logit_scale).sum(-1)
            for b in self._chunks(bits)
        ]))

    def _finite(self, logp: torch.Tensor) -> torch.Tensor:
        likelihood.check_finite(logp, self.X, self.logit_scale)
        return logp

    def nll(self, bits) -> torch.Tensor:
        """Mean negative log-likelihood per data point: [S]."""
        return -self.log_likelihood(bits) / self.num_data

    def accuracy(self, bits) -> torch.Tensor:
        """Fraction of points each network classifies correctly: [S] (NaN for regression)."""
        if self.regression:
            return torch.full((self._rows(bits).shape[0],), float("nan"), dtype=DTYPE)
        out = []
        for b in self._chunks(bits):
            logits = self.model.forward(b, self.X)
            pred = (logits[..., 0] >= 0).long() if logits.shape[-1] == 1 else logits.argmax(-1)
            out.append((pred == self.y).to(DTYPE).mean(-1))
        return torch.cat(out)

    def predict_proba(self, bits, X=None) -> torch.Tensor:
        """Class probabilities of every network on ``X`` (default: the training inputs): [S, N, C]."""
        self._need_classifier("predict_proba")
        X = self.X if X is None else features(X, self.model.in_features)
        return torch.cat([
            likelihood.class_probs(self.model.forward(b, X), self.logit_scale)
            for b in self._chunks(bits)
        ])

    def predictive(self, bits, weights=None, X=None) -> torch.Tensor:
        r"""Posterior-predictive class probabilities :math:`\sum_s \pi_s\, p(y|x, w_s)`: [N, C].

        ``weights`` [S] are the networks' probabilities (normalised here); default uniform,
        i.e. the Monte-Carlo average over sampled networks.
        """
        self._need_classifier("predictive")
        bits = self._rows(bits)
        w = torch.ones(bits.shape[0], dtype=DTYPE) if weights is None else torch.as_tensor(
            real_array(weights, "weights"), dtype=DTYPE)
        if w.shape != (bits.shape[0],) or not torch.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise ValueError(f"weights must be {bits.shape[0]} finite non-negative numbers (one per row of bits) "
                             f"with a positive sum; got shape {tuple(w.shape)}")
        w = w / w.sum()
        X = self.X if X is None else features(X, self.model.in_features)
        total, s = 0.0, 0
        for b in self._chunks(bits):
            p = likelihood.class_probs(self.model.forward(b, X), self.logit_scale)
            total = total + torch.einsum("s,snc->nc", w[s : s + b.shape[0]], p)
            s += b.shape[0]
        return total

    def predictive_metrics(self, bits, weights=None, prefix: str = "predictive_") -> dict[str, float]:
        """Accuracy and mean NLL of the posterior-predictive average of ``bits`` (weighted by
        ``weights``) on the training data and, if known, the test split:
        ``{prefix}train_accuracy``, ``{prefix}train_nll``, ``{prefix}test_…``."""
        if not isinstance(prefix, str):
            raise InputTypeError(f"prefix must be a string (the start of every key); got {type(prefix).__name__} {prefix!r}")
        out = {}
        splits = [("train", self)] + ([("test", self.test())] if self.has_test else [])
        for name, e in splits:
            p = e.predictive(bits, weights)
            out[f"{prefix}{name}_accuracy"] = float((p.argmax(-1) == e.y).to(DTYPE).mean())
            out[f"{prefix}{name}_nll"] = float(-p.gather(-1, e.y.view(-1, 1)).clamp_min(1e-300).log().mean())
        return out

    def predictive_accuracy(self, bits, weights=None) -> float:
        """Accuracy on this evaluator's data of the posterior-predictive average of ``bits``."""
        return float((self.predictive(bits, weights).argmax(-1) == self.y).to(DTYPE).mean())

    def _need_classifier(self, what: str) -> None:
        if self.regression:
            raise ValueError(f"{what}() gives class probabilities; this evaluator's model is a regression "
                             "model: use model.forward(bits, X) for its outputs")

    # ------------------------------------------------------------------ all networks
    def log_likelihood_table(self) -> torch.Tensor:
        """``log p(D|w_b)`` of all 2^n networks [2^n] (cached; bit 0 most significant)."""
        if self._table is None:
            self._table = log_likelihood_table(self.model, self.X, self.y, self.logit_scale, self.chunk_bytes)
        return self._table

    def loss_table(self) -> torch.Tensor:
        """Mean NLL of all 2^n networks [2^n], index ``Σ_j b_j 2^(n−1−j)``."""
        return -self.log_likelihood_table() / self.num_data
