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
from ._checks import DTYPE, as_bits, as_features, as_labels, as_targets
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
        test: optional ``(X_test, y_test)``; :meth:`test` returns an evaluator on it.
        chunk_bytes: memory bound of one batched forward pass.
        noise_std: σ of the Gaussian likelihood of a regression model (default
            1/``logit_scale``); not used by classifiers.

    Example:
        >>> data = qh.datasets.load("digits01_4x4")
        >>> ev = qh.Evaluator(qh.BinaryMLP([16, 1]), data.X_train, data.y_train)
        >>> ev.loss_table().shape
        torch.Size([131072])
    """

    def __init__(self, model, X, y, logit_scale: float = 1.0, test=None, chunk_bytes: int = 2**27,
                 noise_std: float | None = None):
        if not (logit_scale > 0):
            raise ValueError(f"logit_scale must be > 0 (it is an inverse temperature); got {logit_scale}")
        check_model(model, "Evaluator")
        self.model = model
        self.X = as_features(X, model.in_features)
        self.regression = getattr(model, "output", None) == "regression"
        if self.regression:
            if noise_std is not None and not (0 < noise_std < float("inf")):
                raise ValueError(f"noise_std must be a finite positive number; got {noise_std}")
            logit_scale = 1.0 / noise_std if noise_std is not None else logit_scale
            self.y = as_targets(y, model.out_features, self.X.shape[0])
        else:
            self.y = as_labels(y, model.n_classes, self.X.shape[0])
        self.logit_scale = float(logit_scale)
        self.chunk_bytes = int(chunk_bytes)
        self._test = test
        self._table: torch.Tensor | None = None

    @classmethod
    def from_dataset(cls, model, dataset, **kwargs) -> "Evaluator":
        """An evaluator on ``dataset``'s training split that knows its test split."""
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
    def _chunks(self, bits):
        bits = as_bits(bits, self.num_bits)
        width = forward_width(self.model)
        step = max(1, self.chunk_bytes // (8 * self.num_data * width * 3))
        for s in range(0, bits.shape[0], step):
            yield bits[s : s + step]

    def point_log_likelihood(self, bits) -> torch.Tensor:
        """log p(y_i | x_i, w_s) for every network and point: [S, N]."""
        return torch.cat([
            likelihood.log_prob(self.model.forward(b, self.X), self.y, self.logit_scale)
            for b in self._chunks(bits)
        ])

    def log_likelihood(self, bits) -> torch.Tensor:
        r""":math:`\log p(D|w_s) = \sum_i \log p(y_i|x_i,w_s)` for every row of ``bits``: [S]."""
        return torch.cat([
            likelihood.log_prob(self.model.forward(b, self.X), self.y, self.logit_scale).sum(-1)
            for b in self._chunks(bits)
        ])

    def nll(self, bits) -> torch.Tensor:
        """Mean negative log-likelihood per data point: [S]."""
        return -self.log_likelihood(bits) / self.num_data

    def accuracy(self, bits) -> torch.Tensor:
        """Fraction of points each network classifies correctly: [S] (NaN for regression)."""
        if self.regression:
            return torch.full((as_bits(bits, self.num_bits).shape[0],), float("nan"), dtype=DTYPE)
        out = []
        for b in self._chunks(bits):
            logits = self.model.forward(b, self.X)
            pred = (logits[..., 0] >= 0).long() if logits.shape[-1] == 1 else logits.argmax(-1)
            out.append((pred == self.y).to(DTYPE).mean(-1))
        return torch.cat(out)

    def predict_proba(self, bits, X=None) -> torch.Tensor:
        """Class probabilities of every network on ``X`` (default: the training inputs): [S, N, C]."""
        self._need_classifier("predict_proba")
        X = self.X if X is None else as_features(X, self.model.in_features)
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
        bits = as_bits(bits, self.num_bits)
        w = torch.full((bits.shape[0],), 1.0, dtype=DTYPE) if weights is None else torch.as_tensor(weights, dtype=DTYPE)
        if w.shape != (bits.shape[0],) or (w < 0).any() or w.sum() <= 0:
            raise ValueError(f"weights must be {bits.shape[0]} non-negative numbers with a positive sum")
        w = w / w.sum()
        X = self.X if X is None else as_features(X, self.model.in_features)
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
